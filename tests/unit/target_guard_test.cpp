// Unit tests for the target guards that need no server: same-database detection and standby refusal.
#include <gtest/gtest.h>

#include "understudy/error.hpp"
#include "understudy/orchestrator/guards/target_guard.hpp"

namespace understudy::orchestrator {
namespace {

pg::ServerIdentity identity(const std::string& system_identifier, const std::string& database,
                            bool in_recovery = false) {
    pg::ServerIdentity result;
    result.system_identifier = system_identifier;
    result.database = database;
    result.in_recovery = in_recovery;
    result.server_version = 150018;
    return result;
}

ExitCode code_of_is_not_source(const pg::ServerIdentity& source, const pg::ServerIdentity& target) {
    try {
        check_target_is_not_source(source, target);
        return ExitCode::ok;
    } catch (const Error& error) {
        return error.code();
    }
}

TEST(CheckTargetIsNotSource, TruthTable) {
    const auto standby_app = identity("7300000000000000001", "app", true);
    // Same cluster (a primary and its standby share the system identifier), same database: refused.
    EXPECT_EQ(code_of_is_not_source(standby_app, identity("7300000000000000001", "app")), ExitCode::target_is_source);
    EXPECT_EQ(code_of_is_not_source(standby_app, standby_app), ExitCode::target_is_source);
    // Same cluster, another database: allowed.
    EXPECT_EQ(code_of_is_not_source(standby_app, identity("7300000000000000001", "app_copy")), ExitCode::ok);
    // Another cluster, same database name: allowed.
    EXPECT_EQ(code_of_is_not_source(standby_app, identity("7300000000000000002", "app")), ExitCode::ok);
    // Another cluster, another database: allowed.
    EXPECT_EQ(code_of_is_not_source(standby_app, identity("7300000000000000002", "other")), ExitCode::ok);
}

TEST(CheckTargetIsNotSource, MessageNamesTheDatabase) {
    try {
        check_target_is_not_source(identity("1", "app"), identity("1", "app"));
        FAIL() << "expected an error";
    } catch (const Error& error) {
        EXPECT_EQ(std::string(error.what()).rfind("target database \"app\" is the source database", 0), 0u);
        EXPECT_FALSE(error.hint().empty());
    }
}

TEST(CheckTargetWritable, RefusesStandby) {
    EXPECT_NO_THROW(check_target_writable(identity("1", "app", false)));
    try {
        check_target_writable(identity("1", "app", true));
        FAIL() << "expected an error";
    } catch (const Error& error) {
        EXPECT_EQ(error.code(), ExitCode::target);
        EXPECT_EQ(std::string(error.what()), "target database \"app\" is on a hot standby and cannot be written");
    }
}

}  // namespace
}  // namespace understudy::orchestrator
