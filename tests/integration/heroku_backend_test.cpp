// Heroku backend against the local fake API: exact call sequences (fresh run, reruns after crashes), errors, no key in any text.
#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>

#include "fake_heroku_api.hpp"
#include "understudy/error.hpp"
#include "understudy/orchestrator/promotion/heroku_backend.hpp"

namespace understudy::orchestrator {
namespace {

using Calls = std::vector<std::string>;
using Attachments = std::map<std::string, std::string>;

constexpr const char* k_key = "hrku-test-key-4f1d9c0b7e2a";

class HerokuBackendTest : public ::testing::Test {
protected:
    void SetUp() override {
        m_fake.add_app("staging");
        m_fake.add_app("production");
        m_fake.add_database("staging", "postgresql-live", "DATABASE");  // addon-1, attachment-2
        m_fake.set_provisioning_polls(2);
    }

    HerokuApiSettings api_settings() const {
        HerokuApiSettings settings;
        settings.platform_url = m_fake.base_url();
        settings.data_url = m_fake.base_url() + "/";
        settings.api_key = k_key;
        settings.max_attempts = 3;
        settings.first_backoff = std::chrono::milliseconds(1);
        return settings;
    }

    HerokuBackend backend() const {
        HerokuSettings settings;
        settings.app = "staging";
        settings.plan = "essential-0";
        settings.poll_interval = std::chrono::milliseconds(1);
        settings.wait_timeout = std::chrono::seconds(30);
        return HerokuBackend(settings, HerokuApi(api_settings()));
    }

    /// The message of the Error `action` throws (fails the test when it throws none).
    template <typename Action>
    std::string error_of(Action action, ExitCode expected_code = ExitCode::target) {
        try {
            action();
        } catch (const Error& error) {
            EXPECT_EQ(error.code(), expected_code) << error.what();
            EXPECT_EQ(std::string(error.what()).find(k_key), std::string::npos) << error.what();
            EXPECT_EQ(error.hint().find(k_key), std::string::npos) << error.hint();
            return error.what();
        }
        ADD_FAILURE() << "no error thrown";
        return {};
    }

