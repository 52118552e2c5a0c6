// Unit tests of understudy.yml's anonymize/keep sections and the fail-closed coverage guard.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "understudy/anonymizer/coverage.hpp"
#include "understudy/anonymizer/rules.hpp"
#include "understudy/error.hpp"

namespace understudy::anonymizer {
namespace {

RuleSet parse(const std::string& text) { return RuleSet::from_yaml(YAML::Load(text), "understudy.yml"); }

// The ConfigError message for a document that must be refused.
std::string refusal(const std::string& text) {
    try {
        parse(text);
    } catch (const ConfigError& error) {
        std::string message = error.what();
        EXPECT_EQ(message.find('\n'), std::string::npos) << message;
        return message;
    }
    ADD_FAILURE() << "accepted:\n" << text;
    return {};
}

const char* k_issue_example = R"(anonymize:
  default: fail
  tables:
    public.users:
      email: {fake: email, unique: true}
      first_name: {fake: first_name}
      phone: {mask: {keep_last: 2}}
      profile: {json: {"$.contacts[*].email": {fake: email}}}
      password_digest: {fixed: "$2a$10$abcdefghijklmnopqrstuv"}
      last_login_ip: {fake: ipv4}
      notes: null
    public.orders:
      customer_email: {fake: email}
keep: [public.users.id, public.users.created_at]
)";

TableShape users_table() {
    return TableShape{"public.users",
                      {{"id", "bigint", "N", true, true},
                       {"email", "character varying(255)", "S", true, true},
                       {"first_name", "text", "S", false, false},
                       {"phone", "text", "S", false, false},
                       {"profile", "jsonb", "U", false, false},
                       {"password_digest", "character varying", "S", false, true},
                       {"last_login_ip", "inet", "I", false, false},
                       {"notes", "text", "S", false, false},
                       {"created_at", "timestamp without time zone", "D", false, true}}};
}

TableShape orders_table() {
    return TableShape{"public.orders", {{"customer_email", "text", "S", false, false}}};
}

TEST(RuleSet, ParsesTheIssueExample) {
    auto rules = parse(k_issue_example);
    EXPECT_TRUE(rules.configured());
    EXPECT_EQ(rules.default_policy(), DefaultPolicy::fail);
    ASSERT_EQ(rules.rules().size(), 8u);
    EXPECT_EQ(rules.rules().front().table, "public.orders");  // sorted by (table, column)
    const ColumnRule* email = rules.find("public.users", "email");
    ASSERT_NE(email, nullptr);
    EXPECT_EQ(email->kind, "fake");
    EXPECT_TRUE(email->unique);
    EXPECT_EQ(email->description, "fake email (unique)");
    EXPECT_EQ(email->origin, "understudy.yml:5:14");
    EXPECT_EQ(rules.find("public.users", "notes")->kind, "null");
    EXPECT_EQ(rules.find("public.users", "phone")->description, "mask keep_last 2");
    EXPECT_EQ(rules.find("public.users", "password_digest")->description, "fixed");  // never the value
    EXPECT_EQ(rules.find("public.users", "id"), nullptr);
    EXPECT_TRUE(rules.kept("public.users", "id"));
    EXPECT_FALSE(rules.kept("public.users", "email"));
}

TEST(RuleSet, NoAnonymizeSectionMeansKeepEverything) {
    auto rules = parse("subset: {fraction: 0.1}\n");
    EXPECT_FALSE(rules.configured());
    EXPECT_EQ(rules.default_policy(), DefaultPolicy::keep);
    EXPECT_TRUE(check_coverage(rules, {users_table()}).ok());
    auto empty = parse("anonymize:\n");
    EXPECT_TRUE(empty.configured());
    EXPECT_EQ(empty.default_policy(), DefaultPolicy::fail);
}

TEST(RuleSet, MisspeltSectionIsRefusedNotIgnored) {
    EXPECT_EQ(refusal("anonymise:\n  default: fail\n"),
              "understudy.yml:1:1: unknown key \"anonymise\" in the configuration file (expected anonymize, keep, protect, "
              "source, subset, sync, target)");
}

TEST(RuleSet, KeepListsTablesAndColumns) {
    auto rules = parse("anonymize: {default: fail}\nkeep: [public.countries, public.users.id]\n");
    EXPECT_TRUE(rules.kept("public.countries", "name"));
    EXPECT_TRUE(rules.kept("public.users", "id"));
    EXPECT_FALSE(rules.kept("public.users", "email"));
}

TEST(RuleSet, UnqualifiedTablesAreInPublic) {
    auto rules = parse("anonymize:\n  tables:\n    users:\n      email: {fake: email}\n");
    EXPECT_NE(rules.find("public.users", "email"), nullptr);
}

TEST(RuleSet, ErrorsNameFileLineAndColumn) {
    EXPECT_EQ(refusal("anonymize:\n  tables:\n    public.users:\n      email: {fake: emali}\n"),
              "understudy.yml:4:21: unknown fake kind \"emali\" (expected one of first_name, last_name, full_name, "
              "email, username, phone, street, city, postcode, country, company, ipv4, ipv6, url, credit_card, iban)");
    EXPECT_EQ(refusal("anonymize:\n  tables:\n    public.users:\n      email: scramble\n"),
              "understudy.yml:4:14: column \"public\".\"users\".\"email\": unknown rule \"scramble\" (expected keep, "
              "null, hash, scrub or a mapping such as {fake: email})");
    EXPECT_NE(refusal("anonymize:\n  defualt: keep\n").find("understudy.yml:2:3: unknown key \"defualt\""), std::string::npos);
    EXPECT_NE(refusal("anonymize:\n  default: maybe\n").find("understudy.yml:2:12: default must be fail or keep"), std::string::npos);
}

TEST(RuleSet, RefusesBadOptions) {
    auto rule = [](const std::string& text) {
        return refusal("anonymize:\n  tables:\n    public.t:\n      c: " + text + "\n");
    };
    EXPECT_NE(rule("{fake: email, hash: hex}").find("give one rule kind"), std::string::npos);
    EXPECT_NE(rule("{unique: true}").find("names no kind"), std::string::npos);
    EXPECT_NE(rule("{fake: first_name, unique: true}").find("fake first_name has no unique form"), std::string::npos);
    EXPECT_NE(rule("{mask: {keep_last: 2}, unique: true}").find("mask cannot be unique"), std::string::npos);
    EXPECT_NE(rule("{hash: {form: hex, length: 12}, unique: true}").find("hash cannot be unique"), std::string::npos);
    EXPECT_NE(rule("{hash: sha1}").find("unknown form \"sha1\""), std::string::npos);
    EXPECT_NE(rule("{mask: {keep_last: -1}}").find("keep_last must be a whole number"), std::string::npos);
    EXPECT_NE(rule("{mask: {char: \"**\"}}").find("char must be one character"), std::string::npos);
    EXPECT_NE(rule("{noise: {range: \"a while\"}}").find("range must be a number or a duration"), std::string::npos);
    EXPECT_NE(rule("{noise: {}}").find("needs range"), std::string::npos);
    EXPECT_NE(rule("{date_shift: {max: 10.5}}").find("max must be a duration"), std::string::npos);
    EXPECT_NE(rule("{template: \"{first_name\"}").find("unclosed \"{\""), std::string::npos);
    EXPECT_NE(rule("{template: \"constant\"}").find("names no column"), std::string::npos);
    EXPECT_NE(rule("{json: {\"contacts\": {fake: email}}}").find("must start with \"$\""), std::string::npos);
    EXPECT_NE(rule("{json: {\"$.a\": {template: \"{b}\"}}}").find("cannot read other columns"), std::string::npos);
    EXPECT_NE(rule("{mask: {}, class: x}").find("class applies to"), std::string::npos);
    EXPECT_NE(rule("{fake: email, nulls: replace}").find("nulls applies to fixed only"), std::string::npos);
    EXPECT_NE(rule("{array: }").find("needs the rule for each element"), std::string::npos);
    EXPECT_NE(refusal("anonymize:\n  tables:\n    public.t:\n      c: keep\nkeep: [public.t.c]\n")
                  .find("is kept and also has a rule at understudy.yml:4:10"),
              std::string::npos);
    EXPECT_NE(refusal("keep: [users]\n").find("must be schema.table.column or schema.table"), std::string::npos);
}

TEST(RuleSet, MalformedYamlReportsLineAndColumn) {
    const std::string path = ::testing::TempDir() + "understudy_rules_test.yml";
    {
        std::ofstream file(path);
        file << "anonymize:\n  tables:\n    public.users:\n      email: {fake: email\n";
    }
    try {
        RuleSet::load_file(path);
        FAIL() << "malformed YAML accepted";
    } catch (const ConfigError& error) {
        std::string message = error.what();
        EXPECT_EQ(message.rfind(path + ":", 0), 0u) << message;
        EXPECT_NE(message.find(":5:1: "), std::string::npos) << message;
    }
    std::remove(path.c_str());
    EXPECT_THROW(RuleSet::load_file(path), Error);
}

TEST(Coverage, IssueExampleIsCoveredAndSaysWhatIsUniqueSafe) {
    auto rules = parse(k_issue_example);
    auto report = check_coverage(rules, {users_table(), orders_table()});
    EXPECT_TRUE(report.ok()) << report.summary();
    ASSERT_EQ(report.checks.size(), 8u);
    for (const auto& check : report.checks) {
        if (check.column == "email") {
            EXPECT_TRUE(check.unique_column);
            EXPECT_TRUE(check.unique_safe);
        }
    }
}

TEST(Coverage, ListsUnclassifiedColumns) {
    auto rules = parse("anonymize:\n  tables:\n    public.users:\n      email: {fake: email, unique: true}\n");
    auto report = check_coverage(rules, {users_table()});
    EXPECT_FALSE(report.ok());
    EXPECT_TRUE(report.errors.empty());
    ASSERT_EQ(report.unclassified.size(), 8u);
    EXPECT_EQ(report.unclassified.front(), "public.users.id");
    EXPECT_EQ(report.summary(), "column \"public\".\"users\".\"id\" has no anonymization rule and is not kept (and 7 more)");
    auto keep_rest = parse("anonymize:\n  default: keep\n  tables:\n    public.users:\n      email: {fake: email, unique: true}\n");
    EXPECT_TRUE(check_coverage(keep_rest, {users_table()}).ok());
}

TEST(Coverage, RefusesUnknownTablesAndColumns) {
    auto rules = parse("anonymize:\n  default: keep\n  tables:\n    public.users:\n      emial: {fake: email}\n"
                       "    public.user:\n      email: {fake: email}\n");
    auto report = check_coverage(rules, {users_table()});
    ASSERT_EQ(report.errors.size(), 2u);
    EXPECT_EQ(report.errors[0], "understudy.yml:7:14: unknown table \"public.user\" (not among the tables to copy)");
    EXPECT_EQ(report.errors[1], "understudy.yml:5:14: unknown column \"public\".\"users\".\"emial\"");
}

TEST(Coverage, RefusesNonInjectiveRulesOnUniqueColumns) {
    auto rules = parse("anonymize:\n  default: keep\n  tables:\n    public.users:\n      email: {fake: full_name}\n");
    auto report = check_coverage(rules, {users_table()});
    ASSERT_EQ(report.errors.size(), 1u);
    EXPECT_EQ(report.errors[0],
              "understudy.yml:5:14: column \"public\".\"users\".\"email\": fake full_name can map distinct values to one, "
              "but the column is under a unique index (use keep, hash, or fake email, username or url)");
    ASSERT_EQ(report.checks.size(), 1u);
    EXPECT_FALSE(report.checks[0].unique_safe);
    EXPECT_TRUE(check_coverage(parse("anonymize:\n  default: keep\n  tables:\n    public.users:\n      email: {hash: hex}\n"),
                               {users_table()}).ok());
    // fake email is injective with or without unique: true (one form, so joins hold).
    EXPECT_TRUE(check_coverage(parse("anonymize:\n  default: keep\n  tables:\n    public.users:\n      email: {fake: email}\n"),
                               {users_table()}).ok());
}

TEST(Coverage, HashUuidIsInjectiveOnUuidColumnsOnly) {
    TableShape table{"public.t", {{"id", "uuid", "U", true, true}, {"code", "text", "S", true, true}}};
    auto rules = parse("anonymize:\n  tables:\n    public.t:\n      id: {hash: uuid}\n      code: {hash: uuid}\n");
    auto report = check_coverage(rules, {table});
    ASSERT_EQ(report.errors.size(), 1u) << report.summary();
    EXPECT_NE(report.errors[0].find("\"code\""), std::string::npos);
}

TEST(Coverage, RefusesRulesOnColumnsOfTheWrongType) {
    TableShape table{"public.t",
                     {{"age", "integer", "N", false, false},
                      {"born", "date", "D", false, false},
                      {"tags", "text[]", "A", false, false},
                      {"scores", "integer[]", "A", false, false},
                      {"id", "uuid", "U", false, false},
                      {"ip", "inet", "I", false, false},
                      {"doc", "jsonb", "U", false, false}}};
    auto rules = parse(R"(anonymize:
  tables:
    public.t:
      age: {fake: first_name}
      born: {noise: {range: 3}}
      tags: {array: {fake: city}}
      scores: {array: {fake: city}}
      id: {hash: hex}
      ip: {fake: ipv4}
      doc: {mask: {keep_first: 1}}
)");
    auto report = check_coverage(rules, {table});
    ASSERT_EQ(report.errors.size(), 5u) << report.summary();
    EXPECT_NE(report.errors[0].find("\"age\": fake first_name does not fit a numeric column (type integer)"), std::string::npos)
        << report.errors[0];
    EXPECT_NE(report.errors[1].find("\"born\": noise range 3 does not fit a date/time column"), std::string::npos);
    EXPECT_NE(report.errors[2].find("\"scores\": fake city does not fit the elements of a integer[] column"), std::string::npos)
        << report.errors[2];
    EXPECT_NE(report.errors[3].find("\"id\": hash hex does not fit a uuid column"), std::string::npos);
    EXPECT_NE(report.errors[4].find("\"doc\": mask keep_first 1 does not fit a json column"), std::string::npos);
}

TEST(Coverage, NullRuleNeedsANullableColumnAndTemplatesNeedTheirColumns) {
    TableShape table{"public.t", {{"a", "text", "S", true, true}, {"b", "text", "S", true, false}}};
    auto rules = parse("anonymize:\n  tables:\n    public.t:\n      a: null\n      b: {template: \"{a}-{c}\"}\n");
    auto report = check_coverage(rules, {table});
    ASSERT_EQ(report.errors.size(), 3u) << report.summary();
    EXPECT_NE(report.errors[0].find("null rule on a NOT NULL column"), std::string::npos);
    EXPECT_NE(report.errors[1].find("template reads unknown column \"c\""), std::string::npos);
    EXPECT_NE(report.errors[2].find("under a unique index"), std::string::npos);
    auto nullable = check_coverage(parse("anonymize:\n  tables:\n    public.t:\n      b: null\n      a: keep\n"), {table});
    EXPECT_TRUE(nullable.ok()) << nullable.summary();
}

TEST(Coverage, RefusesRulesWhoseEveryOutputIsLongerThanTheColumn) {
    const TableShape accounts{"public.accounts",
                              {{"email", "character varying(12)", "S", false, false},
                               {"code", "character varying(8)", "S", false, false},
                               {"country", "character(2)", "S", false, false},
                               {"nick", "character varying(80)", "S", false, false},
                               {"tags", "character varying(4)[]", "A", false, false}}};
    auto rules = parse(
        "anonymize:\n  default: keep\n  tables:\n    public.accounts:\n      email: {fake: email}\n"
        "      code: hash\n      country: {fixed: \"XYZ\"}\n      nick: {fake: email}\n      tags: {array: {mask: {keep_first: 1}}}\n");
    auto report = check_coverage(rules, {accounts});
    ASSERT_EQ(report.errors.size(), 3u) << report.summary();
    EXPECT_EQ(report.errors[0],
              "understudy.yml:5:14: column \"public\".\"accounts\".\"email\": fake email writes at least 45 characters, "
              "longer than the character varying(12) column holds");
    EXPECT_EQ(report.errors[1],
              "understudy.yml:6:13: column \"public\".\"accounts\".\"code\": hash hex writes at least 32 characters, "
              "longer than the character varying(8) column holds");
    EXPECT_EQ(report.errors[2],
              "understudy.yml:7:16: column \"public\".\"accounts\".\"country\": fixed writes at least 3 characters, "
              "longer than the character(2) column holds");

    // hash with a length that fits, and masks (as long as their input) pass.
    auto fitting = parse("anonymize:\n  default: keep\n  tables:\n    public.accounts:\n"
                         "      code: {hash: {length: 8}}\n      email: {mask: {keep_first: 1}}\n");
    EXPECT_TRUE(check_coverage(fitting, {accounts}).ok()) << check_coverage(fitting, {accounts}).summary();
}

TEST(Coverage, RefusesRulesWhoseLongestOutputIsLongerThanTheColumn) {
    // fake city's output does not depend on the input: its longest name must fit, or some rows fail.
    auto rules = parse("anonymize:\n  default: keep\n  tables:\n    public.t:\n      city: {fake: city}\n");
    const auto transformer = rules.make_transformer(rules.rules().front(), Secret::from_text("0123456789abcdef", "t"));
    ASSERT_TRUE(transformer->max_length().has_value());
    ASSERT_TRUE(transformer->min_length().has_value());
    const std::size_t longest = *transformer->max_length();
    ASSERT_LT(*transformer->min_length(), longest);
    const std::string short_type = "character varying(" + std::to_string(longest - 1) + ")";
    EXPECT_EQ(length_problem(*transformer, short_type),
              " writes up to " + std::to_string(longest) + " characters, longer than the " + short_type +
                  " column holds");
    EXPECT_EQ(length_problem(*transformer, "character varying(" + std::to_string(longest) + ")"), std::nullopt);
    EXPECT_EQ(length_problem(*transformer, "text"), std::nullopt);
    const TableShape table{"public.t", {{"city", short_type, "S", false, false}}};
    auto report = check_coverage(rules, {table});
    ASSERT_EQ(report.errors.size(), 1u);
    EXPECT_EQ(report.errors[0], "understudy.yml:5:13: column \"public\".\"t\".\"city\": fake city writes up to " +
                                    std::to_string(longest) + " characters, longer than the " + short_type +
                                    " column holds");
    // hash with a length is at most that long; without one it grows with the input (no maximum).
    auto hashed = parse("anonymize:\n  tables:\n    public.t:\n      a: {hash: {length: 10}}\n      b: hash\n");
    EXPECT_EQ(hashed.make_transformer(hashed.rules()[0], Secret::from_text("0123456789abcdef", "t"))->max_length(),
              std::optional<std::size_t>(10));
    EXPECT_EQ(hashed.make_transformer(hashed.rules()[1], Secret::from_text("0123456789abcdef", "t"))->max_length(),
              std::nullopt);
}

TEST(Coverage, NoiseDoesNotFitMoney) {
    const TableShape accounts{"public.accounts", {{"balance", "money", "N", false, false}}};
    auto rules = parse("anonymize:\n  default: keep\n  tables:\n    public.accounts:\n      balance: {noise: {range: 5}}\n");
    auto report = check_coverage(rules, {accounts});
    ASSERT_EQ(report.errors.size(), 1u);
    EXPECT_EQ(report.errors[0], "understudy.yml:5:16: column \"public\".\"accounts\".\"balance\": noise range 5 does not "
                                "fit a money column (type money)");
    auto fixed = parse("anonymize:\n  default: keep\n  tables:\n    public.accounts:\n      balance: {fixed: \"0\"}\n");
    EXPECT_TRUE(check_coverage(fixed, {accounts}).ok());
}

TEST(Coverage, AKeyAndItsReferencesGetTheSameRule) {
    const std::vector<ReferencePair> references = {
        {"public.orders", "customer_code", "public.customers", "code", "foreign key \"orders_customer_code_fkey\""}};
    auto key_only = parse("anonymize:\n  default: keep\n  tables:\n    public.customers:\n      code: hash\n");
    CoverageReport report;
    check_reference_rules(key_only, references, report);
    ASSERT_EQ(report.errors.size(), 1u);
    EXPECT_EQ(report.errors[0],
              "understudy.yml:5:13: column \"public\".\"customers\".\"code\": hash hex is not the rule of "
              "\"public\".\"orders\".\"customer_code\" (no rule, copied as it is), which references it through "
              "foreign key \"orders_customer_code_fkey\": give both the same rule");

    auto reference_only = parse("anonymize:\n  default: keep\n  tables:\n    public.orders:\n      customer_code: hash\n");
    report = {};
    check_reference_rules(reference_only, references, report);
    ASSERT_EQ(report.errors.size(), 1u);
    EXPECT_NE(report.errors[0].find("which it references through"), std::string::npos) << report.errors[0];

    auto other_class = parse("anonymize:\n  default: keep\n  tables:\n    public.customers:\n      code: hash\n"
                             "    public.orders:\n      customer_code: {hash: {}, class: orders}\n");
    report = {};
    check_reference_rules(other_class, references, report);
    EXPECT_EQ(report.errors.size(), 1u);

    // The same rule, with or without unique: true, keeps the references.
    auto same = parse("anonymize:\n  default: keep\n  tables:\n    public.customers:\n"
                      "      code: {fake: username, unique: true}\n    public.orders:\n      customer_code: {fake: username}\n");
    report = {};
    check_reference_rules(same, references, report);
    EXPECT_TRUE(report.errors.empty()) << report.summary();
    auto kept = parse("anonymize:\n  default: keep\n");
    report = {};
    check_reference_rules(kept, references, report);
    EXPECT_TRUE(report.errors.empty());
}

TEST(RuleSet, KeepEntriesAndTableKeysMayBeSqlQuoted) {
    auto rules = parse("anonymize:\n  default: fail\n  tables:\n    public.\"odd.name\":\n      email: {fake: email}\n"
                       "keep:\n  - public.\"odd.name\".\"quo\"\"te\"\n  - '\"public\".\"dotted.table\"'\n  - public.users.id\n");
    EXPECT_NE(rules.find("public.odd.name", "email"), nullptr);
    EXPECT_TRUE(rules.kept("public.odd.name", "quo\"te"));
    EXPECT_FALSE(rules.kept("public.odd.name", "email"));
    EXPECT_TRUE(rules.kept("public.dotted.table", "anything"));
    EXPECT_TRUE(rules.kept("public.users", "id"));
    EXPECT_EQ(refusal("keep: [public.odd.name.column]\n"),
              "understudy.yml:1:8: keep entry \"public.odd.name.column\" has more than schema.table.column (quote names "
              "that hold dots: public.\"odd.name\".\"column\")");
    // An entry that is not SQL-quoted reads as written, quotes included (configurations before quoting).
    EXPECT_TRUE(parse("keep: ['app.Odd \"Name\".b']\n").kept("app.Odd \"Name\"", "b"));
}

TEST(RuleSet, ConfigNameQuotesOnlyWhatNeedsIt) {
    EXPECT_EQ(config_name("public.users", "email"), "public.users.email");
    EXPECT_EQ(config_name("public.users"), "public.users");
    EXPECT_EQ(config_name("public.odd.name", "quo\"te"), "\"public\".\"odd.name\".\"quo\"\"te\"");
    EXPECT_EQ(config_name("public.odd.name"), "\"public\".\"odd.name\"");
    EXPECT_EQ(config_name("public.users", "a.b"), "\"public\".\"users\".\"a.b\"");
    // What init writes, the rules read back.
    auto rules = parse("keep:\n  - '" + config_name("public.odd.name", "quo\"te") + "'\n");
    EXPECT_TRUE(rules.kept("public.odd.name", "quo\"te"));
}

}  // namespace
}  // namespace understudy::anonymizer
