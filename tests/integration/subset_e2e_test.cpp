// End to end: `understudy subset` as a user runs it, from the hot standby into a fresh database,
// checked with SQL against the target.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <set>

#include "db_checks.hpp"
#include "test_cluster.hpp"

namespace understudy::testing {
namespace {

/// Runs a subset from the standby's fixture into a new database `name` on the primary.
struct SubsetRun {
    CommandResult result;
    nlohmann::json report;
    pg::ConnInfo target;
};

SubsetRun run_subset_into(const std::string& name, std::vector<std::string> extra_args) {
    auto& servers = fixture_servers();
    servers.primary.drop_database(name);
    servers.primary.create_database(name);
    const std::string report_path = servers.primary.data_dir() + "/../report-" + name + ".json";
    std::vector<std::string> args = {"subset", "--source", servers.standby.url(k_fixture_database), "--target",
                                     servers.primary.url(name), "--report", report_path};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    SubsetRun run{run_understudy(args), {}, servers.primary.conninfo(name)};
    if (run.result.exit_code == 0) run.report = read_json(report_path);
    std::remove(report_path.c_str());
    return run;
}

class SubsetEndToEnd : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        s_run = new SubsetRun(run_subset_into("subset_a", {"--logarithmic", "0.5", "--force", "users:1", "--seed", "7"}));
    }
    static void TearDownTestSuite() {
        delete s_run;
        s_run = nullptr;
    }
    static SubsetRun* s_run;
};
SubsetRun* SubsetEndToEnd::s_run = nullptr;

TEST_F(SubsetEndToEnd, Succeeds) {
    ASSERT_EQ(s_run->result.exit_code, 0) << s_run->result.err;
    EXPECT_TRUE(s_run->report["source_in_recovery"].get<bool>()) << "the source must be the hot standby";
}

TEST_F(SubsetEndToEnd, TargetHasNoForeignKeyViolations) {
    ASSERT_EQ(s_run->result.exit_code, 0) << s_run->result.err;
    auto violations = fk_violations(s_run->target);
    EXPECT_TRUE(violations.empty()) << ::testing::PrintToString(violations);
}

TEST_F(SubsetEndToEnd, TargetSchemaEqualsSource) {
    ASSERT_EQ(s_run->result.exit_code, 0) << s_run->result.err;
    auto& servers = fixture_servers();
    EXPECT_EQ(normalized_schema_dump(s_run->target),
              normalized_schema_dump(servers.standby.conninfo(k_fixture_database)));
}

TEST_F(SubsetEndToEnd, SequencesAreAheadAndInsertsWork) {
    ASSERT_EQ(s_run->result.exit_code, 0) << s_run->result.err;
    auto behind = sequences_behind(s_run->target);
    EXPECT_TRUE(behind.empty()) << ::testing::PrintToString(behind);
    auto& servers = fixture_servers();
    auto new_id = servers.primary.query_value(
        "subset_a", "INSERT INTO public.users (email, full_name, created_at) "
        "VALUES ('fresh@example.com', 'Fresh User', now()) RETURNING id");
    EXPECT_FALSE(new_id.empty());
    // Leave subset_a as the run made it: other tests compare it with the report and with reruns.
    servers.primary.execute("subset_a", "DELETE FROM public.users WHERE id = " + new_id);
}

TEST_F(SubsetEndToEnd, ForcedRowIsPresent) {
    ASSERT_EQ(s_run->result.exit_code, 0) << s_run->result.err;
    auto& servers = fixture_servers();
    EXPECT_EQ(servers.primary.query_value("subset_a", "SELECT count(*) FROM public.users WHERE id = 1"), "1");
}

TEST_F(SubsetEndToEnd, CountsMatchPlanAndReport) {
    ASSERT_EQ(s_run->result.exit_code, 0) << s_run->result.err;
    auto counts = table_counts(s_run->target);
    int sampled_tables = 0;
    for (const auto& entry : s_run->report["tables"]) {
        const auto table = entry["table"].get<std::string>();
        ASSERT_TRUE(counts.count(table)) << table;
        const auto copied = entry.value("copied_rows", std::int64_t{0});
        EXPECT_EQ(counts[table], copied) << table << ": the target holds what the report says";
        if (entry["policy"] != "sample" || entry["target_rows"].get<std::int64_t>() < 0) continue;
        if (entry["keyless"].get<bool>()) continue;  // selected through references, not seeded
        const auto target_rows = entry["target_rows"].get<std::int64_t>();
        const auto seeds = entry["seed_rows"].get<std::int64_t>() + entry["forced_rows"].get<std::int64_t>();
        // Seeds are exactly the plan (a forced row may also have been a seed); closure only adds.
        EXPECT_GE(seeds, target_rows) << table;
        EXPECT_LE(seeds, target_rows + 1) << table;
        EXPECT_GE(copied, target_rows) << table;
        ++sampled_tables;
    }
    EXPECT_GT(sampled_tables, 2);
}

