// Integration (issue 9): a subset read from the hot standby costs what it copies, not what the source
// holds. A Rails-shaped source with every reference declared and indexed, at two sizes 10x apart.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "db_checks.hpp"
#include "test_cluster.hpp"

namespace understudy::testing {
namespace {

constexpr const char* k_small = "scaling_small";          // scale 1: ≈ 20 k rows
constexpr const char* k_large = "scaling_large";          // scale 10: ≈ 200 k rows
constexpr const char* k_unindexed = "scaling_unindexed";  // scaling_small without the index on comments.task_id

// Rails-shaped: every table has a bigint id, every belongs_to is a declared FK with its own index
// (what `t.references` creates), projects_users is a has_and_belongs_to_many join table without a
// key, search_queries stands alone (no reference in or out). Comments' ids have gaps, like a table
// rows were deleted from. Deterministic: every value comes from the row number through
// hashint8extended(), so a scale always yields the same database. Rows per unit of scale: accounts
// 100, users 1 000, projects 400, tasks 8 000, comments 8 000, projects_users ≈ 1 500, search_queries
// 1 000. FKs and indexes come after the load (one validating join per FK instead of a check per row).
constexpr const char* k_fixture_sql = R"sql(
CREATE FUNCTION pg_temp.pick(g bigint, salt bigint, n bigint) RETURNS bigint
    LANGUAGE sql IMMUTABLE AS $$ SELECT 1 + (hashint8extended(g, salt) & 2147483647) % n $$;
CREATE TABLE public.accounts (id bigint PRIMARY KEY, name text NOT NULL, plan text NOT NULL);
CREATE TABLE public.users (id bigint PRIMARY KEY, account_id bigint NOT NULL, email text NOT NULL);
CREATE TABLE public.projects (id bigint PRIMARY KEY, account_id bigint NOT NULL, owner_id bigint NOT NULL,
                              name text NOT NULL);
CREATE TABLE public.tasks (id bigint PRIMARY KEY, project_id bigint NOT NULL, creator_id bigint NOT NULL,
                           assignee_id bigint, title text NOT NULL);
CREATE TABLE public.comments (id bigint PRIMARY KEY, task_id bigint NOT NULL, author_id bigint NOT NULL,
                              body text NOT NULL);
CREATE TABLE public.projects_users (project_id bigint NOT NULL, user_id bigint NOT NULL);
CREATE TABLE public.search_queries (id bigint PRIMARY KEY, term text NOT NULL);

INSERT INTO public.accounts
SELECT g, 'account ' || g, (ARRAY['free', 'team', 'business'])[pg_temp.pick(g, 1, 3)]
FROM generate_series(1, 100 * {scale}) g;
INSERT INTO public.users SELECT g, pg_temp.pick(g, 2, 100 * {scale}), 'user' || g || '@example.com'
FROM generate_series(1, 1000 * {scale}) g;
INSERT INTO public.projects
SELECT g, pg_temp.pick(g, 3, 100 * {scale}), pg_temp.pick(g, 4, 1000 * {scale}), 'project ' || g
FROM generate_series(1, 400 * {scale}) g;
INSERT INTO public.tasks
SELECT g, pg_temp.pick(g, 5, 400 * {scale}), pg_temp.pick(g, 6, 1000 * {scale}),
       CASE WHEN pg_temp.pick(g, 7, 5) > 1 THEN pg_temp.pick(g, 8, 1000 * {scale}) END, 'task ' || g
FROM generate_series(1, 8000 * {scale}) g;
INSERT INTO public.comments
SELECT g * 4 - g % 3, pg_temp.pick(g, 9, 8000 * {scale}), pg_temp.pick(g, 10, 1000 * {scale}), 'comment ' || g
FROM generate_series(1, 8000 * {scale}) g;
INSERT INTO public.projects_users
SELECT DISTINCT pg_temp.pick(g, 11, 400 * {scale}), pg_temp.pick(g, 12, 1000 * {scale})
FROM generate_series(1, 1500 * {scale}) g;
INSERT INTO public.search_queries SELECT g * 3, 'query ' || g FROM generate_series(1, 1000 * {scale}) g;

ALTER TABLE public.users ADD FOREIGN KEY (account_id) REFERENCES public.accounts;
ALTER TABLE public.projects ADD FOREIGN KEY (account_id) REFERENCES public.accounts,
                            ADD FOREIGN KEY (owner_id) REFERENCES public.users;
ALTER TABLE public.tasks ADD FOREIGN KEY (project_id) REFERENCES public.projects,
                         ADD FOREIGN KEY (creator_id) REFERENCES public.users,
                         ADD FOREIGN KEY (assignee_id) REFERENCES public.users;
ALTER TABLE public.comments ADD FOREIGN KEY (task_id) REFERENCES public.tasks,
                            ADD FOREIGN KEY (author_id) REFERENCES public.users;
ALTER TABLE public.projects_users ADD FOREIGN KEY (project_id) REFERENCES public.projects,
                                  ADD FOREIGN KEY (user_id) REFERENCES public.users;
CREATE INDEX users_account_id_idx ON public.users (account_id);
CREATE INDEX projects_account_id_idx ON public.projects (account_id);
CREATE INDEX projects_owner_id_idx ON public.projects (owner_id);
CREATE INDEX tasks_project_id_idx ON public.tasks (project_id);
CREATE INDEX tasks_creator_id_idx ON public.tasks (creator_id);
CREATE INDEX tasks_assignee_id_idx ON public.tasks (assignee_id);
CREATE INDEX comments_task_id_idx ON public.comments (task_id);
CREATE INDEX comments_author_id_idx ON public.comments (author_id);
CREATE INDEX projects_users_project_id_idx ON public.projects_users (project_id);
CREATE INDEX projects_users_user_id_idx ON public.projects_users (user_id);
)sql";

/// Every table of the fixture and the columns that name its rows (projects_users has no key).
const std::vector<std::pair<std::string, std::string>>& fixture_tables() {
    static const std::vector<std::pair<std::string, std::string>> tables = {
        {"public.accounts", "id"},      {"public.users", "id"},    {"public.projects", "id"},
        {"public.tasks", "id"},         {"public.comments", "id"}, {"public.projects_users", "project_id, user_id"},
        {"public.search_queries", "id"}};
    return tables;
}

std::string fixture_sql(int scale) {
    std::string sql = k_fixture_sql;
    const std::string placeholder = "{scale}";
    for (auto at = sql.find(placeholder); at != std::string::npos; at = sql.find(placeholder, at))
        sql.replace(at, placeholder.size(), std::to_string(scale));
    return sql;
}

/// The fixture servers with the scaling databases loaded on the primary and replayed by the standby.
FixtureServers& scaling_servers() {
    static bool loaded = false;
    auto& servers = fixture_servers();
    if (loaded) return servers;
    for (const auto* name : {k_small, k_large, k_unindexed}) servers.primary.drop_database(name);
    servers.primary.create_database(k_small);
    servers.primary.execute(k_small, fixture_sql(1));
    // VACUUM runs alone: it cannot run inside the implicit transaction of several statements.
    // reltuples (the plan's estimates) and the visibility map then look like an old production database.
    servers.primary.execute(k_small, "VACUUM ANALYZE");
    servers.primary.create_database(k_large);
    servers.primary.execute(k_large, fixture_sql(10));
    servers.primary.execute(k_large, "VACUUM ANALYZE");
    // The same database with one reference left without an index: a copy, so the rows are the same.
    servers.primary.execute("postgres", std::string("CREATE DATABASE ") + k_unindexed + " TEMPLATE " + k_small);
    servers.primary.execute(k_unindexed, "DROP INDEX public.comments_task_id_idx");
    servers.standby.wait_for_replay_of(servers.primary);
    loaded = true;
    return servers;
}

/// One `subset` run from the standby's `source` into a new database `target` on the primary.
struct ScalingRun {
    CommandResult result;
    nlohmann::json report;
    pg::ConnInfo target;
    std::string target_name;
};

/// `subset --logarithmic 0.2 --force users:1` plus `extra_args`, as a review app's postdeploy runs it.
ScalingRun run_subset(const std::string& source, const std::string& target,
                      const std::vector<std::string>& extra_args) {
    auto& servers = scaling_servers();
    servers.primary.drop_database(target);
    servers.primary.create_database(target);
    const std::string report_path = servers.primary.data_dir() + "/../report-" + target + ".json";
    std::vector<std::string> args = {
        "subset",   "--source", servers.standby.url(source), "--target", servers.primary.url(target),
        "--report", report_path};
    for (const char* arg : {"--logarithmic", "0.2", "--force", "users:1"}) args.emplace_back(arg);
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    ScalingRun run{run_understudy(args), {}, servers.primary.conninfo(target), target};
    if (run.result.exit_code == 0) run.report = read_json(report_path);
    std::remove(report_path.c_str());
    return run;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream stream(text);
    for (std::string line; std::getline(stream, line);) lines.push_back(line);
    return lines;
}

/// The `warning:` lines of a run's stderr that speak of an index.
std::vector<std::string> index_warnings(const std::string& err) {
    std::vector<std::string> found;
    for (const auto& line : lines_of(err)) {
        if (line.rfind("warning:", 0) == 0 && line.find("index") != std::string::npos) found.push_back(line);
    }
    return found;
}

/// Rows the standby has read from `database`'s user tables so far, by its own statistics.
std::int64_t standby_rows_read(const std::string& database) {
    // A fresh connection each time (query_value opens one): a session caches what it read of the
    // statistics until its transaction ends.
    return std::stoll(scaling_servers().standby.query_value(
        database,
        "SELECT coalesce(sum(coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0)), 0) FROM pg_stat_user_tables"));
}

/// standby_rows_read once it stopped moving: a session's counts reach the shared statistics when it
/// ends (or at most once a second while it idles), a little after its client went away.
std::int64_t settled_standby_rows_read(const std::string& database) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    std::int64_t last = standby_rows_read(database);
    int unchanged = 0;
    while (unchanged < 4 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        const std::int64_t now = standby_rows_read(database);
        unchanged = now == last ? unchanged + 1 : 0;
        last = now;
    }
    return last;
}

