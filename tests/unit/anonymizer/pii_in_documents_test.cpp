// Unit tests for finding personal data inside documents: JSON paths (nested, arrays of objects),
// array elements, free text, no false alarms on settings, and the starter config's json/scrub rules.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <string>
#include <vector>

#include "understudy/anonymizer/pii_detection.hpp"
#include "understudy/anonymizer/pii_in_documents.hpp"
#include "understudy/anonymizer/rules.hpp"
#include "understudy/error.hpp"

namespace understudy::anonymizer {
namespace {

ColumnShape column_of(const std::string& name, const std::string& type, const std::string& category) {
    return {name, type, category, false, false};
}

/// `path kind evidence rows` per finding, one a line: easy to compare whole.
std::string listed(const DocumentFindings& documents) {
    std::string out;
    for (const auto& finding : documents.findings) {
        const char* evidence = finding.evidence == Evidence::whole_value   ? "whole"
                               : finding.evidence == Evidence::inside_text ? "inside"
                                                                           : "key";
        out += finding.path + " " + finding.kind + " " + evidence + " " + std::to_string(finding.rows) + "\n";
    }
    return out;
}

const std::vector<std::string> k_profiles = {
    R"({"recovery_email": "ana@example.com", "twitter": "@ana", "contacts": [{"name": "Bo Li", "email": "bo@example.org"},)"
    R"( {"name": "Cy Ng", "email": "cy@example.net"}], "settings": {"theme": "dark"}})",
    R"({"recovery_email": "dee@example.com", "contacts": [], "bio": "write to dee@example.com", "odd key": "+49 30 1234567"})",
    R"({"theme": "light", "plan": {"name": "Pro"}})",
    R"({"contacts": [{"name": "", "email": null}], "recovery_email": "", "count": 3})",
};

TEST(PiiInDocuments, FindsPathsInNestedDocumentsAndArraysOfObjects) {
    const auto documents = find_pii_in_documents(column_of("profile", "jsonb", "U"), k_profiles);
    EXPECT_EQ(documents.sampled_rows, 4u);
    EXPECT_EQ(listed(documents),
              "$.bio email inside 1\n"
              "$.contacts[*].email email whole 1\n"
              "$.contacts[*].name full_name key 1\n"
              "$.recovery_email email whole 2\n"
              "$[\"odd key\"] phone whole 1\n");
}

TEST(PiiInDocuments, SettingsAndFlagsAreNotPersonalData) {
    const std::vector<std::string> settings = {
        R"({"theme": "dark", "beta": true, "notifications": {"email": true, "digest": "weekly"}, "locale": "en-US"})",
        R"({"timezone": "Europe/Berlin", "version": "2.4.1", "updated": "2024-03-05T10:00:00Z", "limit": 25})",
        R"({"features": ["search", "export"], "color": "#ff0000", "ratio": 0.75, "retries": 3, "id": 4111111111111111})",
        R"({"plan": {"name": "Pro", "seats": 10}, "webhook": "https://hooks.example.com/x", "build": "2024.03.05"})",
    };
    EXPECT_EQ(listed(find_pii_in_documents(column_of("settings", "jsonb", "U"), settings)), "");
}

// Random ids pass checksums by chance (Luhn one in ten, mod-97 one in 97): a card, IBAN, national id
// or phone found as a whole value counts only where it is the norm of its path, not an accident.
TEST(PiiInDocuments, ChecksumsPassedByChanceAreNotPersonalData) {
    std::vector<std::string> requests;
    std::vector<std::string> payments;
    for (int row = 0; row < 300; ++row) {
        // Hex ids like generate_fat_table.sql's: `de42…` passes IBAN's mod-97 now and then.
        char id[40];
        std::snprintf(id, sizeof id, "de%02d%08x%08x", row % 100, row * 2654435761u, row * 40503u);
        char card[20];
        std::snprintf(card, sizeof card, "4%015d", row * 7919);
        requests.push_back(std::string(R"({"request_id": ")") + id + R"(", "card_ref": ")" + card + R"("})");
        payments.push_back(R"({"iban": "DE89370400440532013000", "card": "4111111111111111"})");
    }
    EXPECT_EQ(listed(find_pii_in_documents(column_of("details", "jsonb", "U"), requests)), "");
    EXPECT_EQ(listed(find_pii_in_documents(column_of("details", "jsonb", "U"), payments)),
              "$.card credit_card whole 300\n"
              "$.iban iban whole 300\n");
}

TEST(PiiInDocuments, ArrayElementsAndFreeText) {
    const auto array = find_pii_in_documents(column_of("emails", "text[]", "A"),
                                             {R"(["ana@example.com", "bo@example.org"])", R"(["n/a"])", "[]"});
    EXPECT_EQ(listed(array), "$[*] email whole 1\n");
    const auto text = find_pii_in_documents(
        column_of("body", "text", "S"),
        {"Thanks! Reach me at ana@example.com.", "fixed in 2.4.1, see ticket 1234", "ana@example.com", "ok"});
    EXPECT_EQ(listed(text), "$ email whole 1\n$ email inside 1\n");
    EXPECT_EQ(describe_finding(text.findings[0], text.sampled_rows), "email-shaped in 1 of 4 sampled rows");
    EXPECT_EQ(describe_finding(text.findings[1], text.sampled_rows),
              "email-shaped text inside strings in 1 of 4 sampled rows");
    EXPECT_EQ(document_shape(column_of("tags", "integer[]", "A")), DocumentShape::none);
    EXPECT_EQ(document_shape(column_of("tags", "character varying(20)[]", "A")), DocumentShape::text_array);
    EXPECT_EQ(document_shape(column_of("created_at", "timestamp", "D")), DocumentShape::none);
}

TEST(PiiInDocuments, StarterConfigSuggestsJsonPathsArraysAndScrub) {
    SampledTable users;
    users.shape.name = "public.users";
    users.shape.columns = {column_of("profile", "jsonb", "U"), column_of("aliases", "text[]", "A"),
                           column_of("settings", "jsonb", "U")};
    users.documents = {
        find_pii_in_documents(users.shape.columns[0], k_profiles),
        find_pii_in_documents(users.shape.columns[1], {R"(["ana@example.com"])", R"(["bo@example.org", "x"])"}),
        find_pii_in_documents(users.shape.columns[2], {R"({"theme": "dark"})"}),
    };
    SampledTable comments;
    comments.shape.name = "public.comments";
    comments.shape.columns = {column_of("body", "text", "S")};
    comments.documents = {find_pii_in_documents(comments.shape.columns[0],
                                                {"mail ana@example.com", "from 10.1.2.3", "fine", "ok"})};
    const std::string config = write_starter_config({users, comments});
    EXPECT_NE(config.find("    public.comments:\n"
                          "      body: {scrub: [email, ipv4]}  # email-shaped text inside strings in 1 of 4 sampled "
                          "rows; ipv4-shaped text inside strings in 1 of 4 sampled rows\n"),
              std::string::npos)
        << config;
    EXPECT_NE(config.find("    public.users:\n"
                          "      aliases: {array: {fake: email}}  # email-shaped in 2 of 2 sampled rows\n"
                          "      profile:  # jsonb; personal data inside 4 sampled documents\n"
                          "        json:\n"
                          "          \"$.bio\": {scrub: [email]}  # email-shaped text inside strings in 1 of 4 sampled rows\n"
                          "          \"$.contacts[*].email\": {fake: email}  # email-shaped in 1 of 4 sampled rows\n"
                          "          \"$.contacts[*].name\": {fake: full_name}  # full_name by its key in 1 of 4 sampled rows\n"
                          "          \"$.recovery_email\": {fake: email}  # email-shaped in 2 of 4 sampled rows\n"
                          "          \"$[\\\"odd key\\\"]\": {fake: phone}  # phone-shaped in 1 of 4 sampled rows\n"),
              std::string::npos)
        << config;
    EXPECT_NE(config.find("  - public.users.settings  # jsonb\n"), std::string::npos) << config;
    // What init suggests, the rules parser accepts.
    EXPECT_NO_THROW(RuleSet::from_yaml(YAML::Load(config), "init"));
}

TEST(PiiInDocuments, ArrayElementsWithTextInsideGetScrubPerElement) {
    SampledTable tickets;
    tickets.shape.name = "public.tickets";
    tickets.shape.columns = {column_of("replies", "text[]", "A")};
    tickets.documents = {find_pii_in_documents(
        tickets.shape.columns[0], {R"(["thanks, mail ana@example.com", "call +44 20 7946 0018 please"])", R"(["ok"])"})};
    const std::string config = write_starter_config({tickets});
    EXPECT_NE(config.find("      replies: {array: {scrub: [email, phone]}}  # email-shaped text inside strings in 1 of "
                          "2 sampled rows; phone-shaped text inside strings in 1 of 2 sampled rows\n"),
              std::string::npos)
        << config;
    EXPECT_NO_THROW(RuleSet::from_yaml(YAML::Load(config), "init"));
}

TEST(PiiInDocuments, JsonRulePathsCoverTheirPlaceAndWhatIsBelow) {
    EXPECT_TRUE(json_path_covers("$.contacts[*].email", "$.contacts[*].email"));
    EXPECT_TRUE(json_path_covers("$.contacts", "$.contacts[*].email"));
    EXPECT_TRUE(json_path_covers("$.*.email", "$.contacts.email"));
    EXPECT_TRUE(json_path_covers("$[\"odd key\"]", "$[\"odd key\"]"));
    EXPECT_TRUE(json_path_covers("$", "$.recovery_email"));
    EXPECT_FALSE(json_path_covers("$.contacts[*].email", "$.recovery_email"));
    EXPECT_FALSE(json_path_covers("$.contacts[0].email", "$.contacts[*].email"));
    EXPECT_FALSE(json_path_covers("$.contacts[*].email", "$.contacts[*]"));
    EXPECT_FALSE(json_path_covers("not a path", "$.a"));
}

TEST(KeptPiiOption, DefaultsFollowDefaultAndBadValuesNameTheLine) {
    auto policy = [](const std::string& yaml) { return RuleSet::from_yaml(YAML::Load(yaml), "u.yml").kept_pii_policy(); };
    EXPECT_EQ(policy("source: x\n"), KeptPiiPolicy::off);
    EXPECT_EQ(policy("anonymize:\n"), KeptPiiPolicy::fail);
    EXPECT_EQ(policy("anonymize:\n  default: fail\n"), KeptPiiPolicy::fail);
    EXPECT_EQ(policy("anonymize:\n  default: keep\n"), KeptPiiPolicy::warn);
    EXPECT_EQ(policy("anonymize:\n  default: fail\n  kept_pii: warn\n"), KeptPiiPolicy::warn);
    EXPECT_EQ(policy("anonymize:\n  default: keep\n  kept_pii: fail\n"), KeptPiiPolicy::fail);
    EXPECT_EQ(policy("anonymize:\n  kept_pii: off\n"), KeptPiiPolicy::off);
    try {
        policy("anonymize:\n  default: fail\n  kept_pii: maybe\n");
        FAIL() << "kept_pii: maybe was accepted";
    } catch (const ConfigError& error) {
        EXPECT_EQ(std::string(error.what()), "u.yml:3:13: kept_pii must be fail, warn or off");
    }
}

}  // namespace
}  // namespace understudy::anonymizer
