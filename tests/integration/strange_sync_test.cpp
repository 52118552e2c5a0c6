// strange_sync_test: what a sync and a subset must do for staging on a production-like setup
// (issue 8): live's database-level properties and grants survive a sync, a killed subset is
// rebuilt by a rerun, protect: holds for every writing command whatever the spelling, and a
// failure after promotion is one clear line. Source: the standby's `strange` database; targets:
// a dedicated staging cluster (it holds a tablespace, which a standby of the same machine would
// share, and it also listens on 127.0.0.1).
#include <gtest/gtest.h>

#include <pwd.h>
#include <signal.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <filesystem>
#include <memory>

#include <pqxx/connection>
#include <pqxx/nontransaction>

#include "background_process.hpp"
#include "db_checks.hpp"
#include "strange_fixture.hpp"
#include "temp_file.hpp"
#include "test_cluster.hpp"

namespace understudy::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* k_live = "strange_live";

class StrangeSync : public ::testing::Test {
public:
    static void SetUpTestSuite() {
        ensure_strange_database();
        s_staging = TestCluster::start("strange-staging", /*also_on_loopback=*/true);
    }
    static void TearDownTestSuite() { s_staging.reset(); }

protected:
    static TestCluster& staging() { return *s_staging; }

    static std::string source_url() { return fixture_servers().standby.url(k_strange_database); }

    static std::string source_users() {
        return fixture_servers().standby.query_value(k_strange_database, "SELECT count(*) FROM public.users");
    }

    static std::unique_ptr<TestCluster> s_staging;
};
std::unique_ptr<TestCluster> StrangeSync::s_staging;

/// A directory for a tablespace under the cluster's root, owned by the server's OS user.
std::string make_tablespace_directory(const TestCluster& cluster, const std::string& name) {
    const std::string path = cluster.root_dir() + "/" + name;
    std::filesystem::create_directory(path);
    if (geteuid() == 0) {
        // As root the server runs as `postgres` (see test_cluster.cpp), which must own the directory.
        struct passwd* entry = getpwnam("postgres");
        if (!entry || chown(path.c_str(), entry->pw_uid, entry->pw_gid) != 0)
            throw std::runtime_error("could not give \"" + path + "\" to postgres");
    }
    return path;
}

/// Everything of a database that is not its contents, as comparable text: owner, ACL (sorted),
/// connection limit, tablespace, settings (per role, "" for the database), default privileges.
std::vector<std::vector<std::string>> database_properties(const TestCluster& cluster, const std::string& database) {
    auto rows = cluster.query("postgres",
                              "SELECT pg_get_userbyid(d.datdba), "
                              "(SELECT string_agg(a::text, ' ' ORDER BY a::text) FROM unnest(d.datacl) a), "
                              "d.datconnlimit::text, t.spcname FROM pg_database d "
                              "JOIN pg_tablespace t ON t.oid = d.dattablespace WHERE d.datname = '" +
                                  database + "'");
    auto settings =
        cluster.query("postgres",
                      "SELECT coalesce(r.rolname, ''), s.setconfig::text FROM pg_db_role_setting s "
                      "JOIN pg_database d ON d.oid = s.setdatabase LEFT JOIN pg_roles r ON r.oid = s.setrole "
                      "WHERE d.datname = '" +
                          database + "' ORDER BY 1");
    rows.insert(rows.end(), settings.begin(), settings.end());
    auto defaults = cluster.query(
        database,
        "SELECT pg_get_userbyid(defaclrole), coalesce(defaclnamespace::regnamespace::text, ''), "
        "defaclobjtype::text, (SELECT string_agg(a::text, ' ' ORDER BY a::text) FROM unnest(defaclacl) a) "
        "FROM pg_default_acl ORDER BY 1, 2, 3");
    rows.insert(rows.end(), defaults.begin(), defaults.end());
    return rows;
}

/// Runs `sql` in `database` as `role` and returns the first value (throws on failure).
std::string query_as(const TestCluster& cluster, const std::string& role, const std::string& database,
                     const std::string& sql) {
    pqxx::connection connection(cluster.conninfo(database).with("user", role).keyword_string());
    pqxx::nontransaction tx(connection);
    return tx.exec1(sql)[0].c_str();
}

