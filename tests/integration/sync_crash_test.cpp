// Crash safety of `understudy sync` at its named pause points: killed there with SIGKILL, the live
// database is intact and accepting connections, no session or lock of the dead run remains, no temp
// file is left, and a rerun converges; continued instead, the run completes as if never paused.
// Verification failures injected into the half-built database through a paused sync stop promotion.
#include <gtest/gtest.h>

#include <stdlib.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <thread>

#include "background_process.hpp"
#include "db_checks.hpp"
#include "temp_file.hpp"
#include "test_cluster.hpp"

namespace understudy::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* k_live = "crash_live";
constexpr const char* k_new = "crash_live_understudy_new";
constexpr const char* k_prev_prefix = "crash_live_understudy_prev_";
// A source small enough that a full sync takes about a second, for points where the amount of data
// does not matter; copy and post-data points use the fixture, whose copy and index builds take time.
constexpr const char* k_small_source = "crash_source";
constexpr const char* k_secret = "a crash-test secret of some length";

constexpr const char* k_small_schema = R"sql(
CREATE TABLE public.accounts (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL);
CREATE TABLE public.users (
    id bigserial PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES public.accounts,
    email text NOT NULL UNIQUE
);
CREATE INDEX users_account_id_idx ON public.users (account_id);
CREATE TABLE public.events (id bigserial PRIMARY KEY, user_id bigint REFERENCES public.users, kind text NOT NULL);
INSERT INTO public.accounts (name) SELECT 'account ' || g FROM generate_series(1, 20) g;
INSERT INTO public.users (account_id, email) SELECT 1 + g % 20, 'crash' || g || '@corp.example' FROM generate_series(1, 300) g;
INSERT INTO public.events (user_id, kind) SELECT 1 + g % 300, 'kind ' || g % 7 FROM generate_series(1, 1000) g;
)sql";

// The small source is synced anonymized (so the coverage check has rules to enforce); the fixture
// as it is (rules for all its columns would add nothing to crash safety).
constexpr const char* k_small_config = R"yaml(
sync: {backend: postgres, full: true, keep: 1}
anonymize:
  default: fail
  tables:
    public.users:
      email: {fake: email, unique: true}
keep: [public.accounts, public.users.id, public.users.account_id, public.events]
)yaml";
constexpr const char* k_fixture_config = "sync: {backend: postgres, full: true, keep: 1}\n";

enum class Source { small, fixture };

const char* source_database(Source source) { return source == Source::small ? k_small_source : k_fixture_database; }

/// A fresh folder given to the child as TMPDIR (so its temp files, if any, are ours to find),
/// removed with everything in it afterwards.
class TempFolder {
public:
    TempFolder() {
        char pattern[] = "/tmp/understudy-crash-tmpdir-XXXXXX";
        if (!::mkdtemp(pattern)) throw std::runtime_error("mkdtemp failed");
        m_path = pattern;
    }
    ~TempFolder() {
        std::error_code ignored;
        std::filesystem::remove_all(m_path, ignored);
    }
    TempFolder(const TempFolder&) = delete;
    TempFolder& operator=(const TempFolder&) = delete;

    const std::string& path() const { return m_path; }
    /// The names of what the folder holds.
    std::vector<std::string> entries() const {
        std::vector<std::string> names;
        for (const auto& entry : std::filesystem::directory_iterator(m_path)) names.push_back(entry.path().filename());
        return names;
    }

private:
    std::string m_path;
};

std::vector<std::string> databases_like(const std::string& pattern) {
    return fixture_servers().primary.databases_like(pattern);
}

/// The companions of the live database: `_understudy_new` and `_understudy_prev_<n>`.
std::vector<std::string> companions() { return databases_like(std::string(k_live) + "\\_understudy\\_%"); }

