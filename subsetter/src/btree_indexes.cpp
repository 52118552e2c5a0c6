// The source's btree indexes, as the column prefixes an equality lookup can use.
#include "understudy/subsetter/btree_indexes.hpp"

#include <set>

#include "understudy/pg/result.hpp"

#include "understudy/pg/database_error.hpp"
#include "understudy/pg/user_schemas.hpp"
#include "understudy/sql/subsetter_sql.hpp"

namespace understudy::subsetter {

BtreeIndexes BtreeIndexes::load(pg::Transaction& tx) {
    BtreeIndexes indexes;
    auto result = pg::with_context(pg::Side::source, "could not read the indexes",
                                   [&] { return tx.exec(pg::with_user_schema_filter(sql::k_selection_indexes)); });
    std::string last_index;
    bool usable = true;
    for (const auto& row : result) {
        QualifiedName table{row[0].c_str(), row[1].c_str()};
        std::string index = row[2].c_str();
        std::string column = row[4].c_str();
        auto& list = indexes.m_indexes[table];
        if (index != last_index) {
            list.emplace_back();
            last_index = index;
            usable = true;
        }
        if (column.empty()) usable = false;  // an expression: later columns cannot lead a lookup
        if (usable) list.back().push_back(column);
    }
    return indexes;
}

bool BtreeIndexes::serves_lookup(const QualifiedName& table, const std::vector<std::string>& columns) const {
    auto found = m_indexes.find(table);
    if (found == m_indexes.end() || columns.empty()) return false;
    std::set<std::string> wanted(columns.begin(), columns.end());
    for (const auto& index_columns : found->second) {
        if (index_columns.size() < columns.size()) continue;
        std::set<std::string> leading(index_columns.begin(),
                                      index_columns.begin() + static_cast<std::ptrdiff_t>(columns.size()));
        if (leading == wanted) return true;
    }
    return false;
}

bool BtreeIndexes::serves_reference(const ForeignKey& reference) const {
    if (serves_lookup(reference.child, reference.child_columns)) return true;
    if (!reference.condition) return false;
    // The lookup also compares the type column with a constant, so an index may lead with both.
    auto columns = reference.child_columns;
    columns.push_back(reference.condition->type_column);
    return serves_lookup(reference.child, columns);
}

void BtreeIndexes::add(const QualifiedName& table, std::vector<std::string> leading_columns) {
    m_indexes[table].push_back(std::move(leading_columns));
}

}  // namespace understudy::subsetter
