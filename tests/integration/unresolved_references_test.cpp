// Unresolved references are never silent, end to end: a Rails-shaped database without a single
// constraint, read from the hot standby. With the naming convention only issues.project_id is
// resolved; plan lists the other `*_id` columns with their likely parent, subset and dump warn in
// one line, --strict-references refuses before writing, not_references silences a column, and the
// probe reads samples, never whole tables.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "db_checks.hpp"
#include "temp_file.hpp"
#include "test_cluster.hpp"

namespace understudy::testing {
namespace {

constexpr const char* k_source = "unresolved_refs_src";

// Keys from 1, as Rails makes them: the parents' ranges differ in size, so only the users table's
// range fits the user references tightly. stripe_customer_id holds values no key holds.
constexpr const char* k_source_sql = R"sql(
CREATE TABLE public.users (id bigint PRIMARY KEY, email text NOT NULL, stripe_customer_id bigint);
CREATE TABLE public.projects (id bigint PRIMARY KEY, owner_id bigint, name text NOT NULL);
CREATE TABLE public.issues (id bigint PRIMARY KEY, project_id bigint, author_id bigint, title text NOT NULL);
CREATE TABLE public.invitations (id bigint PRIMARY KEY, inviter_id integer, email text NOT NULL);
CREATE INDEX ON public.issues (project_id);
INSERT INTO public.users SELECT n, 'user' || n || '@example.com', 900000000 + n * 3 FROM generate_series(1, 20000) n;
INSERT INTO public.projects SELECT n, 1 + (n * 7919) % 20000, 'project ' || n FROM generate_series(1, 50000) n;
INSERT INTO public.issues SELECT n, 1 + (n * 31) % 50000, 1 + (n * 17) % 20000, 'issue ' || n
FROM generate_series(1, 60000) n;
INSERT INTO public.invitations SELECT n, 1 + (n * 13) % 20000, 'invitee' || n || '@example.com'
FROM generate_series(1, 50000) n;
)sql";

const std::map<std::string, std::int64_t> k_table_rows = {
    {"users", 20000}, {"projects", 50000}, {"issues", 60000}, {"invitations", 50000}};

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < text.size()) {
        auto end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        lines.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return lines;
}

std::vector<std::string> lines_starting_with(const std::string& text, const std::string& prefix) {
    std::vector<std::string> lines;
    for (const auto& line : lines_of(text)) {
        if (line.rfind(prefix, 0) == 0) lines.push_back(line);
    }
    return lines;
}

/// `column -> its line` of plan's "unresolved references" section (the column lines only).
std::map<std::string, std::string> unresolved_section(const std::string& plan_output) {
    std::map<std::string, std::string> columns;
    bool inside = false;
    for (const auto& line : lines_of(plan_output)) {
        if (line.rfind("unresolved references", 0) == 0) {
            inside = true;
            continue;
        }
        if (!inside) continue;
        if (line.empty()) break;
        if (line.rfind("    ", 0) == 0) continue;  // the declaration under a column
        const auto colon = line.find(": ");
        columns[line.substr(2, colon - 2)] = line.substr(colon + 2);
    }
    return columns;
}

/// Rows read on the standby from each table of the source so far (sequential and through indexes).
std::map<std::string, std::int64_t> rows_read_on_standby() {
    std::map<std::string, std::int64_t> reads;
    for (const auto& row : fixture_servers().standby.query(
             k_source, "SELECT relname, coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0) "
                       "FROM pg_stat_user_tables WHERE schemaname = 'public'"))
        reads[row[0]] = std::stoll(row[1]);
    return reads;
}

