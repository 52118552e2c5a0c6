// protect_match_test: protect: entries match a target by where it is, not by how it is spelt
// (localhost and 127.0.0.1, a socket directory through `..` or a symlink), port and database included.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>

#include "../support/temp_file.hpp"
#include "understudy/error.hpp"
#include "understudy/orchestrator/cli/config_file.hpp"
#include "understudy/orchestrator/guards/sync_guards.hpp"

namespace understudy::orchestrator {
namespace {

bool is_protected(const std::string& target_url, const std::vector<std::string>& protect) {
    const pg::ConnInfo target = pg::ConnInfo::parse(target_url, "--target");
    pg::ServerIdentity identity;
    identity.database = target.get("dbname").value_or("");
    try {
        check_not_protected(target, identity, protect);
        return false;
    } catch (const Error& error) {
        EXPECT_EQ(error.code(), ExitCode::protected_target);
        return true;
    }
}

TEST(ProtectMatch, LocalhostAndLoopbackAddressAreTheSameHost) {
    const std::string target = "postgresql://app@127.0.0.1:6543/staging";
    EXPECT_TRUE(is_protected(target, {"localhost"}));
    EXPECT_TRUE(is_protected(target, {"localhost:6543"}));
    EXPECT_TRUE(is_protected(target, {"localhost:6543/staging"}));
    EXPECT_TRUE(is_protected(target, {"postgres://someone@localhost:6543/staging"}));
    EXPECT_TRUE(is_protected(target, {"host=localhost port=6543"}));
    EXPECT_TRUE(is_protected("postgresql://app@localhost:6543/staging", {"127.0.0.1:6543"}));
    EXPECT_TRUE(is_protected("host=localhost port=6543 dbname=staging", {"[127.0.0.1]:6543/staging"}));
}

TEST(ProtectMatch, PortAndDatabaseStillCount) {
    const std::string target = "postgresql://app@127.0.0.1:6543/staging";
    EXPECT_FALSE(is_protected(target, {"localhost:5432"}));
    EXPECT_FALSE(is_protected(target, {"localhost:6543/production"}));
    EXPECT_FALSE(is_protected(target, {"postgres://localhost/staging"})) << "no port in a URL means 5432";
    EXPECT_FALSE(is_protected(target, {"127.0.0.2"}));
    EXPECT_FALSE(is_protected(target, {"no-such-host.invalid"}));
}

TEST(ProtectMatch, SocketDirectoriesCompareByCanonicalPath) {
    char pattern[] = "/tmp/understudy-protect-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    const std::string folder = pattern;
    std::filesystem::create_directory(folder + "/socket");
    std::filesystem::create_directory_symlink(folder + "/socket", folder + "/link");
    const std::string target = "host=" + folder + "/socket port=7000 dbname=staging";
    EXPECT_TRUE(is_protected(target, {folder + "/socket"}));
    EXPECT_TRUE(is_protected(target, {folder + "/socket/"}));
    EXPECT_TRUE(is_protected(target, {folder + "/link"}));
    EXPECT_TRUE(is_protected(target, {folder + "/link/../socket:7000/staging"}));
    EXPECT_TRUE(is_protected(target, {"host=" + folder + "/link port=7000"}));
    EXPECT_FALSE(is_protected(target, {folder + "/socket:7001"}));
    EXPECT_FALSE(is_protected(target, {folder}));
    EXPECT_FALSE(is_protected(target, {"localhost"}));
    std::filesystem::remove_all(folder);
}

}  // namespace
}  // namespace understudy::orchestrator

namespace understudy::orchestrator {
namespace {

TEST(ProtectConfig, TopLevelAndSyncListsBothCount) {
    testing::TempFile file(
        "protect: [\"db.prod.example.com\", \"host=10.0.0.5 port=5433\"]\n"
        "sync:\n  protect: [\"7300000000000000001\"]\n");
    auto config = load_config_file(file.path());
    EXPECT_EQ(config.protect, (std::vector<std::string>{"db.prod.example.com", "host=10.0.0.5 port=5433"}));
    EXPECT_EQ(all_protected(config),
              (std::vector<std::string>{"db.prod.example.com", "host=10.0.0.5 port=5433", "7300000000000000001"}));
    testing::TempFile bad("protect: db.prod.example.com\n");
    try {
        load_config_file(bad.path());
        ADD_FAILURE() << "a protect: that is not a list was accepted";
    } catch (const Error& error) {
        EXPECT_EQ(error.code(), ExitCode::config);
        EXPECT_NE(std::string(error.what()).find("protect must be a list"), std::string::npos) << error.what();
    }
}

}  // namespace
}  // namespace understudy::orchestrator
