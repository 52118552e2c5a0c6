// Throwaway primary and hot-standby clusters driven through initdb, pg_ctl and pg_basebackup.
#include "test_cluster.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "cleanup_watchdog.hpp"
#include "postgres_binaries.hpp"
#include "process.hpp"
#include "understudy/pg/sql_text.hpp"

namespace understudy::testing {
namespace {

namespace fs = std::filesystem;

constexpr const char* k_server_user = "postgres";
constexpr const char* k_database_user = "understudy";
constexpr auto k_start_timeout = std::chrono::seconds(120);

// PostgreSQL refuses to run as root, so as root every server-side tool runs as `postgres`.
std::optional<std::string> server_os_user() {
    if (geteuid() == 0) return std::string(k_server_user);
    return std::nullopt;
}

ProcessOptions server_process_options(const std::string& working_directory) {
    ProcessOptions options;
    options.run_as_user = server_os_user();
    options.working_directory = working_directory;
    return options;
}

// A temp dir /tmp/understudy-test-NAME-XXXXXX, owned by the server user. Unix socket paths must
// stay under 108 bytes (sun_path), so the name is shortened and a long TMPDIR is not used.
std::string make_root_dir(const std::string& name) {
    std::string base = "/tmp";
    if (const char* tmpdir = std::getenv("TMPDIR"); tmpdir && *tmpdir && std::strlen(tmpdir) <= 40) base = tmpdir;
    std::string clean;
    for (char c : name) {
        if (clean.size() >= 24) break;
        clean += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') ? c : '_';
    }
    std::string pattern = base + "/understudy-test-" + clean + "-XXXXXX";
    if (!mkdtemp(pattern.data())) {
        throw std::runtime_error("could not create a temp dir \"" + pattern + "\": " + std::strerror(errno));
    }
    return pattern;
}

void give_to_server_user(const std::string& path) {
    auto user = server_os_user();
    if (!user) return;
    struct passwd* entry = getpwnam(user->c_str());
    if (!entry) throw std::runtime_error("no OS user \"" + *user + "\" to run PostgreSQL as (we are root)");
    if (chown(path.c_str(), entry->pw_uid, entry->pw_gid) != 0) {
        throw std::runtime_error("could not chown \"" + path + "\": " + std::strerror(errno));
    }
}

// A port nobody listens on over TCP. The server itself listens only on its own socket dir, so a
// clash is unlikely anyway; the check keeps the port free for tools that default to TCP.
int pick_free_port(int attempt) {
    static int next = 20000 + static_cast<int>(getpid() % 20000);
    for (int tries = 0; tries < 2000; ++tries) {
        int port = next;
        next = next >= 45000 ? 20000 : next + 1 + attempt;
        if (fs::exists("/tmp/.s.PGSQL." + std::to_string(port)) ||
            fs::exists("/var/run/postgresql/.s.PGSQL." + std::to_string(port)))
            continue;
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) continue;
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(static_cast<std::uint16_t>(port));
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        bool free = bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
        close(fd);
        if (free) return port;
    }
    throw std::runtime_error("no free port found in 20000-45000");
}

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string last_lines(const std::string& text, int count) {
    std::size_t position = text.size();
    for (int line = 0; line <= count && position != std::string::npos && position > 0; ++line) {
        position = text.rfind('\n', position - 1);
    }
    return position == std::string::npos ? text : text.substr(position + 1);
}

std::string percent_encode(const std::string& text) {
    static const char* k_hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += k_hex[c >> 4];
            out += k_hex[c & 15];
        }
    }
    return out;
}

std::uint64_t parse_lsn(const std::string& text) {
    auto slash = text.find('/');
    if (slash == std::string::npos) throw std::runtime_error("not an LSN: \"" + text + "\"");
    return (std::stoull(text.substr(0, slash), nullptr, 16) << 32) | std::stoull(text.substr(slash + 1), nullptr, 16);
}

// Settings of every test cluster: fast and unsafe (fsync off), replication-ready, socket only.
constexpr const char* k_settings = R"(
# added by the understudy test harness
listen_addresses = ''
fsync = off
synchronous_commit = off
full_page_writes = off
wal_level = replica
max_wal_senders = 5
wal_keep_size = '128MB'
hot_standby = on
hot_standby_feedback = on
# A follower that holds long reads (no follower preflight line); tests of conflicts set their own.
max_standby_streaming_delay = -1
max_connections = 60
shared_buffers = 128MB
log_line_prefix = '%m [%p] %q%u@%d '
log_min_messages = warning
)";

