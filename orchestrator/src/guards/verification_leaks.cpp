// The leak scan: each rule-covered column lost its sampled originals, and no other column holds them.
#include "guards/verification_leaks.hpp"

#include <algorithm>
#include <set>
#include <utility>

#include "guards/verification_originals_finder.hpp"
#include "understudy/anonymizer/pii_shape.hpp"
#include "understudy/orchestrator/schema/sql_template.hpp"
#include "understudy/pg/sql_text.hpp"
#include "understudy/sql/orchestrator_sql.hpp"

namespace understudy::orchestrator {
namespace {

std::string quoted_name(const std::string& text) {
    return "\"" + text + "\"";
}

/// `schema.table.column` -> the table and column of the catalog it names.
std::map<std::string, std::pair<const subsetter::Table*, std::string>> columns_by_key(
    const subsetter::Catalog& catalog) {
    std::map<std::string, std::pair<const subsetter::Table*, std::string>> columns;
    for (const auto& table : catalog.tables) {
        for (const auto& column : table.columns) {
            columns[table.name.display() + "." + column.name] = {&table, column.name};
        }
    }
    return columns;
}

/// Part one: the sampled originals must not appear in their own column; each match is a value a
/// rule should have replaced. Every row is compared (the server hashes the array). Returns failures.
std::size_t check_own_columns(pg::Transaction& tx, const subsetter::Catalog& catalog,
                              const std::map<std::string, std::vector<std::string>>& samples,
                              VerificationResult& result, std::size_t& values) {
    const auto columns = columns_by_key(catalog);
    std::size_t failed = 0;
    for (const auto& [key, originals] : samples) {
        if (originals.empty()) continue;
        auto found = columns.find(key);
        if (found == columns.end()) {
            ++failed;
            result.failures.push_back("column " + quoted_name(key) + " of the leak scan is missing");
            continue;
        }
        values += originals.size();
        std::vector<std::string_view> elements(originals.begin(), originals.end());
        const auto leaked = tx.exec_params1("SELECT count(DISTINCT " + pg::quote_ident(found->second.second) +
                                                "::text) FROM " + found->second.first->name.quoted() + " WHERE " +
                                                pg::quote_ident(found->second.second) + "::text = ANY($1::text[])",
                                            pg::array_literal(elements))[0]
                                .as<std::uint64_t>();
        if (leaked == 0) continue;
        ++failed;
        result.failures.push_back("column " + quoted_name(key) + " still holds " + std::to_string(leaked) + " of " +
                                  std::to_string(originals.size()) + " sampled original values");
    }
    return failed;
}

/// The originals searched in other columns, and which rule-covered columns each was sampled from.
struct SearchedOriginals {
    OriginalsFinder finder;
    std::vector<std::set<std::string>> sources;  ///< by finder index: "schema.table.column"
    std::map<std::string, std::size_t> per_source;  ///< searchable originals per sampled column
};

/// Only PII-shaped originals of OriginalsFinder::k_min_length bytes or more are searched outside
/// their column: `US`, `active`, `1` or a first name like `Ann` also occur in free text that never
/// saw the original row, so finding them there proves nothing; an email, a phone number, a card or
/// IBAN, a national id is somebody's wherever it turns up.
SearchedOriginals searchable_originals(const std::map<std::string, std::vector<std::string>>& samples) {
    SearchedOriginals searched;
    for (const auto& [key, originals] : samples) {
        for (const auto& original : originals) {
            if (!anonymizer::pii_shape_of(original)) continue;
            // The recognizers ignore surrounding blanks; the search looks for what they recognized.
            const auto first = original.find_first_not_of(" \t\r\n");
            const auto last = original.find_last_not_of(" \t\r\n");
            auto index = searched.finder.add(std::string_view(original).substr(first, last - first + 1));
            if (!index) continue;
            if (*index == searched.sources.size()) searched.sources.emplace_back();
            if (searched.sources[*index].insert(key).second) ++searched.per_source[key];
        }
    }
    return searched;
}

/// Part two: the PII-shaped originals, searched in every text, json and array column of each table
/// with rows, in its first k_leak_scan_rows_per_table rows, all columns of a table in one query and
/// all originals in one pass over each value. A hit in the column an original was sampled from is
/// part one's business. Returns failures; fills the report's `elsewhere`.
std::size_t check_other_columns(pg::Transaction& tx, const subsetter::Catalog& catalog,
                                const std::map<std::string, std::vector<std::string>>& samples,
                                const std::map<std::string, std::uint64_t>& counts, VerificationResult& result) {
    const SearchedOriginals searched = searchable_originals(samples);
    std::size_t tables = 0;
    std::size_t columns = 0;
    std::size_t rows_read = 0;
    std::size_t bytes_read = 0;
    std::size_t tables_whole = 0;
    // (target column, source column) -> the distinct originals found there.
    std::map<std::pair<std::string, std::string>, std::set<std::size_t>> hits;
    for (const auto& table : catalog.tables) {
        if (searched.finder.size() == 0) break;
        auto rows = counts.find(table.name.display());
        if (table.unreadable || rows == counts.end() || rows->second == 0) continue;
        std::vector<std::string> names;
        std::string list;
        for (const auto& column : table.columns) {
            if (!holds_free_text(column)) continue;
            list += (names.empty() ? "" : ", ") + pg::quote_ident(column.name) + "::text";
            names.push_back(table.name.display() + "." + column.name);
        }
        if (names.empty()) continue;
        const std::string relation = (table.partitioned ? "" : "ONLY ") + table.name.quoted();
        const std::string limit = std::to_string(k_leak_scan_rows_per_table);
        // Through a cursor, a batch at a time: a table of large documents is never held whole in
        // memory, and the search stops at the byte budget.
        tx.exec("DECLARE understudy_leak_scan NO SCROLL CURSOR FOR " +
                sql_with(sql::k_leak_scan_rows, {{"columns", list}, {"relation", relation}, {"rows", limit}}));
        std::size_t table_rows = 0;
        std::size_t table_bytes = 0;
        bool whole = true;  // every row read (the count is verification's own), none left for the budget
        std::size_t batch_rows = k_leak_scan_first_batch_rows;
        for (bool more = true; more;) {
            const auto batch = tx.exec("FETCH " + std::to_string(batch_rows) + " FROM understudy_leak_scan");
            more = batch.size() == batch_rows;
            for (const auto& row : batch) {
                for (std::size_t column_idx = 0; column_idx < names.size(); ++column_idx) {
                    if (row[column_idx].is_null()) continue;
                    table_bytes += row[column_idx].size();
                    searched.finder.find_in(row[column_idx].view(), [&](std::size_t index) {
                        for (const auto& source : searched.sources[index]) {
                            if (source != names[column_idx]) hits[{names[column_idx], source}].insert(index);
                        }
                    });
                }
            }
            table_rows += batch.size();
            if (table_bytes >= k_leak_scan_bytes_per_table) more = whole = false;
            // Each round trip waits for the server's turn on a busy machine: the next batch is as
            // many rows as fit in k_leak_scan_batch_bytes at the rows' size so far.
            batch_rows = std::clamp<std::size_t>(k_leak_scan_batch_bytes * table_rows / std::max<std::size_t>(table_bytes, 1),
                                                 k_leak_scan_first_batch_rows / 10, k_leak_scan_rows_per_table);
        }
        tx.exec("CLOSE understudy_leak_scan");
        if (table_rows < rows->second) whole = false;
        ++tables;
        columns += names.size();
        rows_read += table_rows;
        bytes_read += table_bytes;
        if (whole) ++tables_whole;
    }
    for (const auto& [where, originals] : hits) {
        result.failures.push_back("column " + quoted_name(where.first) + " holds " + std::to_string(originals.size()) +
                                  " of " + std::to_string(searched.per_source.at(where.second)) +
                                  " sampled original values of " + quoted_name(where.second));
    }
    result.checks["leak_scan"]["elsewhere"] = {{"originals", searched.finder.size()},
                                               {"tables", tables},
                                               {"columns", columns},
                                               {"rows", rows_read},
                                               {"bytes", bytes_read},
                                               {"tables_whole", tables_whole},
                                               {"rows_per_table", k_leak_scan_rows_per_table},
                                               {"bytes_per_table", k_leak_scan_bytes_per_table},
                                               {"failed", hits.size()}};
    return hits.size();
}

}  // namespace

bool holds_free_text(const subsetter::Column& column) {
    if (column.type_category == "S" || column.type_category == "A") return true;
    return column.base_type == "json" || column.base_type == "jsonb" || column.base_type == "xml";
}

void check_leaks(pg::Transaction& tx, const subsetter::Catalog& catalog,
                 const std::map<std::string, std::vector<std::string>>& samples,
                 const std::map<std::string, std::uint64_t>& counts, VerificationResult& result) {
    std::size_t values = 0;
    std::size_t failed = check_own_columns(tx, catalog, samples, result, values);
    result.checks["leak_scan"] = {{"columns", samples.size()}, {"values", values}};
    failed += check_other_columns(tx, catalog, samples, counts, result);
    result.checks["leak_scan"]["failed"] = failed;
}

}  // namespace understudy::orchestrator
