// End to end against the "strange production" fixture (issue 8, items 3, 4, 5, 7, 8): large
// objects, postgres_fdw user mappings, subscriptions, NOT VALID foreign keys with orphans and
// unlogged tables, read from the standby by subset, sync (postgres backend, full) and dump.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "background_process.hpp"
#include "db_checks.hpp"
#include "postgres_binaries.hpp"
#include "strange_fixture.hpp"
#include "temp_file.hpp"
#include "test_cluster.hpp"

namespace understudy::testing {
namespace {

using namespace std::chrono_literals;

// Every secret the fixture files 21_ and 22_ put into the source; none may leave it.
const std::vector<std::string> k_secrets = {"fdw-secret-public-6b1d", "fdw-secret-current-93fa", "sub-secret-51c7",
                                            "fdw-secret", "sub-secret"};

constexpr const char* k_subset_target = "strange_objects_subset";
constexpr const char* k_live = "strange_objects_live";
constexpr const char* k_dump_target = "strange_objects_dump";
constexpr const char* k_orphan_live = "strange_objects_orphan";

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

/// The secrets of the fixture that `text` holds (none, for a correct run).
std::vector<std::string> secrets_in(const std::string& text) {
    std::vector<std::string> found;
    for (const auto& secret : k_secrets)
        if (text.find(secret) != std::string::npos) found.push_back(secret);
    return found;
}

/// A database holding a copied subscription cannot be dropped ("is being used by logical replication
/// subscription"); the subscription is disabled and has no slot, so DROP SUBSCRIPTION contacts nobody.
void drop_database_and_subscriptions(const std::string& name) {
    auto& servers = fixture_servers();
    if (servers.primary.query_value("postgres", "SELECT count(*) FROM pg_database WHERE datname = '" + name + "'") ==
        "1") {
        for (const auto& row : servers.primary.query(name, "SELECT subname FROM pg_subscription s JOIN pg_database d "
                                                           "ON d.oid = s.subdbid WHERE d.datname = current_database()"))
            servers.primary.execute(name, "DROP SUBSCRIPTION \"" + row[0] + "\"");
    }
    servers.primary.drop_database(name);
}

std::vector<std::string> databases_like(const std::string& pattern) {
    return fixture_servers().primary.databases_like(pattern);
}

/// The error text of running `sql` in `database`, or "" when it succeeded.
std::string error_of(const std::string& database, const std::string& sql) {
    try {
        fixture_servers().primary.execute(database, sql);
    } catch (const std::exception& error) {
        return error.what();
    }
    return {};
}

/// Checks every copy must pass for the fdw and subscription items: the server and the foreign
/// table are there, no user mapping, no subscription, no secret in its schema.
void expect_no_links_to_production(const std::string& database) {
    auto& servers = fixture_servers();
    SCOPED_TRACE(database);
    EXPECT_EQ(servers.primary.query_value(database,
                                          "SELECT count(*) FROM pg_foreign_server WHERE srvname = 'strange_remote'"),
              "1");
    EXPECT_EQ(servers.primary.query_value(database,
                                          "SELECT to_regclass('public.strange_remote_orders') IS NOT NULL"),
              "t");
    EXPECT_EQ(servers.primary.query_value(database, "SELECT count(*) FROM pg_user_mappings"), "0");
    EXPECT_EQ(servers.primary.query_value(database, "SELECT count(*) FROM pg_subscription s JOIN pg_database d ON "
                                                    "d.oid = s.subdbid WHERE d.datname = current_database()"),
              "0");
    EXPECT_EQ(secrets_in(normalized_schema_dump(servers.primary.conninfo(database))), std::vector<std::string>{});
    // Without a mapping, a write into the foreign table stops here instead of reaching production.
    EXPECT_NE(error_of(database, "INSERT INTO public.strange_remote_orders VALUES (1, 2)").find("user mapping not found"),
              std::string::npos);
}

/// NOT VALID stays NOT VALID; validated stays validated.
void expect_constraints_as_in_source(const std::string& database) {
    auto& servers = fixture_servers();
    SCOPED_TRACE(database);
    EXPECT_EQ(servers.primary.query_value(database, "SELECT convalidated FROM pg_constraint WHERE conname = "
                                                    "'strange_audit_events_user_fk'"),
              "f");
    EXPECT_EQ(servers.primary.query_value(database, "SELECT convalidated FROM pg_constraint WHERE conname = "
                                                    "'strange_audit_events_post_id_fkey'"),
              "t");
}

/// The large objects of `database` with an md5 of their contents each: "oid md5", ascending.
std::vector<std::string> large_objects_of(const std::string& database, bool on_standby = false) {
    auto& servers = fixture_servers();
    auto rows = (on_standby ? servers.standby : servers.primary)
                    .query(database, "SELECT oid::text || ' ' || md5(lo_get(oid)) FROM pg_largeobject_metadata "
                                     "ORDER BY oid");
    std::vector<std::string> objects;
    for (const auto& row : rows) objects.push_back(row[0]);
    return objects;
}

/// The source's large objects among `oids`, as large_objects_of() lists them.
std::vector<std::string> source_large_objects(const std::vector<std::string>& oids) {
    std::vector<std::string> wanted;
    for (const auto& object : large_objects_of(k_strange_database, true)) {
        for (const auto& oid : oids)
            if (object.rfind(oid + " ", 0) == 0) wanted.push_back(object);
    }
    return wanted;
}

/// The unlogged table exists in the copy, is still unlogged, and is empty.
void expect_unlogged_created_empty(const std::string& database) {
    auto& servers = fixture_servers();
    SCOPED_TRACE(database);
    EXPECT_EQ(servers.primary.query_value(database, "SELECT relpersistence FROM pg_class WHERE oid = "
                                                    "'public.strange_sessions'::regclass"),
              "u");
    EXPECT_EQ(servers.primary.query_value(database, "SELECT count(*) FROM public.strange_sessions"), "0");
}

// ---------------------------------------------------------------------------------------------
// subset, twice (the second with --replace)

class StrangeObjectsSubset : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        ensure_strange_database();
        drop_database_and_subscriptions(k_subset_target);
        fixture_servers().primary.create_database(k_subset_target);
        s_report = std::make_unique<TempFile>("");
        s_first = subset({});
        s_second = subset({"--replace"});
    }
    static void TearDownTestSuite() {
        drop_database_and_subscriptions(k_subset_target);
        s_report.reset();
    }

