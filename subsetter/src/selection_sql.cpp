// SQL text of the key selection: the source is a hot standby, so keys travel inside the statements.
#include "selection_sql.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "understudy/join.hpp"
#include "understudy/error.hpp"
#include "understudy/pg/sql_text.hpp"

namespace understudy::subsetter::detail {

std::string from_clause(const Table& table) {
    // ONLY keeps an inheritance parent from also returning its children's rows, which are copied
    // as tables of their own; a partitioned table has no rows but its partitions', so no ONLY.
    return (table.partitioned ? "" : "ONLY ") + table.name.quoted() + " " + k_alias;
}

std::string sampled_from_clause(const Table& table, double percent, std::uint64_t seed) {
    if (percent >= 100.0) return from_clause(table);
    // Seventeen significant digits round-trip a double; a tiny percentage must not print as 0.
    char text[64];
    std::snprintf(text, sizeof text, "%.17g", percent);
    // REPEATABLE takes a float8: the seed's low 31 bits are exact in one.
    return from_clause(table) + " TABLESAMPLE SYSTEM (" + text + ") REPEATABLE (" +
           std::to_string(seed & 0x7fffffffU) + ")";
}

std::string cast_type(const Column& column) { return column.base_type.empty() ? column.type : column.base_type; }

const Column& require_column(const Table& table, const std::string& column_name) {
    if (const Column* column = table.find_column(column_name)) return *column;
    throw Error(ExitCode::internal,
                "column \"" + column_name + "\" of \"" + table.name.display() + "\" is not in the catalog");
}

std::vector<std::string> cast_types(const Table& table, const std::vector<std::string>& columns) {
    std::vector<std::string> types;
    types.reserve(columns.size());
    for (const auto& column : columns) types.push_back(cast_type(require_column(table, column)));
    return types;
}

std::string qualified_columns(const std::vector<std::string>& columns) {
    return pg::quote_ident_list(columns, std::string(k_alias) + ".");
}

std::vector<std::string_view> split_tuple(std::string_view tuple) {
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    while (true) {
        auto end = tuple.find('\0', start);
        if (end == std::string_view::npos) {
            parts.push_back(tuple.substr(start));
            return parts;
        }
        parts.push_back(tuple.substr(start, end - start));
        start = end + 1;
    }
}

namespace {

// One typed array of the column values at `column_idx` of every tuple.
std::string typed_array(const std::vector<std::string_view>& tuples, std::size_t column_idx, std::size_t column_count,
                        const std::string& type) {
    std::string elements = "{";
    elements.reserve(tuples.size() * 8 + 2);
    bool first = true;
    for (auto tuple : tuples) {
        if (!first) elements += ',';
        first = false;
        if (column_count == 1) {
            pg::append_array_element(elements, tuple);
        } else {
            auto parts = split_tuple(tuple);
            if (parts.size() != column_count) {
                throw Error(ExitCode::internal, "a key tuple has " + std::to_string(parts.size()) + " values where " +
                                                    std::to_string(column_count) + " were expected");
            }
            pg::append_array_element(elements, parts[column_idx]);
        }
    }
    elements += '}';
    return pg::quote_literal(elements) + "::" + type + "[]";
}

}  // namespace

std::string array_literal(const std::vector<std::string_view>& values, const std::string& type) {
    return typed_array(values, 0, 1, type);
}

std::string match_clause(const std::vector<std::string>& columns, const std::vector<std::string>& types,
                         const std::vector<std::string_view>& tuples) {
    if (tuples.empty()) return "false";
    if (columns.size() == 1) return qualified_columns(columns) + " = ANY(" + typed_array(tuples, 0, 1, types[0]) + ")";
    // A row comparison with IN over unnest() of parallel arrays: one array per column keeps every
    // value in its own type, and the planner turns it into a hashed semi-join.
    std::string out = "(" + qualified_columns(columns) + ") IN (SELECT * FROM unnest(";
    for (std::size_t column_idx = 0; column_idx < columns.size(); ++column_idx) {
        if (column_idx > 0) out += ", ";
        out += typed_array(tuples, column_idx, columns.size(), types[column_idx]);
    }
    out += "))";
    return out;
}

std::string tuples_relation(const std::vector<std::string>& types, const std::vector<std::string_view>& tuples) {
    std::string arrays;
    std::string names;
    for (std::size_t column_idx = 0; column_idx < types.size(); ++column_idx) {
        if (column_idx > 0) {
            arrays += ", ";
            names += ", ";
        }
        arrays += typed_array(tuples, column_idx, types.size(), types[column_idx]);
        names += "v" + std::to_string(column_idx);
    }
    return "unnest(" + arrays + ") AS v(" + names + ")";
}

std::string seed_literal(std::uint64_t seed) {
    return "'" + std::to_string(static_cast<std::int64_t>(seed)) + "'::bigint";
}

std::string key_hash_expr(const Table& table, std::uint64_t seed) {
    const auto& key = table.row_key();
    if (key.size() == 1) {
        auto type = cast_type(require_column(table, key.front()));
        if (type == "smallint" || type == "integer" || type == "bigint") {
            return "hashint8extended(" + qualified_columns(key) + "::bigint, " + seed_literal(seed) + ")";
        }
    }
    return "hashtextextended(ROW(" + qualified_columns(key) + ")::text, " + seed_literal(seed) + ")";
}

std::string key_bounds_query(const Table& table) {
    auto leading = qualified_columns({table.row_key().front()});
    auto from = from_clause(table);
    auto first = [&](const char* direction) {
        return "(SELECT " + leading + "::text FROM " + from + " WHERE " + leading + " IS NOT NULL ORDER BY " + leading +
               direction + " LIMIT 1)";
    };
    return "SELECT " + first("") + ", " + first(" DESC");
}

std::string key_probe_query(const Table& table, const std::vector<std::string>& probes) {
    const auto& key_columns = table.row_key();
    std::string inner_list;
    std::string outer_list;
    for (std::size_t column_idx = 0; column_idx < key_columns.size(); ++column_idx) {
        auto name = "k" + std::to_string(column_idx);
        inner_list += (column_idx == 0 ? "" : ", ") + qualified_columns({key_columns[column_idx]}) + " AS " + name;
        outer_list += (column_idx == 0 ? "s." : ", s.") + name;
    }
    std::vector<std::string_view> probe_views(probes.begin(), probes.end());
    // ORDER BY the whole key, so a composite key's index serves it and the first row is one row.
    return "SELECT " + outer_list + " FROM unnest(" +
           array_literal(probe_views, cast_type(require_column(table, key_columns.front()))) +
           ") WITH ORDINALITY AS p(v, i) CROSS JOIN LATERAL (SELECT " + inner_list + " FROM " + from_clause(table) +
           " WHERE " + qualified_columns({key_columns.front()}) + " >= p.v ORDER BY " + qualified_columns(key_columns) +
           " LIMIT 1) s ORDER BY p.i";
}

std::int64_t hash_threshold(double fraction) {
    if (fraction >= 1.0) return std::numeric_limits<std::int64_t>::max();
    if (fraction <= 0.0) return std::numeric_limits<std::int64_t>::min();
    // The hashes are uniform over [-2^63, 2^63): the quantile is a linear map of the fraction.
    long double threshold = -9223372036854775808.0L + static_cast<long double>(fraction) * 18446744073709551616.0L;
    return static_cast<std::int64_t>(std::floor(threshold));
}

std::string active_clause(const ReferenceFilter& reference) {
    std::string out;
    for (const auto& column : reference.columns) {
        if (!out.empty()) out += " AND ";
        out += std::string(k_alias) + "." + pg::quote_ident(column) + " IS NOT NULL";
    }
    if (reference.condition) {
        // IS NOT DISTINCT FROM, not =: a NULL type must make the clause false, never NULL, so
        // that NOT (...) selects the row as "not holding this reference".
        out += " AND " + std::string(k_alias) + "." + pg::quote_ident(reference.condition->type_column) +
               " IS NOT DISTINCT FROM " + pg::quote_literal(reference.condition->type_value);
    }
    return out;
}

namespace {

std::vector<std::string_view> views(const std::vector<RowKey>& values, std::size_t begin, std::size_t end) {
    std::vector<std::string_view> out;
    out.reserve(end - begin);
    for (std::size_t value_idx = begin; value_idx < end; ++value_idx) out.emplace_back(values[value_idx]);
    return out;
}

// The row's value of `reference` is a selected parent (assuming the reference is active).
std::string full_match(const ReferenceFilter& reference) {
    if (reference.any_value) return "true";
    return match_clause(reference.columns, reference.types, views(reference.values, 0, reference.values.size()));
}

// `(a) OR (b)` as one parenthesized term; the parts come parenthesized already.
std::string any_of(const std::vector<std::string>& parts) {
    return parts.size() == 1 ? parts.front() : "(" + join(parts, " OR ") + ")";
}

}  // namespace

std::vector<std::string> filter_conditions(const RowFilter& filter, std::size_t batch_size) {
    std::vector<std::string> where;
    if (!filter.where.empty()) where.push_back("(" + filter.where + ")");
    if (filter.references.empty()) return {where.empty() ? std::string("true") : join(where, " AND ")};
    batch_size = std::max<std::size_t>(batch_size, 1);

    // Only the longest value list is split: a row matches it in exactly one batch, and the rows
    // that do not hold that reference at all get one statement of their own, so the statements
    // stay disjoint and their union is the whole filter.
    std::size_t big = filter.references.size();
    for (std::size_t reference_idx = 0; reference_idx < filter.references.size(); ++reference_idx) {
        const auto& reference = filter.references[reference_idx];
        if (reference.any_value || reference.values.size() <= batch_size) continue;
        if (big == filter.references.size() || reference.values.size() > filter.references[big].values.size()) {
            big = reference_idx;
        }
    }

    // Every other reference: either not held, or pointing at a selected parent.
    std::vector<std::string> others = where;
    std::vector<std::string> others_active;
    for (std::size_t reference_idx = 0; reference_idx < filter.references.size(); ++reference_idx) {
        if (reference_idx == big) continue;
        const auto& reference = filter.references[reference_idx];
        auto active = active_clause(reference);
        others_active.push_back("(" + active + ")");
        auto match = full_match(reference);
        if (match == "true") continue;
        others.push_back("(NOT (" + active + ") OR " + match + ")");
    }

    std::vector<std::string> conditions;
    if (big == filter.references.size()) {
        auto all = others;
        all.insert(all.begin(), any_of(others_active));
        conditions.push_back(join(all, " AND "));
        return conditions;
    }
    const auto& reference = filter.references[big];
    auto active = active_clause(reference);
    for (std::size_t begin = 0; begin < reference.values.size(); begin += batch_size) {
        auto end = std::min(reference.values.size(), begin + batch_size);
        auto batch = others;
        batch.insert(batch.begin(),
                     match_clause(reference.columns, reference.types, views(reference.values, begin, end)));
        batch.insert(batch.begin(), active);
        conditions.push_back(join(batch, " AND "));
    }
    if (!others_active.empty()) {
        auto rest = others;
        rest.insert(rest.begin(), any_of(others_active));
        rest.insert(rest.begin(), "NOT (" + active + ")");
        conditions.push_back(join(rest, " AND "));
    }
    return conditions;
}

std::string filter_count_query(const Table& table, const RowFilter& filter) {
    if (filter.references.empty()) {
        std::string inner = "SELECT 1 FROM " + sampled_from_clause(table, filter.sample_percent, filter.seed);
        if (!filter.where.empty()) inner += " WHERE (" + filter.where + ")";
        if (filter.where.empty() && filter.sample_rows >= 0) inner += " LIMIT " + std::to_string(filter.sample_rows);
        return "SELECT count(*) FROM (" + inner + ") s";
    }
    auto conditions = filter_conditions(filter, std::numeric_limits<std::size_t>::max());
    std::string out = "SELECT count(*) FROM " + from_clause(table) + " WHERE ";
    if (conditions.size() == 1) return out + conditions.front();
    // The conditions are disjoint, so OR counts every row once.
    std::vector<std::string> wrapped;
    for (const auto& condition : conditions) wrapped.push_back("(" + condition + ")");
    return out + join(wrapped, " OR ");
}

}  // namespace understudy::subsetter::detail