/// The report's entry for `table` ("public.users"), or null.
nlohmann::json table_entry(const nlohmann::json& report, const std::string& table) {
    for (const auto& entry : report.value("tables", nlohmann::json::array())) {
        if (entry.value("table", "") == table) return entry;
    }
    return nullptr;
}

/// Per table: copied rows and, when the report has them, the rows read by phase; for failure messages.
std::string reads_by_table(const nlohmann::json& report) {
    std::string text;
    for (const auto& entry : report.value("tables", nlohmann::json::array())) {
        text += "\n  " + entry.value("table", "?") + ": copied " + std::to_string(entry.value("copied_rows", 0)) +
                ", rows_read " + (entry.contains("rows_read") ? entry["rows_read"].dump() : std::string("-"));
    }
    if (report.contains("selection")) text += "\n  selection: " + report["selection"].dump();
    if (report.contains("phases")) text += "\n  phases: " + report["phases"].dump();
    return text;
}

class SubsetScaling : public ::testing::Test {
protected:
    static void SetUpTestSuite() { scaling_servers(); }
};

void expect_intact_subset(const ScalingRun& run) {
    ASSERT_EQ(run.result.exit_code, 0) << run.result.err;
    EXPECT_TRUE(run.report["source_in_recovery"].get<bool>()) << "the source must be the hot standby";
    EXPECT_GT(run.report["totals"]["rows"].get<std::int64_t>(), 0);
    auto violations = fk_violations(run.target);
    EXPECT_TRUE(violations.empty()) << ::testing::PrintToString(violations);
    EXPECT_EQ(scaling_servers().primary.query_value(run.target_name, "SELECT count(*) FROM public.users WHERE id = 1"),
              "1")
        << "the forced row";
    // Each sampled keyed table got the plan's number of seeds, gaps in its keys (comments,
    // search_queries) or not; a forced row may also have been a seed. Closure only adds.
    int sampled_tables = 0;
    for (const auto& entry : run.report["tables"]) {
        if (entry["policy"] != "sample" || entry["keyless"].get<bool>()) continue;
        const auto table = entry["table"].get<std::string>();
        const auto target_rows = entry["target_rows"].get<std::int64_t>();
        const auto seeds = entry["seed_rows"].get<std::int64_t>() + entry["forced_rows"].get<std::int64_t>();
        EXPECT_GE(seeds, target_rows) << table;
        EXPECT_LE(seeds, target_rows + 1) << table;
        EXPECT_GE(entry.value("copied_rows", std::int64_t{0}), target_rows) << table;
        ++sampled_tables;
    }
    EXPECT_EQ(sampled_tables, 6);
    // Every reference of this source is indexed: no lookup is a full scan, so nothing to warn about.
    auto warnings = index_warnings(run.result.err);
    EXPECT_TRUE(warnings.empty()) << ::testing::PrintToString(warnings);
}

