// Whole tables without rules move in COPY's binary format: every value arrives as it was, row
// counts exclude the format's header and trailer, and a type without binary I/O falls back to text.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "db_checks.hpp"
#include "temp_file.hpp"
#include "test_cluster.hpp"

namespace understudy::testing {
namespace {

constexpr const char* k_source = "binary_source";
constexpr const char* k_target = "binary_target";

/// Every row of `table`, as text, in key order: equal on both sides when every value arrived as it was.
std::string contents(const TestCluster& server, const std::string& database, const std::string& table) {
    return server.query_value(database, "SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, E'\\n' ORDER BY "
                                        "t.id)), '') FROM " + table + " t");
}

nlohmann::json table_entry(const nlohmann::json& report, const std::string& table) {
    for (const auto& entry : report["tables"])
        if (entry["table"] == table) return entry;
    return {};
}

TEST(BinaryCopy, ValuesArriveExactlyCountsExcludeHeaderAndTypesWithoutBinaryIoFallBack) {
    auto& servers = fixture_servers();
    servers.primary.drop_database(k_source);
    servers.primary.drop_database(k_target);
    servers.primary.create_database(k_source);
    servers.primary.create_database(k_target);
    servers.primary.execute(k_source, R"SQL(
        CREATE TABLE typed (id int PRIMARY KEY, at timestamptz, amount numeric, body text, tags int[],
                            doc jsonb, ref uuid, raw bytea, during tstzrange, day date);
        INSERT INTO typed
        SELECT g, '2024-01-01 00:00:00+00'::timestamptz + g * interval '37 minutes', g * 1.125 - 7000,
               CASE WHEN g % 5 = 0 THEN NULL ELSE E'tab\there\nnewline \\ backslash é ' || g END,
               ARRAY[g, -g, NULL], jsonb_build_object('n', g, 'text', E'quote " and \\u00e9'),
               md5(g::text)::uuid, decode(lpad(to_hex(g), 8, '0'), 'hex'),
               tstzrange('2024-01-01', '2024-01-01'::timestamptz + g * interval '1 hour'), DATE '2000-01-01' + g
        FROM generate_series(1, 20000) g;
        -- aclitem has no binary send/receive: this table must come across as text.
        CREATE TABLE grants (id int PRIMARY KEY, acl aclitem);
        INSERT INTO grants SELECT g, makeaclitem(0, current_user::regrole, 'SELECT', false) FROM generate_series(1, 100) g;
        CREATE TABLE nothing (id int PRIMARY KEY, note text);
    )SQL");
    servers.standby.wait_for_replay_of(servers.primary);

    TempFile config("sync:\n  backend: none\n  full: true\n");
    TempFile report_file("");
    auto run = run_understudy({"sync", "--source", servers.standby.url(k_source), "--target",
                               servers.primary.url(k_target), "--config", config.path(), "--report",
                               report_file.path()});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    std::ifstream report_stream(report_file.path());
    auto report = nlohmann::json::parse(report_stream);

    auto typed = table_entry(report, "public.typed");
    EXPECT_EQ(typed["format"], "binary");
    EXPECT_EQ(typed["copied_rows"], 20000);
    EXPECT_EQ(contents(servers.primary, k_target, "typed"), contents(servers.primary, k_source, "typed"));

    auto grants = table_entry(report, "public.grants");
    EXPECT_EQ(grants["format"], "text") << "a type without binary I/O falls back to text";
    EXPECT_EQ(grants["copied_rows"], 100);
    EXPECT_EQ(grants["attempts"], 1) << "the fallback is not a failed attempt";
    EXPECT_EQ(contents(servers.primary, k_target, "grants"), contents(servers.primary, k_source, "grants"));

    // An empty table is the binary header and trailer only: zero rows.
    auto nothing = table_entry(report, "public.nothing");
    EXPECT_EQ(nothing["format"], "binary");
    EXPECT_EQ(nothing["copied_rows"], 0);

    servers.primary.drop_database(k_source);
    servers.primary.drop_database(k_target);
}

}  // namespace
}  // namespace understudy::testing