    static CommandResult subset(std::vector<std::string> extra) {
        auto& servers = fixture_servers();
        std::vector<std::string> args = {"subset", "--source", servers.standby.url(k_strange_database), "--target",
                                         servers.primary.url(k_subset_target), "--report", s_report->path(),
                                         "--force", "users:1", "users:2"};
        args.insert(args.end(), extra.begin(), extra.end());
        return run_understudy(args);
    }

    static std::unique_ptr<TempFile> s_report;
    static CommandResult s_first;
    static CommandResult s_second;
};
std::unique_ptr<TempFile> StrangeObjectsSubset::s_report;
CommandResult StrangeObjectsSubset::s_first;
CommandResult StrangeObjectsSubset::s_second;

TEST_F(StrangeObjectsSubset, SubsetAndReplaceSucceed) {
    ASSERT_EQ(s_first.exit_code, 0) << s_first.err;
    ASSERT_EQ(s_second.exit_code, 0) << s_second.err;
}

TEST_F(StrangeObjectsSubset, NoUserMappingNoSubscriptionNoSecret) {
    ASSERT_EQ(s_second.exit_code, 0) << s_second.err;
    expect_no_links_to_production(k_subset_target);
    for (const auto* run : {&s_first, &s_second}) {
        EXPECT_EQ(secrets_in(run->out + run->err), std::vector<std::string>{});
    }
    EXPECT_EQ(secrets_in(read_file(s_report->path())), std::vector<std::string>{});
}