/// The owner of the live staging database and the app role that reads it.
void create_sync_roles(const TestCluster& cluster) {
    cluster.execute("postgres",
                    "DO $$ BEGIN "
                    "IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'strange_staging_owner') THEN "
                    "CREATE ROLE strange_staging_owner NOLOGIN; END IF; "
                    "IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'strange_app') THEN "
                    "CREATE ROLE strange_app LOGIN; END IF; END $$");
}

// Item 6: after a sync, the staging app still connects and reads, with the settings it had.
TEST_F(StrangeSync, NewCopyTakesLiveOwnerGrantsSettingsLimitAndTablespace) {
    auto& cluster = staging();
    for (const auto& name : staging().databases_like(std::string(k_live) + "%")) cluster.drop_database(name);
    create_sync_roles(cluster);
    if (cluster.query_value("postgres", "SELECT count(*) FROM pg_tablespace WHERE spcname = 'strange_ts'") == "0") {
        cluster.execute("postgres", "CREATE TABLESPACE strange_ts LOCATION '" +
                                        make_tablespace_directory(cluster, "strange_ts") + "'");
    }
    cluster.execute("postgres", std::string("CREATE DATABASE ") + k_live +
                                    " OWNER strange_staging_owner TABLESPACE strange_ts CONNECTION LIMIT 50");
    cluster.execute("postgres", std::string("REVOKE CONNECT ON DATABASE ") + k_live + " FROM PUBLIC");
    cluster.execute("postgres", std::string("GRANT CONNECT ON DATABASE ") + k_live + " TO strange_app");
    cluster.execute("postgres", std::string("ALTER DATABASE ") + k_live + " SET timezone = 'Europe/Paris'");
    // A list setting whose elements are quoted: it must arrive as the same list, not one string.
    cluster.execute("postgres",
                    std::string("ALTER DATABASE ") + k_live + " SET search_path = \"$user\", public, \"Odd, One\"");
    cluster.execute("postgres", std::string("ALTER ROLE strange_app IN DATABASE ") + k_live + " SET work_mem = '8MB'");
    // Live as an earlier sync left it: the app's tables, owned by the staging owner, readable by the app.
    cluster.execute(k_live,
                    "SET ROLE strange_staging_owner; "
                    "CREATE TABLE public.users (id bigint PRIMARY KEY); "
                    "GRANT SELECT ON ALL TABLES IN SCHEMA public TO strange_app; "
                    "ALTER DEFAULT PRIVILEGES FOR ROLE strange_staging_owner IN SCHEMA public "
                    "GRANT SELECT ON TABLES TO strange_app; "
                    "ALTER DEFAULT PRIVILEGES FOR ROLE strange_staging_owner REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC");
    const auto before = database_properties(cluster, k_live);
    ASSERT_EQ(query_as(cluster, "strange_app", k_live, "SELECT count(*) FROM public.users"), "0");

    TempFile config("sync: {backend: postgres, full: true, keep: 1}\n");
    auto result =
        run_understudy({"sync", "--source", source_url(), "--target", cluster.url(k_live), "--config", config.path()});
    ASSERT_EQ(result.exit_code, 0) << result.err;

    EXPECT_EQ(database_properties(cluster, k_live), before);
    EXPECT_EQ(cluster.query_value(k_live, "SELECT count(*) FROM public.users"), source_users())
        << "live is not the new copy";
    // The app connects (CONNECT was revoked from PUBLIC) and reads (SELECT was granted on the table).
    EXPECT_EQ(query_as(cluster, "strange_app", k_live, "SELECT count(*) FROM public.users"), source_users());
    EXPECT_EQ(query_as(cluster, "strange_app", k_live, "SELECT current_setting('work_mem')"), "8MB");
    EXPECT_EQ(query_as(cluster, "strange_app", k_live, "SELECT current_setting('TimeZone')"), "Europe/Paris");
    EXPECT_EQ(query_as(cluster, "strange_app", k_live, "SELECT current_setting('search_path')"),
              "\"$user\", public, \"Odd, One\"");
    // Every object understudy created now belongs to live's owner.
    EXPECT_EQ(cluster.query_value(k_live,
                                  "SELECT string_agg(c.relname || ' ' || pg_get_userbyid(c.relowner), ', ') "
                                  "FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace "
                                  "AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') "
                                  "AND c.relowner <> 'strange_staging_owner'::regrole"),
              "\\N");
    EXPECT_EQ(cluster.query_value(
                  k_live, "SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = 'public.posts'::regclass"),
              "strange_staging_owner");
    // A table live did not have (production added it since) gets what the default privileges give.
    EXPECT_EQ(query_as(cluster, "strange_app", k_live, "SELECT count(*) FROM public.posts"),
              fixture_servers().standby.query_value(k_strange_database, "SELECT count(*) FROM public.posts"));
    // A table created later by the owner (a migration) gets the app's SELECT from the default privileges.
    cluster.execute(k_live, "SET ROLE strange_staging_owner; CREATE TABLE public.after_sync (x int)");
    EXPECT_EQ(query_as(cluster, "strange_app", k_live, "SELECT count(*) FROM public.after_sync"), "0");
    // The old live is kept as the previous copy, with its own properties.
    EXPECT_EQ(staging().databases_like(std::string(k_live) + "\\_understudy\\_%"),
              std::vector<std::string>{std::string(k_live) + "_understudy_prev_1"});
}

