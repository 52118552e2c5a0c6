// No silent full scans, end to end: a source with one indexed and one unindexed reference, read
// from the hot standby. `plan` shows the index lookup, the full scan and the CREATE INDEX that
// fixes it; `subset` warns once and still leaves no orphan; once the index exists, no warning.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "db_checks.hpp"
#include "strange_fixture.hpp"
#include "temp_file.hpp"
#include "test_cluster.hpp"

namespace understudy::testing {
namespace {

// users <- tasks twice: owner_id has an index, "createdBy" (a mixed-case name, so the CREATE INDEX
// must quote it to work) has none. Big enough that the planner prefers an index where one exists.
constexpr const char* k_source_sql = R"sql(
CREATE TABLE public.users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL);
CREATE TABLE public.tasks (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    owner_id bigint NOT NULL REFERENCES public.users (id),
    "createdBy" bigint REFERENCES public.users (id),
    title text NOT NULL
);
CREATE INDEX tasks_owner_id ON public.tasks (owner_id);
INSERT INTO public.users (email) SELECT 'user' || n || '@example.com' FROM generate_series(1, 2000) n;
INSERT INTO public.tasks (owner_id, "createdBy", title)
SELECT 1 + n % 2000, 1 + (n * 7) % 2000, 'task ' || n FROM generate_series(1, 20000) n;
)sql";

constexpr const char* k_unindexed = "public.tasks(createdBy) -> public.users";
constexpr const char* k_create_index = "CREATE INDEX ON \"public\".\"tasks\" (\"createdBy\");";

/// Creates the source database `name` on the primary, analyzed, and waits until the standby has it.
void create_source(const std::string& name) {
    auto& servers = fixture_servers();
    servers.primary.drop_database(name);
    servers.primary.create_database(name);
    servers.primary.execute(name, k_source_sql);
    servers.primary.execute(name, "ANALYZE");
    servers.standby.wait_for_replay_of(servers.primary);
}

std::vector<std::string> lines_starting_with(const std::string& text, const std::string& prefix) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < text.size()) {
        auto end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        auto line = text.substr(start, end - start);
        if (line.rfind(prefix, 0) == 0) lines.push_back(line);
        start = end + 1;
    }
    return lines;
}

/// The line of `plan` output holding `access` (an access's description), or "" when there is none.
std::string access_line(const std::string& plan_output, const std::string& access) {
    for (const auto& line : lines_starting_with(plan_output, "  public.tasks ")) {
        if (line.find(" " + access + " ") != std::string::npos) return line;
    }
    return "";
}

CommandResult run_plan(const std::string& source) {
    return run_understudy({"plan", "--source", fixture_servers().standby.url(source)});
}

struct SubsetRun {
    CommandResult result;
    nlohmann::json report;
    pg::ConnInfo target;
};

SubsetRun run_subset(const std::string& source, const std::string& target) {
    auto& servers = fixture_servers();
    servers.primary.drop_database(target);
    servers.primary.create_database(target);
    const std::string report_path = servers.primary.data_dir() + "/../report-" + target + ".json";
    SubsetRun run{run_understudy({"subset", "--source", servers.standby.url(source), "--target",
                                  servers.primary.url(target), "--report", report_path, "--seed", "3"}),
                  {},
                  servers.primary.conninfo(target)};
    if (run.result.exit_code == 0) {
        std::ifstream stream(report_path);
        run.report = nlohmann::json::parse(stream);
    }
    std::remove(report_path.c_str());
    return run;
}

class AccessPaths : public ::testing::Test {
protected:
    static void SetUpTestSuite() { create_source("access_paths_src"); }
};

