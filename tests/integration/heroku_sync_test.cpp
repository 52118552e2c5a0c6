// `understudy sync` with `backend: heroku`, end to end: the real CLI against the fake Heroku API,
// whose add-ons are real databases on the test primary, so the sync really loads, verifies and
// promotes them. Exact API calls, what DATABASE points at, what is kept and destroyed, reruns after
// a kill at each step between creating the add-on and detaching UNDERSTUDY_NEW, and no secret in any
// output.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "background_process.hpp"
#include "db_checks.hpp"
#include "fake_heroku_api.hpp"
#include "temp_file.hpp"
#include "test_cluster.hpp"

namespace understudy::testing {
namespace {

using namespace std::chrono_literals;
using Calls = std::vector<std::string>;
using Attachments = std::map<std::string, std::string>;

constexpr const char* k_source = "heroku_source";
constexpr const char* k_app = "staging";
constexpr const char* k_api_key = "hrku-e2e-key-5d0c9a17b3e6";
constexpr const char* k_database_password = "addon-password-93b1f0";
constexpr const char* k_secret = "a heroku sync test secret of some length";

constexpr const char* k_source_schema = R"sql(
CREATE TABLE public.accounts (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL);
CREATE TABLE public.users (
    id bigserial PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES public.accounts,
    email text NOT NULL UNIQUE
);
CREATE TABLE public.events (id bigserial PRIMARY KEY, user_id bigint REFERENCES public.users, kind text NOT NULL);
INSERT INTO public.accounts (name) SELECT 'account ' || g FROM generate_series(1, 20) g;
INSERT INTO public.users (account_id, email) SELECT 1 + g % 20, 'person' || g || '@corp.example' FROM generate_series(1, 300) g;
INSERT INTO public.events (user_id, kind) SELECT 1 + g % 300, 'kind ' || g % 7 FROM generate_series(1, 1000) g;
)sql";

/// The database of add-on `addon_name` on the test primary (add-on names hold dashes).
std::string database_of(const std::string& addon_name) {
    std::string name = "heroku_" + addon_name;
    std::replace(name.begin(), name.end(), '-', '_');
    return name;
}

std::vector<std::string> heroku_databases() {
    std::vector<std::string> names;
    for (const auto& row : fixture_servers().primary.query(
             "postgres", "SELECT datname FROM pg_database WHERE datname LIKE 'heroku\\_postgresql\\_%' ORDER BY 1"))
        names.push_back(row[0]);
    return names;
}

std::string read_text(const std::string& path) {
    std::ifstream stream(path);
    std::stringstream text;
    text << stream.rdbuf();
    return text.str();
}

/// The sync configuration: a full, anonymized copy of the source into the app's DATABASE, keep 1.
std::string config_text(const std::string& more_sync_settings) {
    return std::string("source: ") + fixture_servers().standby.url(k_source) + "\n" +
           "sync:\n"
           "  backend: heroku\n"
           "  full: true\n"
           "  keep: 1\n" +
           more_sync_settings + "  heroku: {app: " + k_app + ", plan: essential-0}\n" +
           "anonymize:\n"
           "  default: fail\n"
           "  tables:\n"
           "    public.users: {email: {fake: email, unique: true}}\n"
           "keep: [public.accounts, public.users.id, public.users.account_id, public.events]\n";
}

class HerokuSync : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        auto& servers = fixture_servers();
        servers.primary.drop_database(k_source);
        servers.primary.create_database(k_source);
        servers.primary.execute(k_source, k_source_schema);
        servers.primary.execute(k_source, "ANALYZE");
    }
    static void TearDownTestSuite() { fixture_servers().primary.drop_database(k_source); }

    void SetUp() override {
        auto& servers = fixture_servers();
        for (const auto& name : heroku_databases()) servers.primary.drop_database(name);
        // Every add-on gets a database of its own on the test primary; its URL carries a password
        // (the server trusts the socket and ignores it), which must never be printed.
        m_fake.set_database_provider(
            {[&servers](const std::string& addon_name) {
                 const std::string database = database_of(addon_name);
                 servers.primary.create_database(database);
                 std::string url = servers.primary.url(database);
                 return url.insert(url.find('@'), std::string(":") + k_database_password);
             },
             [&servers](const std::string& addon_name) { servers.primary.drop_database(database_of(addon_name)); }});
        m_fake.add_app(k_app);
        m_fake.add_database(k_app, "postgresql-live", "DATABASE");  // addon-1, attachment-2
        m_fake.set_provisioning_polls(0);  // the CLI polls every 5 s
        servers.primary.execute(database_of("postgresql-live"),
                                "CREATE TABLE marker (what text); INSERT INTO marker VALUES ('live before any sync')");
        servers.standby.wait_for_replay_of(servers.primary);
        m_expected_counts = table_counts(servers.standby.conninfo(k_source));
    }
    void TearDown() override {
        for (const auto& name : heroku_databases()) fixture_servers().primary.drop_database(name);
    }

    std::vector<std::string> sync_args() const {
        return {"sync", "--config", m_config.path(), "--report", m_report.path()};
    }

    /// The environment of a Scheduler dyno: the API key, the app's DATABASE_URL as it is now; here
    /// also where the API is.
    std::map<std::string, std::string> sync_env() const {
        return {{"HEROKU_API_KEY", k_api_key},
                {"HEROKU_API_URL", m_fake.base_url()},
                {"HEROKU_DATA_API_URL", m_fake.base_url()},
                {"DATABASE_URL", m_fake.config_vars(k_app).at("DATABASE_URL")},
                {"UNDERSTUDY_SECRET", k_secret}};
    }

    CommandResult sync() const { return run_understudy(sync_args(), sync_env()); }

    /// The connection to what `attachment` (DATABASE, UNDERSTUDY_PREVIOUS, ...) points at now.
    pg::ConnInfo attached(const std::string& attachment) const {
        return pg::ConnInfo::parse(m_fake.config_vars(k_app).at(attachment + "_URL"), attachment + "_URL");
    }

    /// The database `attachment` points at holds the source's rows, anonymized, and FK-intact.
    void expect_copy_of_the_source(const std::string& attachment) const {
        const pg::ConnInfo database = attached(attachment);
        EXPECT_EQ(table_counts(database), m_expected_counts) << attachment;
        EXPECT_TRUE(fk_violations(database).empty()) << attachment;
        EXPECT_EQ(fixture_servers().primary.query_value(database.get("dbname").value_or(""),
                                                        "SELECT count(*) FROM users WHERE email LIKE '%@corp.example'"),
                  "0")
            << attachment << " holds original e-mail addresses";
    }

    std::string live_marker() const {
        return fixture_servers().primary.query_value(database_of("postgresql-live"), "SELECT what FROM marker");
    }

    /// No secret in what the run printed or in its report.
    void expect_no_secret(const CommandResult& result) const {
        const std::string everything = result.out + "\n" + result.err + "\n" + read_text(m_report.path());
        for (const char* secret : {k_api_key, k_database_password, k_secret}) {
            EXPECT_EQ(everything.find(secret), std::string::npos) << "\"" << secret << "\" in:\n" << everything;
        }
    }

    FakeHerokuApi m_fake;
    TempFile m_config{config_text("")};
    TempFile m_report{""};
    std::map<std::string, std::int64_t> m_expected_counts;
};