TEST_F(SubsetEndToEnd, SameSeedSameRowsOtherSeedOtherRows) {
    ASSERT_EQ(s_run->result.exit_code, 0) << s_run->result.err;
    auto again = run_subset_into("subset_b", {"--logarithmic", "0.5", "--force", "users:1", "--seed", "7"});
    ASSERT_EQ(again.result.exit_code, 0) << again.result.err;
    auto other = run_subset_into("subset_c", {"--logarithmic", "0.5", "--force", "users:1", "--seed", "8"});
    ASSERT_EQ(other.result.exit_code, 0) << other.result.err;
    for (const char* table : {"public.users", "public.orders", "public.line_items"}) {
        auto first = row_keys(s_run->target, table, "id");
        EXPECT_EQ(first, row_keys(again.target, table, "id")) << table;
        EXPECT_NE(first, row_keys(other.target, table, "id")) << table;
    }
    auto& servers = fixture_servers();
    servers.primary.drop_database("subset_b");
    servers.primary.drop_database("subset_c");
}

TEST(SubsetSafety, RefusesTargetThatIsTheSource) {
    auto& servers = fixture_servers();
    // The primary's fixture database is the standby's source: same system identifier, same name.
    auto result = run_understudy({"subset", "--source", servers.standby.url(k_fixture_database), "--target",
                                  servers.primary.url(k_fixture_database), "--replace"});
    EXPECT_EQ(result.exit_code, 7) << result.err;
    EXPECT_NE(result.err.find("error: "), std::string::npos);
    auto violations = fk_violations(servers.primary.conninfo(k_fixture_database));
    EXPECT_TRUE(violations.empty());
    EXPECT_EQ(servers.primary.query_value(k_fixture_database, "SELECT count(*) > 0 FROM public.users"), "t");
}

TEST(SubsetSafety, RefusesNonEmptyTargetWithoutReplace) {
    auto& servers = fixture_servers();
    servers.primary.drop_database("subset_busy");
    servers.primary.create_database("subset_busy");
    servers.primary.execute("subset_busy", "CREATE TABLE keep_me (id int)");
    auto args = std::vector<std::string>{"subset", "--source", servers.standby.url(k_fixture_database),
                                         "--target", servers.primary.url("subset_busy")};
    auto refused = run_understudy(args);
    EXPECT_EQ(refused.exit_code, 6) << refused.err;
    EXPECT_EQ(servers.primary.query_value("subset_busy", "SELECT count(*) FROM keep_me"), "0");
    args.push_back("--replace");
    auto replaced = run_understudy(args);
    EXPECT_EQ(replaced.exit_code, 0) << replaced.err;
    EXPECT_EQ(servers.primary.query_value("subset_busy", "SELECT to_regclass('public.keep_me') IS NULL"), "t");
    servers.primary.drop_database("subset_busy");
}

TEST(SubsetSafety, SourceIsNeverWritten) {
    auto& servers = fixture_servers();
    // Reading from the primary itself (allowed here) must leave its tables' write counters unchanged.
    const char* writes = "SELECT pg_stat_clear_snapshot(), (SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) "
                         "FROM pg_stat_user_tables)";
    auto before = servers.primary.query(k_fixture_database, writes).at(0).at(1);
    servers.primary.drop_database("subset_from_primary");
    servers.primary.create_database("subset_from_primary");
    auto result = run_understudy({"subset", "--source", servers.primary.url(k_fixture_database), "--target",
                                  servers.primary.url("subset_from_primary"), "--force", "users:1"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    auto after = servers.primary.query(k_fixture_database, writes).at(0).at(1);
    EXPECT_EQ(before, after);
    servers.primary.drop_database("subset_from_primary");
}

TEST(SubsetCli, PasswordsNeverPrinted) {
    auto& servers = fixture_servers();
    auto url = "postgresql://understudy:sup3rsecret@/nonexistent_db?host=" + servers.primary.socket_dir() +
               "&port=" + std::to_string(servers.primary.port());
    auto result = run_understudy({"plan", "--source", url});
    EXPECT_NE(result.exit_code, 0);
    EXPECT_EQ(result.err.find("sup3rsecret"), std::string::npos) << result.err;
    EXPECT_EQ(result.out.find("sup3rsecret"), std::string::npos);
}

}  // namespace
}  // namespace understudy::testing