class UnresolvedReferences : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        auto& servers = fixture_servers();
        servers.primary.drop_database(k_source);
        servers.primary.create_database(k_source);
        servers.primary.execute(k_source, k_source_sql);
        servers.primary.execute(k_source, "ANALYZE");
        servers.standby.wait_for_replay_of(servers.primary);
    }

    static std::string source() { return fixture_servers().standby.url(k_source); }

    static CommandResult subset(const std::string& target, std::vector<std::string> extra) {
        auto& servers = fixture_servers();
        servers.primary.drop_database(target);
        servers.primary.create_database(target);
        std::vector<std::string> args = {"subset", "--source", source(), "--target", servers.primary.url(target),
                                         "--infer-foreign-keys", "rails"};
        args.insert(args.end(), extra.begin(), extra.end());
        return run_understudy(args);
    }
};

TEST_F(UnresolvedReferences, PlanListsExactlyTheUnresolvedColumnsWithTheirParentAndReadsNoWholeTable) {
    const auto before = rows_read_on_standby();
    auto plan = run_understudy({"plan", "--source", source(), "--infer-foreign-keys", "rails"});
    ASSERT_EQ(plan.exit_code, 0) << plan.err;
    // The convention resolved issues.project_id: it is an inferred reference, not an unresolved one.
    EXPECT_NE(plan.out.find("public.issues(project_id) -> public.projects(id)"), std::string::npos) << plan.out;

    auto columns = unresolved_section(plan.out);
    std::vector<std::string> names;
    for (const auto& [name, line] : columns) names.push_back(name);
    EXPECT_EQ(names, (std::vector<std::string>{"public.invitations.inviter_id", "public.issues.author_id",
                                               "public.projects.owner_id", "public.users.stripe_customer_id"}))
        << plan.out;
    for (const char* column : {"public.invitations.inviter_id", "public.issues.author_id", "public.projects.owner_id"})
        EXPECT_EQ(columns[column].rfind("public.users 100 %", 0), 0u) << column << ": " << columns[column];
    EXPECT_EQ(columns["public.users.stripe_customer_id"].rfind("no table's key holds any of 100 sampled values", 0), 0u)
        << columns["public.users.stripe_customer_id"];
    EXPECT_NE(plan.out.find("    declare: {from: \"public.issues(author_id)\", to: \"public.users(id)\"}\n"),
              std::string::npos)
        << plan.out;

    // A sample of each column and a hundred key lookups per candidate: far from any whole table.
    const auto after = rows_read_on_standby();
    for (const auto& [table, rows] : k_table_rows) {
        const std::int64_t read = after.at(table) - (before.count(table) ? before.at(table) : 0);
        EXPECT_LT(read, rows / 5) << table << " read " << read << " of " << rows << " rows";
    }
}

TEST_F(UnresolvedReferences, InitSuggestsEachColumnsBestParentAsACommentedEntry) {
    auto init = run_understudy({"init", "--source", source()});
    ASSERT_EQ(init.exit_code, 0) << init.err;
    EXPECT_NE(init.out.find("# subset:\n#   foreign_keys:\n"), std::string::npos) << init.out;
    for (const char* column : {"issues(author_id)", "projects(owner_id)", "invitations(inviter_id)"}) {
        EXPECT_NE(init.out.find(std::string("#     - {from: \"public.") + column +
                                "\", to: \"public.users(id)\"}  # unresolved; sampled values found in public.users 100 %"),
                  std::string::npos)
            << column << "\n" << init.out;
    }
    EXPECT_NE(init.out.find("#     # public.users.stripe_customer_id: looks like a reference, no table holds"),
              std::string::npos)
        << init.out;
}