TEST_F(HerokuSync, FirstSyncLoadsVerifiesAndAttachesTheNewDatabase) {
    CommandResult result = sync();
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(m_fake.calls(), (Calls{
                                  "GET /apps/staging/config-vars",  // the live DATABASE_URL, for the guards
                                  "GET /apps/staging/addon-attachments",  // live's add-on, for protect:
                                  // prepare_new_database
                                  "GET /apps/staging/addon-attachments",
                                  "POST /apps/staging/addons",
                                  "GET /client/v11/databases/addon-3/wait_status",
                                  "GET /apps/staging/config-vars",  // UNDERSTUDY_NEW_URL: load and verify it
                                  "GET /apps/staging/addon-attachments",  // the new add-on, for protect:
                                  // promote, in pg:promote's order
                                  "GET /apps/staging/addon-attachments",
                                  "POST /addon-attachments",  // live as UNDERSTUDY_PREVIOUS
                                  "GET /client/v11/databases/addon-3/wait_status",
                                  "POST /addon-attachments",                 // new as DATABASE
                                  "DELETE /addon-attachments/attachment-4",  // UNDERSTUDY_NEW
                                  // drop_old(1): nothing older than the one kept
                                  "GET /apps/staging/addon-attachments",
                              }));
    EXPECT_EQ(m_fake.attachments_of(k_app),
              (Attachments{{"DATABASE", "postgresql-fake-3"}, {"UNDERSTUDY_PREVIOUS", "postgresql-live"}}));
    expect_copy_of_the_source("DATABASE");
    EXPECT_EQ(attached("UNDERSTUDY_PREVIOUS").get("dbname"), database_of("postgresql-live"));
    EXPECT_EQ(live_marker(), "live before any sync");
    EXPECT_NE(result.out.find("attached add-on \"postgresql-fake-3\" as DATABASE on app \"staging\"; add-on "
                              "\"postgresql-live\" kept as UNDERSTUDY_PREVIOUS"),
              std::string::npos)
        << result.out;
    nlohmann::json report = nlohmann::json::parse(read_text(m_report.path()));
    EXPECT_EQ(report.value("backend", ""), "heroku");
    EXPECT_TRUE(report["verification"].is_object()) << report.dump(2);
    for (const auto& authorization : m_fake.authorizations()) EXPECT_EQ(authorization, std::string("Bearer ") + k_api_key);
    expect_no_secret(result);
}

