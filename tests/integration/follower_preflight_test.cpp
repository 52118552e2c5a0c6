// Follower preflight and --max-snapshot-age against the real fixture pair: the one warning line (on
// stderr and in the report's `follower` object) for a standby without hot_standby_feedback, silence
// for a standby that holds long reads and for a primary; a sync whose snapshot grew older than
// --max-snapshot-age while it was paused stops with exit 16 and leaves live as it was.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <csignal>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "background_process.hpp"
#include "db_checks.hpp"
#include "process.hpp"
#include "temp_file.hpp"
#include "test_cluster.hpp"

namespace understudy::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* k_source = "preflight_source";
constexpr const char* k_target = "preflight_target";
constexpr const char* k_live = "preflight_live";
constexpr const char* k_prefix = "warning: follower preflight: ";

constexpr const char* k_schema = R"sql(
CREATE TABLE public.accounts (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL);
CREATE TABLE public.events (id bigserial PRIMARY KEY, account_id bigint NOT NULL REFERENCES public.accounts, kind text);
INSERT INTO public.accounts (name) SELECT 'account ' || g FROM generate_series(1, 20) g;
INSERT INTO public.events (account_id, kind) SELECT 1 + g % 20, 'kind ' || g % 5 FROM generate_series(1, 500) g;
)sql";