TEST_F(StrangeObjectsSubset, ValidForeignKeysHoldAndNotValidStaysNotValid) {
    ASSERT_EQ(s_second.exit_code, 0) << s_second.err;
    expect_constraints_as_in_source(k_subset_target);
    // Every validated foreign key holds. The NOT VALID one may be violated, but only by rows the
    // source has without a parent too (users 9001 and 9003 never existed), never by a parent the
    // subset left behind.
    for (const auto& violation : fk_violations(fixture_servers().primary.conninfo(k_subset_target)))
        EXPECT_EQ(violation.rfind("public.strange_audit_events.strange_audit_events_user_fk: ", 0), 0u) << violation;
    EXPECT_EQ(fixture_servers().primary.query_value(
                  k_subset_target, "SELECT count(*) FROM public.strange_audit_events e WHERE NOT EXISTS (SELECT 1 "
                                   "FROM public.users u WHERE u.id = e.user_id) AND e.user_id NOT IN (9001, 9003)"),
              "0");
    EXPECT_EQ(fixture_servers().primary.query_value(k_subset_target,
                                                    "SELECT count(*) FROM public.strange_audit_events WHERE id IN (1, 2)"),
              "2");
}

TEST_F(StrangeObjectsSubset, ReferencedLargeObjectsCopiedByteForByte) {
    ASSERT_EQ(s_second.exit_code, 0) << s_second.err;
    auto& servers = fixture_servers();
    // Users 1 and 2 are forced, so are their documents (children): 91001, 91002, 91004 and NULL.
    ASSERT_EQ(row_keys(servers.primary.conninfo(k_subset_target), "public.strange_documents", "id"),
              (std::vector<std::string>{"1", "2", "3", "4"}));
    EXPECT_EQ(large_objects_of(k_subset_target), source_large_objects({"91001", "91002", "91004"}));
    EXPECT_EQ(large_objects_of(k_subset_target).size(), 3u);
    auto report = nlohmann::json::parse(read_file(s_report->path()));
    EXPECT_EQ(report.at("large_objects").at("count"), 3);
    EXPECT_EQ(report.at("large_objects").at("bytes"), 24 + 400000 + 32);
}

TEST_F(StrangeObjectsSubset, UnloggedTableCreatedEmpty) {
    ASSERT_EQ(s_second.exit_code, 0) << s_second.err;
    expect_unlogged_created_empty(k_subset_target);
}

// ---------------------------------------------------------------------------------------------
// sync (postgres backend, full copy), three times in a row

class StrangeObjectsSync : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        ensure_strange_database();
        for (const auto& name : databases_like(std::string(k_live) + "%")) drop_database_and_subscriptions(name);
        fixture_servers().primary.create_database(k_live);
        s_config = std::make_unique<TempFile>("sync:\n  backend: postgres\n  full: true\n  keep: 1\n");
        s_report = std::make_unique<TempFile>("");
        for (int run = 0; run < 3; ++run) {
            auto& servers = fixture_servers();
            s_runs.push_back(run_understudy({"sync", "--source", servers.standby.url(k_strange_database), "--target",
                                             servers.primary.url(k_live), "--config", s_config->path(), "--report",
                                             s_report->path()}));
            s_reports.push_back(read_file(s_report->path()));
        }
    }
    static void TearDownTestSuite() {
        for (const auto& name : databases_like(std::string(k_live) + "%")) drop_database_and_subscriptions(name);
        s_config.reset();
        s_report.reset();
    }

    static std::unique_ptr<TempFile> s_config;
    static std::unique_ptr<TempFile> s_report;
    static std::vector<CommandResult> s_runs;
    static std::vector<std::string> s_reports;
};
std::unique_ptr<TempFile> StrangeObjectsSync::s_config;
std::unique_ptr<TempFile> StrangeObjectsSync::s_report;
std::vector<CommandResult> StrangeObjectsSync::s_runs;
std::vector<std::string> StrangeObjectsSync::s_reports;

TEST_F(StrangeObjectsSync, ThreeSyncsInARowSucceed) {
    ASSERT_EQ(s_runs.size(), 3u);
    for (const auto& run : s_runs) EXPECT_EQ(run.exit_code, 0) << run.err;
}