TEST_F(HerokuSync, SecondSyncKeepsOneAndDestroysTheOldest) {
    ASSERT_EQ(sync().exit_code, 0);
    m_fake.clear_calls();
    CommandResult second = sync();
    ASSERT_EQ(second.exit_code, 0) << second.err;
    EXPECT_EQ(m_fake.calls(), (Calls{
                                  "GET /apps/staging/config-vars",
                                  "GET /apps/staging/addon-attachments",
                                  "GET /apps/staging/addon-attachments",
                                  "POST /apps/staging/addons",  // addon-7
                                  "GET /client/v11/databases/addon-7/wait_status",
                                  "GET /apps/staging/config-vars",
                                  "GET /apps/staging/addon-attachments",
                                  "GET /apps/staging/addon-attachments",
                                  "POST /addon-attachments",                 // UNDERSTUDY_PREVIOUS as _2
                                  "DELETE /addon-attachments/attachment-5",  // old UNDERSTUDY_PREVIOUS
                                  "POST /addon-attachments",                 // live as UNDERSTUDY_PREVIOUS
                                  "GET /client/v11/databases/addon-7/wait_status",
                                  "POST /addon-attachments",                 // new as DATABASE
                                  "DELETE /addon-attachments/attachment-8",  // UNDERSTUDY_NEW
                                  "GET /apps/staging/addon-attachments",
                                  "DELETE /apps/staging/addons/addon-1",  // beyond keep: 1
                              }));
    EXPECT_EQ(m_fake.attachments_of(k_app),
              (Attachments{{"DATABASE", "postgresql-fake-7"}, {"UNDERSTUDY_PREVIOUS", "postgresql-fake-3"}}));
    EXPECT_EQ(m_fake.addon_names(), (std::vector<std::string>{"postgresql-fake-3", "postgresql-fake-7"}));
    EXPECT_EQ(heroku_databases(), (std::vector<std::string>{database_of("postgresql-fake-3"), database_of("postgresql-fake-7")}))
        << "the destroyed add-on's database is gone";
    expect_copy_of_the_source("DATABASE");
    expect_copy_of_the_source("UNDERSTUDY_PREVIOUS");
    EXPECT_NE(second.out.find("dropped \"destroyed add-on \"postgresql-live\" (was UNDERSTUDY_PREVIOUS_2)\""),
              std::string::npos)
        << second.out;
    expect_no_secret(second);
}

