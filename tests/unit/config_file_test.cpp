// Unit tests for understudy.yml loading: accepted shapes, and one-line errors naming file, line and column.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "../support/temp_file.hpp"
#include "understudy/error.hpp"
#include "understudy/orchestrator/cli/config_file.hpp"

namespace understudy::orchestrator {
namespace {

std::string error_of(const std::string& text) {
    testing::TempFile file(text);
    try {
        load_config_file(file.path());
    } catch (const Error& error) {
        EXPECT_EQ(error.code(), ExitCode::config);
        std::string message = error.what();
        EXPECT_EQ(message.rfind(file.path(), 0), 0u) << message;
        return message.substr(file.path().size());
    }
    ADD_FAILURE() << "no error for: " << text;
    return {};
}

TEST(ConfigFile, ReadsEverySubsetSetting) {
    setenv("UNDERSTUDY_TEST_FOLLOWER", "postgres://f/db", 1);
    testing::TempFile file(R"yaml(
source: ${UNDERSTUDY_TEST_FOLLOWER}
subset:
  fraction: 0.05
  seed: 9
  children: 0
  jobs: 4
  schemas: [public, billing]
  force: ["users:1", "orders:(7,2)"]
  infer_foreign_keys: rails
  rails_app: /app
  tables:
    public.countries: all
    audit_log: none
    public.users: {rows: 200}
    public.events: {percent: 1.5}
    public.orders: {where: "total > 10"}
  foreign_keys:
    - {from: "public.comments(post_id)", to: "public.posts(id)"}
  polymorphic:
    - {table: public.comments, type_column: commentable_type, id_column: commentable_id, types: {Post: public.posts}}
anonymize: {default: fail}
)yaml");
    auto config = load_config_file(file.path());
    EXPECT_EQ(config.source, "postgres://f/db");
    ASSERT_TRUE(config.sizing);
    EXPECT_EQ(config.sizing->mode, subsetter::SizingMode::fraction);
    EXPECT_DOUBLE_EQ(config.sizing->factor, 0.05);
    EXPECT_EQ(config.seed, 9u);
    EXPECT_EQ(config.children, 0);
    EXPECT_EQ(config.jobs, 4);
    EXPECT_EQ(config.schemas, (std::vector<std::string>{"public", "billing"}));
    ASSERT_EQ(config.forced.size(), 2u);
    EXPECT_EQ(config.forced[1].key, (std::vector<std::string>{"7", "2"}));
    EXPECT_EQ(config.inference, subsetter::ReferenceInference::rails);
    EXPECT_EQ(config.rails_app, std::optional<std::string>("/app"));
    EXPECT_EQ(config.overrides.at({"public", "countries"}).policy, subsetter::TablePolicy::all);
    EXPECT_EQ(config.overrides.at({"public", "audit_log"}).policy, subsetter::TablePolicy::none);
    EXPECT_EQ(config.overrides.at({"public", "users"}).rows, 200);
    EXPECT_DOUBLE_EQ(*config.overrides.at({"public", "events"}).percent, 1.5);
    EXPECT_EQ(config.overrides.at({"public", "orders"}).where, "total > 10");
    ASSERT_EQ(config.declared_references.size(), 1u);
    EXPECT_EQ(config.declared_references[0].child_columns, (std::vector<std::string>{"post_id"}));
    EXPECT_EQ(config.declared_references[0].parent.display(), "public.posts");
    ASSERT_EQ(config.polymorphic.size(), 1u);
    EXPECT_EQ(config.polymorphic[0].types.at("Post").display(), "public.posts");
}

TEST(ConfigFile, MalformedYamlNamesLineAndColumn) {
    EXPECT_EQ(error_of("subset:\n  seed: [1,\n"), ":3:1: end of sequence flow not found");
}

TEST(ConfigFile, UnknownKeyNamesLineAndColumn) {
    EXPECT_EQ(error_of("subset:\n  tables:\n    public.users: {rowz: 3}\n"),
              ":3:20: unknown key \"rowz\" in table \"public.users\"");
}

TEST(ConfigFile, BadValuesAreRefused) {
    EXPECT_EQ(error_of("subset:\n  logarithmic: 2\n"), ":2:16: logarithmic must be within (0, 1]");
    EXPECT_EQ(error_of("subset:\n  children: many\n"), ":2:13: invalid value for subset children");
    EXPECT_EQ(error_of("subset:\n  tables:\n    users: some\n"),
              ":3:12: table \"users\": expected all, none, or a mapping with rows, percent or where");
    EXPECT_EQ(error_of("subset:\n  force: [\"users\"]\n"),
              ":2:11: invalid --force value \"users\": expected TABLE:KEY or TABLE:(K1,K2)");
    EXPECT_EQ(error_of("source: ${UNDERSTUDY_TEST_SURELY_UNSET}\n"),
              ":1:9: source uses ${UNDERSTUDY_TEST_SURELY_UNSET}, which is not set");
    EXPECT_EQ(error_of("sourc: x\n"), ":1:1: unknown key \"sourc\" in the configuration file");
}

// A file that cannot be opened is a local file error (15, as the README's table says), not a bad configuration.
TEST(ConfigFile, MissingFileIsLocalFileError) {
    try {
        load_config_file("/nonexistent/understudy.yml");
        FAIL();
    } catch (const Error& error) {
        EXPECT_EQ(error.code(), ExitCode::io);
        EXPECT_EQ(std::string(error.what()),
                  "cannot read the configuration file \"/nonexistent/understudy.yml\": No such file or directory");
    }
}

TEST(ParseTableColumns, ReadsNamesAndColumns) {
    auto [table, columns] = parse_table_columns("billing.invoices(account_id, number)", "x");
    EXPECT_EQ(table.display(), "billing.invoices");
    EXPECT_EQ(columns, (std::vector<std::string>{"account_id", "number"}));
    EXPECT_TRUE(parse_table_columns("users", "x").second.empty());
    EXPECT_THROW(parse_table_columns("users(a,)", "x"), ConfigError);
}

}  // namespace
}  // namespace understudy::orchestrator
