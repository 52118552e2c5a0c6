// A source failure in the middle of a table's COPY: `understudy subset` is frozen at the
// copy:mid_table pause point, the source COPY is killed (terminated, or cancelled by a real recovery
// conflict) while the primary changes the table, and the run must retry inside its one snapshot:
// the target holds exactly the rows of the run's start, once each. Also what a run does when the
// retries run out.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <fstream>
#include <functional>
#include <string>
#include <vector>
#include <thread>

#include <pqxx/connection>
#include <pqxx/nontransaction>

#include "background_process.hpp"
#include "db_checks.hpp"
#include "temp_file.hpp"
#include "test_cluster.hpp"

namespace understudy::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* k_source = "shop";
constexpr const char* k_target = "shop_copy";
// Big enough that, when the run pauses after 8192 rows, most of the table is still on the server
// (socket buffers hold a few thousand rows), so the killed COPY cannot have sent everything.
constexpr int k_event_rows = 100000;

/// Every row of `table` in key order, as one fingerprint: "count:md5".
std::string fingerprint(const TestCluster& cluster, const std::string& database, const std::string& table) {
    return cluster.query_value(database, "SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, E'\\n' ORDER BY id)), '') "
                                         "FROM " + table + " t");
}

/// Polls `condition` until it holds (true) or `limit` passes (false).
bool becomes_true(const std::function<bool()>& condition, std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!condition()) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(10ms);
    }
    return true;
}

void wait_until(const std::function<bool()>& condition, std::chrono::milliseconds limit, const std::string& what) {
    if (!becomes_true(condition, limit)) throw std::runtime_error("timed out waiting until " + what);
}

