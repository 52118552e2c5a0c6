// Follower preflight: reads how a standby source treats long queries and says, in one line, what will hurt.
#include "understudy/orchestrator/guards/follower_preflight.hpp"

#include <algorithm>

#include "understudy/pg/database_error.hpp"
#include "understudy/pg/query_session.hpp"
#include "understudy/pg/result.hpp"
#include "understudy/pg/session.hpp"
#include "understudy/sql/orchestrator_sql.hpp"

namespace understudy::orchestrator {
namespace {

/// The lag as the line and the report say it. An idle primary commits nothing, so the last replayed
/// commit grows old while the standby is fully caught up: that is no lag, and is said so.
std::string lag_note(const FollowerState& state) {
    if (state.caught_up) return "replay is caught up (no recent transaction on the primary)";
    if (!state.lag_seconds) return "replay lag unknown (no transaction replayed since the follower started)";
    return "replay lags " + seconds_text(*state.lag_seconds) + " s behind the primary";
}

/// The lag is one of the warnings: replay is behind by more than k_preflight_lag_warning_seconds.
bool lag_worth_warning(const FollowerState& state) {
    return !state.caught_up && state.lag_seconds && *state.lag_seconds > k_preflight_lag_warning_seconds;
}

FollowerState read_follower_state(pg::QuerySession& session) {
    return pg::with_context(pg::Side::source, "could not read the follower's settings", [&] {
        pg::Transaction tx = session.autocommit();
        auto row = tx.exec1(std::string(sql::k_follower_state));
        FollowerState state;
        state.in_recovery = row[0].as<bool>();
        state.hot_standby_feedback = row[1].as<bool>();
        state.max_standby_streaming_delay_ms = row[2].as<long>();
        if (!row[3].is_null()) state.lag_seconds = std::max(0.0, row[3].as<double>());
        state.caught_up = row[4].as<bool>();
        return state;
    });
}

}  // namespace

std::vector<std::string> follower_warnings(const FollowerState& state) {
    std::vector<std::string> warnings;
    if (!state.in_recovery) return warnings;
    if (!state.hot_standby_feedback) {
        warnings.push_back("hot_standby_feedback is off (the primary's VACUUM may remove rows this run's snapshot "
                           "still reads, and replaying that cancels the copy)");
    }
    if (state.max_standby_streaming_delay_ms >= 0) {
        warnings.push_back("max_standby_streaming_delay is " +
                           seconds_text(static_cast<double>(state.max_standby_streaming_delay_ms) / 1000) +
                           " s (replay cancels a query it conflicts with after that long; -1 waits for the copy)");
    }
    if (lag_worth_warning(state))
        warnings.push_back(lag_note(state) + " (the copy starts that far in the past)");
    return warnings;
}

nlohmann::json follower_report(const FollowerState& state) {
    nlohmann::json report;
    report["hot_standby_feedback"] = state.hot_standby_feedback;
    report["max_standby_streaming_delay_ms"] = state.max_standby_streaming_delay_ms;
    if (state.caught_up) {
        report["lag_seconds"] = 0.0;
    } else if (state.lag_seconds) {
        report["lag_seconds"] = *state.lag_seconds;
    } else {
        report["lag_seconds"] = nullptr;
    }
    report["lag_note"] = lag_note(state);
    report["warnings"] = follower_warnings(state);
    return report;
}

nlohmann::json preflight_follower(const pg::ConnInfo& source, Progress& progress) {
    FollowerState state;
    {
        auto session = pg::connect(source, pg::Side::source);
        state = read_follower_state(*session);
    }
    if (!state.in_recovery) return nullptr;
    const auto warnings = follower_warnings(state);
    if (!warnings.empty()) {
        std::string line = "follower preflight: " + warnings.front();
        for (std::size_t index = 1; index < warnings.size(); ++index) line += "; " + warnings[index];
        // The lag closes the line, unless it is one of the warnings already.
        if (!lag_worth_warning(state)) line += "; " + lag_note(state);
        progress.warn(line);
    }
    return follower_report(state);
}

}  // namespace understudy::orchestrator
