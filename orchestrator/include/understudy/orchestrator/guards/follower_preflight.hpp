// Follower preflight: before a run takes its snapshot, one line on what will hurt a long copy on a follower.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "understudy/orchestrator/transfer/progress.hpp"
#include "understudy/pg/conninfo.hpp"

namespace understudy::orchestrator {

/// What a standby source says about how a long read of it will go.
struct FollowerState {
    bool in_recovery = false;
    bool hot_standby_feedback = true;
    std::int64_t max_standby_streaming_delay_ms = -1;  ///< -1: replay waits for the run's queries forever
    std::optional<double> lag_seconds;  ///< since the last replayed commit; empty: none replayed since start
    bool caught_up = false;             ///< replayed all WAL it received: an old commit means an idle primary
};

/// A replay lag above this is worth a line: the run's snapshot starts that far behind the primary.
inline constexpr double k_preflight_lag_warning_seconds = 60;

/// The warnings `state` deserves, each a short clause, in a fixed order (hot_standby_feedback,
/// max_standby_streaming_delay, lag); none for a primary or a follower that will hold a long read.
std::vector<std::string> follower_warnings(const FollowerState& state);

/// The report's `follower` object: {hot_standby_feedback, max_standby_streaming_delay_ms,
/// lag_seconds (null when unknown), lag_note, warnings[]}.
nlohmann::json follower_report(const FollowerState& state);

/// Reads the source's follower state on a short session of its own (before the run's snapshot is
/// taken), and when it is a standby with warnings prints them as one line through progress.warn().
/// Returns the report's `follower` object, or null for a primary. Never refuses anything: the
/// run's guards (max_lag, --allow-primary-source) decide; this only says what to expect.
nlohmann::json preflight_follower(const pg::ConnInfo& source, Progress& progress);

}  // namespace understudy::orchestrator