TEST_F(StrangeObjectsSync, NoUserMappingNoSubscriptionNoSecret) {
    ASSERT_EQ(s_runs.back().exit_code, 0) << s_runs.back().err;
    expect_no_links_to_production(k_live);
    for (const auto& run : s_runs) EXPECT_EQ(secrets_in(run.out + run.err), std::vector<std::string>{});
    for (const auto& report : s_reports) EXPECT_EQ(secrets_in(report), std::vector<std::string>{});
}

TEST_F(StrangeObjectsSync, NotValidOrphansAreReportedNotFailed) {
    ASSERT_EQ(s_runs.back().exit_code, 0) << s_runs.back().err;
    expect_constraints_as_in_source(k_live);
    // The orphans production has are in the copy too: the copy is faithful.
    EXPECT_EQ(fixture_servers().primary.query_value(k_live, "SELECT count(*) FROM public.strange_audit_events"), "6");
    const std::string warning =
        "warning: foreign key \"strange_audit_events_user_fk\" on \"public.strange_audit_events\" is NOT VALID in the "
        "source: 3 rows without a row in \"public.users\", as in the source";
    EXPECT_NE(s_runs.back().err.find(warning), std::string::npos) << s_runs.back().err;
    auto report = nlohmann::json::parse(s_reports.back());
    const auto& orphans = report.at("verification").at("not_valid_orphans");
    ASSERT_EQ(orphans.size(), 1u) << orphans.dump();
    EXPECT_EQ(orphans[0].at("constraint"), "strange_audit_events_user_fk");
    EXPECT_EQ(orphans[0].at("table"), "public.strange_audit_events");
    EXPECT_EQ(orphans[0].at("rows"), 3);
}

TEST_F(StrangeObjectsSync, EveryLargeObjectCopiedInAFullCopy) {
    ASSERT_EQ(s_runs.back().exit_code, 0) << s_runs.back().err;
    const auto source = large_objects_of(k_strange_database, true);
    EXPECT_EQ(source_large_objects({"91001", "91002", "91003", "91004"}).size(), 4u);
    EXPECT_EQ(large_objects_of(k_live), source);
}

TEST_F(StrangeObjectsSync, UnloggedTableCreatedEmpty) {
    ASSERT_EQ(s_runs.back().exit_code, 0) << s_runs.back().err;
    expect_unlogged_created_empty(k_live);
}

TEST(StrangeObjectsVerification, OrphanTheSubsetMadeStillFails) {
    ensure_strange_database();
    auto& servers = fixture_servers();
    for (const auto& name : databases_like(std::string(k_orphan_live) + "%")) drop_database_and_subscriptions(name);
    servers.primary.create_database(k_orphan_live);
    TempFile config("sync:\n  backend: postgres\n  full: true\n  keep: 1\n");
    BackgroundProcess run({UNDERSTUDY_BINARY, "sync", "--source", servers.standby.url(k_strange_database), "--target",
                           servers.primary.url(k_orphan_live), "--config", config.path()},
                          {{"UNDERSTUDY_TEST_PAUSE_AT", "sync:verifying"}});
    ASSERT_TRUE(run.wait_until_stopped(240s)) << run.describe();
    // User 2 exists in the source: an event of theirs without them in the copy is the copy's fault,
    // even though the constraint is NOT VALID. (Replica mode skips the FK triggers.)
    const std::string built = std::string(k_orphan_live) + "_understudy_new";
    servers.primary.execute(built, "SET session_replication_role = replica; "
                                   "UPDATE public.users SET id = 100002 WHERE id = 2");
    run.resume();
    auto result = run.wait_for_exit(240s);
    EXPECT_EQ(result.exit_code, 11) << result.err;
    EXPECT_NE(result.err.find("foreign key \"strange_audit_events_user_fk\" on \"public.strange_audit_events\" is "
                              "violated by 1 row without a row in \"public.users\""),
              std::string::npos)
        << result.err;
    for (const auto& name : databases_like(std::string(k_orphan_live) + "%")) drop_database_and_subscriptions(name);
}