/// The lines of `text` that start with `prefix`.
std::vector<std::string> lines_starting_with(const std::string& text, const std::string& prefix) {
    std::vector<std::string> lines;
    for (std::size_t start = 0; start < text.size();) {
        std::size_t end = std::min(text.find('\n', start), text.size());
        if (text.compare(start, prefix.size(), prefix) == 0) lines.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return lines;
}

nlohmann::json report_entry(const nlohmann::json& report, const std::string& table) {
    for (const auto& entry : report.at("tables")) {
        if (entry.at("table") == table) return entry;
    }
    return nullptr;
}

/// A primary and a hot standby of their own, so the test may change the source, take locks and
/// provoke recovery conflicts without touching the shared fixture. The standby cancels conflicting
/// queries at once (max_standby_streaming_delay = 0): a recovery conflict is immediate, not 30 s away.
class CopyRetry : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        s_primary = TestCluster::start("copyretry");
        // ALTER SYSTEM on the primary lands in postgresql.auto.conf, which pg_basebackup copies.
        s_primary->execute("postgres", "ALTER SYSTEM SET max_standby_streaming_delay = 0");
        // No autovacuum: the only vacuums and locks replayed on the standby are the tests' own.
        s_primary->execute("postgres", "ALTER SYSTEM SET autovacuum = off");
        s_primary->execute("postgres", "SELECT pg_reload_conf()");
        s_primary->execute("postgres", "CREATE TABLE wal_flush (at timestamptz)");
        s_primary->create_database(k_source);
        load_accounts_and_events(*s_primary, k_source, k_event_rows);
        // Analyzed, so planning reads estimates instead of counting: the run's snapshot transaction
        // then holds no lock on the tables, and only the COPY meets the replayed locks.
        s_primary->execute(k_source, "VACUUM ANALYZE");
        s_standby = s_primary->start_standby("copyretry-standby");
    }
    static void TearDownTestSuite() {
        s_standby.reset();
        s_primary.reset();
    }

    void SetUp() override {
        s_primary->drop_database(k_target);
        s_primary->create_database(k_target);
        s_standby->wait_for_replay_of(*s_primary);
        m_expected_accounts = fingerprint(*s_standby, k_source, "accounts");
        m_expected_events = fingerprint(*s_standby, k_source, "events");
    }

    /// `understudy subset` of both tables, whole, from the standby; frozen after 8192 rows of a table.
    std::unique_ptr<BackgroundProcess> start_paused_subset() {
        auto run = std::make_unique<BackgroundProcess>(
            std::vector<std::string>{UNDERSTUDY_BINARY, "subset", "--source", s_standby->url(k_source), "--target",
                                     s_primary->url(k_target), "--full-table", "public.accounts", "--full-table",
                                     "public.events", "--jobs", "2", "--report", m_report.path()},
            std::map<std::string, std::string>{{"UNDERSTUDY_TEST_PAUSE_AT", "copy:mid_table"}});
        if (!run->wait_until_stopped(60s)) throw std::runtime_error("the run never paused: " + run->describe());
        return run;
    }

    /// Deletes, updates and inserts rows of events on the primary (rows the paused run has already
    /// copied and rows it has not) and waits until the standby has them: a COPY retried outside the
    /// run's snapshot would copy this state instead of the one the run started with.
    void change_source_meanwhile() {
        s_primary->execute(k_source,
                           "DELETE FROM events WHERE id % 1000 = 7;"
                           "UPDATE events SET payload = 'changed while the copy was paused' WHERE id % 1000 = 3;"
                           "INSERT INTO events SELECT (SELECT max(id) FROM events) + g, 1, 'added while the copy was paused' "
                           "FROM generate_series(1, 1000) g;"
                           "UPDATE accounts SET name = 'renamed while the copy was paused' WHERE id % 10 = 0");
        s_standby->wait_for_replay_of(*s_primary);
        ASSERT_NE(fingerprint(*s_standby, k_source, "events"), m_expected_events) << "the source did not change";
    }

    /// The pid of the paused run's COPY of events on the standby.
    std::string source_copy_backend() const {
        auto rows = s_standby->query(k_source,
                                     "SELECT pid FROM pg_stat_activity WHERE application_name = 'understudy' "
                                     "AND query LIKE 'COPY%events%'");
        if (rows.size() != 1) throw std::runtime_error(std::to_string(rows.size()) + " COPY backends of events");
        return rows[0][0];
    }

    /// Blocks until the standby's replay has met the lock the primary took on events and, finding the
    /// paused COPY in its way, has cancelled it: either the replay waits for the lock, or the COPY
    /// has already given up its statement (possible even while its client is stopped).
    static void wait_until_replay_conflicts_with(const std::string& pid) {
        wait_until([&] {
            return s_standby->query_value(
                       k_source, "SELECT EXISTS (SELECT FROM pg_locks WHERE relation = 'events'::regclass "
                                 "                AND mode = 'AccessExclusiveLock' AND NOT granted) "
                                 "OR NOT EXISTS (SELECT FROM pg_stat_activity WHERE pid = " + pid +
                                 "               AND state = 'active')") == "t";
        }, 10s, "the standby's replay conflicts with the paused COPY");
    }

    /// Flushes the primary's WAL now, so the standby receives every record written so far. The test
    /// servers commit asynchronously; a record of a transaction still open (a held lock) would wait
    /// in the WAL buffers for the WAL writer, which sends a partly filled page only when it likes.
    static void flush_primary_wal() {
        s_primary->execute("postgres", "BEGIN; SET LOCAL synchronous_commit = on; INSERT INTO wal_flush VALUES (now()); COMMIT");
    }

    /// pg_stat_database_conflicts.confl_lock or confl_snapshot of the source on the standby.
    static std::int64_t conflicts(const std::string& column) {
        return std::stoll(s_standby->query_value("postgres", "SELECT " + column + " FROM pg_stat_database_conflicts "
                                                             "WHERE datname = 'shop'"));
    }

    /// Every counter of pg_stat_database_conflicts for the source, for messages.
    static std::string conflict_counters() {
        std::string text;
        for (const auto& value : s_standby->query("postgres", "SELECT * FROM pg_stat_database_conflicts "
                                                              "WHERE datname = 'shop'").at(0))
            text += value + " ";
        return text;
    }

    /// How many relations the target's public schema holds.
    static std::string target_relations() {
        return s_primary->query_value(k_target, "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                                                "WHERE n.nspname = 'public'");
    }

    /// The target holds exactly the source's rows at the run's start: nothing lost, nothing twice,
    /// none of the later changes.
    void expect_target_equals_run_start() const {
        EXPECT_EQ(fingerprint(*s_primary, k_target, "accounts"), m_expected_accounts);
        EXPECT_EQ(fingerprint(*s_primary, k_target, "events"), m_expected_events);
        EXPECT_EQ(s_primary->query_value(k_target, "SELECT count(*) - count(DISTINCT id) FROM events"), "0");
        EXPECT_TRUE(fk_violations(s_primary->conninfo(k_target)).empty());
    }

    static std::unique_ptr<TestCluster> s_primary;
    static std::unique_ptr<TestCluster> s_standby;
    std::string m_expected_accounts;
    std::string m_expected_events;
    TempFile m_report{""};
};
std::unique_ptr<TestCluster> CopyRetry::s_primary;
std::unique_ptr<TestCluster> CopyRetry::s_standby;