template <typename Body>
auto with_connection(const TestCluster& cluster, const std::string& dbname, const std::string& sql, Body&& body) {
    try {
        pqxx::connection connection(cluster.conninfo(dbname).keyword_string());
        pqxx::nontransaction tx(connection);
        return body(tx);
    } catch (const std::exception& error) {
        std::string shown = sql.size() > 400 ? sql.substr(0, 400) + "..." : sql;
        throw std::runtime_error("test sql failed in database \"" + dbname + "\" on port " +
                                 std::to_string(cluster.port()) + ": " + error.what() + "\nsql: " + shown);
    }
}

}  // namespace

TestCluster::TestCluster(Token, std::string root_dir, std::string bin_dir)
    : m_root_dir(std::move(root_dir)),
      m_data_dir(m_root_dir + "/data"),
      m_socket_dir(m_root_dir + "/socket"),
      m_bin_dir(std::move(bin_dir)),
      m_watchdog(std::make_unique<CleanupWatchdog>(m_data_dir, m_root_dir, m_bin_dir + "/pg_ctl", server_os_user())) {}

std::unique_ptr<TestCluster> TestCluster::start(const std::string& name, bool also_on_loopback) {
    auto cluster = std::make_unique<TestCluster>(Token{}, make_root_dir(name), postgres_bin_dir());
    // From here on the destructor cleans up whatever a failure leaves behind.
    give_to_server_user(cluster->m_root_dir);
    fs::create_directory(cluster->m_socket_dir);
    give_to_server_user(cluster->m_socket_dir);
    run_process_checked({cluster->m_bin_dir + "/initdb", "-D", cluster->m_data_dir, "-A", "trust", "-N", "-U",
                         k_database_user, "-E", "UTF8", "--locale=C"},
                        server_process_options(cluster->m_root_dir));
    cluster->write_settings(cluster->m_data_dir + "/postgresql.conf");
    if (also_on_loopback) {
        // The later line wins over k_settings' listen_addresses = ''.
        std::ofstream out(cluster->m_data_dir + "/postgresql.conf", std::ios::app);
        out << "listen_addresses = '127.0.0.1'\n";
    }
    cluster->start_server();
    return cluster;
}