TEST_F(SubsetScaling, SmallSourceGivesNoOrphans) {
    auto run = run_subset(k_small, "scaling_small_copy", {});
    expect_intact_subset(run);
    scaling_servers().primary.drop_database("scaling_small_copy");
}

TEST_F(SubsetScaling, LargeSourceGivesNoOrphans) {
    auto run = run_subset(k_large, "scaling_large_copy", {});
    expect_intact_subset(run);
    scaling_servers().primary.drop_database("scaling_large_copy");
}

// The standby's own statistics count every row its backends read (sequential scans and index fetches
// alike); the difference around a run is what the run cost the follower.
TEST_F(SubsetScaling, LargeSourceReadsAtMostFiftyRowsPerRowCopied) {
    const std::int64_t before = settled_standby_rows_read(k_large);
    auto run = run_subset(k_large, "scaling_read_copy", {});
    ASSERT_EQ(run.result.exit_code, 0) << run.result.err;
    const std::int64_t after = settled_standby_rows_read(k_large);
    const auto copied = run.report["totals"]["rows"].get<std::int64_t>();
    const std::int64_t read = after - before;
    ASSERT_GT(copied, 0);
    // The copy itself reads every copied row on the standby: fewer means the measure is broken.
    EXPECT_GE(read, copied) << "the standby's statistics did not see the run";
    EXPECT_LE(read, 50 * copied) << read << " rows read on the standby for " << copied << " rows copied ("
                                 << static_cast<double>(read) / static_cast<double>(copied) << " per row)"
                                 << reads_by_table(run.report);
    scaling_servers().primary.drop_database("scaling_read_copy");
}