TEST_F(CopyRetry, TerminatedSourceCopyIsRetriedInTheSameSnapshot) {
    auto run = start_paused_subset();
    const std::string pid = source_copy_backend();
    s_standby->execute("postgres", "SELECT pg_terminate_backend(" + pid + ")");
    wait_until([&] { return s_standby->query_value("postgres", "SELECT count(*) FROM pg_stat_activity WHERE pid = " + pid) == "0"; },
               10s, "the COPY backend is gone");
    change_source_meanwhile();

    run->resume();
    CommandResult result = run->wait_for_exit(120s);
    ASSERT_EQ(result.exit_code, 0) << result.err;
    nlohmann::json report = read_json(m_report.path());
    EXPECT_GT(report_entry(report, "public.events").value("attempts", 0), 1) << report.dump(2);
    EXPECT_EQ(report_entry(report, "public.accounts").value("attempts", 0), 1) << report.dump(2);
    // stderr is not a terminal here, as in a scheduler's log: the retry is still written down.
    EXPECT_NE(result.err.find("warning: retrying public.events after: "), std::string::npos) << result.err;
    EXPECT_EQ(std::to_string(report_entry(report, "public.events").value("copied_rows", 0)),
              m_expected_events.substr(0, m_expected_events.find(':')))
        << report.dump(2);
    expect_target_equals_run_start();
}

TEST_F(CopyRetry, RecoveryConflictOnTheStandbyIsRetriedInTheSameSnapshot) {
    const std::int64_t conflicts_before = conflicts("confl_lock");
    auto run = start_paused_subset();
    const std::string pid = source_copy_backend();
    change_source_meanwhile();
    // An ACCESS EXCLUSIVE lock replayed from the primary conflicts with the paused COPY's ACCESS
    // SHARE lock: with max_standby_streaming_delay = 0 the standby cancels the COPY at once.
    s_primary->execute(k_source, "LOCK TABLE events IN ACCESS EXCLUSIVE MODE; SELECT 1");
    flush_primary_wal();
    wait_until_replay_conflicts_with(pid);

    run->resume();
    CommandResult result = run->wait_for_exit(120s);
    ASSERT_EQ(result.exit_code, 0) << result.err;
    nlohmann::json report = read_json(m_report.path());
    EXPECT_EQ(report_entry(report, "public.events").value("attempts", 0), 2) << report.dump(2);
    expect_target_equals_run_start();
    // The standby counted it as what it was: a recovery conflict over a lock (the cancelled
    // backend reports it by the time it exits, after the run closed its connection).
    EXPECT_TRUE(becomes_true([&] { return conflicts("confl_lock") > conflicts_before; }, 20s))
        << "the standby counted no lock conflict: " << conflict_counters();
}

