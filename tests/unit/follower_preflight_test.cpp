// The follower preflight's verdicts on given states, the snapshot age limit, and the duration parser
// shared by max_lag, max_snapshot_age and --max-snapshot-age.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "../support/temp_file.hpp"
#include "understudy/error.hpp"
#include "understudy/orchestrator/cli/config_file.hpp"
#include "understudy/orchestrator/guards/follower_preflight.hpp"
#include "understudy/orchestrator/transfer/snapshot_age_limit.hpp"

namespace understudy::orchestrator {
namespace {

FollowerState fine_follower() {
    FollowerState state;
    state.in_recovery = true;
    state.hot_standby_feedback = true;
    state.max_standby_streaming_delay_ms = -1;
    state.lag_seconds = 0.5;
    return state;
}

TEST(FollowerPreflight, NothingToSayForAFineFollowerOrAPrimary) {
    EXPECT_TRUE(follower_warnings(fine_follower()).empty());
    FollowerState primary;  // feedback and delay are a standby's settings: a primary is never warned about
    primary.in_recovery = false;
    primary.hot_standby_feedback = false;
    primary.max_standby_streaming_delay_ms = 30000;
    EXPECT_TRUE(follower_warnings(primary).empty());
}

TEST(FollowerPreflight, NamesFeedbackOffAndAFiniteDelay) {
    FollowerState state = fine_follower();
    state.hot_standby_feedback = false;
    state.max_standby_streaming_delay_ms = 30000;
    const auto warnings = follower_warnings(state);
    ASSERT_EQ(warnings.size(), 2u);
    EXPECT_EQ(warnings[0].rfind("hot_standby_feedback is off", 0), 0u) << warnings[0];
    EXPECT_EQ(warnings[1].rfind("max_standby_streaming_delay is 30.0 s", 0), 0u) << warnings[1];
    // A finite delay alone never blames hot_standby_feedback (it is on).
    state.hot_standby_feedback = true;
    const auto delay_only = follower_warnings(state);
    ASSERT_EQ(delay_only.size(), 1u);
    EXPECT_EQ(delay_only[0].find("hot_standby_feedback"), std::string::npos) << delay_only[0];
}

TEST(FollowerPreflight, AnIdlePrimaryIsNoLag) {
    FollowerState state = fine_follower();
    state.lag_seconds = 86400;  // the last commit replayed a day ago...
    state.caught_up = true;     // ...and nothing received since: the primary is idle
    EXPECT_TRUE(follower_warnings(state).empty());
    const auto report = follower_report(state);
    EXPECT_EQ(report.at("lag_seconds"), 0.0);
    EXPECT_NE(report.at("lag_note").get<std::string>().find("no recent transaction"), std::string::npos);

    state.caught_up = false;  // WAL received but not replayed: a real lag
    const auto warnings = follower_warnings(state);
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_EQ(warnings[0].rfind("replay lags 86400.0 s", 0), 0u) << warnings[0];
    EXPECT_EQ(follower_report(state).at("lag_seconds"), 86400.0);
}

TEST(FollowerPreflight, UnknownLagIsNullInTheReport) {
    FollowerState state = fine_follower();
    state.lag_seconds.reset();
    EXPECT_TRUE(follower_warnings(state).empty());
    EXPECT_TRUE(follower_report(state).at("lag_seconds").is_null());
}

TEST(SnapshotAgeLimit, NoLimitNeverStops) {
    SnapshotAgeLimit unlimited;
    EXPECT_NO_THROW(unlimited.check("copying public.t"));
    SnapshotAgeLimit empty{std::optional<double>{}};
    EXPECT_NO_THROW(empty.check("copying public.t"));
}

TEST(SnapshotAgeLimit, StopsWithItsOwnExitCodeOnceOlder) {
    SnapshotAgeLimit limit{0.05};
    EXPECT_NO_THROW(limit.check("copying public.t"));
    std::this_thread::sleep_for(std::chrono::milliseconds(120));
    try {
        limit.check("copying public.t");
        FAIL() << "an expired limit did not throw";
    } catch (const Error& error) {
        EXPECT_EQ(error.code(), ExitCode::snapshot_too_old);
        const std::string message = error.what();
        EXPECT_NE(message.find("more than --max-snapshot-age 0.1 s: stopped before copying public.t"),
                  std::string::npos)
            << message;
    }
}

TEST(DurationText, SecondsMinutesHours) {
    EXPECT_EQ(parse_duration_seconds("300"), 300.0);
    EXPECT_EQ(parse_duration_seconds("90s"), 90.0);
    EXPECT_EQ(parse_duration_seconds("5 min"), 300.0);
    EXPECT_EQ(parse_duration_seconds("2h"), 7200.0);
    EXPECT_FALSE(parse_duration_seconds("soon"));
    EXPECT_FALSE(parse_duration_seconds("-1s"));
}

TEST(DurationText, MaxSnapshotAgeInTheConfigFile) {
    testing::TempFile file("sync: {backend: none, max_snapshot_age: 2h}\n");
    const auto config = load_config_file(file.path());
    ASSERT_TRUE(config.sync);
    EXPECT_EQ(config.sync->max_snapshot_age_seconds, 7200.0);

    testing::TempFile bad("sync: {backend: none, max_snapshot_age: soon}\n");
    try {
        load_config_file(bad.path());
        FAIL() << "max_snapshot_age: soon was accepted";
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find("max_snapshot_age must be a duration"), std::string::npos)
            << error.what();
    }
}

}  // namespace
}  // namespace understudy::orchestrator
