// Issue 8, the sessions a run opens: values arrive exactly whatever the source's and the target's
// database-level settings (tests/fixtures/strange/10_values.sql under 99_database_settings.sql),
// row-level security that filters the reading role is refused before anything is written
// (11_row_security.sql), an unanswering server times out, `--replace` behind an open transaction
// names the session holding the lock, and a restarted follower or a terminated session is named
// as what it is, with retries that wait seconds.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <pqxx/connection>
#include <pqxx/nontransaction>

#include "background_process.hpp"
#include "db_checks.hpp"
#include "strange_fixture.hpp"
#include "temp_file.hpp"
#include "test_cluster.hpp"

namespace understudy::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// The test's own reading session pins what it compares under, so the comparison cannot depend on
// the odd defaults of either database.
constexpr const char* k_pinned =
    "SET datestyle = 'ISO, MDY'; SET intervalstyle = 'postgres'; SET extra_float_digits = 3; "
    "SET bytea_output = 'hex'; SET timezone = 'UTC'; SET search_path = ''; ";

// One line per row, every value as text under k_pinned and every float as its exact bits.
const std::vector<std::pair<std::string, std::string>> k_value_queries = {
    {"odd_values.moments",
     "SELECT id::text || '|' || at_timestamp::text || '|' || at_date::text || '|' || at_time::text || '|' || "
     "at_timestamptz::text || '|' || span::text || '|' || encode(float4send(real_value), 'hex') || '|' || "
     "encode(float8send(double_value), 'hex') || '|' || double_value::text || '|' || encode(raw, 'hex') || '|' || "
     "exact::text || '|' || money_like::text FROM odd_values.moments ORDER BY id"},
    {"odd_values.ticks", "SELECT at::text || '|' || label FROM odd_values.ticks ORDER BY at"},
    {"odd_values.tick_notes",
     "SELECT id::text || '|' || tick_at::text || '|' || note FROM odd_values.tick_notes ORDER BY id"},
    {"odd_values.measures",
     "SELECT encode(float8send(value), 'hex') || '|' || label FROM odd_values.measures ORDER BY value"},
    {"odd_values.readings",
     "SELECT id::text || '|' || encode(float8send(measure), 'hex') || '|' || note FROM odd_values.readings ORDER BY id"},
};

std::vector<std::string> pinned_lines(const TestCluster& cluster, const std::string& database, const std::string& sql) {
    std::vector<std::string> lines;
    for (const auto& row : cluster.query(database, k_pinned + sql)) lines.push_back(row.at(0));
    return lines;
}

/// Every settings-shaped value the target holds is one the source holds, and each table got rows.
void expect_values_arrived_exactly(const std::string& target) {
    auto& servers = fixture_servers();
    for (const auto& [table, sql] : k_value_queries) {
        const auto source_lines = pinned_lines(servers.standby, k_strange_database, sql);
        const auto target_lines = pinned_lines(servers.primary, target, sql);
        EXPECT_FALSE(target_lines.empty()) << table << " arrived empty";
        const std::set<std::string> source_set(source_lines.begin(), source_lines.end());
        std::vector<std::string> wrong;
        for (const auto& line : target_lines) {
            if (!source_set.count(line)) wrong.push_back(line);
        }
        EXPECT_TRUE(wrong.empty()) << wrong.size() << " of " << target_lines.size() << " rows of " << table
                                   << " differ from every source row, e.g. " << (wrong.empty() ? "" : wrong[0]);
    }
    // The sample must hold the cases that go wrong: a day above 12 (rejected or swapped under DMY)
    // and one at most 12, and floats whose shortest exact text has 17 digits or is subnormal.
    EXPECT_EQ(servers.primary.query_value(target, "SELECT count(*) FILTER (WHERE extract(day FROM at_timestamp) > 12) > 0 "
                                                  "AND count(*) FILTER (WHERE extract(day FROM at_timestamp) <= 12) > 0 "
                                                  "FROM odd_values.moments"),
              "t");
    EXPECT_EQ(servers.primary.query_value(target, "SELECT count(*) FILTER (WHERE double_value = 0.1::float8 + 0.2::float8) "
                                                  "+ count(*) FILTER (WHERE double_value = 1e-310::float8) > 0 "
                                                  "FROM odd_values.moments"),
              "t");
    EXPECT_TRUE(fk_violations(servers.primary.conninfo(target)).empty());
}

