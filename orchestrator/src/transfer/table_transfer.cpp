// Copy workers: source COPY TO STDOUT buffers go straight into target COPY FROM STDIN.
#include "understudy/orchestrator/transfer/table_transfer.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <memory>
#include <mutex>
#include <numeric>
#include <optional>
#include <thread>

#include "transfer/parallel_workers.hpp"

#include "understudy/anonymizer/table_rewriter.hpp"
#include "understudy/error.hpp"
#include "understudy/test_pause.hpp"
#include "understudy/orchestrator/transfer/copy_statement.hpp"
#include "understudy/pg/copy_connection.hpp"
#include "understudy/pg/sql_text.hpp"

namespace understudy::orchestrator {
namespace {

// The first try and 4 retries, after 1, 2, 4 and 8 s: 15 s in all, long enough for a follower to
// restart (a fast restart of a hot standby takes a few seconds) or for a recovery conflict's
// replay to pass, short enough that a server gone for good fails the run soon.
constexpr int k_max_attempts = 5;
constexpr int k_first_retry_wait_seconds = 1;
constexpr std::uint64_t k_progress_every_rows = 8192;

/// Whether one CopyData message of a binary COPY TO holds a row. The server sends each row as one
/// message; the 19-byte file header rides in front of the first one (or alone), and the trailer
/// is the 2-byte field count -1. A row of a table without columns is the 2 bytes 0.
bool binary_message_is_row(std::string_view message, bool first) {
    static constexpr std::string_view k_signature("PGCOPY\n\377\r\n\0", 11);
    constexpr std::size_t k_header_size = 19;  // signature, flags, header extension length
    if (first && message.substr(0, k_signature.size()) == k_signature) message.remove_prefix(k_header_size);
    return !message.empty() && message != std::string_view("\377\377", 2);
}

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
        if (!m_source) {
            m_source = std::make_unique<pg::CopyConnection>(m_source_info.conninfo, pg::Side::source);
            // SET TRANSACTION SNAPSHOT must be the transaction's first statement. REPEATABLE READ keeps
            // the imported snapshot for every later statement of the transaction.
            // The source converts to the target's encoding, so the bytes we forward (and rewrite:
            // every server encoding keeps ASCII's tab, newline and backslash) are valid there.
            if (!m_source_info.encoding.empty())
                m_source->execute("SET client_encoding = " + pg::quote_literal(m_source_info.encoding),
                                  "could not set the client encoding");
            m_source->execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; "
                              "SET TRANSACTION SNAPSHOT " + pg::quote_literal(m_source_info.snapshot_id) + "; "
                              "SET LOCAL synchronize_seqscans = off",
                              "could not import the run's snapshot");
        }
        return *m_source;
    }

    pg::CopyConnection& target() {
        if (!m_target) {
            m_target = std::make_unique<pg::CopyConnection>(m_target_info, pg::Side::target);
            // The load is redone from scratch if the server crashes, so commits need not wait for WAL flush.
            m_target->execute("SET synchronous_commit = off", "could not configure the session");
            if (!m_source_info.encoding.empty())
                m_target->execute("SET client_encoding = " + pg::quote_literal(m_source_info.encoding),
                                  "could not set the client encoding");
        }
        return *m_target;
    }

    void reset() {
        m_source.reset();
        m_target.reset();
    }

private:
    const TransferSource& m_source_info;
    const pg::ConnInfo& m_target_info;
    std::unique_ptr<pg::CopyConnection> m_source;
    std::unique_ptr<pg::CopyConnection> m_target;
};

