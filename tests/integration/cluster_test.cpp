// cluster_test: smoke tests of the test harness itself (primary, hot standby, fixture, DB checks).
#include <algorithm>
#include <filesystem>

#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "db_checks.hpp"
#include "test_cluster.hpp"

namespace understudy::testing {
namespace {

TEST(Cluster, StandbyIsInRecoveryAndPrimaryIsNot) {
    auto& servers = fixture_servers();
    EXPECT_EQ(servers.standby.query_value(k_fixture_database, "SELECT pg_is_in_recovery()"), "t");
    EXPECT_EQ(servers.primary.query_value(k_fixture_database, "SELECT pg_is_in_recovery()"), "f");
    EXPECT_EQ(servers.standby.query_value("postgres", "SELECT system_identifier FROM pg_control_system()"),
              servers.primary.query_value("postgres", "SELECT system_identifier FROM pg_control_system()"));
}

TEST(Cluster, FixtureIsVisibleOnStandby) {
    auto& servers = fixture_servers();
    const std::string count_users = "SELECT count(*) FROM public.users";
    EXPECT_EQ(servers.standby.query_value(k_fixture_database, count_users),
              servers.primary.query_value(k_fixture_database, count_users));
    EXPECT_EQ(servers.standby.query_value(k_fixture_database, "SELECT count(*) FROM public.users WHERE id = 1"), "1");
}

TEST(Cluster, WriteOnStandbyFails) {
    auto& servers = fixture_servers();
    EXPECT_THROW(servers.standby.execute(k_fixture_database, "CREATE TABLE public.not_here (id int)"),
                 std::runtime_error);
    EXPECT_THROW(servers.standby.execute(k_fixture_database, "CREATE TEMP TABLE not_here (id int)"),
                 std::runtime_error);
}

TEST(Cluster, StandbyReplaysNewWrites) {
    auto& servers = fixture_servers();
    servers.primary.create_database("replay_check");
    servers.primary.execute("replay_check", "CREATE TABLE t (id int); INSERT INTO t SELECT generate_series(1, 100)");
    servers.standby.wait_for_replay_of(servers.primary);
    EXPECT_EQ(servers.standby.query_value("replay_check", "SELECT sum(id) FROM t"), "5050");
    servers.primary.drop_database("replay_check");
    servers.standby.wait_for_replay_of(servers.primary);
    EXPECT_EQ(servers.standby.query_value("postgres",
                                          "SELECT count(*) FROM pg_database WHERE datname = 'replay_check'"),
              "0");
}

TEST(Cluster, QueryShowsNullAsBackslashN) {
    auto& servers = fixture_servers();
    auto rows = servers.standby.query("postgres", "SELECT NULL::text, 'a', 42 UNION ALL SELECT 'b', NULL, 7");
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0], (std::vector<std::string>{"\\N", "a", "42"}));
    EXPECT_EQ(rows[1], (std::vector<std::string>{"b", "\\N", "7"}));
}

TEST(Cluster, UrlAndConninfoReachTheSameServer) {
    auto& servers = fixture_servers();
    auto via_url = pg::ConnInfo::parse(servers.standby.url(k_fixture_database));
    EXPECT_EQ(via_url.get("host"), servers.standby.socket_dir());
    EXPECT_EQ(via_url.get("port"), std::to_string(servers.standby.port()));
    EXPECT_EQ(via_url.get("dbname"), k_fixture_database);
    EXPECT_EQ(table_counts(via_url), table_counts(servers.standby.conninfo(k_fixture_database)));
}

TEST(Cluster, FixtureHasNoFkViolations) {
    auto& servers = fixture_servers();
    EXPECT_EQ(fk_violations(servers.standby.conninfo(k_fixture_database)), std::vector<std::string>{});
}

TEST(Cluster, FkViolationsAreFound) {
    auto& servers = fixture_servers();
    servers.primary.create_database("orphans");
    servers.primary.execute("orphans", R"(
        CREATE TABLE parent (a int, b int, PRIMARY KEY (a, b));
        CREATE TABLE child (id int PRIMARY KEY, a int, b int,
                            CONSTRAINT child_parent_fk FOREIGN KEY (a, b) REFERENCES parent);
        INSERT INTO parent VALUES (1, 1);
        INSERT INTO child VALUES (1, 1, 1), (2, 1, NULL);
    )");
    // Orphans can only exist with the FK triggers bypassed, as a broken copy might leave them;
    // (6, 9, NULL) is no orphan under MATCH SIMPLE.
    servers.primary.execute("orphans",
                            "SET session_replication_role = replica; INSERT INTO child VALUES (5, 9, 9), (6, 9, NULL)");
    auto db = servers.primary.conninfo("orphans");
    EXPECT_EQ(fk_violations(db), std::vector<std::string>{"public.child.child_parent_fk: 1 orphans"});
    servers.primary.drop_database("orphans");
}

TEST(Cluster, SchemaDumpsOfPrimaryAndStandbyMatch) {
    auto& servers = fixture_servers();
    auto primary_dump = normalized_schema_dump(servers.primary.conninfo(k_fixture_database));
    auto standby_dump = normalized_schema_dump(servers.standby.conninfo(k_fixture_database));
    EXPECT_FALSE(primary_dump.empty());
    EXPECT_NE(primary_dump.find("CREATE TABLE public.line_items"), std::string::npos);
    EXPECT_EQ(primary_dump.find("\\restrict"), std::string::npos);
    EXPECT_EQ(primary_dump, standby_dump);
}