TEST_F(HerokuSync, GuardsRefuseBeforeAnyAddonIsCreated) {
    // Every add-on database lives on the test primary: protecting its socket directory protects live.
    TempFile protect(config_text("  protect: [\"" + fixture_servers().primary.socket_dir() + "\"]\n"));
    CommandResult refused = run_understudy({"sync", "--config", protect.path()}, sync_env());
    EXPECT_EQ(refused.exit_code, 10) << refused.err;
    EXPECT_EQ(m_fake.calls(), (Calls{"GET /apps/staging/config-vars", "GET /apps/staging/addon-attachments"}))
        << "no add-on is paid for";
    EXPECT_EQ(m_fake.addon_names(), (std::vector<std::string>{"postgresql-live"}));
    EXPECT_EQ(refused.err.find(k_database_password), std::string::npos) << refused.err;
    EXPECT_EQ(refused.err.find(k_api_key), std::string::npos) << refused.err;

    // The production add-on named in protect: (by name, or by id) is refused the same way: the
    // server cannot tell which add-on it is, the API can.
    for (const std::string entry : {"postgresql-live", "addon-1"}) {
        m_fake.clear_calls();
        TempFile by_addon(config_text("  protect: [\"" + entry + "\"]\n"));
        CommandResult refused_addon = run_understudy({"sync", "--config", by_addon.path()}, sync_env());
        EXPECT_EQ(refused_addon.exit_code, 10) << entry << ": " << refused_addon.err;
        EXPECT_EQ(m_fake.addon_names(), (std::vector<std::string>{"postgresql-live"}));
    }
}

/// A sync killed at `point`, what it leaves attached, and what its rerun does.
struct CrashCase {
    const char* point;
    Attachments after_kill;
    Calls rerun_calls;
    Attachments after_rerun;
    std::vector<std::string> addons_after_rerun;
};

void PrintTo(const CrashCase& crash, std::ostream* out) { *out << crash.point; }

class HerokuSyncCrash : public HerokuSync, public ::testing::WithParamInterface<CrashCase> {};

TEST_P(HerokuSyncCrash, RerunAfterAKillConverges) {
    const CrashCase& crash = GetParam();
    {
        std::vector<std::string> argv = {UNDERSTUDY_BINARY};
        for (const auto& arg : sync_args()) argv.push_back(arg);
        auto env = sync_env();
        env["UNDERSTUDY_TEST_PAUSE_AT"] = crash.point;
        BackgroundProcess run(argv, env);
        ASSERT_TRUE(run.wait_until_stopped(60s)) << run.describe();
        run.kill_and_reap();
    }
    EXPECT_EQ(m_fake.attachments_of(k_app), crash.after_kill);
    EXPECT_EQ(live_marker(), "live before any sync") << "the killed run changed the old live database";
    if (crash.after_kill.at("DATABASE") != "postgresql-live") expect_copy_of_the_source("DATABASE");

    // The killed run's sync lock goes with its session, once the server has noticed the closed socket.
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (fixture_servers().primary.query_value(
               "postgres", "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'understudy%'") != "0") {
        ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "the killed run's sessions remain";
        std::this_thread::sleep_for(20ms);
    }

    m_fake.clear_calls();
    CommandResult rerun = sync();
    ASSERT_EQ(rerun.exit_code, 0) << rerun.err;
    EXPECT_EQ(m_fake.calls(), crash.rerun_calls);
    EXPECT_EQ(m_fake.attachments_of(k_app), crash.after_rerun);
    EXPECT_EQ(m_fake.addon_names(), crash.addons_after_rerun);
    expect_copy_of_the_source("DATABASE");
    if (crash.after_rerun.at("UNDERSTUDY_PREVIOUS") != "postgresql-live") {
        expect_copy_of_the_source("UNDERSTUDY_PREVIOUS");  // the database that was live was never emptied
    }
    expect_no_secret(rerun);
}