/// The highest <n> of the `_prev_<n>` copies, 0 when there is none.
int highest_previous() {
    return std::stoi(fixture_servers().primary.query_value(
        "postgres", "SELECT coalesce(max(substr(datname, " + std::to_string(std::string(k_prev_prefix).size() + 1) +
                        ")::int), 0) FROM pg_database WHERE starts_with(datname, '" + k_prev_prefix + "')"));
}

std::string previous(int number) { return k_prev_prefix + std::to_string(number); }

/// Polls `condition` every 20 ms until it holds or `limit` passes; returns whether it held.
template <typename Condition>
bool eventually(Condition condition, std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
        if (condition()) return true;
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(20ms);
    }
}

/// How many sessions on the primary have an application_name and database LIKE the patterns.
std::string understudy_sessions(const std::string& application, const std::string& database) {
    return fixture_servers().primary.query_value(
        "postgres", "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE '" + application +
                        "' AND datname LIKE '" + database + "'");
}

/// Sessions understudy itself opened (pg_dump and pg_restore say so in their application_name),
/// and advisory locks (only a sync takes them on these test servers), on both servers.
std::string sessions_and_locks_of_understudy() {
    auto& servers = fixture_servers();
    const std::string sessions = "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'understudy'";
    return "primary sessions " + servers.primary.query_value("postgres", sessions) + ", standby sessions " +
           servers.standby.query_value("postgres", sessions) + ", advisory locks " +
           servers.primary.query_value("postgres", "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'");
}

class SyncRuns : public ::testing::Test {
public:
    static void SetUpTestSuite() {
        auto& servers = fixture_servers();
        drop_companions_and_live();
        servers.primary.drop_database(k_small_source);
        servers.primary.create_database(k_small_source);
        servers.primary.execute(k_small_source, k_small_schema);
        servers.primary.execute(k_small_source, "ANALYZE");
        servers.standby.wait_for_replay_of(servers.primary);
        servers.primary.create_database(k_live);
        s_small_config = std::make_unique<TempFile>(k_small_config);
        s_fixture_config = std::make_unique<TempFile>(k_fixture_config);
    }
    static void TearDownTestSuite() {
        s_small_config.reset();
        s_fixture_config.reset();
        drop_companions_and_live();
        fixture_servers().primary.drop_database(k_small_source);
    }

protected:
    static void drop_companions_and_live() {
        for (const auto& name : databases_like(std::string(k_live) + "%")) fixture_servers().primary.drop_database(name);
    }

    static std::vector<std::string> sync_argv(Source source) {
        auto& servers = fixture_servers();
        const auto& config = source == Source::small ? s_small_config : s_fixture_config;
        return {UNDERSTUDY_BINARY, "sync", "--source", servers.standby.url(source_database(source)),
                "--target", servers.primary.url(k_live), "--config", config->path()};
    }

    static std::map<std::string, std::string> child_env(const TempFolder& tmpdir, const std::string& pause_at = {}) {
        std::map<std::string, std::string> env{{"TMPDIR", tmpdir.path()}, {"UNDERSTUDY_SECRET", k_secret}};
        if (!pause_at.empty()) env["UNDERSTUDY_TEST_PAUSE_AT"] = pause_at;
        return env;
    }

    /// Leaves a row in the live database that no sync writes: finding it later proves that live is
    /// still the database it was (or, after a promotion, that the old live was kept as a previous copy).
    static void mark_live(const std::string& mark) {
        fixture_servers().primary.execute(
            k_live, "CREATE TABLE IF NOT EXISTS crash_marker (mark text); INSERT INTO crash_marker VALUES ('" + mark + "')");
    }

    static bool holds_mark(const std::string& database, const std::string& mark) {
        return fixture_servers().primary.query_value(
                   database, "SELECT count(*) FROM crash_marker WHERE mark = '" + mark + "'") == "1";
    }

    /// A fresh connection is accepted and the database allows connections.
    static bool accepts_connections(const std::string& database) {
        return fixture_servers().primary.query_value(
                   database, "SELECT datallowconn FROM pg_database WHERE datname = current_database()") == "t";
    }