std::unique_ptr<TestCluster> TestCluster::start_standby(const std::string& name) const {
    auto standby = std::make_unique<TestCluster>(Token{}, make_root_dir(name), m_bin_dir);
    give_to_server_user(standby->m_root_dir);
    fs::create_directory(standby->m_socket_dir);
    give_to_server_user(standby->m_socket_dir);
    // -R writes primary_conninfo and standby.signal; -X stream takes the WAL of the backup along.
    run_process_checked({m_bin_dir + "/pg_basebackup", "-D", standby->m_data_dir, "-R", "-X", "stream", "-c", "fast",
                         "-h", m_socket_dir, "-p", std::to_string(m_port), "-U", k_database_user},
                        server_process_options(standby->m_root_dir));
    standby->start_server();
    // pg_ctl -w returns once the standby accepts read-only connections; wait for streaming too,
    // so that wait_for_replay_of() and the tests see a live replica.
    auto deadline = std::chrono::steady_clock::now() + k_start_timeout;
    for (;;) {
        auto rows = standby->query("postgres",
                                   "SELECT pg_is_in_recovery(), "
                                   "coalesce((SELECT status FROM pg_stat_wal_receiver), 'none')");
        if (rows.at(0).at(0) == "t" && rows.at(0).at(1) == "streaming") break;
        if (std::chrono::steady_clock::now() > deadline) {
            throw std::runtime_error("standby in \"" + standby->m_data_dir + "\" is not streaming (recovery " +
                                     rows[0][0] + ", wal receiver " + rows[0][1] + ")\n" +
                                     last_lines(read_file(standby->m_root_dir + "/server.log"), 20));
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return standby;
}

TestCluster::~TestCluster() {
    stop_server();
    std::error_code ignored;
    fs::remove_all(m_root_dir, ignored);
}

void TestCluster::write_settings(const std::string& file) const {
    std::ofstream out(file, std::ios::app);
    out << k_settings;
    if (!out) throw std::runtime_error("could not write \"" + file + "\"");
}

void TestCluster::start_server() {
    std::string log_file = m_root_dir + "/server.log";
    std::string last_error;
    for (int attempt = 0; attempt < 5; ++attempt) {
        int port = pick_free_port(attempt);
        // Port and socket dir go on the command line: they override the postgresql.conf a
        // standby copies from its primary, and a retry can take another port.
        auto result = run_process({m_bin_dir + "/pg_ctl", "-D", m_data_dir, "-l", log_file, "-w", "-t",
                                   std::to_string(k_start_timeout.count()), "-o",
                                   "-p " + std::to_string(port) + " -k " + m_socket_dir, "start"},
                                  server_process_options(m_root_dir));
        if (result.exit_code == 0) {
            m_port = port;
            m_running = true;
            return;
        }
        last_error = result.err + result.out + last_lines(read_file(log_file), 20);
        // A half-started postmaster would keep the data dir locked for the next attempt.
        run_process({m_bin_dir + "/pg_ctl", "-D", m_data_dir, "-m", "immediate", "-w", "stop"},
                    server_process_options(m_root_dir));
    }
    throw std::runtime_error("could not start PostgreSQL in \"" + m_data_dir + "\":\n" + last_error);
}

void TestCluster::stop_server() noexcept {
    if (!m_running) return;
    m_running = false;
    try {
        auto options = server_process_options(m_root_dir);
        auto fast = run_process({m_bin_dir + "/pg_ctl", "-D", m_data_dir, "-m", "fast", "-w", "-t", "60", "stop"}, options);
        if (fast.exit_code == 0) return;
        auto immediate = run_process({m_bin_dir + "/pg_ctl", "-D", m_data_dir, "-m", "immediate", "-w", "stop"}, options);
        if (immediate.exit_code == 0) return;
    } catch (...) {
        // fall through to the kill below
    }
    // Last resort: the postmaster's pid is the first line of postmaster.pid.
    std::ifstream pid_file(m_data_dir + "/postmaster.pid");
    long pid = 0;
    if (pid_file >> pid && pid > 0) kill(static_cast<pid_t>(pid), SIGKILL);
}

void TestCluster::restart() const {
    // Without -o, pg_ctl restart reuses postmaster.opts: the same port and socket directory.
    run_process_checked({m_bin_dir + "/pg_ctl", "-D", m_data_dir, "-l", m_root_dir + "/server.log", "-m", "fast", "-w",
                         "-t", std::to_string(k_start_timeout.count()), "restart"},
                        server_process_options(m_root_dir));
}

pg::ConnInfo TestCluster::conninfo(const std::string& dbname) const {
    return pg::ConnInfo::parse("")
        .with("host", m_socket_dir)
        .with("port", std::to_string(m_port))
        .with("user", k_database_user)
        .with("dbname", dbname);
}

std::string TestCluster::url(const std::string& dbname) const {
    return std::string("postgresql://") + k_database_user + "@/" + percent_encode(dbname) +
           "?host=" + percent_encode(m_socket_dir) + "&port=" + std::to_string(m_port);
}

void TestCluster::execute(const std::string& dbname, const std::string& sql) const {
    with_connection(*this, dbname, sql, [&](pqxx::nontransaction& tx) {
        tx.exec(sql);
        return 0;
    });
}

std::vector<std::vector<std::string>> TestCluster::query(const std::string& dbname, const std::string& sql) const {
    return with_connection(*this, dbname, sql, [&](pqxx::nontransaction& tx) {
        std::vector<std::vector<std::string>> rows;
        for (const auto& row : tx.exec(sql)) {
            std::vector<std::string> values;
            for (const auto& field : row) values.emplace_back(field.is_null() ? "\\N" : field.c_str());
            rows.push_back(std::move(values));
        }
        return rows;
    });
}

std::string TestCluster::query_value(const std::string& dbname, const std::string& sql) const {
    auto rows = query(dbname, sql);
    if (rows.empty() || rows.front().empty()) {
        throw std::runtime_error("test query returned no value in database \"" + dbname + "\": " + sql);
    }
    return rows.front().front();
}

void TestCluster::create_database(const std::string& name) const {
    execute("postgres", "CREATE DATABASE " + pg::quote_ident(name) + " TEMPLATE template1");
}

void TestCluster::drop_database(const std::string& name) const {
    execute("postgres", "DROP DATABASE IF EXISTS " + pg::quote_ident(name) + " WITH (FORCE)");
}

void TestCluster::wait_for_replay_of(const TestCluster& primary) const {
    // The insert position covers every record written so far, committed asynchronously or not
    // (synchronous_commit is off; the WAL writer flushes within wal_writer_delay).
    std::uint64_t target = parse_lsn(primary.query_value("postgres", "SELECT pg_current_wal_insert_lsn()"));
    // If the insert position sits just past a page header, the last record ended at the page
    // boundary, and that boundary is what the standby reports once it has replayed it.
    constexpr std::uint64_t k_page_size = 8192;
    constexpr std::uint64_t k_segment_size = 16 * 1024 * 1024;
    if (target % k_segment_size == 40) {
        target -= 40;
    } else if (target % k_page_size == 24) {
        target -= 24;
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    for (;;) {
        std::string replayed = query_value("postgres", "SELECT coalesce(pg_last_wal_replay_lsn()::text, '0/0')");
        if (parse_lsn(replayed) >= target) return;
        if (std::chrono::steady_clock::now() > deadline) {
            throw std::runtime_error("standby on port " + std::to_string(m_port) + " did not replay up to the primary's " +
                                     "WAL position within 120 s (replayed " + replayed + ")");
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

void TestCluster::run_sql_file(const std::string& dbname, const std::string& path) const {
    run_process_checked({m_bin_dir + "/psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d",
                         conninfo(dbname).keyword_string(), "-f", path});
}

std::vector<std::string> TestCluster::databases_like(const std::string& pattern) const {
    std::vector<std::string> names;
    for (const auto& row : query("postgres", "SELECT datname FROM pg_database WHERE datname LIKE " +
                                                 pg::quote_literal(pattern) + " ORDER BY 1"))
        names.push_back(row[0]);
    return names;
}

int TestCluster::port() const { return m_port; }
const std::string& TestCluster::socket_dir() const { return m_socket_dir; }
const std::string& TestCluster::root_dir() const { return m_root_dir; }
const std::string& TestCluster::data_dir() const { return m_data_dir; }
const std::string& TestCluster::bin_dir() const { return m_bin_dir; }

namespace {

// The fixture pair of this process. Members are destroyed in reverse order: standby first.
struct FixtureState {
    std::unique_ptr<TestCluster> primary;
    std::unique_ptr<TestCluster> standby;
    std::unique_ptr<FixtureServers> servers;
    std::string failure;  // a failed start is reported to every later test without retrying
    std::mutex mutex;
};

FixtureState& fixture_state() {
    static FixtureState state;
    return state;
}

void stop_fixture_servers() {
    auto& state = fixture_state();
    std::lock_guard<std::mutex> lock(state.mutex);
    state.servers.reset();
    state.standby.reset();
    state.primary.reset();
}

// Stops the fixture servers when the tests are done, while GoogleTest still reports problems.
class FixtureEnvironment : public ::testing::Environment {
public:
    void TearDown() override { stop_fixture_servers(); }
};

// GoogleTest takes ownership of the environment, hence the bare new.
[[maybe_unused]] const ::testing::Environment* const k_fixture_environment =
    ::testing::AddGlobalTestEnvironment(new FixtureEnvironment);

}  // namespace

FixtureServers& fixture_servers() {
    auto& state = fixture_state();
    std::lock_guard<std::mutex> lock(state.mutex);
    if (state.servers) return *state.servers;
    if (!state.failure.empty()) throw std::runtime_error("fixture servers failed to start earlier: " + state.failure);
    try {
        state.primary = TestCluster::start("fixture-primary");
        state.primary->create_database(k_fixture_database);
        const std::string fixture_file = std::string(UNDERSTUDY_TEST_DATA_DIR) + "/fixtures/fixture.sql";
        if (!fs::exists(fixture_file)) throw std::runtime_error("fixture file \"" + fixture_file + "\" not found");
        state.primary->run_sql_file(k_fixture_database, fixture_file);
        state.primary->execute(k_fixture_database, "VACUUM ANALYZE");
        state.standby = state.primary->start_standby("fixture-standby");
        state.standby->wait_for_replay_of(*state.primary);
        state.servers = std::make_unique<FixtureServers>(FixtureServers{*state.primary, *state.standby});
    } catch (const std::exception& error) {
        state.failure = error.what();
        state.standby.reset();
        state.primary.reset();
        throw;
    }
    return *state.servers;
}

}  // namespace understudy::testing