TEST_F(UnresolvedReferences, NotReferencesRemovesAColumn) {
    TempFile config("subset:\n  not_references: [public.users.stripe_customer_id]\n");
    auto plan = run_understudy({"plan", "--source", source(), "--infer-foreign-keys", "rails", "--config", config.path()});
    ASSERT_EQ(plan.exit_code, 0) << plan.err;
    auto columns = unresolved_section(plan.out);
    EXPECT_EQ(columns.size(), 3u) << plan.out;
    EXPECT_EQ(columns.count("public.users.stripe_customer_id"), 0u) << plan.out;
    EXPECT_EQ(columns.count("public.issues.author_id"), 1u) << plan.out;

    // Declaring the rest under foreign_keys: (as plan suggests) resolves everything: no section.
    TempFile declared(R"yaml(subset:
  not_references: [public.users.stripe_customer_id]
  foreign_keys:
    - {from: "public.issues(author_id)", to: "public.users(id)"}
    - {from: "public.projects(owner_id)", to: "public.users(id)"}
    - {from: "public.invitations(inviter_id)", to: "public.users(id)"}
)yaml");
    auto resolved = run_understudy({"plan", "--source", source(), "--infer-foreign-keys", "rails", "--config",
                                    declared.path()});
    ASSERT_EQ(resolved.exit_code, 0) << resolved.err;
    EXPECT_EQ(resolved.out.find("unresolved references"), std::string::npos) << resolved.out;
}

TEST_F(UnresolvedReferences, SubsetAndDumpWarnInOneLineAndRecordThemInTheReport) {
    auto& servers = fixture_servers();
    const std::string report_path = servers.primary.data_dir() + "/../report-unresolved.json";
    auto run = subset("unresolved_refs_copy", {"--report", report_path});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    auto warnings = lines_starting_with(run.err, "warning: ");
    ASSERT_EQ(warnings.size(), 1u) << run.err;
    EXPECT_EQ(warnings[0].rfind("warning: 4 columns look like a reference that nothing declares", 0), 0u) << warnings[0];
    for (const char* column : {"public.invitations.inviter_id", "public.issues.author_id", "public.projects.owner_id",
                               "public.users.stripe_customer_id"})
        EXPECT_NE(warnings[0].find(column), std::string::npos) << warnings[0];
    auto report = read_json(report_path);
    std::remove(report_path.c_str());
    ASSERT_EQ(report["unresolved_references"].size(), 4u) << report.dump();
    for (const auto& entry : report["unresolved_references"]) {
        const std::string column = entry["column"];
        const std::string table = column.substr(7, column.find('.', 7) - 7);
        EXPECT_EQ(entry["sampled"], 100) << entry.dump();
        EXPECT_LT(entry["rows_sampled"].get<std::int64_t>(), k_table_rows.at(table) / 5) << entry.dump();
        if (column != "public.users.stripe_customer_id") {
            ASSERT_FALSE(entry["candidates"].empty()) << entry.dump();
            EXPECT_EQ(entry["candidates"][0]["table"], "public.users") << entry.dump();
            EXPECT_EQ(entry["candidates"][0]["contained"], 100) << entry.dump();
        } else {
            EXPECT_TRUE(entry["candidates"].empty()) << entry.dump();
        }
    }
    servers.primary.drop_database("unresolved_refs_copy");

    TempFile out("");
    auto dump = run_understudy({"dump", "--source", source(), "--infer-foreign-keys", "rails", "--out",
                                out.path() + ".sql"});
    std::remove((out.path() + ".sql").c_str());
    ASSERT_EQ(dump.exit_code, 0) << dump.err;
    auto dump_warnings = lines_starting_with(dump.err, "warning: ");
    ASSERT_EQ(dump_warnings.size(), 1u) << dump.err;
    EXPECT_NE(dump_warnings[0].find("public.issues.author_id"), std::string::npos) << dump_warnings[0];
}

