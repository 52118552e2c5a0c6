// Unit tests for the access paths `plan` shows: which query reaches rows how, by the selection's
// rules, the unindexed references with their CREATE INDEX, and the one warning line.
#include <gtest/gtest.h>

#include <algorithm>

#include "../../subsetter/src/plan_builder.hpp"
#include "understudy/subsetter/access_paths.hpp"

namespace understudy::subsetter {
namespace {

Column column(const std::string& name, const std::string& type = "bigint", const std::string& base_type = "") {
    return {name, type, base_type.empty() ? type : base_type, "N", true, false, false};
}

Table table(const std::string& name, std::vector<Column> columns, std::vector<std::string> key, std::int64_t rows) {
    Table result;
    result.name = {"public", name};
    result.columns = std::move(columns);
    result.primary_key = std::move(key);
    result.estimated_rows = rows;
    return result;
}

ForeignKey reference(const std::string& name, const std::string& child, std::vector<std::string> child_columns,
                     const std::string& parent) {
    ForeignKey key;
    key.name = name;
    key.child = {"public", child};
    key.child_columns = std::move(child_columns);
    key.parent = {"public", parent};
    key.parent_columns = {"id"};
    return key;
}

const QualifiedName k_users{"public", "users"};
const QualifiedName k_tasks{"public", "tasks"};
const QualifiedName k_tags{"public", "tags"};
const QualifiedName k_log{"public", "log"};
const QualifiedName k_sessions{"public", "sessions"};

/// users (10,000) <- tasks (1 M) through owner_id (indexed) and "createdBy" (not); log (keyless,
/// 100,000) -> users; tags has a text key, sessions a uuid key (a domain over uuid).
Catalog catalog() {
    Catalog result;
    result.tables = {
        table("log", {column("user_id"), column("line", "text")}, {}, 100000),
        table("sessions", {column("id", "public.session_id", "uuid")}, {"id"}, 50000),
        table("tags", {column("name", "text")}, {"name"}, 400),
        table("tasks", {column("id"), column("owner_id"), column("createdBy")}, {"id"}, 1000000),
        table("users", {column("id")}, {"id"}, 10000),
    };
    result.foreign_keys = {
        reference("log_user_fk", "log", {"user_id"}, "users"),
        reference("tasks_creator_fk", "tasks", {"createdBy"}, "users"),
        reference("tasks_owner_fk", "tasks", {"owner_id"}, "users"),
    };
    return result;
}

BtreeIndexes indexes() {
    BtreeIndexes result;
    result.add(k_users, {"id"});
    result.add(k_tasks, {"id"});
    result.add(k_tasks, {"owner_id", "id"});
    result.add(k_tags, {"name"});
    result.add(k_sessions, {"id"});
    return result;
}

struct Fixture {
    Catalog source;
    SubsetPlan plan;
    AccessPlan access;
};

Fixture paths(const SubsetSettings& settings, const BtreeIndexes& btree = indexes()) {
    auto source = catalog();
    auto plan = build_plan(source, settings, {}, {});
    auto access = access_paths_by_rules(source, plan, settings, btree);
    return {std::move(source), std::move(plan), std::move(access)};
}

const TableAccess* find_access(const AccessPlan& plan, const QualifiedName& table, const std::string& description) {
    for (const auto& entry : plan.tables) {
        if (entry.table != table) continue;
        for (const auto& access : entry.accesses) {
            if (access.description() == description) return &access;
        }
    }
    return nullptr;
}

TEST(AccessPaths, IntegerAndUuidKeysAreProbedOtherKeysSampledByBlocks) {
    auto fixture = paths(SubsetSettings{});
    const auto* users = find_access(fixture.access, k_users, "seeds");
    ASSERT_NE(users, nullptr);
    EXPECT_EQ(users->path, AccessPath::index_probe);
    EXPECT_EQ(users->expected_rows_read, fixture.plan.find(k_users)->target_rows);
    const auto* sessions = find_access(fixture.access, k_sessions, "seeds");
    ASSERT_NE(sessions, nullptr);
    EXPECT_EQ(sessions->path, AccessPath::index_probe) << "a domain over uuid probes like uuid";
    EXPECT_NE(sessions->query.find("(SELECT NULL::uuid)"), std::string::npos) << sessions->query;
    const auto* tags = find_access(fixture.access, k_tags, "seeds");
    ASSERT_NE(tags, nullptr);
    EXPECT_EQ(tags->path, AccessPath::block_sample);
    EXPECT_NE(tags->query.find("TABLESAMPLE SYSTEM ("), std::string::npos) << tags->query;
    EXPECT_EQ(tags->expected_rows_read, std::min<std::int64_t>(400, 2 * fixture.plan.find(k_tags)->target_rows + 64));
}

TEST(AccessPaths, ExactSamplingReadsEveryKey) {
    SubsetSettings settings;
    settings.sampling = SamplingMode::exact;
    auto fixture = paths(settings);
    for (const auto& name : {k_users, k_tags, k_sessions, k_tasks}) {
        const auto* seeds = find_access(fixture.access, name, "seeds");
        ASSERT_NE(seeds, nullptr) << name.display();
        EXPECT_EQ(seeds->path, AccessPath::full_scan) << name.display();
        EXPECT_EQ(seeds->expected_rows_read, fixture.source.find(name)->estimated_rows) << name.display();
    }
    const auto* log = find_access(fixture.access, k_log, "filter via public.log(user_id) -> public.users");
    ASSERT_NE(log, nullptr);
    // Exact sampling ranks every child of a parent value (100 on average), not the first 32.
    const auto* owner = find_access(fixture.access, k_tasks, "children via public.tasks(owner_id) -> public.users");
    ASSERT_NE(owner, nullptr);
    EXPECT_EQ(owner->path, AccessPath::index_lookup);
    EXPECT_EQ(owner->expected_rows_read, owner->lookups * 100);
}

TEST(AccessPaths, WhereOverrideSeedsByItsWhere) {
    SubsetSettings settings;
    settings.overrides[k_tasks] = TableOverride{TablePolicy::sample, {}, {}, std::string("owner_id = 7"), "y:1"};
    auto fixture = paths(settings);
    const auto* seeds = find_access(fixture.access, k_tasks, "seeds");
    ASSERT_NE(seeds, nullptr);
    EXPECT_EQ(seeds->query, "SELECT 1 FROM ONLY \"public\".\"tasks\" t WHERE (owner_id = 7)");
    EXPECT_EQ(seeds->path, AccessPath::full_scan) << "only EXPLAIN can tell that an index serves a WHERE";
}

TEST(AccessPaths, ChildrenThroughAnIndexedReferenceAreIndexLookups) {
    auto fixture = paths(SubsetSettings{});
    const auto* owner = find_access(fixture.access, k_tasks, "children via public.tasks(owner_id) -> public.users");
    ASSERT_NE(owner, nullptr);
    EXPECT_EQ(owner->path, AccessPath::index_lookup);
    EXPECT_EQ(owner->query,
              "SELECT 1 FROM ONLY \"public\".\"tasks\" t WHERE t.\"owner_id\" = (SELECT NULL::bigint)");
    // 100 users selected, 100 tasks each on average, read at most max(8 * 3, 32) per user.
    EXPECT_EQ(owner->lookups, fixture.plan.find(k_users)->target_rows);
    EXPECT_EQ(owner->expected_rows_read, owner->lookups * 32);
}

TEST(AccessPaths, ChildrenThroughAnUnindexedReferenceScanTheTableAndNameTheFix) {
    auto fixture = paths(SubsetSettings{});
    const auto* creator = find_access(fixture.access, k_tasks, "children via public.tasks(createdBy) -> public.users");
    ASSERT_NE(creator, nullptr);
    EXPECT_EQ(creator->path, AccessPath::full_scan);
    EXPECT_EQ(creator->expected_rows_read, 1000000);
    ASSERT_EQ(fixture.access.unindexed.size(), 2u);
    EXPECT_EQ(fixture.access.unindexed[0].reference, "public.log(user_id) -> public.users");
    EXPECT_EQ(fixture.access.unindexed[0].create_index, "CREATE INDEX ON \"public\".\"log\" (\"user_id\");");
    EXPECT_EQ(fixture.access.unindexed[1].reference, "public.tasks(createdBy) -> public.users");
    EXPECT_EQ(fixture.access.unindexed[1].create_index, "CREATE INDEX ON \"public\".\"tasks\" (\"createdBy\");");
}

TEST(AccessPaths, AnIndexLeadingWithTheColumnsInAnyOrderServesTheLookup) {
    auto btree = indexes();
    btree.add(k_tasks, {"title", "createdBy"});  // does not lead with createdBy: still a scan
    EXPECT_EQ(paths(SubsetSettings{}, btree).access.unindexed.size(), 2u);
    btree.add(k_tasks, {"createdBy"});
    btree.add(k_log, {"user_id", "line"});
    auto fixture = paths(SubsetSettings{}, btree);
    EXPECT_TRUE(fixture.access.unindexed.empty());
    const auto* log = find_access(fixture.access, k_log, "filter via public.log(user_id) -> public.users");
    ASSERT_NE(log, nullptr);
    EXPECT_EQ(log->path, AccessPath::index_lookup);
}

TEST(AccessPaths, PolymorphicReferenceIsServedByATypeAndIdIndex) {
    auto inferred = reference("polymorphic:kind=User", "log", {"user_id"}, "users");
    inferred.origin = ReferenceOrigin::inferred;
    inferred.condition = PolymorphicCondition{"line", "User"};
    auto btree = indexes();
    btree.add(k_log, {"line", "user_id"});
    auto source = catalog();
    source.foreign_keys.erase(source.foreign_keys.begin());  // only the polymorphic one
    SubsetSettings settings;
    auto plan = build_plan(source, settings, {inferred}, {});
    auto access = access_paths_by_rules(source, plan, settings, btree);
    const auto* log = find_access(access, k_log, "filter via public.log(user_id) -> public.users");
    ASSERT_NE(log, nullptr);
    EXPECT_EQ(log->path, AccessPath::index_lookup);
    EXPECT_NE(log->query.find("AND t.\"line\" = 'User'"), std::string::npos) << log->query;
}

TEST(AccessPaths, WholeTablesAreScansButNotMissingIndexes) {
    SubsetSettings settings;
    settings.default_policy = TablePolicy::all;
    auto fixture = paths(settings);
    EXPECT_TRUE(fixture.access.unindexed.empty());
    std::int64_t total = 0;
    for (const auto& entry : fixture.access.tables) {
        ASSERT_EQ(entry.accesses.size(), 1u) << entry.table.display();
        EXPECT_EQ(entry.accesses[0].description(), "whole table");
        EXPECT_EQ(entry.accesses[0].path, AccessPath::full_scan);
        total += fixture.source.find(entry.table)->estimated_rows;
    }
    EXPECT_EQ(fixture.access.expected_rows_read, total);
}

TEST(AccessPaths, NoChildrenNoChildLookups) {
    SubsetSettings settings;
    settings.children = 0;
    auto fixture = paths(settings);
    EXPECT_EQ(find_access(fixture.access, k_tasks, "children via public.tasks(createdBy) -> public.users"), nullptr);
    ASSERT_EQ(fixture.access.unindexed.size(), 1u) << "the keyless filter still looks up";
    EXPECT_EQ(fixture.access.unindexed[0].reference, "public.log(user_id) -> public.users");
}

TEST(AccessPaths, ExcludedTablesAreNotRead) {
    SubsetSettings settings;
    settings.overrides[k_tasks] = TableOverride{TablePolicy::none, {}, {}, {}, "--exclude-table"};
    settings.overrides[k_log] = TableOverride{TablePolicy::none, {}, {}, {}, "--exclude-table"};
    auto fixture = paths(settings);
    for (const auto& entry : fixture.access.tables) {
        EXPECT_NE(entry.table, k_tasks);
        EXPECT_NE(entry.table, k_log);
    }
    EXPECT_TRUE(fixture.access.unindexed.empty());
    EXPECT_EQ(find_access(fixture.access, k_users, "parents"), nullptr) << "no selected row references users";
}

TEST(AccessPaths, ParentsOfSelectedRowsAreIndexLookups) {
    auto fixture = paths(SubsetSettings{});
    const auto* parents = find_access(fixture.access, k_users, "parents");
    ASSERT_NE(parents, nullptr);
    EXPECT_EQ(parents->path, AccessPath::index_lookup);
    EXPECT_GT(parents->lookups, 0);
    EXPECT_LE(parents->expected_rows_read, 10000);
}

TEST(AccessPaths, ParentColumnsWithoutAnIndexAreNamedOnTheParentsSide) {
    auto source = catalog();
    source.tables[4].columns.push_back(column("code", "text"));  // users.code: no index
    auto declared = reference("tasks_owner_code", "tasks", {"owner_id"}, "users");
    declared.parent_columns = {"code"};
    declared.origin = ReferenceOrigin::declared;
    SubsetSettings settings;
    auto plan = build_plan(source, settings, {declared}, {});
    auto access = access_paths_by_rules(source, plan, settings, indexes());
    std::vector<std::string> fixes;
    for (const auto& reference : access.unindexed) fixes.push_back(reference.reference + ": " + reference.create_index);
    EXPECT_NE(std::find(fixes.begin(), fixes.end(),
                        "public.tasks(owner_id) -> public.users(code): CREATE INDEX ON \"public\".\"users\" (\"code\");"),
              fixes.end())
        << ::testing::PrintToString(fixes);
}

TEST(AccessPaths, TotalIsTheSumOfEveryAccess) {
    auto fixture = paths(SubsetSettings{});
    std::int64_t total = 0;
    for (const auto& entry : fixture.access.tables) {
        std::int64_t table_total = 0;
        for (const auto& access : entry.accesses) table_total += access.expected_rows_read;
        EXPECT_EQ(entry.expected_rows_read, table_total) << entry.table.display();
        total += table_total;
    }
    EXPECT_EQ(fixture.access.expected_rows_read, total);
}

TEST(AccessPaths, CreateIndexQuotesOddNames) {
    EXPECT_EQ(create_index_statement({"Sales Team", "order\"items"}, {"Order Id", "select"}),
              "CREATE INDEX ON \"Sales Team\".\"order\"\"items\" (\"Order Id\", \"select\");");
    EXPECT_EQ(create_index_statement({"public", "tasks"}, {"creator_id"}),
              "CREATE INDEX ON \"public\".\"tasks\" (\"creator_id\");");
}

TEST(AccessPaths, OneWarningNamesEveryUnindexedReference) {
    EXPECT_EQ(unindexed_warning({}), "");
    EXPECT_EQ(unindexed_warning({{"public.tasks(creator_id) -> public.users", "CREATE INDEX ..."}}),
              "1 reference has no index, so each lookup through it reads the whole table: "
              "public.tasks(creator_id) -> public.users; understudy plan shows the CREATE INDEX for it");
    EXPECT_EQ(unindexed_warning({{"public.a(x) -> public.b", "c1"}, {"public.c(y, z) -> public.d", "c2"}}),
              "2 references have no index, so each lookup through them reads the whole table: "
              "public.a(x) -> public.b, public.c(y, z) -> public.d; understudy plan shows the CREATE INDEX for each");
}

TEST(AccessPaths, FormatListsAccessesTotalAndFixes) {
    auto fixture = paths(SubsetSettings{});
    auto text = format_access_paths(fixture.access);
    EXPECT_EQ(text.rfind("access paths:\n", 0), 0u) << text;
    auto line_start = text.find("  public.tasks ");
    ASSERT_NE(line_start, std::string::npos) << text;
    auto creator = text.find("children via public.tasks(createdBy) -> public.users", line_start);
    ASSERT_NE(creator, std::string::npos) << text;
    auto line = text.substr(creator, text.find('\n', creator) - creator);
    EXPECT_NE(line.find(" full scan "), std::string::npos) << line;
    EXPECT_EQ(line.substr(line.size() - 8), " 1000000") << line;
    EXPECT_NE(text.find("expected rows read: " + std::to_string(fixture.access.expected_rows_read) + "\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("  public.tasks(createdBy) -> public.users: CREATE INDEX ON \"public\".\"tasks\" (\"createdBy\");\n"),
              std::string::npos)
        << text;
}

}  // namespace
}  // namespace understudy::subsetter