TEST_F(CopyRetry, ExhaustedRetriesFailCleanlyAndEmptyTheTarget) {
    auto run = start_paused_subset();
    // A lock held on the primary, replayed on the standby: the paused COPY is cancelled by the
    // conflict, and every retry's COPY waits for the lock until the watcher terminates it.
    pqxx::connection holder(s_primary->conninfo(k_source).keyword_string());
    const std::string pid = source_copy_backend();
    pqxx::nontransaction(holder).exec("BEGIN; LOCK TABLE events IN ACCESS EXCLUSIVE MODE");
    flush_primary_wal();
    wait_until_replay_conflicts_with(pid);
    std::atomic<bool> stop{false};
    std::atomic<int> terminated{0};
    std::thread watcher([&] {
        while (!stop) {
            terminated += static_cast<int>(
                s_standby->query("postgres", "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                             "WHERE datname = 'shop' AND query LIKE 'COPY%events%' "
                                             "AND wait_event_type = 'Lock'").size());
            std::this_thread::sleep_for(20ms);
        }
    });
    run->resume();
    CommandResult result = run->wait_for_exit(120s);
    stop = true;
    watcher.join();
    pqxx::nontransaction(holder).exec("ROLLBACK");

    EXPECT_EQ(result.exit_code, 4) << result.err;  // the source failed
    // The conflict cancelled the first try; each of the four retries (after 1, 2, 4, 8 s) was terminated.
    EXPECT_EQ(terminated.load(), 4) << "the first try and four retries, then no more";
    const std::vector<std::string> errors = lines_starting_with(result.err, "error: ");
    ASSERT_EQ(errors.size(), 1u) << result.err;
    EXPECT_NE(errors[0].find("source: could not copy \"public\".\"events\""), std::string::npos) << errors[0];
    EXPECT_NE(errors[0].find("(SQLSTATE 57P01)"), std::string::npos) << errors[0];
    EXPECT_EQ(target_relations(), "0") << "a failed subset leaves the target empty for the rerun";
}

TEST_F(CopyRetry, SnapshotConflictEndsTheRunInsteadOfCopyingAnotherState) {
    // Without hot_standby_feedback the primary's VACUUM may remove rows the run's snapshot still
    // sees; replaying that cancels every session holding the snapshot, the exporting one included.
    // No retry can import the snapshot again, and one in a newer snapshot would copy a state that
    // never was, so the run must fail, and leave the target empty.
    struct FeedbackOff {
        FeedbackOff() {
            s_standby->execute("postgres", "ALTER SYSTEM SET hot_standby_feedback = off");
            s_standby->execute("postgres", "SELECT pg_reload_conf()");
        }
        ~FeedbackOff() {
            s_standby->execute("postgres", "ALTER SYSTEM RESET hot_standby_feedback");
            s_standby->execute("postgres", "SELECT pg_reload_conf()");
        }
    } feedback_off;
    wait_until([&] {
        return s_primary->query_value("postgres", "SELECT count(*) FROM pg_stat_replication WHERE backend_xmin IS NOT NULL") == "0";
    }, 20s, "the primary no longer holds rows back for the standby");

    const std::int64_t conflicts_before = conflicts("confl_snapshot");
    auto run = start_paused_subset();
    s_primary->execute(k_source, "DELETE FROM events WHERE id % 2 = 0");
    s_primary->execute(k_source, "VACUUM events");
    flush_primary_wal();
    // Replay reaches the VACUUM within milliseconds; then it either waits for the run's sessions
    // (the conflict is signalled) or has already passed (they are cancelled). Give it that time.
    const std::string flushed = s_primary->query_value("postgres", "SELECT pg_current_wal_flush_lsn()");
    becomes_true([&] {
        return s_standby->query_value("postgres", "SELECT pg_last_wal_replay_lsn() >= '" + flushed + "'") == "t";
    }, 1s);

    run->resume();
    CommandResult result = run->wait_for_exit(120s);
    EXPECT_EQ(result.exit_code, 4) << result.err;  // the source failed
    EXPECT_EQ(lines_starting_with(result.err, "error: source: ").size(), 1u) << result.err;
    // The message names what happened and what to change, not the retry's "invalid snapshot".
    EXPECT_NE(result.err.find("hot_standby_feedback"), std::string::npos) << result.err;
    EXPECT_EQ(result.err.find("invalid snapshot identifier"), std::string::npos) << result.err;
    EXPECT_EQ(target_relations(), "0") << "a failed subset leaves the target empty for the rerun";
    EXPECT_TRUE(becomes_true([&] { return conflicts("confl_snapshot") > conflicts_before; }, 20s))
        << "the standby counted no snapshot conflict: " << conflict_counters();
}

}  // namespace
}  // namespace understudy::testing
