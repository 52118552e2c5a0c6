// Unit tests for the SQL a selection turns into: key arrays, batching, ONLY, and keyless filters.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "understudy/subsetter/selection.hpp"
// The internal SQL helpers, tested directly: their output reaches the server verbatim.
#include "../../subsetter/src/selection_sql.hpp"

namespace understudy::subsetter {
namespace {

Column column(const std::string& name, const std::string& type, bool generated = false) {
    Column out;
    out.name = name;
    out.type = type;
    out.base_type = type;
    out.not_null = true;
    out.generated = generated;
    return out;
}

Table users_table() {
    Table table;
    table.name = {"public", "users"};
    table.columns = {column("id", "bigint"), column("name", "text"), column("name_upper", "text", true)};
    table.primary_key = {"id"};
    return table;
}

Table composite_table() {
    Table table;
    table.name = {"shop", "order_lines"};
    table.columns = {column("order_id", "integer"), column("code", "character varying(20)"), column("qty", "integer")};
    table.primary_key = {"order_id", "code"};
    return table;
}

TableSelection keys_selection(const Table& table, std::vector<RowKey> keys) {
    TableSelection selection;
    selection.table = table.name;
    selection.mode = SelectionMode::keys;
    selection.key_columns = table.row_key();
    selection.keys = std::move(keys);
    return selection;
}

TEST(SelectionSql, SingleKeyIsOneArrayOrderedByKey) {
    auto table = users_table();
    auto statements = keys_selection(table, {"1", "2", "30"}).select_statements(table);
    ASSERT_EQ(statements.size(), 1u);
    EXPECT_EQ(statements[0],
              "SELECT t.\"id\", t.\"name\" FROM ONLY \"public\".\"users\" t "
              "WHERE t.\"id\" = ANY('{\"1\",\"2\",\"30\"}'::bigint[]) ORDER BY t.\"id\"");
}

TEST(SelectionSql, BatchesKeys) {
    auto table = users_table();
    auto statements = keys_selection(table, {"1", "2", "3", "4", "5"}).select_statements(table, 2);
    ASSERT_EQ(statements.size(), 3u);
    EXPECT_NE(statements[0].find("'{\"1\",\"2\"}'::bigint[]"), std::string::npos);
    EXPECT_NE(statements[1].find("'{\"3\",\"4\"}'::bigint[]"), std::string::npos);
    EXPECT_NE(statements[2].find("'{\"5\"}'::bigint[]"), std::string::npos);
}

TEST(SelectionSql, CompositeKeysUseParallelUnnestArrays) {
    auto table = composite_table();
    auto statements = keys_selection(table, {std::string("1\0a", 3), std::string("2\0b", 3)}).select_statements(table);
    ASSERT_EQ(statements.size(), 1u);
    EXPECT_EQ(statements[0],
              "SELECT t.\"order_id\", t.\"code\", t.\"qty\" FROM ONLY \"shop\".\"order_lines\" t "
              "WHERE (t.\"order_id\", t.\"code\") IN (SELECT * FROM unnest('{\"1\",\"2\"}'::integer[], "
              "'{\"a\",\"b\"}'::character varying(20)[])) ORDER BY t.\"order_id\", t.\"code\"");
}

TEST(SelectionSql, TextKeysEscapeQuotesAndBackslashes) {
    Table table;
    table.name = {"public", "tags"};
    table.columns = {column("label", "text")};
    table.primary_key = {"label"};
    auto statements = keys_selection(table, {"it's", "say \"hi\"", "back\\slash", "{a,b}"}).select_statements(table);
    ASSERT_EQ(statements.size(), 1u);
    // Array element quoting first (\" and \\), then SQL literal quoting ('').
    EXPECT_NE(statements[0].find("= ANY('{\"it''s\",\"say \\\"hi\\\"\",\"back\\\\slash\",\"{a,b}\"}'::text[])"),
              std::string::npos)
        << statements[0];
}

TEST(SelectionSql, DomainKeysCastToTheirBaseType) {
    Table table;
    table.name = {"public", "accounts"};
    table.columns = {column("code", "public.account_code")};
    table.columns[0].base_type = "character varying(8)";
    table.primary_key = {"code"};
    auto statements = keys_selection(table, {"A1"}).select_statements(table);
    EXPECT_NE(statements[0].find("'{\"A1\"}'::character varying(8)[]"), std::string::npos) << statements[0];
}

TEST(SelectionSql, EmptyKeySetHasNoStatement) {
    auto table = users_table();
    EXPECT_TRUE(keys_selection(table, {}).select_statements(table).empty());
}

TEST(SelectionSql, PartitionedTablesAreReadWithoutOnly) {
    auto table = users_table();
    table.partitioned = true;
    auto statements = keys_selection(table, {"1"}).select_statements(table);
    EXPECT_NE(statements[0].find("FROM \"public\".\"users\" t WHERE"), std::string::npos) << statements[0];
    EXPECT_EQ(statements[0].find("ONLY"), std::string::npos);

    TableSelection all;
    all.mode = SelectionMode::all;
    EXPECT_EQ(all.select_statements(table),
              std::vector<std::string>{"SELECT \"id\", \"name\" FROM \"public\".\"users\""});
}

TEST(SelectionSql, AllIsOneUnorderedScanAndNoneIsNothing) {
    auto table = users_table();
    TableSelection all;
    all.mode = SelectionMode::all;
    EXPECT_EQ(all.select_statements(table),
              std::vector<std::string>{"SELECT \"id\", \"name\" FROM ONLY \"public\".\"users\""});
    EXPECT_EQ(all.row_count(), -1);

    TableSelection none;
    none.mode = SelectionMode::none;
    EXPECT_TRUE(none.select_statements(table).empty());
    EXPECT_EQ(none.row_count(), 0);
}

Table keyless_table() {
    Table table;
    table.name = {"public", "events"};
    table.columns = {column("user_id", "bigint"), column("order_id", "integer"), column("subject_type", "text"),
                     column("note", "text")};
    return table;
}

ReferenceFilter user_reference(std::vector<RowKey> values) {
    ReferenceFilter reference;
    reference.columns = {"user_id"};
    reference.types = {"bigint"};
    reference.values = std::move(values);
    return reference;
}

TEST(SelectionSql, KeylessSingleReferenceBatches) {
    auto table = keyless_table();
    TableSelection selection;
    selection.mode = SelectionMode::filtered;
    selection.filter.references = {user_reference({"1", "2", "3"})};
    auto statements = selection.select_statements(table, 2);
    ASSERT_EQ(statements.size(), 2u);
    EXPECT_EQ(statements[0],
              "SELECT t.\"user_id\", t.\"order_id\", t.\"subject_type\", t.\"note\" FROM ONLY \"public\".\"events\" t "
              "WHERE t.\"user_id\" IS NOT NULL AND t.\"user_id\" = ANY('{\"1\",\"2\"}'::bigint[]) "
              "ORDER BY ROW(t.*)::text");
    EXPECT_NE(statements[1].find("'{\"3\"}'::bigint[]"), std::string::npos);

    auto unbatched = selection.select_statements(table);
    ASSERT_EQ(unbatched.size(), 1u);
    EXPECT_NE(unbatched[0].find("WHERE (t.\"user_id\" IS NOT NULL) AND (NOT (t.\"user_id\" IS NOT NULL) OR "
                                "t.\"user_id\" = ANY('{\"1\",\"2\",\"3\"}'::bigint[]))"),
              std::string::npos)
        << unbatched[0];
}

TEST(SelectionSql, KeylessSeveralReferencesStayDisjointWhenBatched) {
    auto table = keyless_table();
    TableSelection selection;
    selection.mode = SelectionMode::filtered;
    ReferenceFilter order_reference;
    order_reference.columns = {"order_id"};
    order_reference.types = {"integer"};
    order_reference.condition = PolymorphicCondition{"subject_type", "Order"};
    order_reference.any_value = true;
    selection.filter.references = {user_reference({"1", "2", "3"}), order_reference};
    selection.filter.where = "note <> ''";
    auto statements = selection.select_statements(table, 2);
    ASSERT_EQ(statements.size(), 3u);
    // Two batches of user ids, then the rows that hold no user reference but an order one.
    EXPECT_NE(statements[0].find("WHERE t.\"user_id\" IS NOT NULL AND t.\"user_id\" = ANY('{\"1\",\"2\"}'::bigint[]) "
                                 "AND (note <> '')"),
              std::string::npos)
        << statements[0];
    EXPECT_EQ(statements[2].find("ANY("), std::string::npos);
    EXPECT_NE(statements[2].find("NOT (t.\"user_id\" IS NOT NULL) AND (t.\"order_id\" IS NOT NULL AND "
                                 "t.\"subject_type\" IS NOT DISTINCT FROM 'Order')"),
              std::string::npos)
        << statements[2];
}

TEST(SelectionSql, KeylessReferenceToExcludedParentMatchesNothing) {
    auto table = keyless_table();
    TableSelection selection;
    selection.mode = SelectionMode::filtered;
    selection.filter.references = {user_reference({})};
    auto statements = selection.select_statements(table);
    ASSERT_EQ(statements.size(), 1u);
    EXPECT_NE(statements[0].find("OR false)"), std::string::npos) << statements[0];
}

TEST(SelectionSql, KeylessWithoutReferencesIsASeededSample) {
    auto table = keyless_table();
    TableSelection selection;
    selection.mode = SelectionMode::filtered;
    selection.filter.sample_rows = 10;
    selection.filter.seed = 18446744073709551615ull;  // -1 as a signed bigint
    selection.filtered_rows = 10;
    auto statements = selection.select_statements(table);
    ASSERT_EQ(statements.size(), 1u);
    EXPECT_EQ(statements[0],
              "SELECT t.\"user_id\", t.\"order_id\", t.\"subject_type\", t.\"note\" FROM ONLY \"public\".\"events\" t "
              "ORDER BY hashtextextended(ROW(t.*)::text, '-1'::bigint), ROW(t.*)::text LIMIT 10");
    EXPECT_EQ(selection.row_count(), 10);

    selection.filter.sample_rows = 0;
    EXPECT_TRUE(selection.select_statements(table).empty());
}

TEST(SelectionSql, KeylessBlockSampleReadsTheSameBlocksInTheCopyAndTheCount) {
    auto table = keyless_table();
    TableSelection selection;
    selection.mode = SelectionMode::filtered;
    selection.filter.sample_rows = 10;
    selection.filter.seed = 7;
    selection.filter.sample_percent = 0.0125;
    auto statements = selection.select_statements(table);
    ASSERT_EQ(statements.size(), 1u);
    EXPECT_EQ(statements[0],
              "SELECT t.\"user_id\", t.\"order_id\", t.\"subject_type\", t.\"note\" FROM ONLY \"public\".\"events\" t "
              "TABLESAMPLE SYSTEM (0.012500000000000001) REPEATABLE (7) "
              "ORDER BY hashtextextended(ROW(t.*)::text, '7'::bigint), ROW(t.*)::text LIMIT 10");
    EXPECT_EQ(detail::filter_count_query(table, selection.filter),
              "SELECT count(*) FROM (SELECT 1 FROM ONLY \"public\".\"events\" t TABLESAMPLE SYSTEM "
              "(0.012500000000000001) REPEATABLE (7) LIMIT 10) s");
}

TEST(SelectionSqlHelpers, SampledFromClauseKeepsTinyPercentagesAndA31BitSeed) {
    auto users = users_table();
    EXPECT_EQ(detail::sampled_from_clause(users, 100.0, 1), detail::from_clause(users));
    EXPECT_EQ(detail::sampled_from_clause(users, 1e-7, 0xffffffffffULL),
              "ONLY \"public\".\"users\" t TABLESAMPLE SYSTEM (9.9999999999999995e-08) REPEATABLE (2147483647)");
}

TEST(SelectionSqlHelpers, ArrayLiteralIsOneTypedArray) {
    std::vector<std::string_view> values = {"1", "it's"};
    EXPECT_EQ(detail::array_literal(values, "text"), "'{\"1\",\"it''s\"}'::text[]");
}

TEST(SelectionSqlHelpers, KeyBoundsAreTwoIndexDescentsOnTheLeadingColumn) {
    EXPECT_EQ(detail::key_bounds_query(composite_table()),
              "SELECT (SELECT t.\"order_id\"::text FROM ONLY \"shop\".\"order_lines\" t WHERE t.\"order_id\" IS NOT NULL "
              "ORDER BY t.\"order_id\" LIMIT 1), (SELECT t.\"order_id\"::text FROM ONLY \"shop\".\"order_lines\" t WHERE "
              "t.\"order_id\" IS NOT NULL ORDER BY t.\"order_id\" DESC LIMIT 1)");
}

TEST(SelectionSqlHelpers, ProbesOfACompositeKeyOrderByTheWholeKey) {
    EXPECT_EQ(detail::key_probe_query(composite_table(), {"7", "-3"}),
              "SELECT s.k0, s.k1 FROM unnest('{\"7\",\"-3\"}'::integer[]) WITH ORDINALITY AS p(v, i) CROSS JOIN LATERAL "
              "(SELECT t.\"order_id\" AS k0, t.\"code\" AS k1 FROM ONLY \"shop\".\"order_lines\" t WHERE t.\"order_id\" >= p.v "
              "ORDER BY t.\"order_id\", t.\"code\" LIMIT 1) s ORDER BY p.i");
}

TEST(SelectionSqlHelpers, SeedIsASignedBigintLiteral) {
    EXPECT_EQ(detail::seed_literal(0), "'0'::bigint");
    EXPECT_EQ(detail::seed_literal(42), "'42'::bigint");
    // 2^63 has no unquoted bigint form: -9223372036854775808 would parse as numeric.
    EXPECT_EQ(detail::seed_literal(9223372036854775808ull), "'-9223372036854775808'::bigint");
}

TEST(SelectionSqlHelpers, IntegerKeysHashAsBigintOthersAsRowText) {
    auto users = users_table();
    EXPECT_EQ(detail::key_hash_expr(users, 5), "hashint8extended(t.\"id\"::bigint, '5'::bigint)");
    auto lines = composite_table();
    EXPECT_EQ(detail::key_hash_expr(lines, 5),
              "hashtextextended(ROW(t.\"order_id\", t.\"code\")::text, '5'::bigint)");
    Table domain_key;
    domain_key.name = {"public", "codes"};
    domain_key.columns = {column("id", "public.small_id")};
    domain_key.columns[0].base_type = "smallint";
    domain_key.primary_key = {"id"};
    EXPECT_EQ(detail::key_hash_expr(domain_key, 5), "hashint8extended(t.\"id\"::bigint, '5'::bigint)");
}

TEST(SelectionSqlHelpers, HashThresholdIsTheQuantileOfTheSignedRange) {
    EXPECT_EQ(detail::hash_threshold(0.5), 0);
    EXPECT_EQ(detail::hash_threshold(0.25), -4611686018427387904LL);
    EXPECT_EQ(detail::hash_threshold(0.0), std::numeric_limits<std::int64_t>::min());
    EXPECT_EQ(detail::hash_threshold(1.0), std::numeric_limits<std::int64_t>::max());
    EXPECT_LT(detail::hash_threshold(0.001), detail::hash_threshold(0.002));
}

TEST(SelectionSqlHelpers, TuplesRelationUnnestsOneArrayPerColumn) {
    std::vector<std::string> tuples = {std::string("1\0a", 3), std::string("2\0it's", 6)};
    std::vector<std::string_view> views(tuples.begin(), tuples.end());
    EXPECT_EQ(detail::tuples_relation({"integer", "text"}, views),
              "unnest('{\"1\",\"2\"}'::integer[], '{\"a\",\"it''s\"}'::text[]) AS v(v0, v1)");
}

TEST(SelectionSqlHelpers, FilterCountCoversEveryStatement) {
    Table table = keyless_table();
    RowFilter filter;
    filter.references = {user_reference({"1", "2", "3"})};
    EXPECT_EQ(detail::filter_count_query(table, filter),
              "SELECT count(*) FROM ONLY \"public\".\"events\" t WHERE (t.\"user_id\" IS NOT NULL) AND "
              "(NOT (t.\"user_id\" IS NOT NULL) OR t.\"user_id\" = ANY('{\"1\",\"2\",\"3\"}'::bigint[]))");
    RowFilter sample;
    sample.sample_rows = 7;
    EXPECT_EQ(detail::filter_count_query(table, sample),
              "SELECT count(*) FROM (SELECT 1 FROM ONLY \"public\".\"events\" t LIMIT 7) s");
}

}  // namespace
}  // namespace understudy::subsetter