    /// A complete, referentially intact copy of `source` is live.
    static void expect_live_is_copy_of(Source source, const std::string& when) {
        auto& servers = fixture_servers();
        EXPECT_EQ(fk_violations(servers.primary.conninfo(k_live)), std::vector<std::string>{}) << when;
        EXPECT_EQ(table_counts(servers.primary.conninfo(k_live)),
                  table_counts(servers.standby.conninfo(source_database(source))))
            << when;
    }

    /// Runs a sync to its end (with a time limit that fails rather than hangs).
    static CommandResult sync(Source source, const TempFolder& tmpdir) {
        BackgroundProcess run(sync_argv(source), child_env(tmpdir));
        return run.wait_for_exit(300s);
    }

    static std::unique_ptr<TempFile> s_small_config;
    static std::unique_ptr<TempFile> s_fixture_config;
};
std::unique_ptr<TempFile> SyncRuns::s_small_config;
std::unique_ptr<TempFile> SyncRuns::s_fixture_config;

// ---------------------------------------------------------------------------------------------
// Killed at a named point.

struct CrashPoint {
    const char* point;
    Source source;
    /// The swap has committed at this point: live is already the new copy.
    bool promoted = false;
    /// A pg_restore child may still be working when we die, and goes on without us.
    bool leaves_pg_restore = false;
};

std::string test_name(const ::testing::TestParamInfo<CrashPoint>& info) {
    std::string name = info.param.point;
    std::replace_if(name.begin(), name.end(), [](unsigned char c) { return !std::isalnum(c); }, '_');
    return name;
}

class SyncKilledAt : public SyncRuns, public ::testing::WithParamInterface<CrashPoint> {};

TEST_P(SyncKilledAt, LiveIntactNothingLeftRerunConverges) {
    const CrashPoint& crash = GetParam();
    auto& servers = fixture_servers();
    TempFolder tmpdir;
    mark_live(crash.point);
    const auto live_before = table_counts(servers.primary.conninfo(k_live));
    const int previous_before = highest_previous();

    {
        BackgroundProcess run(sync_argv(crash.source), child_env(tmpdir, crash.point));
        ASSERT_TRUE(run.wait_until_stopped(180s)) << "never paused at " << crash.point << ": " << run.describe();
        EXPECT_NE(run.describe().find(std::string("test pause at ") + crash.point), std::string::npos) << run.describe();
        EXPECT_EQ(run.kill_and_reap(), 128 + SIGKILL);
    }
    if (crash.leaves_pg_restore) {
        // pg_restore outlives us; when it is still building in the new database as the rerun
        // starts, the rerun drops the database from under it. Whether it is still there depends on
        // how much it had left, so this is recorded, not asserted; what must hold is below.
        const bool seen = eventually([] { return understudy_sessions("understudy pg_restore", k_new) != "0"; }, 2s);
        RecordProperty("leftover_pg_restore_seen", seen ? "yes" : "no");
    }

    EXPECT_EQ(tmpdir.entries(), std::vector<std::string>{}) << "temp files left by the killed run";
    EXPECT_TRUE(eventually([] { return sessions_and_locks_of_understudy() ==
                                       "primary sessions 0, standby sessions 0, advisory locks 0"; },
                           15s))
        << sessions_and_locks_of_understudy();
    ASSERT_TRUE(accepts_connections(k_live));
    if (crash.promoted) {
        // The swap committed before the kill: live is the complete new copy, the old one is kept.
        expect_live_is_copy_of(crash.source, "after a kill at " + std::string(crash.point));
        EXPECT_TRUE(holds_mark(previous(previous_before + 1), crash.point));
    } else {
        EXPECT_TRUE(holds_mark(k_live, crash.point)) << "live is not the database it was";
        EXPECT_EQ(table_counts(servers.primary.conninfo(k_live)), live_before);
    }

    // Whatever the dead run left (a half-built new database, a running pg_restore), a rerun converges.
    auto rerun = sync(crash.source, tmpdir);
    ASSERT_EQ(rerun.exit_code, 0) << "rerun after a kill at " << crash.point << ": " << rerun.err;
    expect_live_is_copy_of(crash.source, "after the rerun");
    EXPECT_EQ(companions(), std::vector<std::string>{previous(previous_before + (crash.promoted ? 2 : 1))});
    EXPECT_EQ(tmpdir.entries(), std::vector<std::string>{}) << "temp files left by the rerun";
    // A leftover pg_restore must not live on (in the rerun's database, say).
    EXPECT_TRUE(eventually([] { return understudy_sessions("understudy%", "%") == "0"; }, 10s))
        << understudy_sessions("understudy%", "%") << " sessions of understudy or its children left";
}

