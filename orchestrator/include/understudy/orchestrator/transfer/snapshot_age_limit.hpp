// How long a run may hold its source snapshot (--max-snapshot-age), checked between steps.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace understudy::orchestrator {

/// The age of the run's source snapshot against --max-snapshot-age. A follower holding an old
/// snapshot keeps the primary from vacuuming (hot_standby_feedback) or delays its own replay; the
/// limit makes a run that takes too long stop between steps instead of holding it on and on.
class SnapshotAgeLimit {
public:
    /// No limit: check() never throws.
    SnapshotAgeLimit() = default;
    /// The snapshot is taken now; `max_seconds` empty means no limit.
    explicit SnapshotAgeLimit(std::optional<double> max_seconds);

    /// Error(snapshot_too_old) naming the snapshot's age, the limit and `next_step` (what would
    /// have started: "copying public.events", "building indexes", ...) when the age exceeds the limit.
    void check(const std::string& next_step) const;

    /// Seconds since the snapshot was taken.
    double age_seconds() const;

private:
    std::optional<double> m_max_seconds;
    std::chrono::steady_clock::time_point m_taken = std::chrono::steady_clock::now();
};

}  // namespace understudy::orchestrator
