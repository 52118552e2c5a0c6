// Integration (issue 13 item 5): `plan` runs subset's selection read-only on the follower and shows
// what subset then copies, with the same table; without a terminal a run logs each table and phase.
// The source is the demo's database (bench/generate_saas.sql at scale 1, with demo/app's models).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstdio>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "db_checks.hpp"
#include "temp_file.hpp"
#include "test_cluster.hpp"

namespace understudy::testing {
namespace {

constexpr const char* k_demo = "plan_demo";
const std::string k_repo = std::string(UNDERSTUDY_TEST_DATA_DIR) + "/..";

/// The options of the demo's review app: `plan` gets them, then `subset` the very same ones.
const std::vector<std::string> k_demo_options = {"--logarithmic", "0.5", "--force", "users:1", "--seed", "3",
                                                 "--rails-app", k_repo + "/demo"};

/// The fixture servers with the demo database loaded on the primary and replayed by the standby.
FixtureServers& demo_servers() {
    static bool loaded = false;
    auto& servers = fixture_servers();
    if (loaded) return servers;
    servers.primary.drop_database(k_demo);
    servers.primary.create_database(k_demo);
    servers.primary.run_sql_file(k_demo, k_repo + "/bench/generate_saas.sql");
    servers.primary.execute(k_demo, "VACUUM ANALYZE");
    servers.standby.wait_for_replay_of(servers.primary);
    loaded = true;
    return servers;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

std::vector<std::string> lines_starting_with(const std::string& text, const std::string& prefix) {
    std::vector<std::string> found;
    for (const auto& line : lines_of(text)) {
        if (line.rfind(prefix, 0) == 0) found.push_back(line);
    }
    return found;
}

/// The cells of the first table of sizes in `output` (header "table  sizing ..."), by table and
/// column; columns other than table and sizing are right-aligned, so a cell ends where its header ends.
std::map<std::string, std::map<std::string, std::string>> table_of_sizes(const std::string& output) {
    std::map<std::string, std::map<std::string, std::string>> cells;
    const auto lines = lines_of(output);
    std::size_t header_idx = 0;
    while (header_idx < lines.size() && lines[header_idx].rfind("table ", 0) != 0) ++header_idx;
    if (header_idx == lines.size()) return cells;
    const std::string& header = lines[header_idx];
    std::vector<std::pair<std::string, std::size_t>> columns;  // name, end position
    for (const char* name : {"estimate", "target", "seeds", "added", "selected", "copied"}) {
        auto at = header.find(std::string(" ") + name);
        if (at != std::string::npos) columns.emplace_back(name, at + 1 + std::string(name).size());
    }
    for (auto line_idx = header_idx + 1; line_idx < lines.size() && !lines[line_idx].empty(); ++line_idx) {
        const std::string& line = lines[line_idx];
        const std::string table = line.substr(0, line.find(' '));
        if (table.find('.') == std::string::npos) break;  // the totals line after the table
        for (const auto& [name, end] : columns) {
            const std::string left = line.substr(0, end);
            cells[table][name] = left.substr(left.find_last_of(' ') + 1);
        }
    }
    return cells;
}

std::int64_t as_count(std::string cell) {
    std::string digits;
    for (char c : cell) {
        if (c != ',') digits += c;
    }
    return std::stoll(digits);
}

/// The `subset` of the demo with k_demo_options into a new database `target` on the primary.
struct DemoSubset {
    CommandResult result;
    nlohmann::json report;
};

DemoSubset subset_demo(const std::string& target) {
    auto& servers = demo_servers();
    servers.primary.drop_database(target);
    servers.primary.create_database(target);
    const std::string report_path = servers.primary.data_dir() + "/../report-" + target + ".json";
    std::vector<std::string> args = {"subset", "--source", servers.standby.url(k_demo), "--target",
                                     servers.primary.url(target), "--report", report_path};
    args.insert(args.end(), k_demo_options.begin(), k_demo_options.end());
    DemoSubset run{run_understudy(args), {}};
    if (run.result.exit_code == 0) run.report = read_json(report_path);
    std::remove(report_path.c_str());
    return run;
}

CommandResult plan_demo(const std::string& source_url, const std::map<std::string, std::string>& env = {}) {
    std::vector<std::string> args = {"plan", "--source", source_url};
    args.insert(args.end(), k_demo_options.begin(), k_demo_options.end());
    return run_understudy(args, env);
}

TEST(PlanSelection, PlanShowsTheRowsSubsetThenCopiesAndWhy) {
    auto& servers = demo_servers();
    auto plan = plan_demo(servers.standby.url(k_demo));
    ASSERT_EQ(plan.exit_code, 0) << plan.err;
    const auto planned = table_of_sizes(plan.out);
    ASSERT_TRUE(planned.count("public.users")) << plan.out;
    const auto& users = planned.at("public.users");
    // sqrt(2000) seeds; the closure (tasks' creators and assignees, comments' authors...) adds far more.
    EXPECT_EQ(users.at("target"), "44") << plan.out;
    EXPECT_GT(as_count(users.at("selected")), 4 * as_count(users.at("target"))) << plan.out;
    EXPECT_EQ(as_count(users.at("seeds")) + as_count(users.at("added")), as_count(users.at("selected"))) << plan.out;

    // Why: every row users gained beyond its seeds is on a line naming the reference that pulled it.
    std::int64_t explained = 0;
    bool through_a_reference = false;
    const auto why = plan.out.find("rows added beyond the seeds, by what pulled them in:\n");
    ASSERT_NE(why, std::string::npos) << plan.out;
    for (const auto& line : lines_starting_with(plan.out.substr(why), "public.users ")) {
        std::istringstream cells(line);
        std::string table, added;
        cells >> table >> added;
        explained += as_count(added);
        through_a_reference = through_a_reference || line.find(" parents via public.") != std::string::npos;
    }
    EXPECT_TRUE(through_a_reference) << plan.out;
    EXPECT_EQ(explained, as_count(users.at("added"))) << plan.out;
    EXPECT_NE(plan.out.find("  forced (--force)\n"), std::string::npos) << plan.out;

    // The same options copy exactly what plan showed, table by table, in the same columns.
    auto run = subset_demo("plan_demo_review_app");
    ASSERT_EQ(run.result.exit_code, 0) << run.result.err;
    const auto copied = table_of_sizes(run.result.out);
    std::map<std::string, std::int64_t> in_target = table_counts(servers.primary.conninfo("plan_demo_review_app"));
    ASSERT_FALSE(copied.empty()) << run.result.out;
    for (const auto& [table, cells] : planned) {
        ASSERT_TRUE(copied.count(table)) << table << "\n" << run.result.out;
        for (const char* column : {"estimate", "target", "seeds", "added", "selected"})
            EXPECT_EQ(copied.at(table).at(column), cells.at(column)) << table << " " << column << "\n" << plan.out
                                                                      << run.result.out;
        if (cells.at("selected") == "all" || cells.at("selected") == "-") continue;
        EXPECT_EQ(in_target[table], as_count(cells.at("selected"))) << table;
    }
    EXPECT_EQ(in_target["public.users"], as_count(users.at("selected")));
    EXPECT_EQ(copied.at("public.users").at("copied"), users.at("selected"));
    servers.primary.drop_database("plan_demo_review_app");
}

// The fixture's odd shapes (self references, cycles, composite and uuid keys): every row a table
// gained beyond its seeds is on exactly one line of the closure section.
TEST(PlanSelection, EveryAddedRowHasItsReasonOnTheFixture) {
    auto plan = run_understudy({"plan", "--source", fixture_servers().standby.url(k_fixture_database), "--logarithmic",
                                "0.5", "--force", "users:1", "--children", "2"});
    ASSERT_EQ(plan.exit_code, 0) << plan.err;
    const auto why = plan.out.find("rows added beyond the seeds, by what pulled them in:\n");
    ASSERT_NE(why, std::string::npos) << plan.out;
    std::map<std::string, std::int64_t> explained;
    for (const auto& line : lines_of(plan.out.substr(why))) {
        if (line.empty()) break;
        std::istringstream cells(line);
        std::string table, added;
        cells >> table >> added;
        if (table.find('.') != std::string::npos) explained[table] += as_count(added);
    }
    int tables_with_added_rows = 0;
    for (const auto& [table, cells] : table_of_sizes(plan.out)) {
        if (cells.at("added") == "-") continue;
        EXPECT_EQ(explained[table], as_count(cells.at("added"))) << table << "\n" << plan.out;
        tables_with_added_rows += as_count(cells.at("added")) > 0 ? 1 : 0;
    }
    EXPECT_GE(tables_with_added_rows, 3) << plan.out;
}

TEST(PlanSelection, PlanWritesNothingAnywhere) {
    auto& servers = demo_servers();
    // On the follower itself: a hot standby refuses every write, temp tables included.
    ASSERT_EQ(plan_demo(servers.standby.url(k_demo)).exit_code, 0);
    // On the primary, where a write would succeed: the source is the same after plan, and a
    // target named by DATABASE_URL is never touched (plan takes none).
    servers.primary.drop_database("plan_demo_untouched");
    servers.primary.create_database("plan_demo_untouched");
    const auto source = servers.primary.conninfo(k_demo);
    const std::string relations_sql = "SELECT count(*) FROM pg_class";
    const auto schema_before = normalized_schema_dump(source);
    const auto counts_before = table_counts(source);
    const auto relations_before = servers.primary.query_value(k_demo, relations_sql);
    auto plan = plan_demo(servers.primary.url(k_demo), {{"DATABASE_URL", servers.primary.url("plan_demo_untouched")}});
    ASSERT_EQ(plan.exit_code, 0) << plan.err;
    EXPECT_NE(plan.out.find("rows added beyond the seeds"), std::string::npos) << plan.out;
    EXPECT_EQ(normalized_schema_dump(source), schema_before);
    EXPECT_EQ(table_counts(source), counts_before);
    EXPECT_EQ(servers.primary.query_value(k_demo, relations_sql), relations_before);
    EXPECT_EQ(servers.primary.query_value("plan_demo_untouched", "SELECT count(*) FROM pg_class c JOIN pg_namespace n "
                                                                 "ON n.oid = c.relnamespace WHERE n.nspname = 'public'"),
              "0");
    servers.primary.drop_database("plan_demo_untouched");
}

TEST(PlanSelection, PlanShowsTheTargetsAndWhyWhenTheSelectionFails) {
    auto& servers = demo_servers();
    auto plan = run_understudy({"plan", "--source", servers.standby.url(k_demo), "--force", "users:999999999"});
    ASSERT_EQ(plan.exit_code, 0) << plan.err;
    EXPECT_EQ(lines_starting_with(plan.out, "selection failed, so the table shows targets only: ").size(), 1u)
        << plan.out;
    EXPECT_EQ(table_of_sizes(plan.out).at("public.users").at("selected"), "-") << plan.out;
    // The rest of plan still ran in the snapshot's transaction.
    EXPECT_NE(plan.out.find("\naccess paths:\n"), std::string::npos) << plan.out;
}

TEST(SubsetWithoutATerminal, LogsOneLinePerTableAndPhase) {
    auto& servers = demo_servers();
    auto run = subset_demo("plan_demo_logged");  // stderr is a pipe here, as in Heroku logs or CI
    ASSERT_EQ(run.result.exit_code, 0) << run.result.err;
    std::map<std::string, std::int64_t> copied_rows;
    for (const auto& entry : run.report["tables"]) {
        if (entry.contains("copied_rows"))
            copied_rows[entry["table"].get<std::string>()] = entry["copied_rows"].get<std::int64_t>();
    }
    const auto table_lines = lines_starting_with(run.result.err, "copied ");
    EXPECT_EQ(table_lines.size(), run.report["totals"]["tables"].get<std::size_t>()) << run.result.err;
    EXPECT_EQ(table_lines.size(), copied_rows.size()) << run.result.err;
    for (const auto& line : table_lines) {
        // copied public.users: 1,167 rows, 301.2 kB in 0.0 s
        const auto colon = line.find(": ");
        ASSERT_NE(colon, std::string::npos) << line;
        const std::string table = line.substr(7, colon - 7);
        ASSERT_TRUE(copied_rows.count(table)) << line;
        const std::string rows = line.substr(colon + 2, line.find(' ', colon + 2) - colon - 2);
        EXPECT_EQ(as_count(rows), copied_rows[table]) << line;
        EXPECT_NE(line.find(" rows, "), std::string::npos) << line;
        EXPECT_NE(line.find(" in "), std::string::npos) << line;
        EXPECT_EQ(line.substr(line.size() - 2), " s") << line;
    }
    std::vector<std::string> phases;
    for (const auto& line : lines_starting_with(run.result.err, "phase ")) {
        EXPECT_NE(line.find(" done in "), std::string::npos) << line;
        phases.push_back(line.substr(6, line.find(" done in ") - 6));
    }
    EXPECT_EQ(phases, (std::vector<std::string>{"reading the catalog", "selecting rows", "creating tables",
                                                "copying rows", "copying large objects",
                                                "building indexes and constraints", "setting sequences", "analyzing"}))
        << run.result.err;
    // Counts and sizes only: no row value (the demo's emails) reaches the log, and nothing else is in it.
    EXPECT_EQ(run.result.err.find('@'), std::string::npos) << run.result.err;
    EXPECT_EQ(lines_of(run.result.err).size(),
              table_lines.size() + phases.size() + lines_starting_with(run.result.err, "warning: ").size())
        << run.result.err;
    servers.primary.drop_database("plan_demo_logged");
}

TEST(SubsetWithoutATerminal, ASyncLogsOneLinePerTableAndPhaseToo) {
    auto& servers = demo_servers();
    for (const auto& name : servers.primary.databases_like("plan_demo_live%")) servers.primary.drop_database(name);
    servers.primary.create_database("plan_demo_live");
    TempFile config("sync:\n  backend: postgres\n  full: true\n  keep: 0\n");
    const std::string report_path = servers.primary.data_dir() + "/../report-plan_demo_live.json";
    auto run = run_understudy({"sync", "--source", servers.standby.url(k_demo), "--target",
                               servers.primary.url("plan_demo_live"), "--config", config.path(), "--report",
                               report_path});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const auto report = read_json(report_path);
    std::remove(report_path.c_str());
    // A full copy loads a partitioned table leaf by leaf: a line per leaf, adding up to the report's rows.
    const auto table_lines = lines_starting_with(run.err, "copied ");
    std::int64_t logged_rows = 0;
    std::map<std::string, std::int64_t> rows_by_line;
    for (const auto& line : table_lines) {
        const auto colon = line.find(": ");
        ASSERT_NE(colon, std::string::npos) << line;
        const auto rows = as_count(line.substr(colon + 2, line.find(' ', colon + 2) - colon - 2));
        logged_rows += rows;
        rows_by_line[line.substr(7, colon - 7)] = rows;
    }
    EXPECT_EQ(logged_rows, report["totals"]["rows"].get<std::int64_t>()) << run.err;
    std::size_t whole_tables = 0;
    for (const auto& entry : report["tables"]) {
        const auto table = entry["table"].get<std::string>();
        if (!entry.contains("copied_rows") || table == "public.events") continue;
        ++whole_tables;
        EXPECT_EQ(rows_by_line[table], entry["copied_rows"].get<std::int64_t>()) << table << "\n" << run.err;
    }
    const auto leaves = servers.standby.query_value(k_demo, "SELECT count(*) FROM pg_inherits WHERE inhparent = "
                                                            "'public.events'::regclass");
    EXPECT_EQ(table_lines.size(), whole_tables + std::stoul(leaves)) << run.err;
    std::vector<std::string> phases;
    for (const auto& line : lines_starting_with(run.err, "phase ")) phases.push_back(line.substr(6, line.find(" done in ") - 6));
    EXPECT_EQ(phases, (std::vector<std::string>{"checking guards", "preparing the new database", "reading the catalog",
                                                "selecting rows", "creating tables", "copying rows",
                                                "copying large objects", "building indexes and constraints",
                                                "setting sequences", "analyzing", "verifying", "promoting"}))
        << run.err;
    EXPECT_EQ(run.err.find('@'), std::string::npos) << run.err;
    for (const auto& name : servers.primary.databases_like("plan_demo_live%")) servers.primary.drop_database(name);
}

}  // namespace
}  // namespace understudy::testing