    understudy::testing::FakeHerokuApi m_fake;
};

TEST_F(HerokuBackendTest, FreshRunMakesExactlyPgPromotesCalls) {
    HerokuBackend heroku = backend();
    pg::ConnInfo target = heroku.prepare_new_database();
    EXPECT_EQ(target.get("host").value_or(""), "db-postgresql-fake-3.example.com");
    EXPECT_EQ(target.redacted().find("secret"), std::string::npos);
    std::string promoted = heroku.promote();
    std::vector<std::string> dropped = heroku.drop_old(1);

    EXPECT_EQ(m_fake.calls(), (Calls{
                                  // prepare_new_database
                                  "GET /apps/staging/addon-attachments",
                                  "POST /apps/staging/addons",
                                  "GET /client/v11/databases/addon-3/wait_status",  // 404: provisioning
                                  "GET /client/v11/databases/addon-3/wait_status",  // 404
                                  "GET /client/v11/databases/addon-3/wait_status",  // available
                                  "GET /apps/staging/config-vars",
                                  // promote, in pg:promote's order
                                  "GET /apps/staging/addon-attachments",
                                  "POST /addon-attachments",  // old as UNDERSTUDY_PREVIOUS
                                  "GET /client/v11/databases/addon-3/wait_status",
                                  "POST /addon-attachments",  // new as DATABASE, confirm
                                  "DELETE /addon-attachments/attachment-4",  // UNDERSTUDY_NEW
                                  // drop_old(1): nothing older than the one kept
                                  "GET /apps/staging/addon-attachments",
                              }));
    EXPECT_EQ(m_fake.attachments_of("staging"),
              (Attachments{{"DATABASE", "postgresql-fake-3"}, {"UNDERSTUDY_PREVIOUS", "postgresql-live"}}));
    EXPECT_EQ(promoted,
              "attached add-on \"postgresql-fake-3\" as DATABASE on app \"staging\"; add-on \"postgresql-live\" "
              "kept as UNDERSTUDY_PREVIOUS");
    EXPECT_TRUE(dropped.empty());
    EXPECT_EQ(heroku.live_database().get("host").value_or(""), "db-postgresql-fake-3.example.com");
    for (const auto& authorization : m_fake.authorizations()) {
        EXPECT_EQ(authorization, std::string("Bearer ") + k_key);
    }
}

TEST_F(HerokuBackendTest, SecondRunShiftsPreviousAndDestroysTheOldest) {
    HerokuBackend heroku = backend();
    heroku.prepare_new_database();
    heroku.promote();
    heroku.drop_old(1);
    m_fake.clear_calls();

    heroku.prepare_new_database();  // addon-7
    heroku.promote();
    std::vector<std::string> dropped = heroku.drop_old(1);

    Calls calls = m_fake.calls();
    Calls promote_and_drop(calls.begin() + 6, calls.end());
    EXPECT_EQ(promote_and_drop, (Calls{
                                    "GET /apps/staging/addon-attachments",
                                    "POST /addon-attachments",                  // UNDERSTUDY_PREVIOUS as _2
                                    "DELETE /addon-attachments/attachment-5",   // old UNDERSTUDY_PREVIOUS
                                    "POST /addon-attachments",                  // live as UNDERSTUDY_PREVIOUS
                                    "GET /client/v11/databases/addon-7/wait_status",
                                    "POST /addon-attachments",                  // new as DATABASE
                                    "DELETE /addon-attachments/attachment-8",   // UNDERSTUDY_NEW
                                    "GET /apps/staging/addon-attachments",
                                    "DELETE /apps/staging/addons/addon-1",
                                }));
    EXPECT_EQ(dropped, (std::vector<std::string>{
                           "destroyed add-on \"postgresql-live\" (was UNDERSTUDY_PREVIOUS_2)"}));
    EXPECT_EQ(m_fake.attachments_of("staging"),
              (Attachments{{"DATABASE", "postgresql-fake-7"}, {"UNDERSTUDY_PREVIOUS", "postgresql-fake-3"}}));
    EXPECT_EQ(m_fake.addon_names(), (std::vector<std::string>{"postgresql-fake-3", "postgresql-fake-7"}));
}

TEST_F(HerokuBackendTest, RerunAfterCrashBetweenCreateAndAttachReusesTheAddon) {
    backend().prepare_new_database();  // the crashed run: created, maybe loaded, never attached
    m_fake.clear_calls();

    HerokuBackend heroku = backend();
    pg::ConnInfo target = heroku.prepare_new_database();
    EXPECT_EQ(target.get("host").value_or(""), "db-postgresql-fake-3.example.com");
    heroku.promote();
    heroku.drop_old(1);
    EXPECT_EQ(m_fake.calls(), (Calls{
                                  "GET /apps/staging/addon-attachments",
                                  "GET /client/v11/databases/addon-3/wait_status",  // no second create
                                  "GET /apps/staging/config-vars",
                                  "GET /apps/staging/addon-attachments",
                                  "POST /addon-attachments",
                                  "GET /client/v11/databases/addon-3/wait_status",
                                  "POST /addon-attachments",
                                  "DELETE /addon-attachments/attachment-4",
                                  "GET /apps/staging/addon-attachments",
                              }));
    EXPECT_EQ(m_fake.addon_names(), (std::vector<std::string>{"postgresql-fake-3", "postgresql-live"}));
}

TEST_F(HerokuBackendTest, RerunAfterCrashBetweenAttachAndDetachNeverEmptiesTheLiveDatabase) {
    HerokuBackend heroku = backend();
    heroku.prepare_new_database();
    // The crashed promote got as far as step 4: the new add-on is DATABASE and still UNDERSTUDY_NEW.
    m_fake.attach("staging", "addon-1", "UNDERSTUDY_PREVIOUS");
    m_fake.attach("staging", "addon-3", "DATABASE");
    m_fake.clear_calls();

    pg::ConnInfo target = heroku.prepare_new_database();
    EXPECT_NE(target.get("host").value_or(""), "db-postgresql-fake-3.example.com");
    Calls calls = m_fake.calls();
    ASSERT_GE(calls.size(), 3U);
    EXPECT_EQ(calls[1], "DELETE /addon-attachments/attachment-4");  // finishes the earlier promote
    EXPECT_EQ(calls[2], "POST /apps/staging/addons");
    EXPECT_EQ(m_fake.attachments_of("staging").at("DATABASE"), "postgresql-fake-3");
}

TEST_F(HerokuBackendTest, RollbackSwapsLiveAndPrevious) {
    HerokuBackend heroku = backend();
    heroku.prepare_new_database();
    heroku.promote();
    m_fake.clear_calls();

    std::string line = heroku.rollback();
    EXPECT_EQ(m_fake.calls(), (Calls{
                                  "GET /apps/staging/addon-attachments",
                                  "POST /addon-attachments",  // live as UNDERSTUDY_ROLLBACK
                                  "GET /client/v11/databases/addon-1/wait_status",
                                  "POST /addon-attachments",  // previous as DATABASE
                                  "POST /addon-attachments",  // old live as UNDERSTUDY_PREVIOUS
                                  "DELETE /addon-attachments/attachment-7",
                              }));
    EXPECT_EQ(m_fake.attachments_of("staging"),
              (Attachments{{"DATABASE", "postgresql-live"}, {"UNDERSTUDY_PREVIOUS", "postgresql-fake-3"}}));
    EXPECT_EQ(line,
              "attached add-on \"postgresql-live\" as DATABASE on app \"staging\"; add-on \"postgresql-fake-3\" "
              "kept as UNDERSTUDY_PREVIOUS");
}

TEST_F(HerokuBackendTest, PromoteMovesTheConnectionPoolerToTheNewDatabase) {
    m_fake.attach("staging", "addon-1", "DATABASE_CONNECTION_POOL");  // attachment-3
    HerokuBackend heroku = backend();
    heroku.prepare_new_database();  // addon-4, attachment-5
    m_fake.clear_calls();
    heroku.promote();
    EXPECT_EQ(m_fake.calls(), (Calls{
                                  "GET /apps/staging/addon-attachments",
                                  "POST /addon-attachments",
                                  "GET /client/v11/databases/addon-4/wait_status",
                                  "POST /addon-attachments",
                                  "DELETE /addon-attachments/attachment-3",  // the pooler of the old one
                                  "POST /client/v11/databases/addon-4/connection-pooling",
                                  "DELETE /addon-attachments/attachment-5",
                              }));
    EXPECT_EQ(m_fake.attachments_of("staging"),
              (Attachments{{"DATABASE", "postgresql-fake-4"},
                           {"DATABASE_CONNECTION_POOL", "postgresql-fake-4"},
                           {"UNDERSTUDY_PREVIOUS", "postgresql-live"}}));
}

TEST_F(HerokuBackendTest, PromoteWaitsForTheReleasePhase) {
    m_fake.set_release_phase("succeeded");
    HerokuBackend heroku = backend();
    heroku.prepare_new_database();
    m_fake.clear_calls();
    heroku.promote();
    Calls calls = m_fake.calls();
    ASSERT_EQ(calls.size(), 7U);
    EXPECT_EQ(calls[4], "GET /apps/staging/releases/release-7");  // pending
    EXPECT_EQ(calls[5], "GET /apps/staging/releases/release-7");  // succeeded
    EXPECT_EQ(calls[6], "DELETE /addon-attachments/attachment-4");
}

TEST_F(HerokuBackendTest, FailedReleasePhaseIsAClearError) {
    m_fake.set_release_phase("failed");
    HerokuBackend heroku = backend();
    heroku.prepare_new_database();
    EXPECT_EQ(error_of([&] { heroku.promote(); }),
              "heroku: the release phase of app \"staging\" failed after the database was attached");
}

TEST_F(HerokuBackendTest, DropOldNeverDestroysAnAddonOfAnotherAppOrInUse) {
    std::string follower = m_fake.add_database("production", "postgresql-follower", "HEROKU_POSTGRESQL_RED");
    m_fake.add_database("staging", "postgresql-kept", "UNDERSTUDY_PREVIOUS");
    m_fake.attach("staging", follower, "UNDERSTUDY_PREVIOUS_2");
    std::string shared = m_fake.add_database("staging", "postgresql-shared", "UNDERSTUDY_PREVIOUS_3");
    m_fake.attach("staging", shared, "ANALYTICS");

    std::vector<std::string> dropped = backend().drop_old(1);
    EXPECT_EQ(dropped, (std::vector<std::string>{
                           "detached UNDERSTUDY_PREVIOUS_2 from add-on \"postgresql-follower\" (not destroyed: it "
                           "belongs to app \"production\")",
                           "detached UNDERSTUDY_PREVIOUS_3 from add-on \"postgresql-shared\" (not destroyed: it is "
                           "also attached as ANALYTICS)"}));
    EXPECT_EQ(m_fake.addon_names(), (std::vector<std::string>{"postgresql-follower", "postgresql-kept",
                                                               "postgresql-live", "postgresql-shared"}));
}

TEST_F(HerokuBackendTest, CreateRefusedIsAClearErrorWithoutTheKey) {
    m_fake.fail_next_create(422, std::string("Plan is not available for key ") + k_key);
    std::string message = error_of([&] { backend().prepare_new_database(); });
    EXPECT_EQ(message, "heroku: POST /apps/staging/addons failed: 422 Plan is not available for key <redacted>");
}

TEST_F(HerokuBackendTest, ProvisioningErrorIsAClearError) {
    m_fake.set_provisioning_fails(true);
    std::string message = error_of([&] { backend().prepare_new_database(); });
    EXPECT_EQ(message, "heroku: add-on \"postgresql-fake-3\" failed: Provisioning failed");
}

TEST_F(HerokuBackendTest, PromoteWithoutNewDatabaseRefuses) {
    std::string message = error_of([&] { backend().promote(); });
    EXPECT_EQ(message, "heroku: app \"staging\" has no UNDERSTUDY_NEW attachment to promote");
    EXPECT_EQ(m_fake.attachments_of("staging"), (Attachments{{"DATABASE", "postgresql-live"}}));
}

TEST_F(HerokuBackendTest, RetriesUnavailableThenGivesUp) {
    m_fake.fail_next_requests(2);
    EXPECT_EQ(backend().live_database().get("host").value_or(""), "db-postgresql-live.example.com");
    EXPECT_EQ(m_fake.calls().size(), 3U);

    m_fake.fail_next_requests(3);
    std::string message = error_of([&] { backend().live_database(); });
    EXPECT_EQ(message, "heroku: GET /apps/staging/config-vars failed: 503 service temporarily unavailable");
}

TEST_F(HerokuBackendTest, UnknownAppIsAClearError) {
    HerokuSettings settings;
    settings.app = "no-such-app";
    HerokuBackend heroku(settings, HerokuApi(api_settings()));
    EXPECT_EQ(error_of([&] { heroku.live_database(); }),
              "heroku: GET /apps/no-such-app/config-vars failed: 404 Couldn't find that app.");
}

/// Sets an environment variable for one scope and puts the old value back.
class ScopedEnv {
public:
    ScopedEnv(const char* name, const char* value) : m_name(name) {
        if (const char* old = std::getenv(name)) m_old = old;
        if (value != nullptr) {
            ::setenv(name, value, 1);
        } else {
            ::unsetenv(name);
        }
    }
    ~ScopedEnv() {
        if (m_old) {
            ::setenv(m_name, m_old->c_str(), 1);
        } else {
            ::unsetenv(m_name);
        }
    }

private:
    const char* m_name;
    std::optional<std::string> m_old;
};

TEST(HerokuApiSettings, ReadsTheEnvironmentAndRefusesAMissingKey) {
    ScopedEnv url("HEROKU_API_URL", "http://127.0.0.1:1");
    ScopedEnv data_url("HEROKU_DATA_API_URL", nullptr);
    {
        ScopedEnv key("HEROKU_API_KEY", nullptr);
        try {
            HerokuApiSettings::from_environment();
            ADD_FAILURE() << "no error for a missing key";
        } catch (const Error& error) {
            EXPECT_EQ(error.code(), ExitCode::config);
            EXPECT_STREQ(error.what(), "heroku: HEROKU_API_KEY is not set");
        }
    }
    ScopedEnv key("HEROKU_API_KEY", k_key);
    HerokuApiSettings settings = HerokuApiSettings::from_environment();
    EXPECT_EQ(settings.platform_url, "http://127.0.0.1:1");
    EXPECT_EQ(settings.data_url, "https://api.data.heroku.com");
    EXPECT_EQ(settings.api_key, k_key);
}

}  // namespace
}  // namespace understudy::orchestrator
