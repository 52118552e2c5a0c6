// Unit tests for the reference graph: cycles, self references, load order, descendants and DOT output.
#include <gtest/gtest.h>

#include <algorithm>

#include "understudy/subsetter/fk_graph.hpp"

namespace understudy::subsetter {
namespace {

Table table(const std::string& schema, const std::string& name) {
    Table result;
    result.name = {schema, name};
    result.columns = {{"id", "bigint", "bigint", "N", true, false, false}};
    result.primary_key = {"id"};
    return result;
}

ForeignKey reference(const std::string& name, QualifiedName child, const std::string& column, QualifiedName parent,
                     ReferenceOrigin origin = ReferenceOrigin::constraint) {
    ForeignKey key;
    key.name = name;
    key.child = std::move(child);
    key.child_columns = {column};
    key.parent = std::move(parent);
    key.parent_columns = {"id"};
    key.origin = origin;
    return key;
}

const QualifiedName k_x{"a", "x"};
const QualifiedName k_y{"a", "y"};
const QualifiedName k_tree{"b", "tree"};
const QualifiedName k_z{"b", "z"};
const QualifiedName k_lines{"public", "lines"};
const QualifiedName k_orders{"public", "orders"};
const QualifiedName k_users{"public", "users"};

/// Three schemas: a two-table cycle (a.x <-> a.y), a self reference (b.tree), a chain
/// public.lines -> public.orders -> public.users, and b.z hanging off the cycle.
Catalog sample_catalog() {
    Catalog catalog;
    // Deliberately not in canonical order: the graph must sort.
    for (const auto& name : {k_users, k_tree, k_x, k_orders, k_z, k_lines, k_y})
        catalog.tables.push_back(table(name.schema, name.name));
    std::sort(catalog.tables.begin(), catalog.tables.end(),
              [](const Table& left, const Table& right) { return left.name < right.name; });
    return catalog;
}

std::vector<ForeignKey> sample_references() {
    return {
        reference("orders_user_fk", k_orders, "user_id", k_users),
        reference("x_y_fk", k_x, "y_id", k_y),
        reference("y_x_fk", k_y, "x_id", k_x),
        reference("tree_parent_fk", k_tree, "parent_id", k_tree),
        reference("z_x_fk", k_z, "x_id", k_x, ReferenceOrigin::declared),
        reference("lines_order_fk", k_lines, "order_id", k_orders),
        reference("ghost_fk", k_lines, "ghost_id", {"public", "ghosts"}),
    };
}

TEST(FkGraph, OrdersParentsFirstAndCyclesTogether) {
    FkGraph graph(sample_catalog(), sample_references());
    std::vector<QualifiedName> expected = {k_x, k_y, k_tree, k_z, k_users, k_orders, k_lines};
    EXPECT_EQ(graph.order(), expected);
}

TEST(FkGraph, FindsCyclesAndSelfReferences) {
    FkGraph graph(sample_catalog(), sample_references());
    std::vector<std::vector<QualifiedName>> expected = {{k_x, k_y}, {k_tree}};
    EXPECT_EQ(graph.cycles(), expected);
}

TEST(FkGraph, DropsReferencesToUnknownTables) {
    FkGraph graph(sample_catalog(), sample_references());
    EXPECT_EQ(graph.references().size(), 6u);
    for (const auto& key : graph.references()) EXPECT_NE(key.name, "ghost_fk");
}

TEST(FkGraph, ListsParentsAndChildrenSorted) {
    auto references = sample_references();
    references.push_back(reference("a_second_fk", k_orders, "buyer_id", k_users));
    FkGraph graph(sample_catalog(), references);
    auto parents = graph.parents_of(k_orders);
    ASSERT_EQ(parents.size(), 2u);
    EXPECT_EQ(parents[0]->name, "a_second_fk");
    EXPECT_EQ(parents[1]->name, "orders_user_fk");
    auto children = graph.children_of(k_x);
    ASSERT_EQ(children.size(), 2u);
    EXPECT_EQ(children[0]->child, k_y);
    EXPECT_EQ(children[1]->child, k_z);
    EXPECT_TRUE(graph.children_of(k_lines).empty());
}

TEST(FkGraph, DescendantsFollowChildEdgesTransitively) {
    FkGraph graph(sample_catalog(), sample_references());
    EXPECT_EQ(graph.descendants_of(k_users), (std::vector<QualifiedName>{k_lines, k_orders}));
    EXPECT_EQ(graph.descendants_of(k_x), (std::vector<QualifiedName>{k_y, k_z}));
    EXPECT_EQ(graph.descendants_of(k_y), (std::vector<QualifiedName>{k_x, k_z}));
    EXPECT_TRUE(graph.descendants_of(k_tree).empty());
    EXPECT_TRUE(graph.descendants_of(k_lines).empty());
    EXPECT_TRUE(graph.descendants_of({"public", "missing"}).empty());
}

TEST(FkGraph, DotIsDeterministic) {
    auto references = sample_references();
    FkGraph graph(sample_catalog(), references);
    std::reverse(references.begin(), references.end());
    FkGraph reversed(sample_catalog(), references);
    EXPECT_EQ(graph.to_dot(), reversed.to_dot());
    const std::string expected = R"(digraph understudy {
  node [shape=box];
  subgraph cluster_0 {
    label="cycle 1";
    style=dashed;
    "a.x";
    "a.y";
  }
  subgraph cluster_1 {
    label="cycle 2";
    style=dashed;
    "b.tree";
  }
  "b.z";
  "public.lines";
  "public.orders";
  "public.users";
  "a.x" -> "a.y" [label="y_id -> id"];
  "a.y" -> "a.x" [label="x_id -> id"];
  "b.tree" -> "b.tree" [label="parent_id -> id"];
  "b.z" -> "a.x" [label="x_id -> id", style=dashed];
  "public.lines" -> "public.orders" [label="order_id -> id"];
  "public.orders" -> "public.users" [label="user_id -> id"];
}
)";
    EXPECT_EQ(graph.to_dot(), expected);
}

TEST(FkGraph, EmptyCatalog) {
    FkGraph graph(Catalog{}, {});
    EXPECT_TRUE(graph.order().empty());
    EXPECT_TRUE(graph.cycles().empty());
    EXPECT_EQ(graph.to_dot(), "digraph understudy {\n  node [shape=box];\n}\n");
}

TEST(FkGraph, LongerCycleAndTieBreakByName) {
    Catalog catalog;
    for (const char* name : {"a", "b", "c", "d", "e"}) catalog.tables.push_back(table("s", name));
    // c -> d -> e -> c is a cycle; b references a; nothing else. Ready at start: a, {c,d,e}.
    FkGraph graph(catalog, {reference("1", {"s", "c"}, "d_id", {"s", "d"}),
                            reference("2", {"s", "d"}, "e_id", {"s", "e"}),
                            reference("3", {"s", "e"}, "c_id", {"s", "c"}),
                            reference("4", {"s", "b"}, "a_id", {"s", "a"})});
    std::vector<QualifiedName> expected = {{"s", "a"}, {"s", "b"}, {"s", "c"}, {"s", "d"}, {"s", "e"}};
    EXPECT_EQ(graph.order(), expected);
    ASSERT_EQ(graph.cycles().size(), 1u);
    EXPECT_EQ(graph.cycles()[0].size(), 3u);
}

}  // namespace
}  // namespace understudy::subsetter
