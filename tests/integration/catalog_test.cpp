// Integration tests of load_catalog and make_plan on the fixture database, read from the hot standby.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "test_cluster.hpp"
#include "understudy/error.hpp"
#include "understudy/pg/session.hpp"
#include "understudy/subsetter/catalog.hpp"
#include "understudy/subsetter/subset_plan.hpp"

namespace understudy::testing {
namespace {

using subsetter::Catalog;
using subsetter::CatalogFilter;
using subsetter::ForeignKey;
using subsetter::QualifiedName;

std::vector<std::string> table_names(const Catalog& catalog) {
    std::vector<std::string> names;
    for (const auto& table : catalog.tables) names.push_back(table.name.display());
    return names;
}

const ForeignKey* find_reference(const Catalog& catalog, const std::string& name) {
    for (const auto& key : catalog.foreign_keys) {
        if (key.name == name) return &key;
    }
    return nullptr;
}

/// One catalog read per test binary: the fixture does not change.
const Catalog& fixture_catalog() {
    static const Catalog catalog = [] {
        pg::SourceSnapshot snapshot(fixture_servers().standby.conninfo(k_fixture_database));
        return subsetter::load_catalog(snapshot.transaction());
    }();
    return catalog;
}

TEST(Catalog, ListsTablesInCanonicalOrderWithoutPartitions) {
    const std::vector<std::string> expected = {
        "Audit.ChangeLog",       "billing.invoice_lines", "billing.invoices",   "billing.subscription_periods",
        "billing.subscriptions", "billing.usage_events",  "public.accounts",    "public.api_key_uses",
        "public.api_keys",       "public.employees",      "public.line_items",  "public.orders",
        "public.page_views",     "public.product_tags",   "public.products",    "public.tags",
        "public.users",
    };
    EXPECT_EQ(table_names(fixture_catalog()), expected);
}

TEST(Catalog, PartitionedTableStandsForItsPartitions) {
    const auto* events = fixture_catalog().find({"billing", "usage_events"});
    ASSERT_NE(events, nullptr);
    EXPECT_TRUE(events->partitioned);
    std::vector<std::string> partitions;
    for (const auto& partition : events->partitions) partitions.push_back(partition.display());
    EXPECT_EQ(partitions, (std::vector<std::string>{"billing.usage_events_2024_q1", "billing.usage_events_2024_q2",
                                                    "billing.usage_events_2024_q3", "billing.usage_events_2024_q4",
                                                    "billing.usage_events_default"}));
    EXPECT_EQ(events->estimated_rows, 40000);
    EXPECT_EQ(events->primary_key, (std::vector<std::string>{"id", "occurred_at"}));
}

TEST(Catalog, ColumnsCarryTypesDomainsAndGeneration) {
    const auto& catalog = fixture_catalog();
    const auto* users = catalog.find({"public", "users"});
    ASSERT_NE(users, nullptr);
    ASSERT_EQ(users->columns.size(), 10u);
    EXPECT_EQ(users->columns[0].name, "id");
    EXPECT_EQ(users->columns[0].type, "bigint");
    EXPECT_TRUE(users->columns[0].not_null);
    const auto* email = users->find_column("email");
    ASSERT_NE(email, nullptr);
    // Sessions run with an empty search_path, so format_type() qualifies every type outside
    // pg_catalog: the name then works in a cast in any session.
    EXPECT_EQ(email->type, "public.email_address");
    EXPECT_EQ(email->base_type, "text");
    EXPECT_EQ(email->type_category, "S");
    EXPECT_EQ(users->find_column("nicknames")->type, "text[]");
    EXPECT_EQ(users->find_column("nicknames")->type_category, "A");
    EXPECT_EQ(users->estimated_rows, 5000);

    const auto* products = catalog.find({"public", "products"});
    EXPECT_TRUE(products->find_column("price_with_tax_cents")->generated);
    EXPECT_FALSE(products->find_column("price_cents")->generated);
    EXPECT_EQ(products->find_column("tax_rate")->type, "numeric(5,4)");
    const auto copied = products->copy_columns();
    EXPECT_EQ(std::count(copied.begin(), copied.end(), "price_with_tax_cents"), 0);

    EXPECT_TRUE(catalog.find({"public", "employees"})->find_column("id")->identity);
    EXPECT_TRUE(catalog.find({"Audit", "ChangeLog"})->find_column("id")->identity);
    EXPECT_FALSE(products->find_column("id")->identity);
    EXPECT_NE(catalog.find({"Audit", "ChangeLog"})->find_column("TableName"), nullptr);
}

TEST(Catalog, KeysAndUniqueKeys) {
    const auto& catalog = fixture_catalog();
    EXPECT_EQ(catalog.find({"public", "users"})->unique_keys, std::vector<std::vector<std::string>>{{"email"}});
    EXPECT_EQ(catalog.find({"public", "employees"})->unique_keys, std::vector<std::vector<std::string>>{{"user_id"}});
    EXPECT_EQ(catalog.find({"billing", "invoice_lines"})->primary_key,
              (std::vector<std::string>{"account_id", "invoice_number", "line_no"}));
    EXPECT_EQ(catalog.find({"public", "product_tags"})->row_key(), (std::vector<std::string>{"product_id", "tag_id"}));
    const auto* page_views = catalog.find({"public", "page_views"});
    EXPECT_TRUE(page_views->primary_key.empty());
    EXPECT_TRUE(page_views->row_key().empty());
    EXPECT_EQ(catalog.find({"public", "api_keys"})->find_column("id")->type, "uuid");
    // Every column any unique index reads, for the anonymizer's unique-safety check.
    EXPECT_EQ(catalog.find({"public", "users"})->unique_columns, (std::vector<std::string>{"email", "id"}));
    EXPECT_EQ(catalog.find({"billing", "invoice_lines"})->unique_columns,
              (std::vector<std::string>{"account_id", "invoice_number", "line_no"}));
}

TEST(Catalog, ForeignKeysIncludeCompositeCrossSchemaAndPartitionedOnes) {
    const auto& catalog = fixture_catalog();
    EXPECT_EQ(catalog.foreign_keys.size(), 21u);
    EXPECT_TRUE(std::is_sorted(catalog.foreign_keys.begin(), catalog.foreign_keys.end(),
                               [](const ForeignKey& left, const ForeignKey& right) {
                                   return left.child != right.child ? left.child < right.child : left.name < right.name;
                               }));
    const auto* composite = find_reference(catalog, "invoice_lines_account_id_invoice_number_fkey");
    ASSERT_NE(composite, nullptr);
    EXPECT_EQ(composite->child, (QualifiedName{"billing", "invoice_lines"}));
    EXPECT_EQ(composite->parent, (QualifiedName{"billing", "invoices"}));
    EXPECT_EQ(composite->child_columns, (std::vector<std::string>{"account_id", "invoice_number"}));
    EXPECT_EQ(composite->parent_columns, (std::vector<std::string>{"account_id", "invoice_number"}));

    // Declared once on the partitioned table; the clones PostgreSQL puts on each partition are not listed.
    int usage_references = 0;
    for (const auto& key : catalog.foreign_keys) {
        if (key.child == QualifiedName{"billing", "usage_events"}) {
            ++usage_references;
            EXPECT_EQ(key.parent, (QualifiedName{"public", "users"}));
            EXPECT_EQ(key.child_columns, std::vector<std::string>{"user_id"});
        }
    }
    EXPECT_EQ(usage_references, 1);

    const auto* audit = find_reference(catalog, "ChangeLog_user_id_fkey");
    ASSERT_NE(audit, nullptr);
    EXPECT_EQ(audit->child, (QualifiedName{"Audit", "ChangeLog"}));
    EXPECT_NE(find_reference(catalog, "subscriptions_current_period_id_fkey"), nullptr);
    EXPECT_TRUE(find_reference(catalog, "employees_manager_id_fkey")->is_self_reference());
}

TEST(Catalog, SequencesKnowTheirColumns) {
    const auto& catalog = fixture_catalog();
    auto find_sequence = [&](const QualifiedName& name) -> const subsetter::Sequence* {
        for (const auto& sequence : catalog.sequences) {
            if (sequence.name == name) return &sequence;
        }
        return nullptr;
    };
    const auto* products = find_sequence({"public", "products_id_seq"});
    ASSERT_NE(products, nullptr);
    ASSERT_TRUE(products->table.has_value());
    EXPECT_EQ(*products->table, (QualifiedName{"public", "products"}));
    EXPECT_EQ(products->column, "id");
    const auto* identity = find_sequence({"public", "employees_id_seq"});
    ASSERT_NE(identity, nullptr);
    EXPECT_EQ(identity->column, "id");
    const auto* partitioned = find_sequence({"billing", "usage_events_id_seq"});
    ASSERT_NE(partitioned, nullptr);
    EXPECT_EQ(*partitioned->table, (QualifiedName{"billing", "usage_events"}));
    EXPECT_NE(find_sequence({"Audit", "ChangeLog_id_seq"}), nullptr);
    EXPECT_TRUE(std::is_sorted(catalog.sequences.begin(), catalog.sequences.end(),
                               [](const auto& left, const auto& right) { return left.name < right.name; }));
}

TEST(Catalog, MaterializedViews) {
    EXPECT_EQ(fixture_catalog().materialized_views, (std::vector<QualifiedName>{{"public", "product_sales"}}));
}

TEST(Catalog, SchemaFilterKeepsOnlyThoseSchemas) {
    pg::SourceSnapshot snapshot(fixture_servers().standby.conninfo(k_fixture_database));
    CatalogFilter filter;
    filter.schemas = {"billing"};
    auto catalog = subsetter::load_catalog(snapshot.transaction(), filter);
    EXPECT_EQ(table_names(catalog),
              (std::vector<std::string>{"billing.invoice_lines", "billing.invoices", "billing.subscription_periods",
                                        "billing.subscriptions", "billing.usage_events"}));
    EXPECT_EQ(catalog.foreign_keys.size(), 3u);  // references to public tables are left out
    for (const auto& sequence : catalog.sequences) EXPECT_EQ(sequence.name.schema, "billing");
    EXPECT_TRUE(catalog.materialized_views.empty());
}

TEST(FixturePlan, HasCyclesAndParentsFirst) {
    pg::SourceSnapshot snapshot(fixture_servers().standby.conninfo(k_fixture_database));
    subsetter::SubsetSettings settings;
    settings.inference = subsetter::ReferenceInference::rails;
    auto plan = subsetter::make_plan(snapshot.transaction(), fixture_catalog(), settings);
    ASSERT_EQ(plan.tables.size(), fixture_catalog().tables.size());
    std::vector<std::vector<QualifiedName>> expected_cycles = {
        {{"billing", "subscription_periods"}, {"billing", "subscriptions"}},
        {{"public", "accounts"}, {"public", "users"}},
        {{"public", "employees"}},
    };
    EXPECT_EQ(plan.graph.cycles(), expected_cycles);
    auto position = [&](const QualifiedName& name) {
        const auto& order = plan.graph.order();
        return std::find(order.begin(), order.end(), name) - order.begin();
    };
    EXPECT_LT(position({"public", "users"}), position({"public", "orders"}));
    EXPECT_LT(position({"public", "orders"}), position({"public", "line_items"}));
    EXPECT_LT(position({"billing", "invoices"}), position({"billing", "invoice_lines"}));
    EXPECT_EQ(plan.find({"public", "users"})->target_rows, 70);  // floor(sqrt(5000))
    EXPECT_TRUE(plan.find({"public", "page_views"})->keyless);
    // Every *_id column of the fixture has a FOREIGN KEY: Rails inference adds nothing.
    EXPECT_TRUE(plan.inferred.empty());
    EXPECT_NE(subsetter::format_plan_notes(plan).find("public.accounts, public.users"), std::string::npos);

    settings.overrides[{"public", "users"}] = subsetter::TableOverride{subsetter::TablePolicy::none, {}, {}, {}, "test"};
    try {
        subsetter::make_plan(snapshot.transaction(), fixture_catalog(), settings);
        FAIL() << "excluding users must be refused";
    } catch (const Error& error) {
        EXPECT_EQ(error.code(), ExitCode::plan_refused);
        EXPECT_NE(std::string(error.what()).find("\"public.orders\""), std::string::npos);
    }
}

}  // namespace
}  // namespace understudy::testing
