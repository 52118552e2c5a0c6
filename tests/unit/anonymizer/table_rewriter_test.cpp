// Unit tests of the table rewriter: untouched columns keep their exact bytes, rules that read other
// columns run after them, and errors name table, column, rule and row but never a value.
#include <gtest/gtest.h>

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "understudy/anonymizer/table_rewriter.hpp"
#include "understudy/error.hpp"

namespace understudy::anonymizer {
namespace {

const Secret& test_secret() {
    static const Secret secret = Secret::from_text("table-rewriter-unit-test-secret", "test");
    return secret;
}

RuleSet rules_from(const std::string& yaml) { return RuleSet::from_yaml(YAML::Load(yaml), "rules.yaml"); }

std::string rewrite_all(TableRewriter& rewriter, const std::vector<std::string>& rows) {
    std::string out;
    for (const auto& row : rows) rewriter.rewrite(row, out);
    return out;
}

TEST(TableRewriter, TableWithoutRulesIsPassedThrough) {
    const RuleSet rules = rules_from(R"(
anonymize:
  default: keep
  tables:
    public.other:
      a: {fixed: "x"}
    public.t:
      a: keep
)");
    TableRewriter rewriter(rules, test_secret(), "public.t", {"a", "b"});
    EXPECT_TRUE(rewriter.passthrough());
    EXPECT_EQ(rewrite_all(rewriter, {"\\x41\tb\n", "not even split\n"}), "\\x41\tb\nnot even split\n");
}

TEST(TableRewriter, UntouchedColumnsKeepTheirExactBytes) {
    const RuleSet rules = rules_from(R"(
anonymize:
  default: keep
  tables:
    public.t:
      first: {fixed: "F"}
      middle: {fixed: "tab\there"}
      last: {fixed: "L"}
)");
    TableRewriter rewriter(rules, test_secret(), "public.t", {"first", "a", "middle", "b", "c", "last"});
    EXPECT_FALSE(rewriter.passthrough());
    // \x41 and \101 are what a hand-written file may hold: kept as written where no rule applies.
    EXPECT_EQ(rewrite_all(rewriter, {"1\t\\x41\t2\t\\101\t\\N\t3\n", "1\t\t2\t\t\t3", "1\ta\\\tb\t2\tc\td\t3\r\n"}),
              "F\t\\x41\ttab\\there\t\\101\t\\N\tL\n"
              "F\t\ttab\\there\t\t\tL"
              "F\ta\\\tb\ttab\\there\tc\td\tL\r\n");
}

TEST(TableRewriter, NullStaysNull) {
    const RuleSet rules = rules_from(R"(
anonymize:
  default: keep
  tables:
    public.t:
      a: {fake: email}
      b: {fixed: "x", nulls: replace}
)");
    TableRewriter rewriter(rules, test_secret(), "public.t", {"a", "b"});
    EXPECT_EQ(rewrite_all(rewriter, {"\\N\t\\N\n"}), "\\N\tx\n");
}

TEST(TableRewriter, TemplatesSeeNewValuesOfRuledColumnsAndOriginalsOfOthers) {
    const RuleSet rules = rules_from(R"(
anonymize:
  default: keep
  tables:
    public.t:
      login: {template: "{first}-{raw}"}
      first: {fixed: "New"}
)");
    // `login` comes first in the row but reads `first`, so it must run after it.
    TableRewriter rewriter(rules, test_secret(), "public.t", {"login", "first", "raw"});
    EXPECT_EQ(rewrite_all(rewriter, {"old\tOld\tr\\\\aw\n"}), "New-r\\\\aw\tNew\tr\\\\aw\n");
}

TEST(TableRewriter, TemplateReadingAMissingColumnIsAConfigError) {
    const RuleSet rules = rules_from(R"(
anonymize:
  default: keep
  tables:
    public.t:
      login: {template: "{nope}"}
)");
    try {
        TableRewriter rewriter(rules, test_secret(), "public.t", {"login"});
        FAIL() << "accepted";
    } catch (const ConfigError& error) {
        EXPECT_NE(std::string(error.what()).find("rules.yaml:"), std::string::npos) << error.what();
        EXPECT_NE(std::string(error.what()).find("\"nope\""), std::string::npos) << error.what();
    }
}

TEST(TableRewriter, TemplatesReadingEachOtherAreAConfigError) {
    const RuleSet rules = rules_from(R"(
anonymize:
  default: keep
  tables:
    public.t:
      a: {template: "{b}"}
      b: {template: "{a}"}
)");
    try {
        TableRewriter rewriter(rules, test_secret(), "public.t", {"a", "b"});
        FAIL() << "accepted";
    } catch (const ConfigError& error) {
        EXPECT_NE(std::string(error.what()).find("cycle"), std::string::npos) << error.what();
    }
}

TEST(TableRewriter, ErrorsNameTableColumnRuleAndRowButNoValue) {
    const RuleSet rules = rules_from(R"(
anonymize:
  default: keep
  tables:
    public.t:
      amount: {noise: {range: 5}}
)");
    TableRewriter rewriter(rules, test_secret(), "public.t", {"id", "amount"});
    std::string out;
    rewriter.rewrite("1\t10.5\n", out);
    try {
        rewriter.rewrite("2\tsecret-value\n", out);
        FAIL() << "accepted";
    } catch (const Error& error) {
        const std::string message = error.what();
        EXPECT_NE(message.find("table \"public.t\" column \"amount\" rule \"noise"), std::string::npos) << message;
        EXPECT_NE(message.find("row 2:"), std::string::npos) << message;
        EXPECT_EQ(message.find("secret-value"), std::string::npos) << message;
    }
}

TEST(TableRewriter, WrongFieldCountIsRefused) {
    const RuleSet rules = rules_from("anonymize:\n  default: keep\n  tables:\n    public.t:\n      a: {fixed: \"x\"}\n");
    TableRewriter rewriter(rules, test_secret(), "public.t", {"a", "b"});
    std::string out;
    try {
        rewriter.rewrite("only-one-field\n", out);
        FAIL() << "accepted";
    } catch (const Error& error) {
        EXPECT_STREQ(error.what(), "table \"public.t\" row 1 has 1 fields, expected 2");
    }
    EXPECT_EQ(out, "");
}

}  // namespace
}  // namespace understudy::anonymizer