// comments.task_id has no index here: finding the comments of the chosen tasks scans comments.
// That still works, and the user is told which reference costs a full scan and why.
TEST_F(SubsetScaling, UnindexedReferenceWarnsAndStillGivesNoOrphans) {
    auto run = run_subset(k_unindexed, "scaling_unindexed_copy", {});
    ASSERT_EQ(run.result.exit_code, 0) << run.result.err;
    auto warnings = index_warnings(run.result.err);
    auto names_the_reference = std::find_if(warnings.begin(), warnings.end(), [](const std::string& line) {
        return line.find("comments") != std::string::npos && line.find("task_id") != std::string::npos;
    });
    EXPECT_NE(names_the_reference, warnings.end()) << "stderr:\n" << run.result.err;
    // One line per reference without an index: the others are indexed.
    EXPECT_EQ(warnings.size(), 1u) << ::testing::PrintToString(warnings);
    auto violations = fk_violations(run.target);
    EXPECT_TRUE(violations.empty()) << ::testing::PrintToString(violations);
    scaling_servers().primary.drop_database("scaling_unindexed_copy");
}

// `plan` says the same before anything runs, with the statement that would fix it.
TEST_F(SubsetScaling, PlanNamesTheIndexAnUnindexedReferenceNeeds) {
    auto& servers = scaling_servers();
    auto result = run_understudy({"plan", "--source", servers.standby.url(k_unindexed), "--logarithmic", "0.2"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    bool named = false;
    for (const auto& line : lines_of(result.out)) {
        if (line.find("CREATE INDEX") != std::string::npos && line.find("comments") != std::string::npos &&
            line.find("task_id") != std::string::npos)
            named = true;
    }
    EXPECT_TRUE(named) << result.out;
}

TEST_F(SubsetScaling, SameSeedSameRowsOtherSeedOtherRows) {
    auto first = run_subset(k_small, "scaling_seed_a", {"--seed", "11"});
    ASSERT_EQ(first.result.exit_code, 0) << first.result.err;
    auto again = run_subset(k_small, "scaling_seed_b", {"--seed", "11"});
    ASSERT_EQ(again.result.exit_code, 0) << again.result.err;
    auto other = run_subset(k_small, "scaling_seed_c", {"--seed", "12"});
    ASSERT_EQ(other.result.exit_code, 0) << other.result.err;
    for (const auto& [table, key] : fixture_tables()) {
        auto rows = row_keys(first.target, table, key);
        EXPECT_EQ(rows, row_keys(again.target, table, key)) << table;
        // The seeded tables: what a seed picks there cannot be the same for another seed, short of
        // a coincidence among thousands of rows.
        if (table == "public.users" || table == "public.tasks" || table == "public.comments" ||
            table == "public.search_queries") {
            EXPECT_NE(rows, row_keys(other.target, table, key)) << table;
        }
    }
    auto& servers = scaling_servers();
    for (const auto* name : {"scaling_seed_a", "scaling_seed_b", "scaling_seed_c"}) servers.primary.drop_database(name);
}

// `--sampling exact` keeps the selection of before issue 9: a sampled table's seeds are its
// target_rows rows with the smallest hashint8extended(id, seed) (ties by id). search_queries has no
// reference in or out, so its rows are exactly its seeds; elsewhere the seeds are among the rows.
TEST_F(SubsetScaling, ExactSamplingGivesTheSmallestHashes) {
    const std::string seed = "5";
    auto run = run_subset(k_small, "scaling_exact_copy", {"--sampling", "exact", "--seed", seed});
    ASSERT_EQ(run.result.exit_code, 0) << run.result.err;
    auto& servers = scaling_servers();
    auto smallest_hashes = [&](const std::string& table, std::int64_t count) {
        std::vector<std::string> ids;
        for (const auto& row :
             servers.standby.query(k_small, "SELECT id FROM " + table + " ORDER BY hashint8extended(id, " + seed +
                                                "), id LIMIT " + std::to_string(count)))
            ids.push_back(row.at(0));
        std::sort(ids.begin(), ids.end());
        return ids;
    };
    int checked = 0;
    for (const auto& [table, key] : fixture_tables()) {
        if (key != "id") continue;
        auto entry = table_entry(run.report, table);
        ASSERT_FALSE(entry.is_null()) << table << " is not in the report";
        const auto target_rows = entry["target_rows"].get<std::int64_t>();
        ASSERT_GT(target_rows, 0) << table;
        auto seeds = smallest_hashes(table, target_rows);
        auto copied = row_keys(run.target, table, "id");
        if (table == "public.search_queries") {
            EXPECT_EQ(copied, seeds) << table;
        } else {
            std::vector<std::string> missing;
            std::set_difference(seeds.begin(), seeds.end(), copied.begin(), copied.end(), std::back_inserter(missing));
            EXPECT_TRUE(missing.empty()) << table << ": seeds not copied " << ::testing::PrintToString(missing);
        }
        ++checked;
    }
    EXPECT_EQ(checked, 6);
    servers.primary.drop_database("scaling_exact_copy");
}

}  // namespace
}  // namespace understudy::testing
