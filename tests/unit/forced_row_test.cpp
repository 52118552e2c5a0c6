// Unit tests for `--force TABLE:KEY` parsing: plain, schema-qualified, composite and quoted keys.
#include <gtest/gtest.h>

#include "understudy/error.hpp"
#include "understudy/subsetter/subset_settings.hpp"

namespace understudy::subsetter {
namespace {

TEST(ForcedRow, ParsesPlainKey) {
    auto row = ForcedRow::parse("users:1");
    EXPECT_EQ(row.table, (QualifiedName{"public", "users"}));
    EXPECT_EQ(row.key, std::vector<std::string>{"1"});
    EXPECT_EQ(row.spec, "users:1");
}

TEST(ForcedRow, ParsesSchemaQualifiedTable) {
    auto row = ForcedRow::parse("app.users:42");
    EXPECT_EQ(row.table, (QualifiedName{"app", "users"}));
    EXPECT_EQ(row.key, std::vector<std::string>{"42"});
}

TEST(ForcedRow, ParsesCompositeKey) {
    EXPECT_EQ(ForcedRow::parse("orders:(7,2)").key, (std::vector<std::string>{"7", "2"}));
    EXPECT_EQ(ForcedRow::parse("orders:( 7 , 2 )").key, (std::vector<std::string>{"7", "2"}));
}

TEST(ForcedRow, QuotedValuesHoldCommasParenthesesAndQuotes) {
    EXPECT_EQ(ForcedRow::parse("t:(\"a,b\",3)").key, (std::vector<std::string>{"a,b", "3"}));
    EXPECT_EQ(ForcedRow::parse("t:(\"(x)\")").key, std::vector<std::string>{"(x)"});
    EXPECT_EQ(ForcedRow::parse("t:(\"say \"\"hi\"\"\",\"\")").key, (std::vector<std::string>{"say \"hi\"", ""}));
}

TEST(ForcedRow, KeyMayHoldColons) {
    auto row = ForcedRow::parse("events:2024-01-01 10:00:00");
    EXPECT_EQ(row.table, (QualifiedName{"public", "events"}));
    EXPECT_EQ(row.key, std::vector<std::string>{"2024-01-01 10:00:00"});
}

TEST(ForcedRow, RejectsBadSyntax) {
    for (const char* spec : {"users", "users:", ":1", "users:(1,", "users:()", "users:(1,)", "users:(\"a)",
                             "users:(\"a\"b)", "users:1,2", "users:(a(b)", "a.b.c:1", "users:\"1\""}) {
        try {
            ForcedRow::parse(spec);
            ADD_FAILURE() << "accepted " << spec;
        } catch (const Error& error) {
            EXPECT_EQ(error.code(), ExitCode::usage) << spec;
            EXPECT_EQ(std::string(error.what()), "invalid --force value \"" + std::string(spec) +
                                                     "\": expected TABLE:KEY or TABLE:(K1,K2)");
        }
    }
}

}  // namespace
}  // namespace understudy::subsetter