TableCopyResult copy_once(WorkerConnections& connections, const TableCopyJob& job, Progress& progress,
                          const RowRewriting* rewriting, bool binary_allowed) {
    const auto& table = *job.table;
    const subsetter::QualifiedName* leaf = job.partition ? &*job.partition : nullptr;
    // Progress and messages name what this job loads: the leaf partition, or the table.
    const std::string name = (leaf ? *leaf : table.name).display();
    const std::string quoted = (leaf ? *leaf : table.name).quoted();
    TableCopyResult result;
    result.table = table.name.display();
    if (leaf) result.partition = name;

    // A fresh rewriter per attempt: its row numbers (for error messages) restart with the rows.
    std::optional<anonymizer::TableRewriter> rewriter;
    if (rewriting) {
        // Rules are the partitioned table's: its leaves share its columns.
        rewriter.emplace(rewriting->rules, rewriting->secret, table.name.display(), table.copy_columns());
        if (rewriter->passthrough()) rewriter.reset();
    }
    // Binary format skips every value's text output on the source and its parsing on the target
    // (timestamps and numerics above all): measured here, a 1.5 M-row table copies in 1.5 s each
    // way instead of 4. The rewriter reads text, and a multi-SELECT job would need its headers
    // merged, so only a whole table without rules goes binary.
    const bool binary = binary_allowed && job.whole_table && !rewriter;
    result.binary = binary;

    auto& target = connections.target();
    auto& source = connections.source();
    // TRUNCATE in the loading transaction lets COPY write frozen rows (no later anti-wraparound
    // vacuum of the whole table). A partitioned table takes neither ONLY nor FREEZE; its leaves do.
    const bool routed = table.partitioned && !leaf;
    target.execute(std::string("BEGIN; TRUNCATE ") + (routed ? "" : "ONLY ") + quoted, "could not prepare " + quoted);
    target.begin_copy_in(copy_in_statement(table, !routed, leaf, binary), "could not load " + quoted);
    std::string rewritten;
    std::uint64_t since_report = 0;
    bool first_message = true;
    auto forward = [&](std::string_view row) {
        if (rewriter) {
            rewritten.clear();
            rewriter->rewrite(row, rewritten);
            target.put(rewritten);
        } else {
            target.put(row);
        }
        const bool is_row = !binary || binary_message_is_row(row, first_message);
        first_message = false;
        if (!is_row) return;
        ++result.rows;
        result.bytes += row.size();
        if (++since_report == k_progress_every_rows) {
            since_report = 0;
            progress.table_running(name, result.rows, result.bytes);
            test_pause_point("copy:mid_table");
        }
    };
    try {
        if (job.whole_table) {
            source.copy_out(copy_out_statement(table, {}, leaf, binary), "could not copy " + quoted, forward);
        } else {
            for (const auto& select : job.selects) {
                source.copy_out(copy_out_statement(table, select), "could not copy " + quoted, forward);
            }
        }
    } catch (...) {
        // The source failed: end the target COPY with an error so none of its rows commit.
        target.abort_copy_in("understudy: the source failed while copying " + name);
        throw;
    }
    target.end_copy_in();
    target.execute("COMMIT", "could not commit " + quoted);
    return result;
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
    const std::string table = (job.partition ? *job.partition : job.table->name).display();
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
            if (error.sqlstate() == "22023" &&
                std::string(error.what()).find("could not import the run's snapshot") != std::string::npos) {
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
                                             const std::function<void(const std::string&)>& on_loaded) {
    // Largest first, so the long tables start early and small ones fill the gaps.
    std::vector<std::size_t> schedule(jobs.size());
    std::iota(schedule.begin(), schedule.end(), 0);
    std::stable_sort(schedule.begin(), schedule.end(), [&](std::size_t left, std::size_t right) {
        return jobs[left].expected_rows > jobs[right].expected_rows;
    });

    std::vector<TableCopyResult> results(jobs.size());
    run_workers(workers, schedule.size(), [&](int, WorkQueue& queue) {
        WorkerConnections connections(source, target);
        for (std::size_t slot = 0; queue.take(slot);) {
            const auto& job = jobs[schedule[slot]];
            results[schedule[slot]] = copy_with_retries(connections, job, progress, rewriting, source.binary);
            const auto& done = results[schedule[slot]];
            const std::string& loaded = done.partition.empty() ? done.table : done.partition;
            progress.table_done(loaded, done.rows, done.bytes);
            if (on_loaded) on_loaded(loaded);
        }
    });
    return results;
}

}  // namespace understudy::orchestrator