// Item 6, every kind: a source of its own (not the shared `strange` database, whose columns other
// tests' anonymization rules cover) with every kind of object a sync hands over and grants on.
constexpr const char* k_kinds_source = "strange_sync_kinds";
constexpr const char* k_kinds_live = "strange_kinds_live";

constexpr const char* k_kinds_schema = R"sql(
CREATE SCHEMA "Sync Kinds";
CREATE TYPE "Sync Kinds".mood AS ENUM ('calm', 'busy');
CREATE DOMAIN "Sync Kinds".positive AS integer CHECK (VALUE > 0);
CREATE TYPE "Sync Kinds".pair AS (left_side integer, right_side integer);
CREATE TABLE "Sync Kinds".events (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    mood "Sync Kinds".mood NOT NULL,
    weight "Sync Kinds".positive,
    note text
);
CREATE SEQUENCE "Sync Kinds".ticket_numbers;
CREATE VIEW "Sync Kinds".busy_events AS SELECT id, weight FROM "Sync Kinds".events WHERE mood = 'busy';
CREATE FUNCTION "Sync Kinds".heavier(w "Sync Kinds".positive) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT w > 5';
)sql";

constexpr const char* k_kinds_source_only = R"sql(
CREATE TABLE public.serials (id serial PRIMARY KEY, label text);
CREATE TABLE "Sync Kinds".readings (taken_on date NOT NULL, reading integer) PARTITION BY RANGE (taken_on);
CREATE TABLE "Sync Kinds".readings_2024 PARTITION OF "Sync Kinds".readings
    FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE MATERIALIZED VIEW "Sync Kinds".event_totals AS SELECT mood, count(*) AS events FROM "Sync Kinds".events GROUP BY mood;
CREATE PROCEDURE "Sync Kinds".noop() LANGUAGE sql AS 'SELECT 1';
CREATE AGGREGATE "Sync Kinds".total(integer) (SFUNC = int4pl, STYPE = integer);
CREATE STATISTICS "Sync Kinds".events_stats ON mood, weight FROM "Sync Kinds".events;
INSERT INTO "Sync Kinds".events (mood, weight, note) SELECT (ARRAY['calm', 'busy'])[1 + g % 2]::"Sync Kinds".mood, g, 'n' || g
FROM generate_series(1, 10) AS g;
INSERT INTO "Sync Kinds".readings SELECT date '2024-01-01' + g, g FROM generate_series(0, 9) AS g;
INSERT INTO public.serials (label) SELECT 'l' || g FROM generate_series(1, 5) AS g;
REFRESH MATERIALIZED VIEW "Sync Kinds".event_totals;
)sql";

