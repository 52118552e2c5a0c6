// Copy workers: each takes the next table and copies it into the target, retrying in the same snapshot.
#include "understudy/orchestrator/transfer/table_transfer.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <memory>
#include <numeric>
#include <optional>
#include <thread>

#include "transfer/parallel_workers.hpp"
#include "understudy/orchestrator/transfer/range_aware_order.hpp"

#include "understudy/error.hpp"
#include "understudy/pg/copy_connection.hpp"
#include "understudy/pg/snapshot_connection.hpp"
#include "understudy/pg/sql_text.hpp"

namespace understudy::orchestrator {
namespace {

// The first try and 4 retries, after 1, 2, 4 and 8 s: 15 s in all, long enough for a follower to
// restart (a fast restart of a hot standby takes a few seconds) or for a recovery conflict's
// replay to pass, short enough that a server gone for good fails the run soon.
constexpr int k_max_attempts = 5;
constexpr int k_first_retry_wait_seconds = 1;

/// The error a server gives for a type without binary send or receive functions (an extension
/// type may lack them): the table is then copied in text format instead.
bool lacks_binary_io(const pg::DatabaseError& error) { return error.sqlstate() == "42883"; }

/// A worker's pair of connections; rebuilt from scratch after any failure, because a failed COPY
/// leaves either side mid-protocol.
class WorkerConnections {
public:
    WorkerConnections(const TransferSource& source, const pg::ConnInfo& target)
        : m_source_info(source), m_target_info(target) {}

    pg::CopyConnection& source() {
        if (!m_source)
            m_source = pg::open_in_snapshot({m_source_info.conninfo, m_source_info.snapshot_id,
                                             m_source_info.encoding, pg::Side::source});
        return *m_source;
    }

    RowSink& target() {
        if (!m_target) {
            m_target = std::make_unique<pg::CopyConnection>(m_target_info, pg::Side::target);
            // The load is redone from scratch if the server crashes, so commits need not wait for WAL flush.
            m_target->execute("SET synchronous_commit = off", "could not configure the session");
            if (!m_source_info.encoding.empty())
                m_target->execute("SET client_encoding = " + pg::quote_literal(m_source_info.encoding),
                                  "could not set the client encoding");
            m_sink = target_sink(*m_target);
        }
        return *m_sink;
    }