TEST_F(UnresolvedReferences, ASubsettingSyncWarnsOnceAndAFullSyncDoesNot) {
    auto& servers = fixture_servers();
    const std::string live = "unresolved_refs_live";
    auto drop_lives = [&] {
        for (const auto& name : servers.primary.databases_like(live + "%")) servers.primary.drop_database(name);
    };
    drop_lives();
    servers.primary.create_database(live);
    TempFile subsetting("sync:\n  backend: postgres\n  keep: 1\n");
    auto sync = run_understudy({"sync", "--source", source(), "--target", servers.primary.url(live), "--config",
                                subsetting.path(), "--infer-foreign-keys", "rails"});
    ASSERT_EQ(sync.exit_code, 0) << sync.err;
    auto warnings = lines_starting_with(sync.err, "warning: ");
    ASSERT_EQ(warnings.size(), 1u) << sync.err;
    EXPECT_EQ(warnings[0].rfind("warning: 4 columns look like a reference that nothing declares", 0), 0u)
        << warnings[0];

    // A full copy keeps every row's parent: nothing to warn about, and strict has nothing to refuse.
    TempFile full("sync:\n  backend: postgres\n  full: true\n  keep: 1\n");
    auto full_sync = run_understudy({"sync", "--source", source(), "--target", servers.primary.url(live), "--config",
                                     full.path(), "--infer-foreign-keys", "rails", "--strict-references"});
    ASSERT_EQ(full_sync.exit_code, 0) << full_sync.err;
    EXPECT_TRUE(lines_starting_with(full_sync.err, "warning: ").empty()) << full_sync.err;
    drop_lives();
}

TEST_F(UnresolvedReferences, StrictReferencesRefusesBeforeWritingAnything) {
    auto& servers = fixture_servers();
    const std::string target = "unresolved_refs_strict";
    auto count_tables = [&] {
        return servers.primary.query_value(target, "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON "
                                                   "n.oid = c.relnamespace WHERE n.nspname = 'public'");
    };
    auto refused = subset(target, {"--strict-references"});
    EXPECT_EQ(refused.exit_code, 14) << refused.err;
    auto errors = lines_starting_with(refused.err, "error: ");
    ASSERT_EQ(errors.size(), 1u) << refused.err;
    EXPECT_NE(errors[0].find("--strict-references: 4 columns look like a reference that nothing declares: "
                             "public.invitations.inviter_id, public.issues.author_id, public.projects.owner_id, "
                             "public.users.stripe_customer_id"),
              std::string::npos)
        << errors[0];
    EXPECT_TRUE(lines_starting_with(refused.err, "warning: ").empty()) << refused.err;
    EXPECT_EQ(count_tables(), "0");

    // The same from YAML.
    TempFile strict("subset:\n  references: strict\n");
    auto from_yaml = subset(target, {"--config", strict.path()});
    EXPECT_EQ(from_yaml.exit_code, 14) << from_yaml.err;
    EXPECT_EQ(count_tables(), "0");

    // With every column declared or dismissed, the strict run copies without a warning.
    TempFile resolved(R"yaml(subset:
  references: strict
  not_references: [public.users.stripe_customer_id]
  foreign_keys:
    - {from: "public.issues(author_id)", to: "public.users(id)"}
    - {from: "public.projects(owner_id)", to: "public.users(id)"}
    - {from: "public.invitations(inviter_id)", to: "public.users(id)"}
)yaml");
    auto copied = subset(target, {"--config", resolved.path()});
    ASSERT_EQ(copied.exit_code, 0) << copied.err;
    EXPECT_EQ(copied.err.find("look like a reference"), std::string::npos) << copied.err;
    EXPECT_NE(count_tables(), "0");
    // Declared, the references are followed: no issue without its author.
    EXPECT_EQ(servers.primary.query_value(target, "SELECT count(*) FROM public.issues i WHERE i.author_id IS NOT NULL "
                                                  "AND NOT EXISTS (SELECT FROM public.users u WHERE u.id = i.author_id)"),
              "0");
    servers.primary.drop_database(target);
}

// A new database `name` on the fixture primary holding `sql`, replayed on the standby.
void load_source_on_primary(const std::string& name, const std::string& sql) {
    auto& servers = fixture_servers();
    servers.primary.drop_database(name);
    servers.primary.create_database(name);
    servers.primary.execute(name, sql);
    servers.standby.wait_for_replay_of(servers.primary);
}