TEST(Cluster, TableCountsShowTheMillionRowTable) {
    auto& servers = fixture_servers();
    auto counts = table_counts(servers.standby.conninfo(k_fixture_database));
    ASSERT_EQ(counts.count("public.line_items"), 1u);
    EXPECT_GE(counts["public.line_items"], 1000000);
    // A partitioned table counts once, with its partitions' rows; the partitions are not listed.
    EXPECT_EQ(counts["billing.usage_events"], 40000);
    EXPECT_EQ(counts.count("billing.usage_events_2024_q1"), 0u);
    EXPECT_EQ(counts["Audit.ChangeLog"], 50000) << "the audit trigger fired once per order";
    EXPECT_EQ(counts["public.page_views"], 20000);
}

TEST(Cluster, FixtureCoversTheAdvertisedShapes) {
    auto& servers = fixture_servers();
    const auto& standby = servers.standby;
    auto value = [&](const std::string& sql) { return standby.query_value(k_fixture_database, sql); };
    EXPECT_EQ(value("SELECT count(*) FROM public.orders WHERE user_id = 1") != "0", true);
    EXPECT_EQ(value("SELECT condeferrable AND condeferred FROM pg_constraint "
                    "WHERE conname = 'subscriptions_current_period_id_fkey'"),
              "t");
    EXPECT_EQ(value("SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND array_length(conkey, 1) = 2"), "1");
    EXPECT_EQ(value("SELECT relkind FROM pg_class WHERE oid = 'public.product_sales'::regclass"), "m");
    EXPECT_EQ(value("SELECT count(*) FROM pg_trigger WHERE tgname = 'orders_audit'"), "1");
    EXPECT_EQ(value("SELECT bio FROM public.users WHERE id = 3"), "back\\slash C:\\temp\\new");
    EXPECT_EQ(value("SELECT bio FROM public.users WHERE id = 8"), "\\N") << "NULL reads as \\N";
    EXPECT_EQ(value("SELECT count(*) FROM pg_index WHERE indrelid = 'public.page_views'::regclass AND indisprimary"), "0");
}

TEST(Cluster, RowKeysAreSortedText) {
    auto& servers = fixture_servers();
    auto keys = row_keys(servers.standby.conninfo(k_fixture_database), "public.users", "id, id * 2");
    ASSERT_FALSE(keys.empty());
    EXPECT_TRUE(std::is_sorted(keys.begin(), keys.end()));
    EXPECT_NE(std::find(keys.begin(), keys.end(), "1,2"), keys.end());
}

TEST(Cluster, SequencesBehindAreFound) {
    auto& servers = fixture_servers();
    EXPECT_EQ(sequences_behind(servers.standby.conninfo(k_fixture_database)), std::vector<std::string>{});
    servers.primary.create_database("sequences");
    servers.primary.execute("sequences", R"(
        CREATE TABLE s (id bigserial PRIMARY KEY);
        INSERT INTO s (id) VALUES (1), (2), (3);
        CREATE TABLE i (id int GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY);
        INSERT INTO i DEFAULT VALUES; INSERT INTO i DEFAULT VALUES;
    )");
    EXPECT_EQ(sequences_behind(servers.primary.conninfo("sequences")),
              std::vector<std::string>{"public.s_id_seq: last_value 1 (not called) < max(id) 3"});
    servers.primary.drop_database("sequences");
}

TEST(Cluster, FreshClusterIsRemovedOnDestruction) {
    std::string root;
    {
        auto cluster = TestCluster::start("smoke");
        root = std::filesystem::path(cluster->data_dir()).parent_path().string();
        EXPECT_TRUE(std::filesystem::exists(cluster->data_dir() + "/PG_VERSION"));
        EXPECT_LT((cluster->socket_dir() + "/.s.PGSQL." + std::to_string(cluster->port())).size(), 100u);
        cluster->create_database("scratch");
        cluster->execute("scratch", "CREATE TABLE t (id int); INSERT INTO t VALUES (1), (2)");
        EXPECT_EQ(cluster->query_value("scratch", "SELECT count(*) FROM t"), "2");
        cluster->drop_database("scratch");
    }
    EXPECT_FALSE(std::filesystem::exists(root));
}

TEST(Cluster, CrashedTestBinaryLeavesNoClusterBehind) {
    // A child process starts a cluster and dies without running any destructor, as a crashing
    // test would; the watchdog must stop the server and remove the dir.
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        close(fds[0]);
        try {
            auto cluster = TestCluster::start("crash");
            std::string line = cluster->data_dir() + "\n";
            (void)!write(fds[1], line.data(), line.size());
        } catch (...) {
        }
        _exit(3);  // skips destructors and atexit handlers, like a crash
    }
    close(fds[1]);
    std::string data_dir;
    char c = 0;
    while (read(fds[0], &c, 1) == 1 && c != '\n') data_dir += c;
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    ASSERT_FALSE(data_dir.empty()) << "the child could not start a cluster";
    const auto root = std::filesystem::path(data_dir).parent_path();
    for (int tries = 0; tries < 300 && std::filesystem::exists(root); ++tries) usleep(100 * 1000);
    EXPECT_FALSE(std::filesystem::exists(root)) << root;
}

TEST(Cluster, RunUnderstudyCapturesOutput) {
    auto result = run_understudy({"--version"});
    EXPECT_NE(result.exit_code, 127) << result.err;
}

}  // namespace
}  // namespace understudy::testing
