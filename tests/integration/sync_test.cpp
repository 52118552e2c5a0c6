// End to end: `understudy sync` with the postgres backend, from the standby into a live database on
// the primary: build, verify, promote atomically, keep and drop previous copies, roll back, and
// refuse on guards. Killed runs are sync_crash_test's.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <thread>

#include <pqxx/connection>
#include <pqxx/nontransaction>

#include "db_checks.hpp"
#include "temp_file.hpp"
#include "test_cluster.hpp"

namespace understudy::testing {
namespace {

constexpr const char* k_live = "staging";

std::vector<std::string> databases_like(const std::string& pattern) {
    return fixture_servers().primary.databases_like(pattern);
}

class Sync : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        auto& servers = fixture_servers();
        for (const auto& name : databases_like(std::string(k_live) + "%")) servers.primary.drop_database(name);
        servers.primary.create_database(k_live);
        servers.primary.execute(k_live, "CREATE TABLE marker (what text); INSERT INTO marker VALUES ('before any sync')");
        s_config = std::make_unique<TempFile>("sync:\n  backend: postgres\n  full: true\n  keep: 1\n");
    }
    static void TearDownTestSuite() {
        s_config.reset();
        for (const auto& name : databases_like(std::string(k_live) + "%")) fixture_servers().primary.drop_database(name);
    }

    static std::vector<std::string> sync_args(std::vector<std::string> extra = {}) {
        auto& servers = fixture_servers();
        std::vector<std::string> args = {"sync", "--source", servers.standby.url(k_fixture_database), "--target",
                                         servers.primary.url(k_live), "--config", s_config->path()};
        args.insert(args.end(), extra.begin(), extra.end());
        return args;
    }

    static std::string live_users() {
        return fixture_servers().primary.query_value(k_live, "SELECT count(*) FROM public.users");
    }

    static std::unique_ptr<TempFile> s_config;
};
std::unique_ptr<TempFile> Sync::s_config;

TEST_F(Sync, BuildsVerifiesPromotesKeepsAndRollsBack) {
    auto& servers = fixture_servers();
    auto first = run_understudy(sync_args());
    ASSERT_EQ(first.exit_code, 0) << first.err;
    EXPECT_EQ(live_users(), servers.standby.query_value(k_fixture_database, "SELECT count(*) FROM public.users"));
    EXPECT_TRUE(fk_violations(servers.primary.conninfo(k_live)).empty());
    EXPECT_EQ(table_counts(servers.primary.conninfo(k_live)), table_counts(servers.standby.conninfo(k_fixture_database)));
    EXPECT_EQ(databases_like(std::string(k_live) + "_understudy_%"), std::vector<std::string>{"staging_understudy_prev_1"});
    EXPECT_EQ(servers.primary.query_value("staging_understudy_prev_1", "SELECT what FROM marker"), "before any sync");

    // A second sync keeps only the newest previous copy (keep: 1).
    auto second = run_understudy(sync_args());
    ASSERT_EQ(second.exit_code, 0) << second.err;
    EXPECT_EQ(databases_like(std::string(k_live) + "_understudy_%"), std::vector<std::string>{"staging_understudy_prev_2"});
    EXPECT_NE(second.out.find("dropped \"staging_understudy_prev_1\""), std::string::npos) << second.out;

    // Rollback puts the previous copy back; the rolled-back one is kept.
    servers.primary.execute(k_live, "CREATE TABLE rolled_back_marker (x int)");
    auto rollback = run_understudy({"rollback", "--config", s_config->path(), "--target", servers.primary.url(k_live)});
    ASSERT_EQ(rollback.exit_code, 0) << rollback.err;
    EXPECT_EQ(servers.primary.query_value(k_live, "SELECT to_regclass('rolled_back_marker') IS NULL"), "t");
    EXPECT_EQ(databases_like(std::string(k_live) + "_understudy_%"), std::vector<std::string>{"staging_understudy_prev_3"});
}

TEST_F(Sync, ClientsSeeOldOrNewDataDuringPromotion) {
    auto& servers = fixture_servers();
    ASSERT_EQ(run_understudy(sync_args()).exit_code, 0);
    const std::string before = live_users();
    servers.primary.execute(k_fixture_database,
                            "INSERT INTO public.users (email, full_name, created_at) VALUES ('sync-probe@example.com', 'Sync Probe', now())");
    servers.standby.wait_for_replay_of(servers.primary);
    const std::string after = std::to_string(std::stoll(before) + 1);

    std::atomic<bool> stop{false};
    std::vector<std::string> unexpected;
    std::vector<std::string> seen;
    std::thread client([&] {
        const std::string conninfo = servers.primary.conninfo(k_live).keyword_string();
        while (!stop) {
            try {
                pqxx::connection connection(conninfo);
                while (!stop) {
                    pqxx::nontransaction tx(connection);
                    seen.push_back(tx.exec1("SELECT count(*) FROM public.users")[0].c_str());
                }
            } catch (const pqxx::sql_error& error) {
                // Only being cut off or turned away while the swap happens is allowed.
                const std::string state = error.sqlstate();
                if (state != "57P01" && state != "55000" && state != "3D000") unexpected.push_back(state + " " + error.what());
            } catch (const pqxx::broken_connection&) {
                // terminated by the promotion, or refused while the name moves: reconnect
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
    });
    auto result = run_understudy(sync_args());
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    stop = true;
    client.join();
    servers.primary.execute(k_fixture_database, "DELETE FROM public.users WHERE email = 'sync-probe@example.com'");
    servers.standby.wait_for_replay_of(servers.primary);

    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_TRUE(unexpected.empty()) << ::testing::PrintToString(unexpected);
    ASSERT_FALSE(seen.empty());
    for (const auto& count : seen) EXPECT_TRUE(count == before || count == after) << count;
    EXPECT_EQ(seen.back(), after) << "after the swap the client reads the new data";
}

TEST_F(Sync, GuardsRefuseBeforeAnythingIsWritten) {
    auto& servers = fixture_servers();
    const auto databases = databases_like(std::string(k_live) + "%");
    // The primary as source: not a follower.
    auto args = sync_args();
    args[2] = servers.primary.url(k_fixture_database);
    EXPECT_EQ(run_understudy(args).exit_code, 8);
    // A protected target.
    TempFile protect("sync:\n  backend: postgres\n  full: true\n  protect: [\"" + servers.primary.socket_dir() + "\"]\n");
    auto protected_args = sync_args();
    protected_args[6] = protect.path();
    auto refused = run_understudy(protected_args);
    EXPECT_EQ(refused.exit_code, 10) << refused.err;
    // Another sync holding the lock.
    pqxx::connection holder(servers.primary.conninfo("postgres").keyword_string());
    pqxx::nontransaction(holder).exec1("SELECT pg_advisory_lock(hashtextextended('understudy sync ' || " +
                                       holder.quote(servers.primary.socket_dir() + "/" + k_live) + ", 0))");
    auto locked = run_understudy(sync_args());
    EXPECT_EQ(locked.exit_code, 13) << locked.err;
    EXPECT_EQ(databases_like(std::string(k_live) + "%"), databases) << "a refused sync creates nothing";
}

}  // namespace
}  // namespace understudy::testing
