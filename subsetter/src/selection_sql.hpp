// SQL text of the key selection: key matches as inlined arrays, seeded hashes, keyless filters.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "understudy/subsetter/catalog.hpp"
#include "understudy/subsetter/selection.hpp"

namespace understudy::subsetter::detail {

/// The alias every selection query gives its table.
inline constexpr const char* k_alias = "t";

/// `ONLY "s"."t" t` for a plain table (inheritance children are tables of their own), `"s"."t" t`
/// for a partitioned one (it stands for its partitions).
std::string from_clause(const Table& table);

/// `from_clause(table)` followed by `TABLESAMPLE SYSTEM (percent) REPEATABLE (seed)` when
/// `percent` is below 100: only the sampled blocks are read, the same ones for the same seed.
std::string sampled_from_clause(const Table& table, double percent, std::uint64_t seed);

/// `'{"a","b"}'::type[]`: values as one typed array literal.
std::string array_literal(const std::vector<std::string_view>& values, const std::string& type);

/// The type to cast text values of `column` to: the base type of a domain, else the column type.
std::string cast_type(const Column& column);

/// The column of `table`, or Error(internal) naming both when the catalog does not have it.
const Column& require_column(const Table& table, const std::string& column_name);

/// The cast types of `columns` of `table`, in order.
std::vector<std::string> cast_types(const Table& table, const std::vector<std::string>& columns);

/// `t."a", t."b"`.
std::string qualified_columns(const std::vector<std::string>& columns);

/// Splits a RowKey-encoded tuple into its text values.
std::vector<std::string_view> split_tuple(std::string_view tuple);

/// `t."id" = ANY('{"1","2"}'::bigint[])`, or for several columns
/// `(t."a", t."b") IN (SELECT * FROM unnest('{..}'::int[], '{..}'::text[]))`; `tuples` are
/// RowKey-encoded. An empty list gives `false`.
std::string match_clause(const std::vector<std::string>& columns, const std::vector<std::string>& types,
                         const std::vector<std::string_view>& tuples);

/// `unnest('{..}'::t1[], '{..}'::t2[]) AS v(v0, v1)`: RowKey-encoded tuples as a relation.
std::string tuples_relation(const std::vector<std::string>& types, const std::vector<std::string_view>& tuples);

/// The seed as a signed bigint literal (`'-5'::bigint`: the smallest bigint has no unquoted form).
std::string seed_literal(std::uint64_t seed);

/// A keyed hash of a row's key, uniform over the signed 64-bit range: `hashint8extended` for a
/// single integer key, `hashtextextended` over the key as a row otherwise.
std::string key_hash_expr(const Table& table, std::uint64_t seed);

/// The hash threshold that lets about `fraction` (0..1) of rows pass `h < threshold`.
std::int64_t hash_threshold(double fraction);

/// The smallest and largest value of the table's leading key column, as text: two index descents.
std::string key_bounds_query(const Table& table);

/// The key of the first row at or after each probe of the leading key column, in probe order (one
/// index range scan per probe): `SELECT s.k0, s.k1 FROM unnest(probes) WITH ORDINALITY ...`.
std::string key_probe_query(const Table& table, const std::vector<std::string>& probes);

/// `t."a" IS NOT NULL AND ... [AND t."type" IS NOT DISTINCT FROM 'Post']`: the row holds this reference.
std::string active_clause(const ReferenceFilter& reference);

/// The WHERE conditions, one per statement, whose disjoint union is a filtered table's rows;
/// the largest value list is split into batches of `batch_size`. Empty when no row can match.
std::vector<std::string> filter_conditions(const RowFilter& filter, std::size_t batch_size);

/// `SELECT count(*) ...` of the rows `filter` selects from `table`.
std::string filter_count_query(const Table& table, const RowFilter& filter);

}  // namespace understudy::subsetter::detail
