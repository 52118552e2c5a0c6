// The JSON Schema of understudy.yml against the parsers: the schema parses, and the example files and
// README snippets use only keys and rule kinds the schema allows and the parsers accept.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "understudy/anonymizer/coverage.hpp"
#include "understudy/anonymizer/pii_spans.hpp"
#include "understudy/anonymizer/rules.hpp"
#include "understudy/orchestrator/cli/config_file.hpp"

namespace understudy::anonymizer {
namespace {

const std::filesystem::path k_schemas = std::filesystem::path(UNDERSTUDY_TEST_DATA_DIR) / ".." / "schemas";

std::string read_file(const std::filesystem::path& path) {
    std::ifstream stream(path, std::ios::binary);
    std::ostringstream text;
    text << stream.rdbuf();
    return text.str();
}

const nlohmann::json& schema() {
    static const nlohmann::json value = nlohmann::json::parse(read_file(k_schemas / "understudy.schema.json"));
    return value;
}

std::set<std::string> keys_of(const nlohmann::json& object) {
    std::set<std::string> keys;
    for (const auto& item : object.items()) keys.insert(item.key());
    return keys;
}

// The rule kinds the schema lets a column have: the mapping forms' required key and the bare words.
std::set<std::string> schema_rule_kinds() {
    std::set<std::string> kinds;
    for (const auto& option : schema()["$defs"]["rule"]["anyOf"]) {
        if (option.contains("$ref")) {
            auto name = option["$ref"].get<std::string>().substr(std::string("#/$defs/").size());
            kinds.insert(schema()["$defs"][name]["required"][0].get<std::string>());
        }
    }
    return kinds;
}

std::set<std::string> schema_scalar_rules() {
    std::set<std::string> words;
    for (const auto& option : schema()["$defs"]["rule"]["anyOf"]) {
        if (option.contains("enum")) {
            for (const auto& word : option["enum"]) words.insert(word.get<std::string>());
        }
    }
    return words;
}

// Walks one rule as YAML and checks each kind and option name against the schema's definition.
void expect_rule_allowed(const YAML::Node& rule, const std::string& where) {
    if (rule.IsNull()) return;
    if (rule.IsScalar()) {
        EXPECT_TRUE(schema_scalar_rules().count(rule.Scalar())) << where << ": " << rule.Scalar();
        return;
    }
    ASSERT_TRUE(rule.IsMap()) << where;
    std::string kind;
    for (const auto& entry : rule) {
        if (schema_rule_kinds().count(entry.first.Scalar())) kind = entry.first.Scalar();
    }
    ASSERT_FALSE(kind.empty()) << where;
    const auto& definition = schema()["$defs"][kind + "_rule"];
    for (const auto& entry : rule)
        EXPECT_TRUE(definition["properties"].contains(entry.first.Scalar())) << where << ": " << entry.first.Scalar();
    if (kind == "fake") {
        const auto& kinds = definition["properties"]["fake"]["enum"];
        EXPECT_NE(std::find(kinds.begin(), kinds.end(), rule["fake"].Scalar()), kinds.end()) << where;
    }
    if (kind == "json") {
        for (const auto& path : rule["json"]) expect_rule_allowed(path.second, where + " " + path.first.Scalar());
    }
    if (kind == "array") expect_rule_allowed(rule["array"], where + " array");
    if (kind == "scrub" && !rule["scrub"].IsNull()) {
        const auto& kinds = schema()["$defs"]["scrub_kind"]["enum"];
        const YAML::Node& listed = rule["scrub"];
        for (const auto& item : listed.IsSequence() ? listed : YAML::Node(std::vector<YAML::Node>{listed}))
            EXPECT_NE(std::find(kinds.begin(), kinds.end(), item.Scalar()), kinds.end()) << where;
    }
}

void expect_document_allowed(const YAML::Node& root, const std::string& where) {
    const auto top = keys_of(schema()["properties"]);
    for (const auto& entry : root) EXPECT_TRUE(top.count(entry.first.Scalar())) << where << ": " << entry.first.Scalar();
    if (root["subset"] && root["subset"].IsMap()) {
        const auto subset = keys_of(schema()["$defs"]["subset"]["properties"]);
        for (const auto& entry : root["subset"]) EXPECT_TRUE(subset.count(entry.first.Scalar())) << where;
    }
    if (!root["anonymize"] || !root["anonymize"].IsMap()) return;
    const auto anonymize = keys_of(schema()["$defs"]["anonymize"]["properties"]);
    for (const auto& entry : root["anonymize"]) EXPECT_TRUE(anonymize.count(entry.first.Scalar())) << where;
    for (const auto& table : root["anonymize"]["tables"]) {
        for (const auto& column : table.second)
            expect_rule_allowed(column.second, where + " " + table.first.Scalar() + "." + column.first.Scalar());
    }
}

TEST(ConfigSchema, IsDraft2020_12AndCoversEveryRuleKindAndFakeKind) {
    EXPECT_EQ(schema()["$schema"], "https://json-schema.org/draft/2020-12/schema");
    EXPECT_EQ(keys_of(schema()["properties"]),
              (std::set<std::string>{"source", "target", "subset", "anonymize", "keep", "sync", "protect"}));
    EXPECT_EQ(schema_rule_kinds(), (std::set<std::string>{"keep", "null", "fixed", "hash", "fake", "mask", "noise",
                                                          "date_shift", "template", "json", "array", "scrub"}));
    // Every fake kind the schema lists is one the parser knows, and the reverse.
    for (const auto& kind : schema()["$defs"]["fake_rule"]["properties"]["fake"]["enum"]) {
        auto root = YAML::Load("anonymize:\n  tables:\n    public.t:\n      c: {fake: " + kind.get<std::string>() + "}\n");
        EXPECT_NO_THROW(RuleSet::from_yaml(root, "schema")) << kind;
    }
    EXPECT_EQ(schema()["$defs"]["fake_rule"]["properties"]["fake"]["enum"].size(), 16u);
    // The scrub kinds are the parser's, plus `all`.
    std::string scrub_kinds = "all";
    for (ScrubKind kind : k_scrub_kinds) scrub_kinds += ", " + std::string(scrub_kind_name(kind));
    std::string schema_scrub_kinds;
    for (const auto& kind : schema()["$defs"]["scrub_kind"]["enum"])
        schema_scrub_kinds += (schema_scrub_kinds.empty() ? "" : ", ") + kind.get<std::string>();
    EXPECT_EQ(schema_scrub_kinds, scrub_kinds);
}

TEST(ConfigSchema, ExamplesUseOnlyWhatTheSchemaAllowsAndParse) {
    ::setenv("FOLLOWER_URL", "postgresql://follower.example/app", 1);
    ::setenv("STAGING_URL", "postgresql://staging.example/app", 1);
    int examples = 0;
    for (const auto& entry : std::filesystem::directory_iterator(k_schemas / "examples")) {
        if (entry.path().extension() != ".yml") continue;
        ++examples;
        const std::string path = entry.path().string();
        expect_document_allowed(YAML::LoadFile(path), path);
        EXPECT_NO_THROW(orchestrator::load_config_file(path)) << path;
        auto rules = RuleSet::load_file(path);
        EXPECT_TRUE(rules.configured()) << path;
        EXPECT_FALSE(rules.rules().empty()) << path;
    }
    EXPECT_GE(examples, 1);
}

// The Rails example covers a Devise users table as `rails g devise User` plus a few app columns makes it.
TEST(ConfigSchema, RailsExampleCoversADeviseUsersTable) {
    auto column = [](std::string name, std::string type, std::string category, bool unique = false,
                     bool not_null = false) {
        return ColumnShape{std::move(name), std::move(type), std::move(category), unique, not_null};
    };
    TableShape users{"public.users",
                     {column("id", "bigint", "N", true, true),
                      column("email", "character varying", "S", true, true),
                      column("encrypted_password", "character varying", "S", false, true),
                      column("reset_password_token", "character varying", "S", true),
                      column("reset_password_sent_at", "timestamp(6) without time zone", "D"),
                      column("remember_created_at", "timestamp(6) without time zone", "D"),
                      column("sign_in_count", "integer", "N", false, true),
                      column("current_sign_in_at", "timestamp(6) without time zone", "D"),
                      column("last_sign_in_at", "timestamp(6) without time zone", "D"),
                      column("current_sign_in_ip", "inet", "I"),
                      column("last_sign_in_ip", "inet", "I"),
                      column("confirmation_token", "character varying", "S", true),
                      column("confirmed_at", "timestamp(6) without time zone", "D"),
                      column("confirmation_sent_at", "timestamp(6) without time zone", "D"),
                      column("unconfirmed_email", "character varying", "S"),
                      column("failed_attempts", "integer", "N", false, true),
                      column("unlock_token", "character varying", "S", true),
                      column("locked_at", "timestamp(6) without time zone", "D"),
                      column("first_name", "character varying", "S"),
                      column("last_name", "character varying", "S"),
                      column("display_name", "character varying", "S"),
                      column("phone", "character varying", "S"),
                      column("date_of_birth", "date", "D"),
                      column("preferences", "jsonb", "U"),
                      column("backup_codes", "character varying[]", "A"),
                      column("notes", "text", "S"),
                      column("created_at", "timestamp(6) without time zone", "D", false, true),
                      column("updated_at", "timestamp(6) without time zone", "D", false, true)}};
    TableShape migrations{"public.schema_migrations", {column("version", "character varying", "S", true, true)}};
    auto rules = RuleSet::load_file((k_schemas / "examples" / "rails_users.yml").string());
    auto report = check_coverage(rules, {users, migrations});
    EXPECT_TRUE(report.ok()) << report.summary();
    for (const auto& check : report.checks) EXPECT_TRUE(check.unique_safe) << check.column;
}

TEST(ConfigSchema, ReadmeSnippetsParse) {
    const std::string readme = read_file(k_schemas / "README.md");
    std::size_t snippets = 0;
    for (std::size_t start = readme.find("```yaml\n"); start != std::string::npos;
         start = readme.find("```yaml\n", start + 1)) {
        auto body_start = start + 8;
        auto end = readme.find("```", body_start);
        ASSERT_NE(end, std::string::npos);
        const std::string snippet = readme.substr(body_start, end - body_start);
        ++snippets;
        YAML::Node root = YAML::Load(snippet);
        expect_document_allowed(root, "README snippet " + std::to_string(snippets));
        EXPECT_NO_THROW(RuleSet::from_yaml(root, "README snippet " + std::to_string(snippets))) << snippet;
    }
    EXPECT_GE(snippets, 12u);  // the overview and one per rule kind
}

}  // namespace
}  // namespace understudy::anonymizer
