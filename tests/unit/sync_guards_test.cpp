// sync_guards_test: the sync's pure guards (read-only source, lag values, protect: entries, the
// forked-app trap) and the verification failure message, without a server.
#include <gtest/gtest.h>

#include <functional>

#include "understudy/error.hpp"
#include "understudy/orchestrator/guards/sync_guards.hpp"
#include "understudy/orchestrator/guards/verification.hpp"

namespace understudy::orchestrator {
namespace {

pg::ServerIdentity identity(const std::string& system_identifier, const std::string& database, std::uint32_t timeline,
                            const std::string& host, const std::string& port, bool in_recovery = false) {
    pg::ServerIdentity result;
    result.system_identifier = system_identifier;
    result.database = database;
    result.timeline = timeline;
    result.host = host;
    result.port = port;
    result.in_recovery = in_recovery;
    return result;
}

/// The exit code `body` throws, ok when it returns; the message goes to `message` when given.
ExitCode code_of(const std::function<void()>& body, std::string* message = nullptr, std::string* hint = nullptr) {
    try {
        body();
        return ExitCode::ok;
    } catch (const Error& error) {
        if (message) *message = error.what();
        if (hint) *hint = error.hint();
        return error.code();
    }
}

TEST(CheckSourceReadOnly, PrimaryRefusedUnlessAllowed) {
    const auto primary = identity("7300000000000000001", "app", 1, "db.example.com", "5432", false);
    const auto standby = identity("7300000000000000001", "app", 1, "replica.example.com", "5432", true);
    std::string message, hint;
    EXPECT_EQ(code_of([&] { check_source_read_only(primary, false); }, &message, &hint),
              ExitCode::source_not_read_only);
    EXPECT_EQ(message, "source database \"app\" is on a primary server, not on a read-only follower");
    EXPECT_NE(hint.find("--allow-primary-source"), std::string::npos);
    EXPECT_EQ(code_of([&] { check_source_read_only(primary, true); }), ExitCode::ok);
    EXPECT_EQ(code_of([&] { check_source_read_only(standby, false); }), ExitCode::ok);
}

TEST(CheckFollowerLag, Values) {
    std::string message;
    EXPECT_EQ(code_of([] { check_follower_lag_value("app", true, 0.2, 60); }), ExitCode::ok);
    EXPECT_EQ(code_of([] { check_follower_lag_value("app", true, 60, 60); }), ExitCode::ok);
    EXPECT_EQ(code_of([&] { check_follower_lag_value("app", true, 75.25, 60); }, &message), ExitCode::follower_lag);
    EXPECT_EQ(message, "follower database \"app\" lags 75.2 s behind its primary, more than max_lag 60.0 s");
    // No commit replayed yet: the lag is unknown, and unknown is refused.
    EXPECT_EQ(code_of([&] { check_follower_lag_value("app", true, -1, 60); }, &message), ExitCode::follower_lag);
    EXPECT_NE(message.find("unknown"), std::string::npos);
    // A primary (allowed by --allow-primary-source) has no lag.
    EXPECT_EQ(code_of([] { check_follower_lag_value("app", false, -1, 0); }), ExitCode::ok);
}

class CheckNotProtected : public ::testing::Test {
protected:
    ExitCode check(const std::vector<std::string>& protect, std::string* message = nullptr) const {
        return code_of([&] { check_not_protected(m_target, m_identity, protect); }, message);
    }
    pg::ConnInfo m_target =
        pg::ConnInfo::parse("postgresql://app:s3cret@DB.Staging.example.com:6543/app_staging", "--target");
    pg::ServerIdentity m_identity = identity("7300000000000000009", "app_staging", 3, "db.staging.example.com", "6543");
};

TEST_F(CheckNotProtected, MatchesEverySpelling) {
    EXPECT_EQ(check({}), ExitCode::ok);
    EXPECT_EQ(check({"db.prod.example.com", "db.prod.example.com:6543", "7300000000000000001"}), ExitCode::ok);
    EXPECT_EQ(check({"db.staging.example.com"}), ExitCode::protected_target);
    EXPECT_EQ(check({"DB.STAGING.EXAMPLE.COM"}), ExitCode::protected_target);
    EXPECT_EQ(check({" db.staging.example.com:6543 "}), ExitCode::protected_target);
    EXPECT_EQ(check({"db.staging.example.com:5432"}), ExitCode::ok);
    EXPECT_EQ(check({"db.staging.example.com:6543/app_staging"}), ExitCode::protected_target);
    EXPECT_EQ(check({"db.staging.example.com:6543/other"}), ExitCode::ok);
    EXPECT_EQ(check({"7300000000000000009"}), ExitCode::protected_target);
    EXPECT_EQ(check({"postgres://someone:pw@db.staging.example.com:6543/app_staging"}), ExitCode::protected_target);
    EXPECT_EQ(check({"host=db.staging.example.com port=6543"}), ExitCode::protected_target);
    EXPECT_EQ(check({"postgres://db.staging.example.com:7000/app_staging"}), ExitCode::ok);
}

TEST_F(CheckNotProtected, HerokuAddOnAndNoPasswordInMessage) {
    m_identity.addon = "postgresql-curly-12345";
    m_identity.addon_id = "6c3b5a2e-0000-4000-8000-000000000001";
    EXPECT_EQ(check({"postgresql-curly-12345"}), ExitCode::protected_target);
    EXPECT_EQ(check({"6C3B5A2E-0000-4000-8000-000000000001"}), ExitCode::protected_target);
    EXPECT_EQ(check({"postgresql-shiny-1"}), ExitCode::ok);
    std::string message;
    EXPECT_EQ(check({"postgres://someone:pw@db.staging.example.com:6543/app_staging"}, &message),
              ExitCode::protected_target);
    EXPECT_EQ(message.find("s3cret"), std::string::npos) << message;
    EXPECT_EQ(message.find(":pw@"), std::string::npos) << message;
    EXPECT_NE(message.find("app_staging"), std::string::npos) << message;
}

TEST(CheckNotReplicaOfSource, TruthTable) {
    const auto source = identity("7300000000000000001", "app", 2, "replica.example.com", "5432", true);
    auto code = [&](const pg::ServerIdentity& target) {
        return code_of([&] { check_not_replica_of_source(source, target); });
    };
    // The source itself, its primary, another replica: the same history.
    EXPECT_EQ(code(source), ExitCode::target_is_source);
    EXPECT_EQ(code(identity("7300000000000000001", "app", 2, "primary.example.com", "5432")),
              ExitCode::target_is_source);
    // A fork (new timeline) elsewhere is a copy that diverged: allowed; at the source's address it is refused.
    EXPECT_EQ(code(identity("7300000000000000001", "app", 3, "fork.example.com", "5432")), ExitCode::ok);
    EXPECT_EQ(code(identity("7300000000000000001", "app", 3, "replica.example.com", "5432")),
              ExitCode::target_is_source);
    // Another database on the same cluster, or another cluster: allowed.
    EXPECT_EQ(code(identity("7300000000000000001", "app_staging", 2, "primary.example.com", "5432")), ExitCode::ok);
    EXPECT_EQ(code(identity("7300000000000000002", "app", 2, "replica.example.com", "5432")), ExitCode::ok);
    std::string message;
    code_of([&] { check_not_replica_of_source(source, source); }, &message);
    EXPECT_NE(message.find("forked-app trap"), std::string::npos) << message;
}

TEST(ThrowVerifyFailed, NamesTheDatabaseAndCountsProblems) {
    VerificationResult result;
    for (int index = 1; index <= 7; ++index) result.failures.push_back("problem " + std::to_string(index));
    std::string message, hint;
    EXPECT_EQ(code_of([&] { throw_verify_failed("app_understudy_new", result); }, &message, &hint),
              ExitCode::verify_failed);
    EXPECT_EQ(message,
              "verification failed for \"app_understudy_new\": 7 problems: problem 1; problem 2; problem 3; "
              "problem 4; problem 5; and 2 more (see the report)");
    EXPECT_NE(hint.find("kept for inspection: \"app_understudy_new\""), std::string::npos);
    result.failures = {"only one"};
    code_of([&] { throw_verify_failed("db", result); }, &message);
    EXPECT_EQ(message, "verification failed for \"db\": 1 problem: only one");
}

}  // namespace
}  // namespace understudy::orchestrator
