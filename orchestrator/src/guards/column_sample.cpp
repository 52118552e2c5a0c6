// Sampling a few columns of a table on the follower, bounded by rows and bytes.
#include "guards/column_sample.hpp"

#include <algorithm>
#include <cstdio>

#include "understudy/orchestrator/schema/sql_template.hpp"
#include "understudy/pg/database_error.hpp"
#include "understudy/pg/result.hpp"
#include "understudy/pg/sql_text.hpp"
#include "understudy/sql/orchestrator_sql.hpp"

namespace understudy::orchestrator {
namespace {

/// `TABLESAMPLE SYSTEM (p) REPEATABLE (0)` with p the percent of pages expected to hold four times
/// `row_limit` rows, or nothing when that is most of the table. Sampling pages, not rows: the scan
/// reads only the chosen pages (BERNOULLI would read them all). A foreign leaf cannot be sampled.
std::string sampling_clause(const subsetter::Table& table, std::size_t row_limit) {
    if (table.foreign_partitions || table.estimated_rows <= 0) return {};
    const double percent = 100.0 * 4.0 * static_cast<double>(row_limit) / static_cast<double>(table.estimated_rows);
    if (percent >= 50.0) return {};
    char text[32];
    std::snprintf(text, sizeof text, "%.6g", std::max(percent, 1e-6));
    return std::string("TABLESAMPLE SYSTEM (") + text + ") REPEATABLE (0)";
}

}  // namespace

std::vector<std::vector<std::optional<std::string>>> sample_columns(pg::Transaction& tx,
                                                                    const subsetter::Table& table,
                                                                    const std::vector<SampledColumn>& columns,
                                                                    std::size_t row_limit) {
    std::vector<std::vector<std::optional<std::string>>> values(columns.size());
    if (columns.empty() || row_limit == 0) return values;
    std::string expressions;
    for (const SampledColumn& column : columns) {
        const std::string name = pg::quote_ident(column.name);
        const std::string read = column.as == SampledAs::array_json ? "to_json(" + name + ")::text" : name + "::text";
        expressions += (expressions.empty() ? "" : ", ") + std::string("CASE WHEN pg_column_size(") + name +
                       ") <= " + std::to_string(k_sample_max_value_bytes) + " THEN " + read + " END";
    }
    // A partitioned table is sampled through its root (each partition's pages); inheritance
    // children are tables of their own.
    const std::string relation = (table.partitioned ? "" : "ONLY ") + table.name.quoted();
    const std::string rows = std::to_string(row_limit);
    const std::string query = sql_with(sql::k_column_sample, {{"columns", expressions},
                                                              {"relation", relation},
                                                              {"sampling", sampling_clause(table, row_limit)},
                                                              {"rows", rows}});
    auto result = pg::with_context(pg::Side::source, "could not sample " + table.name.quoted(),
                                   [&] { return tx.exec(query); });
    for (auto& column_values : values) column_values.reserve(result.size());
    for (const auto& row : result) {
        for (std::size_t column_idx = 0; column_idx < columns.size(); ++column_idx) {
            const auto field = row[static_cast<int>(column_idx)];
            values[column_idx].push_back(field.is_null() ? std::nullopt
                                                          : std::optional<std::string>(field.c_str()));
        }
    }
    return values;
}

}  // namespace understudy::orchestrator
