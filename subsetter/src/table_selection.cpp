// A selection turned back into SQL: the SELECTs whose COPY output is exactly a table's chosen rows.
#include <algorithm>

#include "selection_sql.hpp"
#include "understudy/pg/sql_text.hpp"
#include "understudy/subsetter/selection.hpp"

namespace understudy::subsetter {

std::int64_t TableSelection::row_count() const {
    switch (mode) {
        case SelectionMode::keys:
            return static_cast<std::int64_t>(keys.size());
        case SelectionMode::filtered:
            return filtered_rows;
        case SelectionMode::none:
            return 0;
        case SelectionMode::all:
            return -1;
    }
    return -1;
}

std::vector<std::string> TableSelection::select_statements(const Table& table, std::size_t batch_size) const {
    batch_size = std::max<std::size_t>(batch_size, 1);
    std::vector<std::string> statements;
    auto columns = table.copy_columns();
    switch (mode) {
        case SelectionMode::none:
            return statements;
        case SelectionMode::all:
            // No ORDER BY: whole tables are copied at sequential-scan speed, and with
            // synchronize_seqscans off a scan in one snapshot returns rows in a stable order.
            statements.push_back("SELECT " + pg::quote_ident_list(columns) + " FROM " +
                                 (table.partitioned ? "" : "ONLY ") + table.name.quoted());
            return statements;
        case SelectionMode::keys: {
            auto select =
                "SELECT " + detail::qualified_columns(columns) + " FROM " + detail::from_clause(table) + " WHERE ";
            auto order = " ORDER BY " + detail::qualified_columns(key_columns);
            auto types = detail::cast_types(table, key_columns);
            for (std::size_t begin = 0; begin < keys.size(); begin += batch_size) {
                auto end = std::min(keys.size(), begin + batch_size);
                std::vector<std::string_view> batch(keys.begin() + static_cast<std::ptrdiff_t>(begin),
                                                    keys.begin() + static_cast<std::ptrdiff_t>(end));
                statements.push_back(select + detail::match_clause(key_columns, types, batch) + order);
            }
            return statements;
        }
        case SelectionMode::filtered: {
            auto select = "SELECT " + detail::qualified_columns(columns) + " FROM " +
                          detail::sampled_from_clause(table, filter.sample_percent, filter.seed);
            // Rows without a key can only be ordered by their whole content.
            std::string whole_row = std::string("ROW(") + detail::k_alias + ".*)::text";
            if (filter.references.empty() && filter.where.empty()) {
                if (filter.sample_rows == 0) return statements;
                std::string statement = select;
                if (filter.sample_rows > 0) {
                    statement += " ORDER BY hashtextextended(" + whole_row + ", " + detail::seed_literal(filter.seed) +
                                 "), " + whole_row + " LIMIT " + std::to_string(filter.sample_rows);
                } else {
                    statement += " ORDER BY " + whole_row;
                }
                statements.push_back(statement);
                return statements;
            }
            for (const auto& condition : detail::filter_conditions(filter, batch_size)) {
                statements.push_back(select + " WHERE " + condition + " ORDER BY " + whole_row);
            }
            return statements;
        }
    }
    return statements;
}

const TableSelection* Selection::find(const QualifiedName& table) const {
    auto found = tables.find(table);
    return found == tables.end() ? nullptr : &found->second;
}

}  // namespace understudy::subsetter
