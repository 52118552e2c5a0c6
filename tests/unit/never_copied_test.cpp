// Unit tests for the table-of-contents filter that keeps user mappings and subscriptions out of every copy.
#include <gtest/gtest.h>

#include "understudy/orchestrator/schema/never_copied.hpp"

namespace understudy::orchestrator {
namespace {

TEST(NeverCopied, UserMappingsAndSubscriptionsAreLeftOut) {
    EXPECT_TRUE(is_never_copied("3346; 1418 16391 USER MAPPING - USER MAPPING public SERVER strange_remote postgres"));
    EXPECT_TRUE(is_never_copied("3347; 1418 16392 USER MAPPING - USER MAPPING postgres SERVER strange_remote postgres"));
    EXPECT_TRUE(is_never_copied("3350; 6100 16400 SUBSCRIPTION - strange_sub postgres"));
    EXPECT_TRUE(is_never_copied("3351; 0 0 COMMENT - SUBSCRIPTION strange_sub postgres"));
    EXPECT_TRUE(is_never_copied("3352; 0 0 SECURITY LABEL - SUBSCRIPTION strange_sub postgres"));
    EXPECT_TRUE(is_never_copied("3353; 6102 16401 SUBSCRIPTION TABLE - SUBSCRIPTION TABLE strange_sub orders postgres"));
}

TEST(NeverCopied, EverythingElseIsKept) {
    for (const char* line : {
             "3345; 1417 16390 SERVER - strange_remote postgres",
             "3344; 3079 16380 EXTENSION - postgres_fdw ",
             "220; 1259 16395 FOREIGN TABLE public strange_remote_orders postgres",
             "3349; 6104 16399 PUBLICATION - strange_pub postgres",
             "3360; 6106 16402 PUBLICATION TABLE public strange_pub users postgres",
             // A table named like a user mapping is a table.
             "221; 1259 16396 TABLE public USER MAPPING postgres",
             "222; 0 0 COMMENT public TABLE subscription postgres",
             ";",
             "; Archive created at 2026-12-03 05:00:00 UTC",
             "",
         }) {
        EXPECT_FALSE(is_never_copied(line)) << line;
    }
}

TEST(NeverCopied, ListingKeepsOrderAndDropsOnlyNeverCopied) {
    const std::string listing =
        ";\n; Archive\n;\n"
        "3345; 1417 16390 SERVER - strange_remote postgres\n"
        "3346; 1418 16391 USER MAPPING - USER MAPPING public SERVER strange_remote postgres\n"
        "220; 1259 16395 FOREIGN TABLE public strange_remote_orders postgres\n"
        "3350; 6100 16400 SUBSCRIPTION - strange_sub postgres\n";
    EXPECT_EQ(without_never_copied(listing),
              ";\n; Archive\n;\n"
              "3345; 1417 16390 SERVER - strange_remote postgres\n"
              "220; 1259 16395 FOREIGN TABLE public strange_remote_orders postgres\n");
}

}  // namespace
}  // namespace understudy::orchestrator