/// A fresh database on the primary whose own defaults would misread or rewrite values.
void create_odd_target(const std::string& name) {
    auto& servers = fixture_servers();
    servers.primary.drop_database(name);
    servers.primary.create_database(name);
    for (const char* setting : {"datestyle = 'SQL, MDY'", "intervalstyle = 'sql_standard'", "extra_float_digits = -5",
                                "bytea_output = 'escape'", "timezone = 'Asia/Kathmandu'", "search_path = 'elsewhere'"}) {
        servers.primary.execute("postgres", "ALTER DATABASE " + name + " SET " + setting);
    }
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

/// How many relations a database holds outside the system schemas.
std::string user_relations(const TestCluster& cluster, const std::string& database) {
    return cluster.query_value(database, "SELECT count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
                                         "ON n.oid = c.relnamespace WHERE n.nspname NOT IN ('pg_catalog', "
                                         "'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'");
}

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// ---- item 1: session settings -------------------------------------------------------------------

TEST(StrangeSessions, SubsetFromOddSettingsCarriesEveryValueExactly) {
    ensure_strange_database();
    auto& servers = fixture_servers();
    const std::string target = "strange_sessions_subset";
    create_odd_target(target);
    // A sample, so rows go as text (a whole table may go in COPY's binary format) and the selected
    // timestamp and float8 keys travel back to the source as text inside the COPY statements.
    auto result = run_understudy({"subset", "--source", servers.standby.url(k_strange_database), "--target",
                                  servers.primary.url(target), "--schema", "odd_values", "--fraction", "0.5"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    expect_values_arrived_exactly(target);
    servers.primary.drop_database(target);
}

TEST(StrangeSessions, DumpRestoredWithPsqlCarriesEveryValueExactly) {
    ensure_strange_database();
    auto& servers = fixture_servers();
    const std::string target = "strange_sessions_dump";
    create_odd_target(target);
    const std::string file = "/tmp/understudy-strange-sessions-" + std::to_string(getpid()) + ".sql";
    auto dumped = run_understudy({"dump", "--source", servers.standby.url(k_strange_database), "--schema", "odd_values",
                                  "--fraction", "0.5", "--out", file});
    ASSERT_EQ(dumped.exit_code, 0) << dumped.err;
    std::ifstream in(file);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // The settings come before the first row, so that psql reads the rows as they were written.
    const auto first_copy = text.find("\nCOPY ");
    ASSERT_NE(first_copy, std::string::npos);
    for (const char* line : {"SET DateStyle = 'ISO, MDY';", "SET IntervalStyle = 'postgres';", "SET extra_float_digits = 3;",
                             "SET bytea_output = 'hex';", "SET TimeZone = 'UTC';"}) {
        EXPECT_LT(text.find(line), first_copy) << line;
    }
    // Restored as a user would, by psql into a database whose defaults differ.
    auto restored = run_process({servers.primary.bin_dir() + "/psql", "-X", "-q", "-1", "-v", "ON_ERROR_STOP=1", "-d",
                                 servers.primary.conninfo(target).keyword_string(), "-f", file});
    std::remove(file.c_str());
    ASSERT_EQ(restored.exit_code, 0) << restored.err;
    expect_values_arrived_exactly(target);
    servers.primary.drop_database(target);
}

TEST(StrangeSessions, SyncFromOddSettingsCarriesEveryValueExactly) {
    ensure_strange_database();
    auto& servers = fixture_servers();
    const std::string live = "strange_sessions_live";
    auto drop_all = [&] {
        for (const auto& row : servers.primary.query("postgres", "SELECT datname FROM pg_database WHERE datname LIKE "
                                                                 "'strange\\_sessions\\_live%'"))
            servers.primary.drop_database(row[0]);
    };
    drop_all();
    create_odd_target(live);
    TempFile config("sync:\n  backend: postgres\n  keep: 1\n");
    auto result = run_understudy({"sync", "--source", servers.standby.url(k_strange_database), "--target",
                                  servers.primary.url(live), "--config", config.path(), "--schema", "odd_values",
                                  "--fraction", "0.5"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    expect_values_arrived_exactly(live);
    drop_all();
}

// ---- item 2: row-level security -------------------------------------------------------------------

TEST(StrangeSessions, RoleFilteredByRowSecurityIsRefusedBeforeAnythingIsWritten) {
    ensure_strange_database();
    auto& servers = fixture_servers();
    const std::string target = "strange_sessions_rls";
    servers.primary.drop_database(target);
    servers.primary.create_database(target);
    const std::string as_reader =
        servers.standby.conninfo(k_strange_database).with("user", "strange_reader").keyword_string();
    auto result = run_understudy({"subset", "--source", as_reader, "--target", servers.primary.url(target), "--schema",
                                  "vault", "--full-table", "vault.secrets", "--full-table", "vault.open_notes"});
    EXPECT_EQ(result.exit_code, 4) << result.err;
    const auto errors = lines_starting_with(result.err, "error: ");
    ASSERT_EQ(errors.size(), 1u) << result.err;
    EXPECT_EQ(errors[0], "error: source: role \"strange_reader\" is subject to row-level security on "
                         "\"vault\".\"secrets\": its rows cannot all be read");
    const auto hints = lines_starting_with(result.err, "HINT: ");
    ASSERT_EQ(hints.size(), 1u) << result.err;
    EXPECT_NE(hints[0].find("BYPASSRLS"), std::string::npos) << hints[0];
    EXPECT_EQ(user_relations(servers.primary, target), "0") << "nothing may be written before the refusal";
    servers.primary.drop_database(target);
}

TEST(StrangeSessions, SuperuserCopiesEveryRowOfARowSecurityTable) {
    ensure_strange_database();
    auto& servers = fixture_servers();
    const std::string target = "strange_sessions_rls_owner";
    servers.primary.drop_database(target);
    servers.primary.create_database(target);
    auto result = run_understudy({"subset", "--source", servers.standby.url(k_strange_database), "--target",
                                  servers.primary.url(target), "--schema", "vault", "--full-table", "vault.secrets",
                                  "--full-table", "vault.open_notes"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(servers.primary.query_value(target, "SELECT string_agg(id || ':' || owner_name, ',' ORDER BY id) "
                                                  "FROM vault.secrets"),
              "1:alice,2:bob,3:carol");
    servers.primary.drop_database(target);
}

// ---- item 13: connect timeout ---------------------------------------------------------------------

/// A TCP listener on 127.0.0.1 that accepts connections and never says a word: a server behind
/// a firewall that drops packets looks the same to a client waiting for the server's answer.
class SilentListener {
public:
    SilentListener() {
        m_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        address.sin_port = 0;
        if (m_fd < 0 || bind(m_fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || listen(m_fd, 16) != 0)
            throw std::runtime_error("could not listen on 127.0.0.1");
        socklen_t length = sizeof address;
        getsockname(m_fd, reinterpret_cast<sockaddr*>(&address), &length);
        m_port = ntohs(address.sin_port);
        m_thread = std::thread([this] {
            while (!m_stop) {
                pollfd waiting{m_fd, POLLIN, 0};
                if (poll(&waiting, 1, 50) == 1) {
                    int accepted = accept4(m_fd, nullptr, nullptr, SOCK_CLOEXEC);
                    if (accepted >= 0) m_accepted.push_back(accepted);
                }
            }
        });
    }
    ~SilentListener() {
        m_stop = true;
        m_thread.join();
        for (int fd : m_accepted) close(fd);
        close(m_fd);
    }
    SilentListener(const SilentListener&) = delete;
    SilentListener& operator=(const SilentListener&) = delete;

    int port() const { return m_port; }
    std::size_t accepted() const { return m_accepted.size(); }

private:
    int m_fd = -1;
    int m_port = 0;
    std::atomic<bool> m_stop{false};
    std::vector<int> m_accepted;  // only the listener thread touches it until join()
    std::thread m_thread;
};

void expect_timeout_message(const CommandResult& result, int port) {
    EXPECT_EQ(result.exit_code, 4) << result.err;
    const auto errors = lines_starting_with(result.err, "error: ");
    ASSERT_EQ(errors.size(), 1u) << result.err;
    EXPECT_EQ(errors[0].rfind("error: source: could not connect to ", 0), 0u) << errors[0];
    EXPECT_NE(errors[0].find("127.0.0.1"), std::string::npos) << errors[0];
    EXPECT_NE(errors[0].find(std::to_string(port)), std::string::npos) << errors[0];
    EXPECT_NE(errors[0].find("timeout expired"), std::string::npos) << errors[0];
    EXPECT_EQ(result.err.find("never-printed-secret"), std::string::npos) << result.err;
    EXPECT_EQ(lines_starting_with(result.err, "HINT: ").size(), 1u) << result.err;
}

TEST(StrangeSessions, UnansweringSourceTimesOutAfterPGCONNECT_TIMEOUT) {
    auto& servers = fixture_servers();
    SilentListener silent;
    const std::string source =
        "postgresql://someone:never-printed-secret@127.0.0.1:" + std::to_string(silent.port()) + "/strange";
    const auto start = Clock::now();
    auto result = run_understudy({"subset", "--source", source, "--target", servers.primary.url("postgres"), "--dry-run"},
                                 {{"PGCONNECT_TIMEOUT", "2"}});
    const double seconds = seconds_since(start);
    expect_timeout_message(result, silent.port());
    EXPECT_LT(seconds, 8.0) << "PGCONNECT_TIMEOUT=2 must end the wait";
    EXPECT_GE(silent.accepted(), 1u);
}

TEST(StrangeSessions, UnansweringSourceTimesOutAfterTenSecondsByDefault) {
    auto& servers = fixture_servers();
    SilentListener silent;
    ::unsetenv("PGCONNECT_TIMEOUT");
    const std::string source =
        "postgresql://someone:never-printed-secret@127.0.0.1:" + std::to_string(silent.port()) + "/strange";
    const auto start = Clock::now();
    auto result = run_understudy({"subset", "--source", source, "--target", servers.primary.url("postgres"), "--dry-run"});
    const double seconds = seconds_since(start);
    expect_timeout_message(result, silent.port());
    EXPECT_GE(seconds, 9.0);
    EXPECT_LT(seconds, 25.0) << "the default connect_timeout is 10 s";
}

// ---- item 14: --replace behind an open transaction -----------------------------------------------

TEST(StrangeSessions, ReplaceBehindAnOpenTransactionNamesTheSessionHoldingTheLock) {
    ensure_strange_database();
    auto& servers = fixture_servers();
    const std::string target = "strange_sessions_busy";
    servers.primary.drop_database(target);
    servers.primary.create_database(target);
    servers.primary.execute(target, "CREATE TABLE public.held (x integer); INSERT INTO public.held VALUES (1)");
    pqxx::connection holder(servers.primary.conninfo(target).with("application_name", "strange_lock_holder").keyword_string());
    pqxx::nontransaction session(holder);
    const std::string pid = session.exec("SELECT pg_backend_pid()")[0][0].c_str();
    session.exec("BEGIN; SELECT count(*) FROM public.held");  // an ACCESS SHARE lock, held while idle

    const auto start = Clock::now();
    auto result = run_understudy({"subset", "--replace", "--source", servers.standby.url(k_strange_database), "--target",
                                  servers.primary.url(target), "--schema", "odd_values", "--fraction", "0.2"});
    const double seconds = seconds_since(start);
    session.exec("ROLLBACK");

    EXPECT_EQ(result.exit_code, 5) << result.err;
    EXPECT_LT(seconds, 25.0) << result.err;
    const auto errors = lines_starting_with(result.err, "error: ");
    ASSERT_EQ(errors.size(), 1u) << result.err;
    EXPECT_NE(errors[0].find("session " + pid), std::string::npos) << errors[0];
    EXPECT_NE(errors[0].find("'strange_lock_holder'"), std::string::npos) << errors[0];
    EXPECT_NE(errors[0].find("idle in transaction"), std::string::npos) << errors[0];
    EXPECT_NE(errors[0].find("public.held"), std::string::npos) << errors[0];
    const auto hints = lines_starting_with(result.err, "HINT: ");
    ASSERT_EQ(hints.size(), 1u) << result.err;
    EXPECT_NE(hints[0].find("pg_terminate_backend(" + pid + ")"), std::string::npos) << hints[0];
    // Nothing was dropped: the transaction that waited rolled back.
    EXPECT_EQ(servers.primary.query_value(target, "SELECT count(*) FROM public.held"), "1");
    servers.primary.drop_database(target);
}

// ---- item 15: a restarted follower, a terminated session ----------------------------------------

constexpr const char* k_source = "shop";
constexpr const char* k_target = "shop_copy";
constexpr int k_event_rows = 100000;

bool becomes_true(const std::function<bool()>& condition, std::chrono::milliseconds limit) {
    const auto deadline = Clock::now() + limit;
    while (!condition()) {
        if (Clock::now() >= deadline) return false;
        std::this_thread::sleep_for(20ms);
    }
    return true;
}

/// A primary and a standby of their own: restarting the shared fixture standby would disturb
/// every other test.
class StrangeSessionsRestart : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        s_primary = TestCluster::start("sessions-restart");
        s_primary->create_database(k_source);
        load_accounts_and_events(*s_primary, k_source, k_event_rows);
        s_primary->execute(k_source, "VACUUM ANALYZE");
        s_standby = s_primary->start_standby("sessions-restart-standby");
    }
    static void TearDownTestSuite() {
        s_standby.reset();
        s_primary.reset();
    }

    void SetUp() override {
        s_primary->drop_database(k_target);
        s_primary->create_database(k_target);
        s_standby->wait_for_replay_of(*s_primary);
    }

    /// `understudy subset` of both tables, whole, from the standby; frozen after 8192 rows of events.
    std::unique_ptr<BackgroundProcess> start_paused_subset() {
        auto run = std::make_unique<BackgroundProcess>(
            std::vector<std::string>{UNDERSTUDY_BINARY, "subset", "--source", s_standby->url(k_source), "--target",
                                     s_primary->url(k_target), "--full-table", "public.accounts", "--full-table",
                                     "public.events", "--jobs", "2", "--report", m_report.path()},
            std::map<std::string, std::string>{{"UNDERSTUDY_TEST_PAUSE_AT", "copy:mid_table"}});
        if (!run->wait_until_stopped(60s)) throw std::runtime_error("the run never paused: " + run->describe());
        return run;
    }

    static std::unique_ptr<TestCluster> s_primary;
    static std::unique_ptr<TestCluster> s_standby;
    TempFile m_report{""};
};
std::unique_ptr<TestCluster> StrangeSessionsRestart::s_primary;
std::unique_ptr<TestCluster> StrangeSessionsRestart::s_standby;

TEST_F(StrangeSessionsRestart, FollowerRestartedMidCopyIsNamedAsSuch) {
    auto run = start_paused_subset();
    // A fast restart terminates every session, the one holding the run's snapshot included.
    s_standby->restart();
    run->resume();
    CommandResult result = run->wait_for_exit(120s);
    EXPECT_EQ(result.exit_code, 4) << result.err;
    const auto errors = lines_starting_with(result.err, "error: ");
    ASSERT_EQ(errors.size(), 1u) << result.err;
    EXPECT_NE(errors[0].find("the source's snapshot is gone: the follower restarted or the session holding it was "
                             "terminated; rerun"),
              std::string::npos)
        << errors[0];
    EXPECT_EQ(result.err.find("conflict with recovery"), std::string::npos) << result.err;
    EXPECT_EQ(result.err.find("client encoding"), std::string::npos) << result.err;
    EXPECT_EQ(result.err.find("hot_standby_feedback"), std::string::npos) << result.err;
    EXPECT_EQ(user_relations(*s_primary, k_target), "0") << "a failed subset leaves the target empty for the rerun";
}

TEST_F(StrangeSessionsRestart, TerminatedCopySessionIsRetriedAfterSeconds) {
    auto run = start_paused_subset();
    const auto pids = s_standby->query(k_source, "SELECT pid FROM pg_stat_activity WHERE application_name = 'understudy' "
                                                 "AND query LIKE 'COPY%events%'");
    ASSERT_EQ(pids.size(), 1u);
    const std::string pid = pids[0][0];
    s_standby->execute("postgres", "SELECT pg_terminate_backend(" + pid + ")");
    ASSERT_TRUE(becomes_true([&] {
        return s_standby->query_value("postgres", "SELECT count(*) FROM pg_stat_activity WHERE pid = " + pid) == "0";
    }, 10s));
    const auto resumed = Clock::now();
    run->resume();
    CommandResult result = run->wait_for_exit(120s);
    const double seconds = seconds_since(resumed);
    ASSERT_EQ(result.exit_code, 0) << result.err;
    const auto retries = lines_starting_with(result.err, "warning: retrying public.events after: ");
    ASSERT_EQ(retries.size(), 1u) << result.err;
    // The backend was killed while it waited to send: libpq sees the connection drop (08006), or
    // reads the termination notice (57P01).
    EXPECT_TRUE(retries[0].find("(SQLSTATE 08006)") != std::string::npos ||
                retries[0].find("(SQLSTATE 57P01)") != std::string::npos)
        << retries[0];
    EXPECT_NE(retries[0].find("attempt 2 of 5 in 1 s"), std::string::npos) << retries[0];
    EXPECT_GE(seconds, 1.0) << "the retry waited a second before reconnecting";
    std::ifstream report_stream(m_report.path());
    const auto report = nlohmann::json::parse(report_stream);
    for (const auto& entry : report.at("tables")) {
        if (entry.at("table") == "public.events") {
            EXPECT_EQ(entry.value("attempts", 0), 2) << report.dump(2);
            EXPECT_EQ(entry.value("copied_rows", 0), k_event_rows) << report.dump(2);
        }
    }
    EXPECT_EQ(s_primary->query_value(k_target, "SELECT count(*) FROM events"), std::to_string(k_event_rows));
}

}  // namespace
}  // namespace understudy::testing