// The killed run created addon-3 (attached as UNDERSTUDY_NEW: attachment-4).
INSTANTIATE_TEST_SUITE_P(
    BetweenCreateAndDetach, HerokuSyncCrash,
    ::testing::Values(
        // (Each run reads the attachments once more after each config-vars: the add-on of the
        // live database, then of the new one, for the protect: guard.)
        // Loaded and verified, not attached: the rerun reuses UNDERSTUDY_NEW (no second add-on),
        // empties and reloads it, and promotes it.
        CrashCase{"sync:verified",
                  {{"DATABASE", "postgresql-live"}, {"UNDERSTUDY_NEW", "postgresql-fake-3"}},
                  {"GET /apps/staging/config-vars", "GET /apps/staging/addon-attachments", "GET /apps/staging/addon-attachments",
                   "GET /client/v11/databases/addon-3/wait_status", "GET /apps/staging/config-vars",
                   "GET /apps/staging/addon-attachments", "GET /apps/staging/addon-attachments", "POST /addon-attachments",
                   "GET /client/v11/databases/addon-3/wait_status", "POST /addon-attachments",
                   "DELETE /addon-attachments/attachment-4", "GET /apps/staging/addon-attachments"},
                  {{"DATABASE", "postgresql-fake-3"}, {"UNDERSTUDY_PREVIOUS", "postgresql-live"}},
                  {"postgresql-fake-3", "postgresql-live"}},
        // Live already kept as UNDERSTUDY_PREVIOUS, new not yet DATABASE: the rerun reuses the add-on
        // and does not add a second handle to live.
        CrashCase{"heroku:before_attach",
                  {{"DATABASE", "postgresql-live"}, {"UNDERSTUDY_NEW", "postgresql-fake-3"},
                   {"UNDERSTUDY_PREVIOUS", "postgresql-live"}},
                  {"GET /apps/staging/config-vars", "GET /apps/staging/addon-attachments", "GET /apps/staging/addon-attachments",
                   "GET /client/v11/databases/addon-3/wait_status", "GET /apps/staging/config-vars",
                   "GET /apps/staging/addon-attachments", "GET /apps/staging/addon-attachments", "GET /client/v11/databases/addon-3/wait_status",
                   "POST /addon-attachments", "DELETE /addon-attachments/attachment-4",
                   "GET /apps/staging/addon-attachments"},
                  {{"DATABASE", "postgresql-fake-3"}, {"UNDERSTUDY_PREVIOUS", "postgresql-live"}},
                  {"postgresql-fake-3", "postgresql-live"}},
        // The new add-on is DATABASE and still UNDERSTUDY_NEW: the rerun must not empty it (it is
        // live now); it lets go of UNDERSTUDY_NEW, builds in a second add-on, keeps the first as
        // UNDERSTUDY_PREVIOUS and destroys the original beyond keep: 1.
        CrashCase{"heroku:after_attach",
                  {{"DATABASE", "postgresql-fake-3"}, {"UNDERSTUDY_NEW", "postgresql-fake-3"},
                   {"UNDERSTUDY_PREVIOUS", "postgresql-live"}},
                  {"GET /apps/staging/config-vars", "GET /apps/staging/addon-attachments", "GET /apps/staging/addon-attachments",
                   "DELETE /addon-attachments/attachment-4", "POST /apps/staging/addons",
                   "GET /client/v11/databases/addon-7/wait_status", "GET /apps/staging/config-vars",
                   "GET /apps/staging/addon-attachments", "GET /apps/staging/addon-attachments", "POST /addon-attachments",
                   "DELETE /addon-attachments/attachment-5", "POST /addon-attachments",
                   "GET /client/v11/databases/addon-7/wait_status", "POST /addon-attachments",
                   "DELETE /addon-attachments/attachment-8", "GET /apps/staging/addon-attachments",
                   "DELETE /apps/staging/addons/addon-1"},
                  {{"DATABASE", "postgresql-fake-7"}, {"UNDERSTUDY_PREVIOUS", "postgresql-fake-3"}},
                  {"postgresql-fake-3", "postgresql-fake-7"}}),
    [](const ::testing::TestParamInfo<CrashCase>& info) {
        std::string name = info.param.point;
        std::replace_if(name.begin(), name.end(), [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); }, '_');
        return name;
    });

}  // namespace
}  // namespace understudy::testing