TEST_F(AccessPaths, PlanShowsIndexLookupFullScanAndTheFix) {
    auto plan = run_plan("access_paths_src");
    ASSERT_EQ(plan.exit_code, 0) << plan.err;
    EXPECT_NE(plan.out.find("\naccess paths:\n"), std::string::npos) << plan.out;
    auto owner = access_line(plan.out, "children via public.tasks(owner_id) -> public.users");
    EXPECT_NE(owner.find(" index lookup "), std::string::npos) << plan.out;
    auto creator = access_line(plan.out, std::string("children via ") + k_unindexed);
    EXPECT_NE(creator.find(" full scan "), std::string::npos) << plan.out;
    auto seeds = access_line(plan.out, "seeds");
    EXPECT_NE(seeds.find(" index probe "), std::string::npos) << plan.out;
    EXPECT_EQ(lines_starting_with(plan.out, "expected rows read: ").size(), 1u) << plan.out;
    EXPECT_NE(plan.out.find(std::string("  ") + k_unindexed + ": " + k_create_index + "\n"), std::string::npos)
        << plan.out;
    EXPECT_EQ(plan.out.find("public.tasks(owner_id) -> public.users: CREATE INDEX"), std::string::npos) << plan.out;

    // Exact sampling hashes every key: the seeds read the whole table.
    auto exact = run_understudy({"plan", "--source", fixture_servers().standby.url("access_paths_src"), "--sampling",
                                 "exact"});
    ASSERT_EQ(exact.exit_code, 0) << exact.err;
    EXPECT_NE(access_line(exact.out, "seeds").find(" full scan "), std::string::npos) << exact.out;
}

// A `where:` seed's path is the planner's word; and EXPLAIN writes nothing, even on a primary and
// even when the override smuggles in a second statement.
TEST_F(AccessPaths, WhereOverrideIsExplainedAndNothingIsWritten) {
    auto& servers = fixture_servers();
    TempFile indexed("subset:\n  tables:\n    public.tasks: {where: \"owner_id = 17\"}\n");
    auto plan = run_understudy({"plan", "--source", servers.primary.url("access_paths_src"), "--config", indexed.path()});
    ASSERT_EQ(plan.exit_code, 0) << plan.err;
    EXPECT_NE(access_line(plan.out, "seeds").find(" index lookup "), std::string::npos) << plan.out;

    // One statement only: the smuggled CREATE TABLE is refused, and plan says so on that access's line.
    TempFile sneaky("subset:\n  tables:\n    public.tasks: {where: \"true); CREATE TABLE public.sneaky (x int); SELECT (1\"}\n");
    auto refused = run_understudy({"plan", "--source", servers.primary.url("access_paths_src"), "--config", sneaky.path()});
    ASSERT_EQ(refused.exit_code, 0) << refused.err;
    auto not_explained = refused.out.find("\nnot explained (the path shown is the rules'):\n  public.tasks seeds: ");
    EXPECT_NE(not_explained, std::string::npos) << refused.out;
    EXPECT_NE(refused.out.find("(SQLSTATE 42601)", not_explained), std::string::npos) << refused.out;
    EXPECT_EQ(servers.primary.query_value("access_paths_src", "SELECT count(*) FROM pg_class WHERE relname = 'sneaky'"),
              "0");
    // The refused EXPLAIN left the snapshot's transaction usable: the other tables were explained.
    EXPECT_NE(access_line(refused.out, "children via public.tasks(owner_id) -> public.users").find(" index lookup "),
              std::string::npos)
        << refused.out;
}

// A role that row-level security applies to cannot plan a read of that table (row_security = off
// makes it an error): plan still shows every access, and says which it could not explain.
TEST_F(AccessPaths, PlanOfARoleFilteredByRowSecurityNamesWhatItCouldNotExplain) {
    ensure_strange_database();
    auto& servers = fixture_servers();
    const std::string as_reader =
        servers.standby.conninfo(k_strange_database).with("user", "strange_reader").keyword_string();
    auto plan = run_understudy({"plan", "--source", as_reader, "--schema", "vault"});
    ASSERT_EQ(plan.exit_code, 0) << plan.err;
    auto not_explained = plan.out.find("\nnot explained (the path shown is the rules'):\n");
    ASSERT_NE(not_explained, std::string::npos) << plan.out;
    EXPECT_NE(plan.out.find("  vault.secrets seeds: ", not_explained), std::string::npos) << plan.out;
    EXPECT_EQ(plan.out.find("  vault.open_notes ", not_explained), std::string::npos) << plan.out;
}

TEST_F(AccessPaths, SubsetWarnsOnceAndLeavesNoOrphans) {
    auto run = run_subset("access_paths_src", "access_paths_copy");
    ASSERT_EQ(run.result.exit_code, 0) << run.result.err;
    auto warnings = lines_starting_with(run.result.err, "warning: ");
    ASSERT_EQ(warnings.size(), 1u) << run.result.err;
    EXPECT_NE(warnings[0].find(std::string(": ") + k_unindexed + ";"), std::string::npos) << warnings[0];
    EXPECT_EQ(warnings[0].find("owner_id"), std::string::npos) << warnings[0];
    EXPECT_NE(warnings[0].find("understudy plan"), std::string::npos) << warnings[0];
    ASSERT_EQ(run.report["unindexed_references"].size(), 1u) << run.report.dump();
    EXPECT_EQ(run.report["unindexed_references"][0]["reference"], k_unindexed);
    EXPECT_EQ(run.report["unindexed_references"][0]["create_index"], k_create_index);
    auto violations = fk_violations(run.target);
    EXPECT_TRUE(violations.empty()) << ::testing::PrintToString(violations);
    EXPECT_GT(std::stoll(fixture_servers().primary.query_value("access_paths_copy", "SELECT count(*) FROM public.tasks")),
              0);
}