std::vector<std::string> lines_starting_with(const std::string& text, const std::string& prefix) {
    std::vector<std::string> lines;
    for (std::size_t start = 0; start < text.size();) {
        std::size_t end = std::min(text.find('\n', start), text.size());
        if (text.compare(start, prefix.size(), prefix) == 0) lines.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return lines;
}

nlohmann::json read_report(const TempFile& file) {
    std::ifstream in(file.path());
    return nlohmann::json::parse(in);
}

/// Sets one standby setting with ALTER SYSTEM for the test's lifetime, then resets it (and reloads).
class StandbySetting {
public:
    StandbySetting(std::string name, const std::string& value) : m_name(std::move(name)) {
        fixture_servers().standby.execute("postgres", "ALTER SYSTEM SET " + m_name + " = " + value);
        reload();
    }
    ~StandbySetting() {
        fixture_servers().standby.execute("postgres", "ALTER SYSTEM RESET " + m_name);
        reload();
    }
    StandbySetting(const StandbySetting&) = delete;
    StandbySetting& operator=(const StandbySetting&) = delete;

private:
    void reload() {
        auto& standby = fixture_servers().standby;
        standby.execute("postgres", "SELECT pg_reload_conf()");
        // A reload is signalled, not awaited: wait until the setting is applied.
        const auto deadline = std::chrono::steady_clock::now() + 10s;
        while (std::chrono::steady_clock::now() < deadline) {
            // The last line of the config files naming the setting is the one in effect, once applied.
            if (standby.query_value("postgres", "SELECT coalesce(bool_and(applied), true) FROM (SELECT applied FROM "
                                                "pg_catalog.pg_file_settings WHERE name = '" + m_name +
                                                "' ORDER BY seqno DESC LIMIT 1) last") == "t")
                return;
            std::this_thread::sleep_for(50ms);
        }
    }
    std::string m_name;
};

class FollowerPreflight : public ::testing::Test {
public:
    static void SetUpTestSuite() {
        auto& servers = fixture_servers();
        drop_ours();
        servers.primary.create_database(k_source);
        servers.primary.execute(k_source, k_schema);
        servers.primary.create_database(k_target);
        servers.primary.create_database(k_live);
        servers.primary.execute(k_live, "CREATE TABLE public.live_marker (mark text); INSERT INTO public.live_marker VALUES ('before')");
        servers.standby.wait_for_replay_of(servers.primary);
    }
    static void TearDownTestSuite() { drop_ours(); }

protected:
    static void drop_ours() {
        auto& primary = fixture_servers().primary;
        for (const auto& name : primary.databases_like("preflight\\_%")) primary.drop_database(name);
    }

    /// `understudy subset` of the test source read from `source_server` into the (replaced) target.
    CommandResult subset_from(const TestCluster& source_server, const TempFile& report) {
        return run_process({UNDERSTUDY_BINARY, "subset", "--source", source_server.url(k_source), "--target",
                            fixture_servers().primary.url(k_target), "--replace", "--full-table", "public.accounts",
                            "--full-table", "public.events", "--report", report.path()});
    }
};

TEST_F(FollowerPreflight, WarnsInOneLineWithoutHotStandbyFeedback) {
    StandbySetting feedback_off("hot_standby_feedback", "off");
    StandbySetting finite_delay("max_standby_streaming_delay", "'30s'");  // the harness's standby waits forever
    TempFile report("");
    CommandResult result = subset_from(fixture_servers().standby, report);
    ASSERT_EQ(result.exit_code, 0) << result.err;
    const auto lines = lines_starting_with(result.err, k_prefix);
    ASSERT_EQ(lines.size(), 1u) << result.err;
    EXPECT_NE(lines[0].find("hot_standby_feedback is off"), std::string::npos) << lines[0];
    // A finite delay is named too, in the same line.
    EXPECT_NE(lines[0].find("max_standby_streaming_delay is 30.0 s"), std::string::npos) << lines[0];

    const auto follower = read_report(report).at("follower");
    EXPECT_EQ(follower.at("hot_standby_feedback"), false) << follower.dump();
    EXPECT_EQ(follower.at("max_standby_streaming_delay_ms"), 30000) << follower.dump();
    EXPECT_EQ(follower.at("warnings").size(), 2u) << follower.dump();
    EXPECT_TRUE(follower.at("lag_seconds").is_number()) << follower.dump();
}

TEST_F(FollowerPreflight, SilentForAFollowerThatHoldsLongReads) {
    StandbySetting wait_forever("max_standby_streaming_delay", "-1");  // as in the harness, and feedback is on
    TempFile report("");
    CommandResult result = subset_from(fixture_servers().standby, report);
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(result.err.find("follower preflight"), std::string::npos) << result.err;
    const auto follower = read_report(report).at("follower");
    EXPECT_EQ(follower.at("hot_standby_feedback"), true) << follower.dump();
    EXPECT_EQ(follower.at("max_standby_streaming_delay_ms"), -1) << follower.dump();
    EXPECT_EQ(follower.at("warnings"), nlohmann::json::array()) << follower.dump();
}

TEST_F(FollowerPreflight, SilentOnAPrimary) {
    TempFile report("");
    CommandResult result = subset_from(fixture_servers().primary, report);
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(result.err.find("follower preflight"), std::string::npos) << result.err;
    EXPECT_FALSE(read_report(report).contains("follower"));
}

TEST_F(FollowerPreflight, SyncStopsOnceItsSnapshotIsOlderThanAllowedAndLiveIsUntouched) {
    auto& servers = fixture_servers();
    TempFile config("sync: {backend: postgres, full: true, keep: 1}\n");
    const auto live_before = table_counts(servers.primary.conninfo(k_live));
    BackgroundProcess run({UNDERSTUDY_BINARY, "sync", "--source", servers.standby.url(k_source), "--target",
                           servers.primary.url(k_live), "--config", config.path(), "--max-snapshot-age", "1s"},
                          {{"UNDERSTUDY_TEST_PAUSE_AT", "subset:pre_data_restored"}});
    ASSERT_TRUE(run.wait_until_stopped(120s)) << run.describe();
    std::this_thread::sleep_for(1500ms);  // the snapshot, taken before the pause, is now older than 1 s
    run.resume();
    CommandResult result = run.wait_for_exit(120s);
    EXPECT_EQ(result.exit_code, 16) << result.err;
    const auto errors = lines_starting_with(result.err, "error: ");
    ASSERT_EQ(errors.size(), 1u) << result.err;
    EXPECT_NE(errors[0].find("more than --max-snapshot-age 1.0 s: stopped before copying"), std::string::npos)
        << errors[0];
    EXPECT_EQ(servers.primary.query_value(k_live, "SELECT string_agg(mark, ',') FROM public.live_marker"), "before");
    EXPECT_EQ(table_counts(servers.primary.conninfo(k_live)), live_before);
    EXPECT_EQ(servers.primary.databases_like("preflight\\_live\\_understudy\\_prev\\_%"), std::vector<std::string>{})
        << "nothing was promoted";
}

TEST_F(FollowerPreflight, SubsetStopsBeforePostDataOnceItsSnapshotIsTooOld) {
    auto& servers = fixture_servers();
    TempFile report("");
    BackgroundProcess run({UNDERSTUDY_BINARY, "subset", "--source", servers.standby.url(k_source), "--target",
                           servers.primary.url(k_target), "--replace", "--full-table", "public.accounts",
                           "--full-table", "public.events", "--max-snapshot-age", "1s"},
                          {{"UNDERSTUDY_TEST_PAUSE_AT", "subset:copied"}});
    ASSERT_TRUE(run.wait_until_stopped(120s)) << run.describe();
    std::this_thread::sleep_for(1500ms);
    run.resume();
    CommandResult result = run.wait_for_exit(120s);
    EXPECT_EQ(result.exit_code, 16) << result.err;
    EXPECT_NE(result.err.find("stopped before building indexes and constraints"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace understudy::testing
