// Large objects: pg_dump --schema-only leaves them out, so the copy carries the ones its rows use.
#include "understudy/orchestrator/transfer/large_objects.hpp"

#include <algorithm>
#include <set>

#include "understudy/pg/transaction.hpp"

#include "understudy/pg/database_error.hpp"
#include "understudy/pg/sql_text.hpp"

namespace understudy::orchestrator {
namespace {

// Bytes read per lo_get: big objects travel in pieces, so no statement holds one whole.
constexpr std::int64_t k_chunk_bytes = 1 << 20;

// Oids looked up per statement when checking which referenced large objects exist.
constexpr std::size_t k_oids_per_query = 10000;

/// The columns of `table` whose values are large objects the copy must carry: oid columns that
/// reach the target unchanged. A rule other than keep replaces the value (null: none referenced;
/// hash or noise: a number that names some other object or none), so its objects are not copied.
std::vector<std::string> copied_oid_columns(const subsetter::Table& table, const anonymizer::RuleSet* rules) {
    std::vector<std::string> columns;
    for (const auto& column : table.columns) {
        if (column.generated || !refers_to_large_objects(column)) continue;
        if (rules) {
            const anonymizer::ColumnRule* rule = rules->find(table.name.display(), column.name);
            if (rule && rule->kind != "keep") continue;
        }
        columns.push_back(column.name);
    }
    return columns;
}

/// Calls `chunk(offset, hex)` for each piece of large object `oid`, in order; at least once (an
/// empty object is one empty piece). Returns its size in bytes.
std::uint64_t read_large_object(pg::Transaction& source_tx, std::uint32_t oid,
                                const std::function<void(std::int64_t, const std::string&)>& chunk) {
    std::int64_t offset = 0;
    for (;;) {
        // lo_get reads in the transaction's snapshot, on a standby too (a read-only transaction
        // may open a large object INV_READ).
        auto row = pg::with_context(pg::Side::source, "could not read large object " + std::to_string(oid), [&] {
            return source_tx.exec_params1("SELECT encode(pg_catalog.lo_get($1::oid, $2::bigint, $3::integer), 'hex')",
                                          oid, offset, k_chunk_bytes);
        });
        const std::string hex = row[0].c_str();
        chunk(offset, hex);
        const auto bytes = static_cast<std::int64_t>(hex.size() / 2);
        offset += bytes;
        if (bytes < k_chunk_bytes) return static_cast<std::uint64_t>(offset);
    }
}

}  // namespace

bool refers_to_large_objects(const subsetter::Column& column) {
    return column.base_type == "oid";
}

bool copies_whole_database(const subsetter::Catalog& catalog, const subsetter::SubsetPlan& plan,
                           const subsetter::SubsetSettings& settings) {
    if (!settings.catalog_filter.schemas.empty()) return false;
    return std::all_of(plan.tables.begin(), plan.tables.end(), [&](const subsetter::TablePlan& table_plan) {
        const subsetter::Table* table = catalog.find(table_plan.table);
        // An unlogged table read on a follower is empty in every copy; it does not make one partial.
        return table_plan.policy == subsetter::TablePolicy::all || (table && table->unreadable);
    });
}

std::vector<std::uint32_t> large_objects_to_copy(pg::Transaction& source_tx,
                                                 const std::vector<TableCopyJob>& jobs,
                                                 const anonymizer::RuleSet* rules, bool whole_database) {
    // Which oid columns reach the target unchanged, per job; a rule that rewrites one makes even a
    // full copy carry only what the kept columns reference.
    bool rewritten = false;
    std::vector<std::pair<const TableCopyJob*, std::vector<std::string>>> sources;
    for (const auto& job : jobs) {
        auto columns = copied_oid_columns(*job.table, rules);
        const auto all_oid_columns = std::count_if(job.table->columns.begin(), job.table->columns.end(),
                                                   [](const subsetter::Column& column) {
                                                       return refers_to_large_objects(column);
                                                   });
        if (columns.size() != static_cast<std::size_t>(all_oid_columns)) rewritten = true;
        if (!columns.empty()) sources.emplace_back(&job, std::move(columns));
    }
    if (whole_database && !rewritten) {
        // A full copy carries every large object, referenced or not, as pg_dump would: no need to
        // read which ones the rows reference.
        std::vector<std::uint32_t> all;
        auto rows = pg::with_context(pg::Side::source, "could not list the large objects", [&] {
            return source_tx.exec("SELECT oid::bigint FROM pg_catalog.pg_largeobject_metadata ORDER BY oid");
        });
        for (const auto& row : rows) all.push_back(row[0].as<std::uint32_t>());
        return all;
    }
    std::set<std::uint32_t> referenced;
    for (const auto& [job, columns] : sources) {
        // The rows the job copies: its selects, or the whole table (or leaf).
        for (const auto& select : selects_of(*job)) {
            for (const auto& column : columns) {
                const std::string name = pg::quote_ident(column);
                auto rows = pg::with_context(
                    pg::Side::source, "could not read the large objects of " + job->table->name.quoted(), [&] {
                        return source_tx.exec("SELECT DISTINCT s." + name + "::oid::bigint FROM (" + select +
                                              ") s WHERE s." + name + " IS NOT NULL");
                    });
                for (const auto& row : rows) referenced.insert(row[0].as<std::uint32_t>());
            }
        }
    }
    // A value that names no large object is a dangling oid in the source: it stays dangling.
    std::vector<std::uint32_t> wanted(referenced.begin(), referenced.end());
    std::vector<std::uint32_t> existing;
    for (std::size_t start = 0; start < wanted.size(); start += k_oids_per_query) {
        const std::size_t end = std::min(wanted.size(), start + k_oids_per_query);
        std::string list = "{";
        for (std::size_t index = start; index < end; ++index)
            list += (index == start ? "" : ",") + std::to_string(wanted[index]);
        list += "}";
        auto rows = pg::with_context(pg::Side::source, "could not list the large objects", [&] {
            return source_tx.exec_params("SELECT oid::bigint FROM pg_catalog.pg_largeobject_metadata WHERE oid = "
                                         "ANY($1::oid[]) ORDER BY oid",
                                         list);
        });
        for (const auto& row : rows) existing.push_back(row[0].as<std::uint32_t>());
    }
    return existing;
}

LargeObjectTotals copy_large_objects(pg::Transaction& source_tx, const std::vector<std::uint32_t>& oids,
                                     pg::QuerySession& target) {
    LargeObjectTotals totals;
    if (oids.empty()) return totals;
    auto target_tx = target.begin();
    for (std::uint32_t oid : oids) {
        totals.bytes += read_large_object(source_tx, oid, [&](std::int64_t offset, const std::string& hex) {
            pg::with_context(pg::Side::target, "could not write large object " + std::to_string(oid), [&] {
                // The same oid as in the source: that is what the copied rows hold.
                if (offset == 0) {
                    target_tx.exec_params("SELECT pg_catalog.lo_from_bytea($1::oid, decode($2, 'hex'))", oid, hex);
                } else {
                    target_tx.exec_params("SELECT pg_catalog.lo_put($1::oid, $2::bigint, decode($3, 'hex'))", oid,
                                          offset, hex);
                }
            });
        });
        ++totals.count;
    }
    pg::with_context(pg::Side::target, "could not write the large objects", [&] { target_tx.commit(); });
    return totals;
}

LargeObjectTotals write_large_objects_sql(pg::Transaction& source_tx, const std::vector<std::uint32_t>& oids,
                                          const std::function<void(const std::string&)>& write) {
    LargeObjectTotals totals;
    for (std::uint32_t oid : oids) {
        totals.bytes += read_large_object(source_tx, oid, [&](std::int64_t offset, const std::string& hex) {
            // '\x…' is bytea's hex input as long as standard_conforming_strings is on, which the
            // file's preamble (pg_dump's) sets.
            if (offset == 0) {
                write("SELECT pg_catalog.lo_from_bytea(" + std::to_string(oid) + ", '\\x" + hex + "');\n");
            } else {
                write("SELECT pg_catalog.lo_put(" + std::to_string(oid) + ", " + std::to_string(offset) + ", '\\x" +
                      hex + "');\n");
            }
        });
        ++totals.count;
    }
    return totals;
}

}  // namespace understudy::orchestrator
