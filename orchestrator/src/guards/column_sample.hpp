// A bounded, read-only sample of a table's columns: what init and the kept-column check search.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "understudy/pg/transaction.hpp"
#include "understudy/subsetter/catalog.hpp"

namespace understudy::orchestrator {

/// The rows a column sample reads at most: enough to see a kind that one row in a few hundred has,
/// and a few megabytes even for wide documents.
inline constexpr std::size_t k_sample_rows = 1000;
/// Values stored larger than this (after compression) are left out of a sample.
inline constexpr std::size_t k_sample_max_value_bytes = 1 << 20;

/// How a sampled column is read.
enum class SampledAs {
    text,        ///< its text form
    array_json,  ///< an array as a JSON array (`to_json`), so its elements are JSON strings
};

/// One column to sample.
struct SampledColumn {
    std::string name;
    SampledAs as = SampledAs::text;
};

/// Up to `row_limit` rows of `columns` of `table` (TABLESAMPLE SYSTEM on a large table, so the pages
/// read follow the sample rather than the table), in the snapshot's transaction. One vector per
/// column, one entry per sampled row, nullopt for NULL and for values over k_sample_max_value_bytes.
std::vector<std::vector<std::optional<std::string>>> sample_columns(pg::Transaction& tx,
                                                                    const subsetter::Table& table,
                                                                    const std::vector<SampledColumn>& columns,
                                                                    std::size_t row_limit = k_sample_rows);

}  // namespace understudy::orchestrator
