// Unit tests of the `scrub` rule: the pseudonyms match `fake` of each kind, everything else in the
// text keeps its bytes, and it works as a column rule, inside json paths and arrays, through COPY.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "understudy/anonymizer/rules.hpp"
#include "understudy/anonymizer/table_rewriter.hpp"
#include "understudy/error.hpp"

namespace understudy::anonymizer {
namespace {

const Secret& test_secret() {
    static const Secret secret = Secret::from_text("scrub unit test secret", "test");
    return secret;
}

class NoColumns final : public RowView {
public:
    const Value& column(std::string_view name) const override {
        throw std::out_of_range("column " + std::string(name));
    }
};

RuleSet rules_from(const std::string& yaml) {
    return RuleSet::from_yaml(YAML::Load(yaml), "understudy.yml");
}

// The transformer for one rule written in YAML flow style, e.g. `{scrub: [email]}`.
std::unique_ptr<Transformer> make(const std::string& rule) {
    const RuleSet rules = rules_from("anonymize:\n  tables:\n    public.t:\n      c: " + rule + "\n");
    return rules.make_transformer(*rules.find("public.t", "c"), test_secret());
}

std::string run(const Transformer& transformer, const std::string& input) {
    const Value result = transformer.apply(input, NoColumns());
    EXPECT_TRUE(result.has_value());
    return result.value_or("<null>");
}

// The ConfigError message for a scrub rule that must be refused.
std::string refusal(const std::string& rule) {
    try {
        rules_from("anonymize:\n  tables:\n    public.t:\n      c: " + rule + "\n");
    } catch (const ConfigError& error) {
        return error.what();
    }
    ADD_FAILURE() << "accepted: " << rule;
    return {};
}

TEST(ScrubRule, SameOriginalSamePseudonymAsFakeOfItsKind) {
    const RuleSet rules = rules_from(R"(
anonymize:
  tables:
    public.users:
      email: {fake: email, unique: true}
      phone: {fake: phone}
      last_ip: {fake: ipv4}
      ip6: {fake: ipv6}
      card: {fake: credit_card}
      iban: {fake: iban}
      homepage: {fake: url}
    public.comments:
      body: {scrub: [email, phone, ipv4, ipv6, credit_card, iban, url]}
)");
    const auto column = [&](const char* name) {
        return rules.make_transformer(*rules.find("public.users", name), test_secret());
    };
    const auto body = rules.make_transformer(*rules.find("public.comments", "body"), test_secret());
    const struct {
        const char* column;
        const char* original;
    } cases[] = {
        {"email", "alice@example.com"},
        {"phone", "+44 20 7946 0958"},
        {"last_ip", "203.0.113.7"},
        {"ip6", "2001:db8:1::42"},
        {"card", "4111 1111 1111 1111"},
        {"iban", "DE89 3704 0044 0532 0130 00"},
        {"homepage", "https://alice.example.com/about"},
    };
    for (const auto& example : cases) {
        const std::string pseudonym = run(*column(example.column), example.original);
        EXPECT_EQ(run(*body, std::string("See: ") + example.original + ", thanks!"), "See: " + pseudonym + ", thanks!")
            << example.column;
        EXPECT_EQ(run(*body, example.original), pseudonym) << example.column;
    }
}

TEST(ScrubRule, TextWithoutPiiKeepsItsBytesAndTheRestStaysAroundEachSpan) {
    const auto scrub = make("{scrub: all}");
    for (const std::string& text : std::vector<std::string>{
             "", "Thanks, works now.", "tab\tnewline\nbackslash\\ and \"quotes\"",
             "déjà vu — 2024-01-15 v1.2.3 #123456789", std::string("nul-free but \x01 control"), "€ 1.234.567,89"}) {
        EXPECT_EQ(run(*scrub, text), text);
    }
    const std::string text = "Hi\tBob,\nmail jane@example.org or call +1 555 123 4567.\n— Ann";
    const std::string out = run(*scrub, text);
    EXPECT_EQ(out.rfind("Hi\tBob,\nmail ", 0), 0u) << out;
    EXPECT_NE(out.find(" or call +1 555 "), std::string::npos) << out;
    EXPECT_EQ(out.substr(out.size() - std::string(".\n— Ann").size()), ".\n— Ann") << out;
    EXPECT_EQ(out.find("jane@example.org"), std::string::npos) << out;
    EXPECT_EQ(out.find("123 4567"), std::string::npos) << out;
    EXPECT_EQ(run(*scrub, text), out);  // deterministic
}

TEST(ScrubRule, NullStaysNull) {
    const auto scrub = make("{scrub: [email]}");
    EXPECT_FALSE(scrub->apply(std::nullopt, NoColumns()).has_value());
}

TEST(ScrubRule, OnlyTheListedKindsAreReplaced) {
    const auto emails = make("{scrub: email}");
    const std::string out = run(*emails, "jane@example.org from 10.0.0.7");
    EXPECT_EQ(out.find("jane@example.org"), std::string::npos);
    EXPECT_NE(out.find(" from 10.0.0.7"), std::string::npos) << out;
    const auto ips = make("{scrub: [ipv4]}");
    EXPECT_EQ(run(*ips, "jane@example.org from 10.0.0.7").rfind("jane@example.org from 10.", 0), 0u);
}

TEST(ScrubRule, InsideJsonPathsAndArrays) {
    const auto email = make("{fake: email}");
    const std::string pseudonym = run(*email, "jane@example.org");
    const auto json = make(R"({json: {"$.notes[*]": {scrub: [email]}}})");
    EXPECT_EQ(run(*json, R"({"notes":["write jane@example.org\nsoon","none"],"jane@example.org":1})"),
              R"({"notes":["write )" + pseudonym + R"(\nsoon","none"],"jane@example.org":1})");
    // `$` reaches every string of the document; numbers without PII shape come back as they were.
    const auto whole = make(R"({json: {"$": scrub}})");
    EXPECT_EQ(run(*whole, R"({"a":{"b":"mail: jane@example.org"},"n":12.50,"t":true})"),
              R"({"a":{"b":"mail: )" + pseudonym + R"("},"n":12.50,"t":true})");
    const auto array = make("{array: {scrub: [email]}}");
    EXPECT_EQ(run(*array, R"({"x jane@example.org",plain,NULL})"), "{\"x " + pseudonym + "\",plain,NULL}");
}

TEST(ScrubRule, CopyEscapesAreDecodedBeforeTheScanAndWrittenBackAfter) {
    const RuleSet rules = rules_from(R"(
anonymize:
  default: keep
  tables:
    public.comments:
      body: {scrub: [email]}
)");
    const auto email = rules_from("anonymize:\n  tables:\n    public.u:\n      e: {fake: email}\n");
    const std::string pseudonym =
        run(*email.make_transformer(*email.find("public.u", "e"), test_secret()), "jane@example.org");
    TableRewriter rewriter(rules, test_secret(), "public.comments", {"id", "body"});
    std::string out;
    // `\n` right before the address is a newline, not an `n` of its local part; `\t` after it a tab.
    rewriter.rewrite("1\tline\\njane@example.org\\tend \\\\ done\n", out);
    rewriter.rewrite("2\t\\N\n", out);
    rewriter.rewrite("3\tno pii\\there\n", out);
    EXPECT_EQ(out, "1\tline\\n" + pseudonym + "\\tend \\\\ done\n2\t\\N\n3\tno pii\\there\n");
}

TEST(ScrubRule, SpellingsAndDescriptions) {
    EXPECT_EQ(rules_from("anonymize:\n  tables:\n    public.t:\n      c: scrub\n").rules().at(0).description,
              "scrub all");
    const auto description = [](const std::string& rule) {
        return rules_from("anonymize:\n  tables:\n    public.t:\n      c: " + rule + "\n").rules().at(0).description;
    };
    EXPECT_EQ(description("{scrub: all}"), "scrub all");
    EXPECT_EQ(description("{scrub: }"), "scrub all");
    EXPECT_EQ(description("{scrub: [url, email]}"), "scrub email, url");
    EXPECT_EQ(description("{scrub: [email, all]}"), "scrub all");
    EXPECT_EQ(description("{scrub: iban}"), "scrub iban");
    EXPECT_EQ(description("{array: {scrub: [phone]}}"), "array of scrub phone");
    EXPECT_EQ(rules_from("anonymize:\n  tables:\n    public.t:\n      c: scrub\n").rules().at(0).kind, "scrub");
}

// The example of docs/anonymization.md's scrub section.
TEST(ScrubRule, DocumentedExampleParses) {
    const RuleSet rules = rules_from(R"(
anonymize:
  tables:
    public.comments:
      body: {scrub: [email, phone, ipv4, ipv6, credit_card, iban, url]}   # the same as {scrub: all}
    public.issues:
      body: {scrub: [email, phone]}          # links to the docs stay as they are
    public.audit_events:
      payload: {json: {"$.message": {scrub: all}, "$": {scrub: [email]}}}   # "$": every string
    public.tickets:
      notes: {array: scrub}                  # the bare word is every kind
)");
    ASSERT_EQ(rules.rules().size(), 4u);
    EXPECT_EQ(rules.find("public.comments", "body")->description, "scrub all");
    EXPECT_EQ(rules.find("public.audit_events", "payload")->description,
              "json $.message: scrub all, $: scrub email");
    const auto payload = rules.make_transformer(*rules.find("public.audit_events", "payload"), test_secret());
    const std::string out = run(*payload, R"({"message":"from 10.0.0.7","by":"ann@example.org"})");
    EXPECT_EQ(out.find("10.0.0.7"), std::string::npos) << out;
    EXPECT_EQ(out.find("ann@example.org"), std::string::npos) << out;
}

TEST(ScrubRule, RefusesBadOptions) {
    EXPECT_EQ(refusal("{scrub: [email, emails]}"),
              "understudy.yml:4:26: unknown scrub kind \"emails\" (expected all or a list of email, phone, ipv4, ipv6, "
              "credit_card, iban, url)");
    EXPECT_NE(refusal("{scrub: []}").find("scrub needs at least one kind"), std::string::npos);
    EXPECT_NE(refusal("{scrub: {kinds: [email]}}").find("scrub must be all or a list of kinds"), std::string::npos);
    EXPECT_NE(refusal("{scrub: [email], class: x}").find("class applies to"), std::string::npos);
    EXPECT_NE(refusal("{scrub: [email], unique: true}").find("scrub cannot be unique"), std::string::npos);
    EXPECT_NE(refusal("{scrub: [[email]]}").find("must be a single value"), std::string::npos);
}

}  // namespace
}  // namespace understudy::anonymizer