// A column that is mostly NULL in a table larger than the block sample reads: the sample finds a
// few values, and the index on the column tops them up with a hundred descents, not a scan.
TEST(UnresolvedReferencesSparse, AShortSampleIsToppedUpThroughTheColumnsIndex) {
    auto& servers = fixture_servers();
    const std::string source = "unresolved_refs_sparse";
    load_source_on_primary(source, R"sql(
CREATE TABLE public.reviewers (id bigint PRIMARY KEY, name text NOT NULL);
CREATE TABLE public.reports (id bigint PRIMARY KEY, reviewer_id bigint, body text NOT NULL);
CREATE INDEX ON public.reports (reviewer_id);
INSERT INTO public.reviewers SELECT n, 'reviewer ' || n FROM generate_series(1, 5000) n;
INSERT INTO public.reports SELECT n, CASE WHEN n % 1000 = 0 THEN 1 + (n / 1000 * 37) % 5000 END, 'report ' || n
FROM generate_series(1, 200000) n;
ANALYZE;
)sql");
    auto read_reports = [&] {
        return std::stoll(servers.standby.query_value(
            source, "SELECT coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0) FROM pg_stat_user_tables "
                    "WHERE relname = 'reports'"));
    };
    const auto before = read_reports();
    auto plan = run_understudy({"plan", "--source", servers.standby.url(source)});
    ASSERT_EQ(plan.exit_code, 0) << plan.err;
    const std::string line = unresolved_section(plan.out)["public.reports.reviewer_id"];
    ASSERT_EQ(line.rfind("public.reviewers 100 %", 0), 0u) << plan.out;
    // 200 non-NULL values in 200,000 rows: a 16,000-row block sample holds about 16 of them.
    const auto of = line.find(" of ");
    ASSERT_NE(of, std::string::npos) << line;
    EXPECT_GE(std::stoi(line.substr(of + 4)), 50) << line;
    EXPECT_LT(read_reports() - before, 40000) << plan.out;
    servers.primary.drop_database(source);
}

// A role that row-level security applies to cannot sample that table (the session's row_security =
// off makes it an error): plan still lists the column, says why it has no candidates, and goes on.
TEST(UnresolvedReferencesSparse, AColumnTheRoleCannotReadIsListedWithoutCandidates) {
    auto& servers = fixture_servers();
    const std::string source = "unresolved_refs_rls";
    load_source_on_primary(source, R"sql(
DO $$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'unresolved_reader') THEN
        CREATE ROLE unresolved_reader LOGIN;
    END IF;
END $$;
CREATE TABLE public.writers (id bigint PRIMARY KEY);
CREATE TABLE public.notes (id bigint PRIMARY KEY, writer_id bigint, owner_name text NOT NULL);
CREATE TABLE public.drafts (id bigint PRIMARY KEY, writer_id bigint);
INSERT INTO public.writers SELECT n FROM generate_series(1, 100) n;
INSERT INTO public.notes SELECT n, 1 + n % 100, 'someone' FROM generate_series(1, 1000) n;
INSERT INTO public.drafts SELECT n, 1 + n % 100 FROM generate_series(1, 1000) n;
ALTER TABLE public.notes ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_notes ON public.notes FOR SELECT USING (owner_name = current_user);
GRANT USAGE ON SCHEMA public TO unresolved_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO unresolved_reader;
ANALYZE;
)sql");
    const std::string as_reader = servers.standby.conninfo(source).with("user", "unresolved_reader").keyword_string();
    auto plan = run_understudy({"plan", "--source", as_reader});
    ASSERT_EQ(plan.exit_code, 0) << plan.err;
    auto columns = unresolved_section(plan.out);
    EXPECT_EQ(columns["public.notes.writer_id"].rfind("not probed: ", 0), 0u) << plan.out;
    EXPECT_NE(columns["public.notes.writer_id"].find("row-level security"), std::string::npos) << plan.out;
    // The refused read left the transaction usable: the next column was probed.
    EXPECT_EQ(columns["public.drafts.writer_id"].rfind("public.writers 100 %", 0), 0u) << plan.out;
    servers.primary.drop_database(source);
}

}  // namespace
}  // namespace understudy::testing