TEST_F(AccessPaths, DumpAndASubsettingSyncWarnOnceAndAFullSyncDoesNot) {
    auto& servers = fixture_servers();
    const std::string source = servers.standby.url("access_paths_src");
    TempFile out("");
    auto dump = run_understudy({"dump", "--source", source, "--out", out.path() + ".sql"});
    std::remove((out.path() + ".sql").c_str());
    ASSERT_EQ(dump.exit_code, 0) << dump.err;
    auto dump_warnings = lines_starting_with(dump.err, "warning: ");
    ASSERT_EQ(dump_warnings.size(), 1u) << dump.err;
    EXPECT_NE(dump_warnings[0].find(k_unindexed), std::string::npos) << dump_warnings[0];

    const std::string live = "access_paths_live";
    auto drop_lives = [&] {
        for (const auto& name : servers.primary.databases_like(live + "%")) servers.primary.drop_database(name);
    };
    drop_lives();
    servers.primary.create_database(live);
    TempFile subsetting("sync:\n  backend: postgres\n  keep: 1\n");
    auto sync = run_understudy({"sync", "--source", source, "--target", servers.primary.url(live), "--config",
                                subsetting.path()});
    ASSERT_EQ(sync.exit_code, 0) << sync.err;
    auto sync_warnings = lines_starting_with(sync.err, "warning: ");
    ASSERT_EQ(sync_warnings.size(), 1u) << sync.err;
    EXPECT_NE(sync_warnings[0].find(k_unindexed), std::string::npos) << sync_warnings[0];
    EXPECT_TRUE(fk_violations(servers.primary.conninfo(live)).empty());

    // A full copy reads every table whole: no lookup, so nothing to warn about.
    TempFile full("sync:\n  backend: postgres\n  full: true\n  keep: 1\n");
    auto full_sync = run_understudy({"sync", "--source", source, "--target", servers.primary.url(live), "--config",
                                     full.path()});
    ASSERT_EQ(full_sync.exit_code, 0) << full_sync.err;
    EXPECT_TRUE(lines_starting_with(full_sync.err, "warning: ").empty()) << full_sync.err;
    drop_lives();
}

TEST_F(AccessPaths, TheSuggestedIndexEndsTheWarning) {
    create_source("access_paths_fixed");
    auto before = run_subset("access_paths_fixed", "access_paths_fixed_copy");
    ASSERT_EQ(before.result.exit_code, 0) << before.result.err;
    ASSERT_EQ(before.report["unindexed_references"].size(), 1u) << before.report.dump();

    // The statement exactly as the run suggested it.
    auto& servers = fixture_servers();
    servers.primary.execute("access_paths_fixed", before.report["unindexed_references"][0]["create_index"].get<std::string>());
    servers.primary.execute("access_paths_fixed", "ANALYZE public.tasks");
    servers.standby.wait_for_replay_of(servers.primary);

    auto plan = run_plan("access_paths_fixed");
    ASSERT_EQ(plan.exit_code, 0) << plan.err;
    auto creator = access_line(plan.out, std::string("children via ") + k_unindexed);
    EXPECT_NE(creator.find(" index lookup "), std::string::npos) << plan.out;
    EXPECT_EQ(plan.out.find("unindexed references"), std::string::npos) << plan.out;

    auto after = run_subset("access_paths_fixed", "access_paths_fixed_copy");
    ASSERT_EQ(after.result.exit_code, 0) << after.result.err;
    EXPECT_TRUE(lines_starting_with(after.result.err, "warning: ").empty()) << after.result.err;
    EXPECT_TRUE(after.report["unindexed_references"].empty()) << after.report.dump();
    auto violations = fk_violations(after.target);
    EXPECT_TRUE(violations.empty()) << ::testing::PrintToString(violations);
}

}  // namespace
}  // namespace understudy::testing