// The privileges live had on the objects: what the copy must have afterwards.
constexpr const char* k_kinds_grants = R"sql(
GRANT USAGE ON SCHEMA "Sync Kinds" TO strange_app;
REVOKE EXECUTE ON FUNCTION "Sync Kinds".heavier("Sync Kinds".positive) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION "Sync Kinds".heavier("Sync Kinds".positive) TO strange_app;
GRANT SELECT (id, mood) ON "Sync Kinds".events TO strange_app;
GRANT USAGE ON SEQUENCE "Sync Kinds".ticket_numbers TO strange_app;
REVOKE USAGE ON TYPE "Sync Kinds".mood FROM PUBLIC;
GRANT USAGE ON TYPE "Sync Kinds".mood TO strange_app;
GRANT SELECT ON "Sync Kinds".busy_events TO strange_app WITH GRANT OPTION;
)sql";

/// Every non-default ACL in schema "Sync Kinds" (schema, relations, columns, routines, types), sorted.
std::vector<std::vector<std::string>> kinds_acls(const TestCluster& cluster, const std::string& database) {
    return cluster.query(database, R"sql(
SELECT kind, name, (SELECT string_agg(a::text, ' ' ORDER BY a::text) FROM unnest(acl) a) FROM (
    SELECT 'schema' AS kind, nspname::text AS name, nspacl AS acl FROM pg_namespace WHERE nspname = 'Sync Kinds'
    UNION ALL
    SELECT 'relation', relname::text, relacl FROM pg_class WHERE relnamespace = '"Sync Kinds"'::regnamespace
    UNION ALL
    SELECT 'column', c.relname || '.' || a.attname, a.attacl FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
    WHERE c.relnamespace = '"Sync Kinds"'::regnamespace AND a.attnum > 0
    UNION ALL
    SELECT 'routine', proname::text, proacl FROM pg_proc WHERE pronamespace = '"Sync Kinds"'::regnamespace
    UNION ALL
    SELECT 'type', typname::text, typacl FROM pg_type WHERE typnamespace = '"Sync Kinds"'::regnamespace
) objects WHERE acl IS NOT NULL ORDER BY 1, 2
)sql");
}

TEST_F(StrangeSync, EveryKindOfObjectGoesToLiveOwnerWithLiveGrants) {
    auto& servers = fixture_servers();
    servers.primary.drop_database(k_kinds_source);
    servers.primary.create_database(k_kinds_source);
    servers.primary.execute(k_kinds_source, k_kinds_schema);
    servers.primary.execute(k_kinds_source, k_kinds_source_only);
    servers.primary.execute(k_kinds_source, "ANALYZE");
    servers.standby.wait_for_replay_of(servers.primary);

    auto& cluster = staging();
    create_sync_roles(cluster);
    for (const auto& name : staging().databases_like(std::string(k_kinds_live) + "%")) cluster.drop_database(name);
    cluster.execute("postgres", std::string("CREATE DATABASE ") + k_kinds_live + " OWNER strange_staging_owner");
    cluster.execute(k_kinds_live, std::string("SET ROLE strange_staging_owner;") + k_kinds_schema + k_kinds_grants);
    const auto before = kinds_acls(cluster, k_kinds_live);
    // Schema, function, two columns, sequence, type, view.
    ASSERT_EQ(before.size(), 7u) << ::testing::PrintToString(before);

    TempFile config("sync: {backend: postgres, full: true, keep: 1}\n");
    auto result = run_understudy({"sync", "--source", servers.standby.url(k_kinds_source), "--target",
                                  cluster.url(k_kinds_live), "--config", config.path()});
    ASSERT_EQ(result.exit_code, 0) << result.err;

    EXPECT_EQ(kinds_acls(cluster, k_kinds_live), before);
    // Every object the sync made is the owner's: relations, types, routines, statistics, schemas.
    EXPECT_EQ(cluster.query_value(k_kinds_live, R"sql(
SELECT coalesce(string_agg(what, ', ' ORDER BY what), 'none') FROM (
    SELECT relname || ' ' || pg_get_userbyid(relowner) AS what FROM pg_class
    WHERE relnamespace IN ('"Sync Kinds"'::regnamespace, 'public'::regnamespace) AND relowner <> 'strange_staging_owner'::regrole
    UNION ALL SELECT typname || ' ' || pg_get_userbyid(typowner) FROM pg_type
    WHERE typnamespace = '"Sync Kinds"'::regnamespace AND typowner <> 'strange_staging_owner'::regrole
    UNION ALL SELECT proname || ' ' || pg_get_userbyid(proowner) FROM pg_proc
    WHERE pronamespace = '"Sync Kinds"'::regnamespace AND proowner <> 'strange_staging_owner'::regrole
    UNION ALL SELECT stxname || ' ' || pg_get_userbyid(stxowner) FROM pg_statistic_ext
    WHERE stxnamespace = '"Sync Kinds"'::regnamespace AND stxowner <> 'strange_staging_owner'::regrole
    UNION ALL SELECT nspname || ' ' || pg_get_userbyid(nspowner) FROM pg_namespace
    WHERE nspname = 'Sync Kinds' AND nspowner <> 'strange_staging_owner'::regrole
) wrong
)sql"),
              "none");
    // The app uses what it was granted, and only that.
    EXPECT_EQ(query_as(cluster, "strange_app", k_kinds_live,
                       "SELECT count(*) FROM \"Sync Kinds\".events WHERE mood = 'busy'"),
              "5");
    EXPECT_EQ(query_as(cluster, "strange_app", k_kinds_live, "SELECT \"Sync Kinds\".heavier(7)"), "t");
    EXPECT_THROW(query_as(cluster, "strange_app", k_kinds_live, "SELECT note FROM \"Sync Kinds\".events LIMIT 1"),
                 pqxx::insufficient_privilege);
    EXPECT_EQ(cluster.query_value(k_kinds_live, "SELECT count(*) FROM \"Sync Kinds\".readings"), "10");
    servers.primary.drop_database(k_kinds_source);
}