INSTANTIATE_TEST_SUITE_P(
    NamedPoints, SyncKilledAt,
    ::testing::Values(CrashPoint{"sync:guards_passed", Source::small},
                      CrashPoint{"sync:new_database_created", Source::small},
                      CrashPoint{"subset:pre_data_restored", Source::small},
                      CrashPoint{"copy:mid_table", Source::fixture},
                      CrashPoint{"subset:copied", Source::small},
                      CrashPoint{"spawned pg_restore --section=post-data", Source::fixture, false, true},
                      CrashPoint{"subset:post_data_restored", Source::small},
                      CrashPoint{"subset:analyzed", Source::small},
                      CrashPoint{"sync:verifying", Source::small},
                      CrashPoint{"sync:verified", Source::small},
                      CrashPoint{"postgres:before_rename", Source::small},
                      CrashPoint{"postgres:after_rename", Source::small, true},
                      CrashPoint{"sync:promoted", Source::small, true}),
    test_name);

// ---------------------------------------------------------------------------------------------
// Continued instead of killed: the pause itself changes nothing.

using SyncPaused = SyncRuns;

TEST_F(SyncPaused, ContinuedInsideTheSwapCompletesNormally) {
    TempFolder tmpdir;
    mark_live("continued");
    const int previous_before = highest_previous();
    BackgroundProcess run(sync_argv(Source::small), child_env(tmpdir, "postgres:before_rename"));
    ASSERT_TRUE(run.wait_until_stopped(120s)) << run.describe();
    run.resume();
    auto result = run.wait_for_exit(120s);
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_NE(result.err.find("test pause at postgres:before_rename"), std::string::npos) << result.err;
    expect_live_is_copy_of(Source::small, "after the continued run");
    EXPECT_TRUE(holds_mark(previous(previous_before + 1), "continued"));
    EXPECT_EQ(companions(), std::vector<std::string>{previous(previous_before + 1)});
    EXPECT_EQ(tmpdir.entries(), std::vector<std::string>{});
}

TEST_F(SyncPaused, SecondSyncWithWaitRunsOnceTheFirstReleasesTheLock) {
    TempFolder tmpdir;
    // The first run holds the lock, stopped just after its guards.
    BackgroundProcess first(sync_argv(Source::small), child_env(tmpdir, "sync:guards_passed"));
    ASSERT_TRUE(first.wait_until_stopped(120s)) << first.describe();
    // Without --wait the second stops at once with "locked".
    const auto argv = sync_argv(Source::small);
    auto refused = run_understudy(std::vector<std::string>(argv.begin() + 1, argv.end()), child_env(tmpdir));
    EXPECT_EQ(refused.exit_code, 13) << refused.err;
    // With --wait it waits for the lock, and runs once the first has finished.
    auto waiting_argv = argv;
    waiting_argv.push_back("--wait");
    BackgroundProcess second(waiting_argv, child_env(tmpdir));
    // Two seconds later it has neither stopped nor exited: it is waiting for the lock.
    EXPECT_FALSE(second.wait_until_stopped(2s));
    EXPECT_NE(second.describe().find("still running"), std::string::npos) << second.describe();
    first.resume();
    EXPECT_EQ(first.wait_for_exit(120s).exit_code, 0);
    auto waited = second.wait_for_exit(120s);
    EXPECT_EQ(waited.exit_code, 0) << waited.err;
    expect_live_is_copy_of(Source::small, "after the waiting run");
}

