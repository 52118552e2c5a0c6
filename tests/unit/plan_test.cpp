// Unit tests for the sizing plan on a hand-built catalog: overrides, refusals, references, the text table.
#include <gtest/gtest.h>

#include <algorithm>

#include "../../subsetter/src/plan_builder.hpp"
#include "understudy/error.hpp"

namespace understudy::subsetter {
namespace {

Column column(const std::string& name, const std::string& type = "bigint", bool not_null = true) {
    return {name, type, type, "N", not_null, false, false};
}

Table table(const std::string& schema, const std::string& name, std::vector<Column> columns,
            std::vector<std::string> key, std::int64_t rows) {
    Table result;
    result.name = {schema, name};
    result.columns = std::move(columns);
    result.primary_key = std::move(key);
    result.estimated_rows = rows;
    return result;
}

ForeignKey reference(const std::string& name, QualifiedName child, std::vector<std::string> child_columns,
                     QualifiedName parent, std::vector<std::string> parent_columns = {}) {
    ForeignKey key;
    key.name = name;
    key.child = std::move(child);
    key.child_columns = std::move(child_columns);
    key.parent = std::move(parent);
    key.parent_columns = std::move(parent_columns);
    return key;
}

const QualifiedName k_users{"public", "users"};
const QualifiedName k_orders{"public", "orders"};
const QualifiedName k_accounts{"app", "accounts"};
const QualifiedName k_logs{"public", "logs"};
const QualifiedName k_notes{"public", "notes"};

/// users <- orders (and users <- users, a manager), users <- app.accounts; logs has no key;
/// notes is standalone, with a polymorphic pair.
Catalog plan_catalog() {
    Catalog catalog;
    catalog.tables = {
        table("app", "accounts", {column("id"), column("owner_id"), column("code", "text")}, {"id"}, 1000),
        table("public", "logs", {column("line", "text", false)}, {}, 50000),
        table("public", "notes", {column("id"), column("subject_type", "text"), column("subject_id")}, {"id"}, 0),
        table("public", "orders", {column("id"), column("created", "date"), column("user_id")}, {"id", "created"},
              1000000),
        table("public", "users", {column("id"), column("email", "text"), column("manager_id", "bigint", false)},
              {"id"}, 100),
    };
    catalog.tables[0].unique_keys = {{"code"}};
    catalog.foreign_keys = {
        reference("accounts_owner_fk", k_accounts, {"owner_id"}, k_users, {"id"}),
        reference("orders_user_fk", k_orders, {"user_id"}, k_users, {"id"}),
        reference("users_manager_fk", k_users, {"manager_id"}, k_users, {"id"}),
    };
    return catalog;
}

SubsetPlan plan(const SubsetSettings& settings, std::vector<ForeignKey> inferred = {},
                std::vector<std::string> warnings = {}) {
    return build_plan(plan_catalog(), settings, std::move(inferred), std::move(warnings));
}

TEST(Plan, DefaultSizingIsLogarithmicInLoadOrder) {
    auto result = plan(SubsetSettings{});
    std::vector<QualifiedName> order;
    for (const auto& table : result.tables) order.push_back(table.table);
    EXPECT_EQ(order, (std::vector<QualifiedName>{k_logs, k_notes, k_users, k_accounts, k_orders}));
    const TablePlan* orders = result.find(k_orders);
    ASSERT_NE(orders, nullptr);
    EXPECT_EQ(orders->policy, TablePolicy::sample);
    EXPECT_EQ(orders->estimated_rows, 1000000);
    EXPECT_EQ(orders->target_rows, 1000);
    EXPECT_EQ(orders->sizing, "logarithmic 0.5");
    EXPECT_EQ(orders->reached_as, (std::vector<std::string>{"seed", "child of public.users"}));
    const TablePlan* users = result.find(k_users);
    EXPECT_EQ(users->reached_as,
              (std::vector<std::string>{"seed", "parent of app.accounts", "parent of public.orders"}));
    const TablePlan* notes = result.find(k_notes);
    EXPECT_EQ(notes->target_rows, 0);
    EXPECT_TRUE(notes->reached_as.empty());
    EXPECT_TRUE(result.find(k_logs)->keyless);
    EXPECT_FALSE(users->keyless);
    EXPECT_EQ(result.find({"public", "missing"}), nullptr);
}

TEST(Plan, OverridesSetPolicyAndSize) {
    SubsetSettings settings;
    settings.sizing = {SizingMode::fraction, 0.05};
    settings.children = 0;
    settings.overrides[k_accounts] = TableOverride{TablePolicy::all, {}, {}, {}, "understudy.yml:3"};
    settings.overrides[k_orders] = TableOverride{TablePolicy::sample, {}, 2.5, {}, "understudy.yml:5"};
    settings.overrides[k_logs] = TableOverride{TablePolicy::sample, {}, {}, std::string("line LIKE 'x%'"), "y:7"};
    settings.overrides[k_notes] = TableOverride{TablePolicy::sample, 12, {}, {}, "y:9"};
    auto result = plan(settings);
    EXPECT_EQ(result.find(k_accounts)->sizing, "all");
    EXPECT_EQ(result.find(k_accounts)->target_rows, 1000);
    EXPECT_EQ(result.find(k_orders)->sizing, "percent: 2.5");
    EXPECT_EQ(result.find(k_orders)->target_rows, 25000);
    EXPECT_EQ(result.find(k_orders)->reached_as, std::vector<std::string>{"seed"});
    EXPECT_EQ(result.find(k_logs)->sizing, "where: line LIKE 'x%'");
    EXPECT_EQ(result.find(k_logs)->target_rows, -1);
    EXPECT_EQ(result.find(k_notes)->sizing, "rows: 12");
    EXPECT_EQ(result.find(k_notes)->target_rows, 12);
    EXPECT_EQ(result.find(k_users)->sizing, "fraction 0.05");
    EXPECT_EQ(result.find(k_users)->target_rows, 5);
}

TEST(Plan, ExcludedParentOfCopiedTablesIsRefused) {
    SubsetSettings settings;
    settings.overrides[k_users] = TableOverride{TablePolicy::none, {}, {}, {}, "--exclude-table"};
    try {
        plan(settings);
        FAIL() << "expected a refusal";
    } catch (const Error& error) {
        EXPECT_EQ(error.code(), ExitCode::plan_refused);
        EXPECT_EQ(std::string(error.what()),
                  "excluded table \"public.users\" is referenced by copied tables: \"app.accounts\", \"public.orders\"");
        EXPECT_EQ(error.hint(), "exclude them as well (--exclude-table) or copy \"public.users\"");
    }
}

TEST(Plan, ExcludingTheChildrenToo) {
    SubsetSettings settings;
    for (const auto& name : {k_users, k_orders, k_accounts})
        settings.overrides[name] = TableOverride{TablePolicy::none, {}, {}, {}, "--exclude-table"};
    auto result = plan(settings);
    EXPECT_EQ(result.find(k_users)->target_rows, 0);
    EXPECT_EQ(result.find(k_users)->sizing, "none");
    EXPECT_TRUE(result.find(k_users)->reached_as.empty());
}

TEST(Plan, UnknownOverrideTableNamesItsOrigin) {
    SubsetSettings settings;
    settings.overrides[{"public", "nope"}] = TableOverride{TablePolicy::all, {}, {}, {}, "understudy.yml:12"};
    try {
        plan(settings);
        FAIL() << "expected a config error";
    } catch (const ConfigError& error) {
        EXPECT_EQ(std::string(error.what()), "understudy.yml:12: unknown table \"public.nope\"");
    }
}

TEST(Plan, ForcedRowsAreChecked) {
    SubsetSettings settings;
    settings.forced = {ForcedRow::parse("notes:1")};
    EXPECT_EQ(plan(settings).find(k_notes)->reached_as, std::vector<std::string>{"seed"});

    settings.forced = {ForcedRow::parse("orders:7")};
    try {
        plan(settings);
        FAIL() << "expected a config error";
    } catch (const ConfigError& error) {
        EXPECT_EQ(std::string(error.what()), "--force \"orders:7\": the key of table \"public.orders\" has 2 columns "
                                             "(\"id\", \"created\"), 1 value given");
    }
    settings.forced = {ForcedRow::parse("logs:1")};
    EXPECT_THROW(plan(settings), ConfigError);
    settings.forced = {ForcedRow::parse("ghosts:1")};
    EXPECT_THROW(plan(settings), ConfigError);
}

TEST(Plan, DeclaredReferencesDefaultToTheParentKey) {
    SubsetSettings settings;
    settings.declared_references = {reference("notes_user", k_notes, {"subject_id"}, k_users)};
    auto result = plan(settings);
    auto parents = result.graph.parents_of(k_notes);
    ASSERT_EQ(parents.size(), 1u);
    EXPECT_EQ(parents[0]->parent_columns, std::vector<std::string>{"id"});
    EXPECT_EQ(parents[0]->origin, ReferenceOrigin::declared);
    EXPECT_EQ(result.find(k_users)->reached_as,
              (std::vector<std::string>{"seed", "parent of app.accounts", "parent of public.notes",
                                        "parent of public.orders"}));
}

TEST(Plan, DeclaredReferencesMustPointAtAKey) {
    SubsetSettings settings;
    settings.declared_references = {reference("bad", k_notes, {"subject_id"}, k_users, {"manager_id"})};
    EXPECT_THROW(plan(settings), ConfigError);
    settings.declared_references = {reference("ok", k_notes, {"subject_type"}, k_accounts, {"code"})};
    EXPECT_NO_THROW(plan(settings));
    settings.declared_references = {reference("bad", k_notes, {"nope"}, k_users)};
    EXPECT_THROW(plan(settings), ConfigError);
    settings.declared_references = {reference("bad", k_notes, {"subject_id"}, k_logs)};
    EXPECT_THROW(plan(settings), ConfigError);
}

TEST(Plan, PolymorphicPairsExpandPerTypeValue) {
    SubsetSettings settings;
    PolymorphicReference pair;
    pair.table = k_notes;
    pair.type_column = "subject_type";
    pair.id_column = "subject_id";
    pair.types = {{"User", k_users}, {"Account", k_accounts}};
    pair.origin = "understudy.yml:20";
    settings.polymorphic = {pair};
    auto result = plan(settings);
    auto parents = result.graph.parents_of(k_notes);
    ASSERT_EQ(parents.size(), 2u);
    EXPECT_EQ(parents[0]->name, "polymorphic:subject_type=Account");
    EXPECT_EQ(parents[0]->parent, k_accounts);
    EXPECT_EQ(parents[1]->name, "polymorphic:subject_type=User");
    ASSERT_TRUE(parents[1]->condition.has_value());
    EXPECT_EQ(parents[1]->condition->type_value, "User");
    EXPECT_EQ(parents[1]->origin, ReferenceOrigin::declared);

    pair.types = {{"Order", k_orders}};  // composite key: cannot be the target of one id column
    settings.polymorphic = {pair};
    EXPECT_THROW(plan(settings), ConfigError);
}

TEST(Plan, InferredReferencesYieldToDeclaredOnes) {
    SubsetSettings settings;
    settings.declared_references = {reference("notes_user", k_notes, {"subject_id"}, k_users)};
    ForeignKey inferred = reference("rails:subject_id", k_notes, {"subject_id"}, k_accounts, {"id"});
    inferred.origin = ReferenceOrigin::inferred;
    ForeignKey kept = reference("rails:owner_id", k_logs, {"line"}, k_accounts, {"id"});
    kept.origin = ReferenceOrigin::inferred;
    kept.reason = "because";
    auto result = plan(settings, {inferred, kept}, {"a warning"});
    ASSERT_EQ(result.inferred.size(), 1u);
    EXPECT_EQ(result.inferred[0].name, "rails:owner_id");
    EXPECT_EQ(result.warnings, std::vector<std::string>{"a warning"});
}

// The table of sizes itself is orchestrator's format_table_summary (table_summary_test.cpp), shared with subset.
TEST(Plan, FormatsItsNotesAfterTheTable) {
    SubsetSettings settings;
    settings.overrides[k_accounts] = TableOverride{TablePolicy::all, {}, {}, {}, "y:1"};
    settings.overrides[k_logs] = TableOverride{TablePolicy::sample, {}, {}, std::string("true"), "y:2"};
    ForeignKey inferred = reference("rails:subject_id", k_notes, {"subject_id"}, k_accounts, {"id"});
    inferred.origin = ReferenceOrigin::inferred;
    inferred.reason = "column \"subject_id\" names table \"app.accounts\" (Rails convention)";
    auto text = format_plan_notes(plan(settings, {inferred}, {"table \"public.notes\" column \"subject_type\": oops"}));
    const std::string expected =
        "\n"
        "cycles:\n"
        "  public.users (self reference)\n"
        "\n"
        "references (not declared by the schema):\n"
        "  public.notes(subject_id) -> app.accounts(id): naming convention: column \"subject_id\" names table "
        "\"app.accounts\" (Rails convention)\n"
        "\n"
        "warnings:\n"
        "  table \"public.notes\" column \"subject_type\": oops\n"
        "  table \"public.logs\" has no primary key or NOT NULL unique key: its rows are not chosen by key\n";
    EXPECT_EQ(text, expected);
}

}  // namespace
}  // namespace understudy::subsetter