// Item 16: a subset killed part way (a Heroku postdeploy timeout) is rebuilt by a plain rerun.
struct KillPoint {
    const char* point;
    /// Killed before the foreign keys are built: the target surely has none.
    bool before_foreign_keys;
};

std::string kill_point_name(const ::testing::TestParamInfo<KillPoint>& info) {
    std::string name = info.param.point;
    for (auto& c : name) {
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
    }
    return name;
}

class StrangeSyncKilledSubset : public StrangeSync, public ::testing::WithParamInterface<KillPoint> {};

TEST_P(StrangeSyncKilledSubset, IsRebuiltByARerunWithoutReplace) {
    auto& cluster = staging();
    const std::string target = "strange_subset_killed";
    const std::string reference = "strange_subset_reference";
    for (const auto& name : {target, reference}) {
        cluster.drop_database(name);
        cluster.create_database(name);
    }
    auto subset_args = [&](const std::string& database) {
        return std::vector<std::string>{"subset",  "--source", source_url(), "--target", cluster.url(database),
                                        "--force", "users:1"};
    };
    auto reference_run = run_understudy(subset_args(reference));
    ASSERT_EQ(reference_run.exit_code, 0) << reference_run.err;

    {
        auto argv = subset_args(target);
        argv.insert(argv.begin(), UNDERSTUDY_BINARY);
        BackgroundProcess run(argv, {{"UNDERSTUDY_TEST_PAUSE_AT", GetParam().point}});
        ASSERT_TRUE(run.wait_until_stopped(180s)) << run.describe();
        EXPECT_EQ(run.kill_and_reap(), 128 + SIGKILL);
    }
    // What the kill left: rows without foreign keys, the state a postdeploy timeout leaves.
    const std::string foreign_keys =
        "SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND connamespace = 'public'::regnamespace";
    if (GetParam().before_foreign_keys) {
        ASSERT_EQ(cluster.query_value(target, foreign_keys), "0");
        ASSERT_NE(cluster.query_value(target, "SELECT count(*) FROM pg_class WHERE oid = 'public.users'::regclass"),
                  "0");
    }

    // A pg_restore the killed run spawned may still be working in the target: the rerun ends it.
    auto rerun = run_understudy(subset_args(target));
    ASSERT_EQ(rerun.exit_code, 0) << rerun.err;
    const std::string said =
        "warning: target database \"" + target + "\" holds an unfinished copy left by an interrupted run";
    const auto at = rerun.err.find(said);
    ASSERT_NE(at, std::string::npos) << rerun.err;
    const std::string line = rerun.err.substr(at, rerun.err.find('\n', at) - at);
    EXPECT_EQ(line.substr(line.size() - 16), "): rebuilding it") << "one line: " << rerun.err;
    // Orphans under NOT VALID keys come from the source itself: only a clean run's may remain.
    EXPECT_EQ(fk_violations(cluster.conninfo(target), /*include_not_valid=*/false), std::vector<std::string>{});
    EXPECT_EQ(fk_violations(cluster.conninfo(target)), fk_violations(cluster.conninfo(reference)));
    EXPECT_EQ(cluster.query_value(target, foreign_keys), cluster.query_value(reference, foreign_keys));
    EXPECT_EQ(table_counts(cluster.conninfo(target)), table_counts(cluster.conninfo(reference)));
    EXPECT_EQ(cluster.query_value("postgres",
                                  "SELECT shobj_description(oid, 'pg_database') IS NULL FROM pg_database "
                                  "WHERE datname = '" +
                                      target + "'"),
              "t")
        << "the mark outlived the completed copy";

    // A completed copy is not ours to overwrite: without --replace it is refused.
    auto again = run_understudy(subset_args(target));
    EXPECT_EQ(again.exit_code, 6) << again.err;
    for (const auto& name : {target, reference}) cluster.drop_database(name);
}

