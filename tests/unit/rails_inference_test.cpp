// Unit tests for Rails reference inference on a hand-built catalog (the parts that need no server).
#include <gtest/gtest.h>

#include <algorithm>

#include "../../subsetter/src/rails_inference.hpp"

namespace understudy::subsetter {
namespace {

Column column(const std::string& name, const std::string& type) { return {name, type, type, "N", false, false, false}; }

Table table(const std::string& schema, const std::string& name, std::vector<Column> columns,
            std::vector<std::string> key = {"id"}) {
    Table result;
    result.name = {schema, name};
    result.columns = std::move(columns);
    result.primary_key = std::move(key);
    return result;
}

Catalog rails_catalog() {
    Catalog catalog;
    catalog.tables = {
        table("app", "people", {column("id", "integer")}),
        table("public", "comments", {column("id", "bigint"), column("author_id", "bigint"),
                                     column("commentable_type", "character varying"), column("commentable_id", "bigint"),
                                     column("post_id", "bigint"), column("parent_id", "bigint")}),
        table("public", "owners", {column("id", "uuid")}),
        table("public", "pets", {column("id", "bigint"), column("owner_id", "uuid"), column("person_id", "bigint"),
                                 column("category_id", "integer"), column("vet_id", "integer")}),
        table("public", "categories", {column("id", "smallint")}),
        table("public", "posts", {column("id", "bigint")}),
        table("public", "users", {column("id", "bigint")}),
        table("public", "admin_users", {column("id", "bigint")}),
        table("public", "vets", {column("code", "text"), column("id", "bigint")}, {"code"}),
    };
    std::sort(catalog.tables.begin(), catalog.tables.end(),
              [](const Table& left, const Table& right) { return left.name < right.name; });
    ForeignKey constraint;
    constraint.name = "comments_post_id_fkey";
    constraint.child = {"public", "comments"};
    constraint.child_columns = {"post_id"};
    constraint.parent = {"public", "posts"};
    constraint.parent_columns = {"id"};
    catalog.foreign_keys = {constraint};
    return catalog;
}

TEST(RailsInference, IdColumnsNameTables) {
    auto catalog = rails_catalog();
    auto references = infer_id_references(catalog, *catalog.find({"public", "pets"}));
    ASSERT_EQ(references.size(), 2u);
    EXPECT_EQ(references[0].name, "rails:owner_id");
    EXPECT_EQ(references[0].parent, (QualifiedName{"public", "owners"}));
    EXPECT_EQ(references[0].child_columns, std::vector<std::string>{"owner_id"});
    EXPECT_EQ(references[0].parent_columns, std::vector<std::string>{"id"});
    EXPECT_EQ(references[0].origin, ReferenceOrigin::inferred);
    EXPECT_EQ(references[0].reason, "column \"owner_id\" names table \"public.owners\" (Rails convention)");
    // smallint and integer keys are compatible; person_id finds no public.people (it is in app);
    // vet_id finds vets, but its key is "code".
    EXPECT_EQ(references[1].parent, (QualifiedName{"public", "categories"}));
}

TEST(RailsInference, SkipsConstraintsPolymorphicPairsAndMissingParents) {
    auto catalog = rails_catalog();
    auto references = infer_id_references(catalog, *catalog.find({"public", "comments"}));
    // post_id has a FOREIGN KEY, commentable_id is half of a pair, parent_id finds no `parents`,
    // author_id finds no `authors`.
    EXPECT_TRUE(references.empty());
}

TEST(RailsInference, LooksInTheChildSchemaFirst) {
    auto catalog = rails_catalog();
    catalog.tables.push_back(table("app", "pets", {column("id", "bigint"), column("person_id", "integer")}));
    std::sort(catalog.tables.begin(), catalog.tables.end(),
              [](const Table& left, const Table& right) { return left.name < right.name; });
    auto references = infer_id_references(catalog, *catalog.find({"app", "pets"}));
    ASSERT_EQ(references.size(), 1u);
    EXPECT_EQ(references[0].parent, (QualifiedName{"app", "people"}));
}

TEST(RailsInference, IncompatibleTypesAreSkipped) {
    Column child = column("owner_id", "bigint");
    EXPECT_TRUE(key_types_compatible(child, column("id", "integer")));
    EXPECT_FALSE(key_types_compatible(child, column("id", "uuid")));
    EXPECT_TRUE(key_types_compatible(column("x_id", "uuid"), column("id", "uuid")));
    EXPECT_FALSE(key_types_compatible(column("x_id", "text"), column("id", "bigint")));
}

TEST(RailsInference, PolymorphicTypeValuesMapToTables) {
    auto catalog = rails_catalog();
    std::vector<std::string> warnings;
    auto references =
        infer_polymorphic_references(catalog, *catalog.find({"public", "comments"}), "commentable_type",
                                     "commentable_id", {"Admin::User", "Ghost", "Post", "Shop::Post"}, warnings);
    ASSERT_EQ(references.size(), 3u);
    EXPECT_EQ(references[0].name, "polymorphic:commentable_type=Admin::User");
    EXPECT_EQ(references[0].parent, (QualifiedName{"public", "admin_users"}));
    EXPECT_EQ(references[1].name, "polymorphic:commentable_type=Post");
    EXPECT_EQ(references[1].parent, (QualifiedName{"public", "posts"}));
    ASSERT_TRUE(references[1].condition.has_value());
    EXPECT_EQ(references[1].condition->type_column, "commentable_type");
    EXPECT_EQ(references[1].condition->type_value, "Post");
    EXPECT_EQ(references[1].child_columns, std::vector<std::string>{"commentable_id"});
    EXPECT_EQ(references[1].reason,
              "polymorphic pair commentable_type/commentable_id: \"Post\" -> public.posts (Rails convention)");
    // No shop_posts table: the class name without its module gives posts.
    EXPECT_EQ(references[2].parent, (QualifiedName{"public", "posts"}));
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_EQ(warnings[0],
              "table \"public.comments\" column \"commentable_type\": type value \"Ghost\" names no table (tried ghosts)");
}

}  // namespace
}  // namespace understudy::subsetter