    void reset() {
        m_source.reset();
        m_sink.reset();
        m_target.reset();
    }

private:
    const TransferSource& m_source_info;
    const pg::ConnInfo& m_target_info;
    std::unique_ptr<pg::CopyConnection> m_source;
    std::unique_ptr<pg::CopyConnection> m_target;
    std::unique_ptr<RowSink> m_sink;
};

TableCopyResult copy_once(WorkerConnections& connections, const TableCopyJob& job, Progress& progress,
                          const RowRewriting* rewriting, bool binary_allowed) {
    // The target first: a target that refuses connections fails before the source is read.
    auto& sink = connections.target();
    return copy_table(connections.source(), sink, job, rewriting, binary_allowed, progress);
}

/// The error text without its "source: " / "target: " prefix, to quote inside another message.
std::string without_side(const std::string& message) {
    for (const char* prefix : {"source: ", "target: "}) {
        if (message.rfind(prefix, 0) == 0) return message.substr(std::char_traits<char>::length(prefix));
    }
    return message;
}

/// The run's snapshot could not be imported again: the session that exported it has ended, so no
/// retry can read the same state, and one in a newer snapshot would copy a state that never was.
/// Says why, from what this worker met before (nothing, if its first import already failed).
[[noreturn]] void throw_snapshot_gone(const std::string& table, const pg::DatabaseError* earlier) {
    if (earlier && earlier->is_session_lost()) {
        throw Error(ExitCode::source,
                    "source: the source's snapshot is gone: the follower restarted or the session holding it was "
                    "terminated; rerun (copying " + table + ", after: " + without_side(earlier->what()) + ")",
                    "a run reads one snapshot of the source from start to end and cannot go on in another one");
    }
    // A standby cancels the snapshot's sessions when replay removes rows it still sees (a VACUUM
    // on the primary without hot_standby_feedback): say that, not "invalid snapshot identifier".
    const std::string cancelled = "the follower cancelled the run's snapshot while copying " + table +
                                  ", so it cannot be retried";
    if (earlier) throw Error(ExitCode::source, std::string(earlier->what()) + "; " + cancelled,
                             "enable hot_standby_feedback on the follower, or raise max_standby_streaming_delay");
    throw Error(ExitCode::source,
                "source: the source's snapshot is gone while copying " + table +
                    ": the session holding it ended (a conflict with recovery, a restart of the follower, or "
                    "pg_terminate_backend); rerun",
                "enable hot_standby_feedback on the follower, or raise max_standby_streaming_delay");
}

TableCopyResult copy_with_retries(WorkerConnections& connections, const TableCopyJob& job, Progress& progress,
                                  const RowRewriting* rewriting, bool binary_allowed) {
    auto started = std::chrono::steady_clock::now();
    bool binary = binary_allowed;
    const std::string table = job_label(job);
    std::optional<pg::DatabaseError> retried_after;  // the failure the last retry answered
    int wait_seconds = k_first_retry_wait_seconds;
    for (int attempt = 1;; ++attempt) {
        try {
            TableCopyResult result = copy_once(connections, job, progress, rewriting, binary);
            result.attempts = attempt;
            result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
            return result;
        } catch (const pg::DatabaseError& error) {
            connections.reset();
            if (binary && lacks_binary_io(error)) {
                // Not a failure of the attempt: the same rows again, as text.
                binary = false;
                --attempt;
                continue;
            }
            if (pg::is_snapshot_import_failure(error)) {
                throw_snapshot_gone(table, retried_after ? &*retried_after : nullptr);
            }
            if (!error.is_retryable() || attempt == k_max_attempts) throw;
            retried_after = error;
            // Always printed: in Scheduler logs a retry is otherwise only "attempts" in the report.
            // Seconds, not milliseconds: a terminated session or a restarting follower needs them.
            progress.warn("retrying " + table + " after: " + error.what() + "; attempt " +
                          std::to_string(attempt + 1) + " of " + std::to_string(k_max_attempts) + " in " +
                          std::to_string(wait_seconds) + " s");
            std::this_thread::sleep_for(std::chrono::seconds(wait_seconds));
            wait_seconds *= 2;
        }
    }
}

}  // namespace

std::vector<TableCopyResult> transfer_tables(const TransferSource& source, const pg::ConnInfo& target,
                                             const std::vector<TableCopyJob>& jobs, int workers,
                                             Progress& progress, const RowRewriting* rewriting,
                                             const std::function<void(const std::string&)>& on_loaded,
                                             WorkSlots* budget_slots) {
    // Largest first, so the long tables start early and small ones fill the gaps.
    std::vector<std::size_t> schedule(jobs.size());
    std::iota(schedule.begin(), schedule.end(), 0);
    std::stable_sort(schedule.begin(), schedule.end(), [&](std::size_t left, std::size_t right) {
        return jobs[left].expected_rows > jobs[right].expected_rows;
    });

    std::optional<WorkSlots> own_budget;
    WorkSlots& budget = budget_slots ? *budget_slots : own_budget.emplace(workers);
    RangeAwareOrder order(jobs, schedule);
    std::vector<TableCopyResult> results(jobs.size());
    run_workers(workers, schedule.size(), [&](int, WorkQueue& queue) {
        WorkerConnections connections(source, target);
        for (;;) {
            // A slot first, then the job: a worker never holds a slot while it waits for anything
            // but its own copy, so an index build waiting for a slot always gets one.
            const WorkSlots::Held held = budget.take(WorkSlots::Taker::copy);
            std::size_t taken = 0;
            if (!queue.take(taken)) break;  // one take per job: the order below always has one
            const std::size_t job_index = order.next();
            const auto& job = jobs[job_index];
            const RangeAwareOrder::Loading loading(order, job_index);
            if (source.age_limit) source.age_limit->check("copying " + job_label(job));
            results[job_index] = copy_with_retries(connections, job, progress, rewriting, source.binary);
            const auto& done = results[job_index];
            progress.table_done(job_label(job), done.rows, done.bytes, done.seconds);
            // on_loaded() names the leaf partition, or the table, once all of it is in. Called while
            // the slot is still held: the index build it makes ready is ahead of this worker's next copy.
            if (!order.committed(job_index)) continue;
            if (on_loaded) on_loaded(relation_of(job).display());
        }
    });
    return results;
}

}  // namespace understudy::orchestrator