INSTANTIATE_TEST_SUITE_P(NamedPoints, StrangeSyncKilledSubset,
                         ::testing::Values(KillPoint{"subset:pre_data_restored", true},
                                           KillPoint{"subset:copied", true},
                                           KillPoint{"spawned pg_restore --section=post-data", false},
                                           KillPoint{"subset:post_data_restored", false}),
                         kill_point_name);

TEST_F(StrangeSync, NonEmptyTargetWithoutTheMarkIsStillRefused) {
    auto& cluster = staging();
    const std::string target = "strange_hand_made";
    cluster.drop_database(target);
    cluster.create_database(target);
    cluster.execute(target, "CREATE TABLE public.precious (id int); INSERT INTO public.precious VALUES (1)");
    // Someone's own comment is not our mark.
    cluster.execute("postgres", "COMMENT ON DATABASE " + target + " IS 'partial copy of the billing data'");
    auto result = run_understudy({"subset", "--source", source_url(), "--target", cluster.url(target)});
    EXPECT_EQ(result.exit_code, 6) << result.err;
    EXPECT_EQ(cluster.query_value(target, "SELECT count(*) FROM public.precious"), "1");
    EXPECT_EQ(cluster.query_value("postgres",
                                  "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
                                  "WHERE datname = '" +
                                      target + "'"),
              "partial copy of the billing data");
    cluster.drop_database(target);
}