// ---------------------------------------------------------------------------------------------
// dump, restored with psql

class StrangeObjectsDump : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        ensure_strange_database();
        auto& servers = fixture_servers();
        s_file = std::make_unique<TempFile>("");
        s_report = std::make_unique<TempFile>("");
        std::remove(s_file->path().c_str());
        s_dump = run_understudy({"dump", "--source", servers.standby.url(k_strange_database), "--out",
                                 s_file->path() + ".sql", "--report", s_report->path(), "--force", "users:1", "users:2"});
        s_text = read_file(s_file->path() + ".sql");
        drop_database_and_subscriptions(k_dump_target);
        servers.primary.create_database(k_dump_target);
        s_psql = run_process({postgres_bin_dir() + "/psql", "-X", "-q", "-1", "-v", "ON_ERROR_STOP=1", "-d",
                              servers.primary.conninfo(k_dump_target).keyword_string(), "-f",
                              s_file->path() + ".sql"});
    }
    static void TearDownTestSuite() {
        drop_database_and_subscriptions(k_dump_target);
        std::remove((s_file->path() + ".sql").c_str());
        s_file.reset();
        s_report.reset();
    }

    static std::unique_ptr<TempFile> s_file;
    static std::unique_ptr<TempFile> s_report;
    static CommandResult s_dump;
    static CommandResult s_psql;
    static std::string s_text;
};
std::unique_ptr<TempFile> StrangeObjectsDump::s_file;
std::unique_ptr<TempFile> StrangeObjectsDump::s_report;
CommandResult StrangeObjectsDump::s_dump;
CommandResult StrangeObjectsDump::s_psql;
std::string StrangeObjectsDump::s_text;

TEST_F(StrangeObjectsDump, FileHasNoMappingNoSubscriptionNoSecret) {
    ASSERT_EQ(s_dump.exit_code, 0) << s_dump.err;
    EXPECT_EQ(secrets_in(s_text), std::vector<std::string>{});
    EXPECT_EQ(s_text.find("USER MAPPING"), std::string::npos);
    EXPECT_EQ(s_text.find("SUBSCRIPTION"), std::string::npos);
    EXPECT_NE(s_text.find("CREATE SERVER strange_remote"), std::string::npos);
    EXPECT_EQ(secrets_in(s_dump.out + s_dump.err + read_file(s_report->path())), std::vector<std::string>{});
}

TEST_F(StrangeObjectsDump, LargeObjectsRestoreByteForByte) {
    ASSERT_EQ(s_dump.exit_code, 0) << s_dump.err;
    ASSERT_EQ(s_psql.exit_code, 0) << s_psql.err;
    EXPECT_EQ(large_objects_of(k_dump_target), source_large_objects({"91001", "91002", "91004"}));
    EXPECT_NE(s_text.find("SELECT pg_catalog.lo_from_bytea(91001, '\\x"), std::string::npos);
}

TEST_F(StrangeObjectsDump, RestoresWithPsql) {
    ASSERT_EQ(s_dump.exit_code, 0) << s_dump.err;
    ASSERT_EQ(s_psql.exit_code, 0) << s_psql.err;
    expect_no_links_to_production(k_dump_target);
    expect_constraints_as_in_source(k_dump_target);
    expect_unlogged_created_empty(k_dump_target);
}

// ---------------------------------------------------------------------------------------------
// plan, init and check from the standby, with an unlogged table in the source

