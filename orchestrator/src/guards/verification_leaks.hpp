// Verification's leak scan: sampled originals of rule-covered columns must appear nowhere in the copy.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "understudy/orchestrator/guards/verification.hpp"
#include "understudy/pg/transaction.hpp"
#include "understudy/subsetter/catalog.hpp"

namespace understudy::orchestrator {

/// Rows of one table the search in other columns reads at most (its first rows in physical order).
inline constexpr std::int64_t k_leak_scan_rows_per_table = 10000;
/// Text of one table it reads at most: the search stops after the batch that passes it (a table of
/// large documents is searched in fewer rows rather than making verification slow).
inline constexpr std::size_t k_leak_scan_bytes_per_table = 32u << 20;
/// Rows of the first batch fetched; later batches hold about k_leak_scan_batch_bytes of text. What
/// the search holds in memory is a batch, not a table.
inline constexpr std::size_t k_leak_scan_first_batch_rows = 1000;
inline constexpr std::size_t k_leak_scan_batch_bytes = 4u << 20;

/// Whether a column's values can carry another column's text: string types (text, varchar, char,
/// citext; not enums, whose values the schema fixes), json, jsonb, xml and arrays.
bool holds_free_text(const subsetter::Column& column);

/// The leak scan, two parts, counts only in the failures and the report:
/// (1) own column: no rule-covered column still holds one of its own sampled originals (equality,
///     every row);
/// (2) elsewhere: no PII-shaped sampled original (anonymizer::pii_shape_of, at least
///     OriginalsFinder::k_min_length bytes) occurs as a whole token in any other text, json or array
///     column of a table with rows (`counts`), searched in each table's first
///     k_leak_scan_rows_per_table rows or k_leak_scan_bytes_per_table bytes of text.
void check_leaks(pg::Transaction& tx, const subsetter::Catalog& catalog,
                 const std::map<std::string, std::vector<std::string>>& samples,
                 const std::map<std::string, std::uint64_t>& counts, VerificationResult& result);

}  // namespace understudy::orchestrator
