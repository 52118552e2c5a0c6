// Throwaway PostgreSQL servers for integration tests: a primary, a hot standby of it, the fixture pair.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "understudy/pg/conninfo.hpp"

namespace understudy::testing {

class CleanupWatchdog;

/// A throwaway PostgreSQL cluster in a temp dir, on a unix socket and a free port; stopped and removed
/// when destroyed.
class TestCluster {
    struct Token {
        explicit Token() = default;
    };

public:
    /// initdb + start. `name` appears in the temp dir name. With `also_on_loopback` the server
    /// listens on 127.0.0.1 (at the same port) besides its unix socket.
    static std::unique_ptr<TestCluster> start(const std::string& name, bool also_on_loopback = false);
    /// A hot standby of this cluster made with `pg_basebackup -R`, started and streaming.
    std::unique_ptr<TestCluster> start_standby(const std::string& name) const;
    ~TestCluster();
    TestCluster(const TestCluster&) = delete;
    TestCluster& operator=(const TestCluster&) = delete;

    /// Connection info for `dbname` (host = socket dir, port, user).
    pg::ConnInfo conninfo(const std::string& dbname) const;
    /// The same as a postgresql:// URL string (percent-encoded socket path in host=...).
    std::string url(const std::string& dbname) const;
    /// Runs SQL (may hold several statements) in `dbname`; throws on failure. Several statements run
    /// as one implicit transaction, so CREATE DATABASE or VACUUM must be sent alone.
    void execute(const std::string& dbname, const std::string& sql) const;
    /// Runs a query; each row as text values (NULL as "\\N").
    std::vector<std::vector<std::string>> query(const std::string& dbname, const std::string& sql) const;
    /// The first column of the first row.
    std::string query_value(const std::string& dbname, const std::string& sql) const;
    /// CREATE DATABASE (from template1).
    void create_database(const std::string& name) const;
    /// DROP DATABASE IF EXISTS ... WITH (FORCE).
    void drop_database(const std::string& name) const;
    /// Runs the SQL file at `path` in `dbname` with psql (ON_ERROR_STOP, one session); throws,
    /// quoting psql's stderr, when a statement fails.
    void run_sql_file(const std::string& dbname, const std::string& path) const;
    /// Names of the databases matching the LIKE `pattern`, sorted.
    std::vector<std::string> databases_like(const std::string& pattern) const;
    /// Restarts the server (fast shutdown: every session is terminated) on the same port and
    /// socket; returns once it accepts connections again (a standby: read-only ones).
    void restart() const;
    /// Blocks until this standby has replayed everything `primary` has written so far.
    void wait_for_replay_of(const TestCluster& primary) const;
    /// The server's port (it listens on the unix socket only).
    int port() const;
    /// The directory holding the server's unix socket.
    const std::string& socket_dir() const;
    /// The temp dir holding data, socket and log (owned by the server's OS user).
    const std::string& root_dir() const;
    /// The cluster's data directory.
    const std::string& data_dir() const;
    /// The directory of the PostgreSQL binaries in use (psql, pg_dump, ...).
    const std::string& bin_dir() const;

    /// Use start() or start_standby(); public only for std::make_unique.
    TestCluster(Token, std::string root_dir, std::string bin_dir);

private:
    void write_settings(const std::string& file) const;
    void start_server();
    void stop_server() noexcept;
    std::vector<std::string> server_command(const std::string& tool) const;

    std::string m_root_dir;
    std::string m_data_dir;
    std::string m_socket_dir;
    std::string m_bin_dir;
    int m_port = 0;
    bool m_running = false;
    std::unique_ptr<CleanupWatchdog> m_watchdog;  // released after ~TestCluster() stopped and removed
};

/// The shared servers of an integration test binary: a primary with the `fixture` database loaded
/// from tests/fixtures/fixture.sql, and a hot standby of it. Started on first use, stopped at exit.
struct FixtureServers {
    TestCluster& primary;
    TestCluster& standby;
};

/// The fixture pair of this test binary, started (and loaded) on the first call; throws if it cannot.
FixtureServers& fixture_servers();

inline constexpr const char* k_fixture_database = "fixture";

}  // namespace understudy::testing