// Item 11: protect: holds for every command that writes, whatever spelling reaches the server.
TEST_F(StrangeSync, ProtectedTargetIsRefusedByEveryWritingCommandWhateverItsSpelling) {
    auto& cluster = staging();
    const std::string target = "strange_protected";
    cluster.drop_database(target);
    cluster.create_database(target);
    cluster.execute(target, "CREATE TABLE public.precious (id int); INSERT INTO public.precious VALUES (1)");
    // The entry says localhost; the commands reach the server as 127.0.0.1 over TCP.
    const std::string port = std::to_string(cluster.port());
    const std::string by_address = "postgresql://understudy@127.0.0.1:" + port + "/" + target;
    TempFile config("protect: [\"localhost:" + port + "\"]\nsync: {backend: postgres, full: true}\n");
    TempFile dump_file("CREATE TABLE public.from_the_dump (id int);\n");
    // The issue's case: the entry under sync:, and subset --replace.
    TempFile sync_section("sync: {backend: postgres, protect: [\"localhost:" + port + "\"]}\n");

    const std::vector<std::vector<std::string>> commands = {
        {"subset", "--source", source_url(), "--target", by_address, "--replace", "--config", config.path()},
        {"subset", "--source", source_url(), "--target", by_address, "--replace", "--config", sync_section.path()},
        {"subset", "--source", source_url(), "--target", by_address, "--config", config.path()},
        {"restore", dump_file.path(), "--target", by_address, "--replace", "--config", config.path()},
        {"sync", "--source", source_url(), "--target", by_address, "--config", config.path()},
        {"rollback", "--target", by_address, "--config", config.path()},
    };
    for (const auto& command : commands) {
        auto result = run_understudy(command);
        EXPECT_EQ(result.exit_code, 10) << command[0] << ": " << result.err;
        EXPECT_NE(result.err.find("is protected: its address matches the protect: entry \"localhost:" + port + "\""),
                  std::string::npos)
            << command[0] << ": " << result.err;
    }
    EXPECT_EQ(cluster.query_value(target,
                                  "SELECT string_agg(relname, ',') FROM pg_class "
                                  "WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'"),
              "precious");
    EXPECT_EQ(cluster.query_value(target, "SELECT count(*) FROM public.precious"), "1");
    EXPECT_EQ(staging().databases_like(target + "%"), std::vector<std::string>{target}) << "the sync created nothing";

    // The same commands without the entry do write (here: subset --replace).
    TempFile unprotected("sync: {backend: postgres, full: true}\n");
    auto written = run_understudy({"subset", "--source", source_url(), "--target", by_address, "--replace", "--config",
                                   unprotected.path(), "--force", "users:1"});
    EXPECT_EQ(written.exit_code, 0) << written.err;
    EXPECT_EQ(cluster.query_value(target, "SELECT to_regclass('public.precious') IS NULL"), "t");
    cluster.drop_database(target);
}

// Item 5 (second half): a failure after the promotion says that the new copy is live, in one line.
TEST_F(StrangeSync, FailureAfterPromotionSaysTheNewCopyIsLive) {
    auto& cluster = staging();
    const std::string live = "strange_promo";
    const std::string previous = live + "_understudy_prev_1";
    for (const auto& name : staging().databases_like(live + "%")) cluster.drop_database(name);
    cluster.create_database(live);
    // A subscription (disabled, without a slot) makes DROP DATABASE fail, WITH (FORCE) or not:
    // with keep: 0 the demoted live copy is dropped right after the swap, and that drop fails.
    cluster.execute(live, "CREATE TABLE public.old_live (x int)");
    cluster.execute(live,
                    "CREATE SUBSCRIPTION strange_promo_sub CONNECTION 'dbname=strange_nowhere' "
                    "PUBLICATION strange_nothing WITH (connect = false)");

    TempFile config("sync: {backend: postgres, full: true, keep: 0}\n");
    auto result =
        run_understudy({"sync", "--source", source_url(), "--target", cluster.url(live), "--config", config.path()});

    EXPECT_EQ(result.exit_code, 5) << result.err;
    const std::string start = "error: the new copy is live (renamed \"" + live + "_understudy_new\" to \"" + live +
                              "\"; the old one is kept as \"" + previous + "\"), but the sync did not finish: ";
    const auto at = result.err.find(start);
    ASSERT_NE(at, std::string::npos) << result.err;
    const std::string line = result.err.substr(at, result.err.find('\n', at) - at);
    EXPECT_NE(line.find("could not drop old copies"), std::string::npos) << line;
    EXPECT_NE(line.find("logical replication subscription"), std::string::npos) << line;
    EXPECT_NE(result.err.find("HINT: live is the new, verified copy"), std::string::npos) << result.err;
    // Live is the new copy; the old one is there, whole.
    EXPECT_EQ(cluster.query_value(live, "SELECT count(*) FROM public.users"), source_users());
    EXPECT_EQ(cluster.query_value(previous, "SELECT to_regclass('public.old_live') IS NOT NULL"), "t");

    cluster.execute(previous, "ALTER SUBSCRIPTION strange_promo_sub DISABLE");
    cluster.execute(previous, "ALTER SUBSCRIPTION strange_promo_sub SET (slot_name = NONE)");
    cluster.execute(previous, "DROP SUBSCRIPTION strange_promo_sub");
    for (const auto& name : staging().databases_like(live + "%")) cluster.drop_database(name);
}

}  // namespace
}  // namespace understudy::testing
