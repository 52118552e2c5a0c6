// Cutting pg_restore's post-data listing into per-table index work and what must wait for all tables.
#include "understudy/orchestrator/schema/post_data_split.hpp"

#include "understudy/pg/result.hpp"

#include "understudy/pg/session.hpp"
#include "understudy/subsetter/catalog.hpp"

namespace understudy::orchestrator {
namespace {

constexpr std::uint32_t k_pg_class = 1259;
constexpr std::uint32_t k_pg_constraint = 2606;

}  // namespace

PostDataSplit split_post_data(const std::vector<ArchiveEntry>& post_data,
                              const std::map<CatalogObject, std::string>& table_of_object) {
    PostDataSplit split;
    for (const auto& entry : post_data) {
        const bool own_index = entry.type == "INDEX" && entry.catalog == k_pg_class;
        const bool own_key = entry.type == "CONSTRAINT" && entry.catalog == k_pg_constraint;
        auto table = table_of_object.find({entry.catalog, entry.oid});
        if ((own_index || own_key) && table != table_of_object.end())
            split.per_table[table->second].push_back(entry.line);
        else
            split.rest.push_back(entry.line);
    }
    return split;
}

std::map<CatalogObject, std::string> read_table_of_object(pg::Transaction& tx) {
    // Each object belongs to its own relation: a leaf partition's index is buildable once that
    // leaf is loaded (leaf by leaf, or all at once through the partitioned table).
    static const char* const k_query = R"SQL(
        SELECT 1259, i.indexrelid, n.nspname, c.relname
        FROM pg_index i
        JOIN pg_class c ON c.oid = i.indrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        UNION ALL
        SELECT 2606, con.oid, n.nspname, c.relname
        FROM pg_constraint con
        JOIN pg_class c ON c.oid = con.conrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE con.contype IN ('p', 'u', 'x'))SQL";
    std::map<CatalogObject, std::string> owners;
    pg::with_context(pg::Side::source, "could not read which table each index belongs to", [&] {
        for (const auto& row : tx.exec(k_query)) {
            owners[{row[0].as<std::uint32_t>(), row[1].as<std::uint32_t>()}] =
                subsetter::QualifiedName{row[2].c_str(), row[3].c_str()}.display();
        }
    });
    return owners;
}

}  // namespace understudy::orchestrator