TEST(StrangeObjectsUnlogged, PlanInitAndCheckFromTheStandby) {
    ensure_strange_database();
    auto& servers = fixture_servers();
    const std::string source = servers.standby.url(k_strange_database);
    auto plan = run_understudy({"plan", "--source", source, "--force", "users:1"});
    ASSERT_EQ(plan.exit_code, 0) << plan.err;
    EXPECT_NE(plan.out.find("unlogged: created empty, a follower has no contents"), std::string::npos) << plan.out;

    TempFile config("");
    auto init = run_understudy({"init", "--source", source, "--out", config.path() + ".yml"});
    ASSERT_EQ(init.exit_code, 0) << init.err;
    auto check = run_understudy({"check", "--source", source, "--config", config.path() + ".yml"});
    // check may refuse columns it finds without rules elsewhere in the fixture; it must not fail
    // reading the unlogged table (exit 4, SQLSTATE 0A000).
    EXPECT_NE(check.exit_code, 4) << check.err;
    EXPECT_EQ(check.err.find("unlogged"), std::string::npos) << check.err;
    EXPECT_EQ(check.err.find("0A000"), std::string::npos) << check.err;
    std::remove((config.path() + ".yml").c_str());
}

}  // namespace
}  // namespace understudy::testing

namespace understudy::testing {
namespace {

// ---------------------------------------------------------------------------------------------
// --schema with a name that needs quoting (issue 8 item 17)

TEST(StrangeObjectsSchemas, SchemaNameThatNeedsQuotingReachesPgDumpExactly) {
    ensure_strange_database();
    auto& servers = fixture_servers();
    const std::string target = "strange_objects_schema";
    drop_database_and_subscriptions(target);
    servers.primary.create_database(target);
    auto result = run_understudy({"subset", "--source", servers.standby.url(k_strange_database), "--target",
                                  servers.primary.url(target), "--schema", "Billing Dept", "--fraction", "1"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(servers.primary.query_value(target, "SELECT count(*) FROM \"Billing Dept\".\"Invoices\""), "5");
    // Only that schema: nothing of public came along.
    EXPECT_EQ(servers.primary.query_value(target, "SELECT to_regclass('public.users') IS NULL"), "t");
    drop_database_and_subscriptions(target);
}

}  // namespace
}  // namespace understudy::testing

namespace understudy::testing {
namespace {

// pg_dump --schema leaves out foreign servers: a foreign table of a chosen schema brings its
// server along, never its user mappings (issue 8 item 17).
TEST(StrangeObjectsSchemas, ForeignTableOfAChosenSchemaBringsItsServer) {
    ensure_strange_database();
    auto& servers = fixture_servers();
    const std::string target = "strange_objects_schema_fdw";
    const std::string restored = "strange_objects_schema_fdw_dump";
    drop_database_and_subscriptions(target);
    drop_database_and_subscriptions(restored);
    servers.primary.create_database(target);
    servers.primary.create_database(restored);
    const std::vector<std::string> schemas = {"--schema", "public", "--schema", "Billing Dept"};
    std::vector<std::string> subset = {"subset", "--source", servers.standby.url(k_strange_database), "--target",
                                       servers.primary.url(target), "--force", "users:1"};
    subset.insert(subset.end(), schemas.begin(), schemas.end());
    auto result = run_understudy(subset);
    ASSERT_EQ(result.exit_code, 0) << result.err;
    expect_no_links_to_production(target);
    EXPECT_EQ(secrets_in(result.out + result.err), std::vector<std::string>{});

    TempFile file("");
    std::vector<std::string> dump = {"dump", "--source", servers.standby.url(k_strange_database), "--out",
                                     file.path() + ".sql", "--force", "users:1"};
    dump.insert(dump.end(), schemas.begin(), schemas.end());
    auto dumped = run_understudy(dump);
    ASSERT_EQ(dumped.exit_code, 0) << dumped.err;
    const std::string text = read_file(file.path() + ".sql");
    EXPECT_EQ(secrets_in(text), std::vector<std::string>{});
    auto psql = run_process({postgres_bin_dir() + "/psql", "-X", "-q", "-1", "-v", "ON_ERROR_STOP=1", "-d",
                             servers.primary.conninfo(restored).keyword_string(), "-f", file.path() + ".sql"});
    EXPECT_EQ(psql.exit_code, 0) << psql.err;
    expect_no_links_to_production(restored);
    std::remove((file.path() + ".sql").c_str());
    drop_database_and_subscriptions(target);
    drop_database_and_subscriptions(restored);
}

}  // namespace
}  // namespace understudy::testing
