// End to end against the "strange production" fixture (tests/fixtures/strange, issue 8): the plain
// subset from the standby still holds, whatever odd features the other strange_* tests add.
#include <gtest/gtest.h>

#include "db_checks.hpp"
#include "strange_fixture.hpp"
#include "test_cluster.hpp"

namespace understudy::testing {
namespace {

TEST(StrangeProduction, SubsetFromTheStandbyIsReferentiallyIntact) {
    ensure_strange_database();
    auto& servers = fixture_servers();
    const std::string target = "strange_plain_subset";
    servers.primary.drop_database(target);
    servers.primary.create_database(target);
    auto result = run_understudy({"subset", "--source", servers.standby.url(k_strange_database), "--target",
                                  servers.primary.url(target), "--force", "users:1"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    // NOT VALID foreign keys may keep the orphans the source has (23_not_valid.sql); see strange_objects_test.
    auto violations = fk_violations(servers.primary.conninfo(target), /*include_not_valid=*/false);
    EXPECT_TRUE(violations.empty()) << ::testing::PrintToString(violations);
    EXPECT_EQ(servers.primary.query_value(target, "SELECT count(*) FROM public.users WHERE id = 1"), "1");
    servers.primary.drop_database(target);
}

}  // namespace
}  // namespace understudy::testing
