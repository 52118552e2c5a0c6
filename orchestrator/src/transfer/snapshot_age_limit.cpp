// --max-snapshot-age: stops a run between steps once its source snapshot is older than allowed.
#include "understudy/orchestrator/transfer/snapshot_age_limit.hpp"

#include "understudy/error.hpp"
#include "understudy/orchestrator/transfer/progress.hpp"

namespace understudy::orchestrator {

SnapshotAgeLimit::SnapshotAgeLimit(std::optional<double> max_seconds) : m_max_seconds(max_seconds) {}

double SnapshotAgeLimit::age_seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - m_taken).count();
}

void SnapshotAgeLimit::check(const std::string& next_step) const {
    if (!m_max_seconds) return;
    const double age = age_seconds();
    if (age <= *m_max_seconds) return;
    throw Error(ExitCode::snapshot_too_old,
                "the source snapshot is " + seconds_text(age) + " s old, more than --max-snapshot-age " +
                    seconds_text(*m_max_seconds) + " s: stopped before " + next_step + " (nothing is promoted)",
                "raise --max-snapshot-age (sync: max_snapshot_age), or make the run shorter (more --jobs, a smaller "
                "subset); the source was only read");
}

}  // namespace understudy::orchestrator