// ---------------------------------------------------------------------------------------------
// Verification failures injected through a sync paused inside verification (the source snapshot
// is open, the new database complete): exit 11, live untouched, the new database kept and named.

struct InjectedFailure {
    const char* name;
    const char* sql;       ///< run in the half-built new database while the sync is paused
    const char* expected;  ///< what the one-line message must say
};

std::string failure_name(const ::testing::TestParamInfo<InjectedFailure>& info) { return info.param.name; }

class SyncVerificationFails : public SyncRuns, public ::testing::WithParamInterface<InjectedFailure> {};

TEST_P(SyncVerificationFails, StopsPromotionKeepsNewDatabase) {
    const InjectedFailure& failure = GetParam();
    auto& servers = fixture_servers();
    TempFolder tmpdir;
    // A first sync makes live a copy with its own previous copy, as on a real server.
    ASSERT_EQ(sync(Source::small, tmpdir).exit_code, 0);
    mark_live(failure.name);
    const auto live_before = table_counts(servers.primary.conninfo(k_live));
    const auto companions_before = companions();

    BackgroundProcess run(sync_argv(Source::small), child_env(tmpdir, "sync:verifying"));
    ASSERT_TRUE(run.wait_until_stopped(120s)) << run.describe();
    servers.primary.execute(k_new, failure.sql);
    run.resume();
    auto result = run.wait_for_exit(120s);

    ASSERT_EQ(result.exit_code, 11) << result.err;
    const std::string line_start = "error: verification failed for \"" + std::string(k_new) + "\": ";
    const auto at = result.err.find(line_start);
    ASSERT_NE(at, std::string::npos) << result.err;
    const std::string line = result.err.substr(at, result.err.find('\n', at) - at);
    EXPECT_NE(line.find(failure.expected), std::string::npos) << line;
    EXPECT_NE(result.err.find("the new database is kept for inspection"), std::string::npos) << result.err;

    EXPECT_TRUE(holds_mark(k_live, failure.name)) << "live was replaced";
    EXPECT_EQ(table_counts(servers.primary.conninfo(k_live)), live_before);
    auto expected_companions = companions_before;
    expected_companions.push_back(k_new);
    std::sort(expected_companions.begin(), expected_companions.end());
    EXPECT_EQ(companions(), expected_companions) << "the new database is kept, nothing promoted or dropped";
    EXPECT_EQ(tmpdir.entries(), std::vector<std::string>{});
}

INSTANTIATE_TEST_SUITE_P(
    Injected, SyncVerificationFails,
    ::testing::Values(
        // session_replication_role = replica skips the FK triggers, as a buggy loader could.
        InjectedFailure{"ForeignKeyViolation",
                        "SET session_replication_role = replica; UPDATE public.events SET user_id = 999999 WHERE id = 1",
                        "foreign key \"events_user_id_fkey\" on \"public.events\" is violated by 1 row"},
        InjectedFailure{"MissingIndex", "DROP INDEX public.users_account_id_idx",
                        "schema differs from the source: index \"public.users_account_id_idx\" is missing"},
        // The rules cover the snapshot's columns; a column they do not know must stop the promotion.
        InjectedFailure{"UnclassifiedColumn", "ALTER TABLE public.users ADD COLUMN phone text DEFAULT '555-0100'",
                        "column \"public.users.phone\" has no anonymization rule"}),
    failure_name);

}  // namespace
}  // namespace understudy::testing
