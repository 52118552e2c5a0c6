// Integration tests of the key selection, read inside an exported snapshot on the hot standby:
// closure, forced rows, determinism, bounded children, cycles, composite and text keys, keyless tables.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "understudy/pg/transaction.hpp"

#include "test_cluster.hpp"
#include "understudy/error.hpp"
#include "understudy/pg/session.hpp"
#include "understudy/pg/sql_text.hpp"
#include "understudy/subsetter/catalog.hpp"
#include "understudy/subsetter/selection.hpp"
#include "understudy/subsetter/subset_plan.hpp"

namespace understudy::testing {
namespace {

using subsetter::Catalog;
using subsetter::QualifiedName;
using subsetter::Selection;
using subsetter::SelectionMode;
using subsetter::SubsetPlan;
using subsetter::SubsetSettings;
using subsetter::TablePolicy;

constexpr const char* k_database = "selection_engine";

// Users refer users (self-reference), departments and employees reference each other (a cycle),
// line_items have a composite key, shipments have no key, tags have text keys that need escaping,
// users reference countries by a unique non-key column, coupons are copied whole.
constexpr const char* k_schema = R"sql(
CREATE TABLE countries (id int PRIMARY KEY, code char(2) NOT NULL UNIQUE, name text NOT NULL);
INSERT INTO countries SELECT g, chr(65 + g / 26) || chr(65 + g % 26), 'country ' || g FROM generate_series(0, 99) g;
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, referrer_id bigint REFERENCES users,
                    country_code char(2) REFERENCES countries (code));
INSERT INTO users
SELECT g, 'user' || g || '@example.com',
       CASE WHEN g > 1 AND g % 3 <> 0 THEN 1 + (g * 7919) % (g - 1) END,
       CASE WHEN g % 4 <> 0 THEN chr(65 + (g % 100) / 26) || chr(65 + (g % 100) % 26) END
FROM generate_series(1, 2000) g;
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL REFERENCES users);
INSERT INTO orders SELECT g, 1 + (g * 31) % 2000 FROM generate_series(1, 20000) g;
CREATE TABLE line_items (order_id bigint REFERENCES orders, line_no int, qty int NOT NULL,
                         PRIMARY KEY (order_id, line_no));
INSERT INTO line_items SELECT o, l, l * 2
FROM generate_series(1, 20000) o, generate_series(1, 4) l WHERE l <= 1 + o % 4;
CREATE TABLE shipments (order_id bigint, line_no int, user_id bigint REFERENCES users, carrier text,
                        FOREIGN KEY (order_id, line_no) REFERENCES line_items);
INSERT INTO shipments
SELECT o, CASE WHEN o % 10 <> 0 THEN 1 END, CASE WHEN o % 7 = 0 THEN 1 + o % 2000 END, 'carrier ' || (o % 3)
FROM generate_series(1, 20000) o;
CREATE TABLE departments (id int PRIMARY KEY, name text NOT NULL, head_id int);
CREATE TABLE employees (id int PRIMARY KEY, department_id int NOT NULL REFERENCES departments,
                        manager_id int REFERENCES employees, user_id bigint REFERENCES users);
INSERT INTO departments SELECT g, 'dept ' || g, NULL FROM generate_series(1, 20) g;
INSERT INTO employees
SELECT g, 1 + g % 20, CASE WHEN g > 20 THEN 1 + (g * 13) % (g - 1) END, CASE WHEN g % 2 = 0 THEN g END
FROM generate_series(1, 500) g;
UPDATE departments SET head_id = id * 3;
ALTER TABLE departments ADD FOREIGN KEY (head_id) REFERENCES employees;
CREATE TABLE tags (label text PRIMARY KEY);
INSERT INTO tags VALUES ('it''s'), ('say "hi"'), ('back\slash'), ('{x,y}'), ('comma, space'), ('NULL'), ('plain');
CREATE TABLE user_tags (user_id bigint REFERENCES users, label text REFERENCES tags, PRIMARY KEY (user_id, label));
INSERT INTO user_tags SELECT u, label FROM generate_series(1, 2000) u, tags WHERE (u + length(label)) % 3 = 0;
CREATE TABLE plans (id int PRIMARY KEY, name text NOT NULL);
INSERT INTO plans SELECT g, 'plan ' || g FROM generate_series(1, 50) g;
CREATE TABLE coupons (code text PRIMARY KEY, plan_id int REFERENCES plans);
INSERT INTO coupons SELECT 'C' || g, CASE WHEN g % 3 <> 0 THEN g * 4 END FROM generate_series(1, 10) g;
CREATE TABLE comments (id bigint PRIMARY KEY, commentable_type text, commentable_id bigint, body text NOT NULL);
INSERT INTO comments
SELECT g, (ARRAY['User', 'Order', 'Unknown', NULL])[1 + g % 4], 1 + (g * 17) % 2000, 'comment ' || g
FROM generate_series(1, 6000) g;
CREATE TABLE likes (subject_type text, subject_id bigint, user_id bigint REFERENCES users);
INSERT INTO likes
SELECT (ARRAY['User', 'Order'])[1 + g % 2], 1 + (g * 13) % 2000, CASE WHEN g % 5 = 0 THEN 1 + g % 2000 END
FROM generate_series(1, 4000) g;
CREATE SCHEMA deep;
CREATE TABLE deep.links (id int PRIMARY KEY, previous_id int REFERENCES deep.links, note text);
CREATE INDEX ON deep.links (previous_id);
INSERT INTO deep.links SELECT g, NULLIF(g - 1, 0), 'link ' || g FROM generate_series(1, 3000) g;
CREATE SCHEMA perf;
CREATE TABLE perf.accounts (id bigint PRIMARY KEY, name text NOT NULL);
INSERT INTO perf.accounts SELECT g, 'account ' || g FROM generate_series(1, 10000) g;
CREATE TABLE perf.events (id bigint PRIMARY KEY, account_id bigint NOT NULL REFERENCES perf.accounts, payload text);
INSERT INTO perf.events SELECT g, 1 + g % 10000, repeat('x', 40) FROM generate_series(1, 1000000) g;
CREATE TABLE perf.tenant_rows (tenant_id int, id bigint, note text NOT NULL, PRIMARY KEY (tenant_id, id));
INSERT INTO perf.tenant_rows SELECT 1 + g % 3, g, 'row ' || g FROM generate_series(1, 200000) g;
CREATE TABLE perf.log_lines (at bigint NOT NULL, line text NOT NULL);
INSERT INTO perf.log_lines SELECT g, 'line ' || g FROM generate_series(1, 200000) g;
ANALYZE;
)sql";

FixtureServers& servers() {
    static bool loaded = false;
    auto& fixture = fixture_servers();
    if (!loaded) {
        fixture.primary.drop_database(k_database);
        fixture.primary.create_database(k_database);
        fixture.primary.execute(k_database, k_schema);
        fixture.standby.wait_for_replay_of(fixture.primary);
        loaded = true;
    }
    return fixture;
}

SubsetSettings public_settings() {
    SubsetSettings settings;
    settings.catalog_filter.schemas = {"public"};
    settings.seed = 42;
    subsetter::TableOverride coupons;
    coupons.policy = TablePolicy::all;
    coupons.origin = "test";
    settings.overrides[{"public", "coupons"}] = coupons;
    // Rails-style pairs without constraints: the type column names the parent table.
    for (const auto* table : {"comments", "likes"}) {
        subsetter::PolymorphicReference pair;
        pair.table = {"public", table};
        pair.type_column = std::string(table) == "comments" ? "commentable_type" : "subject_type";
        pair.id_column = std::string(table) == "comments" ? "commentable_id" : "subject_id";
        pair.types = {{"User", {"public", "users"}}, {"Order", {"public", "orders"}}};
        pair.origin = "test";
        settings.polymorphic.push_back(pair);
    }
    return settings;
}

subsetter::TableOverride rows_override(std::int64_t rows) {
    subsetter::TableOverride entry;
    entry.rows = rows;
    entry.origin = "test";
    return entry;
}

// Opens a snapshot on the standby, loads catalog and plan, selects, and hands everything to `check`.
using Check = std::function<void(pg::Transaction&, const Catalog&, const SubsetPlan&, const Selection&)>;

Selection select_on_standby(const SubsetSettings& settings, const Check& check = {}) {
    pg::SourceSnapshot snapshot(servers().standby.conninfo(k_database));
    auto& tx = snapshot.transaction();
    EXPECT_TRUE(snapshot.identity().in_recovery);
    auto catalog = subsetter::load_catalog(tx, settings.catalog_filter);
    auto plan = subsetter::make_plan(tx, catalog, settings);
    auto selection = subsetter::select_rows(tx, catalog, plan, settings);
    if (check) check(tx, catalog, plan, selection);
    return selection;
}

// A snapshot on the standby with its catalog and plan, for tests that change them before selecting.
struct StandbyModel {
    explicit StandbyModel(const SubsetSettings& settings)
        : snapshot(servers().standby.conninfo(k_database)),
          catalog(subsetter::load_catalog(snapshot.transaction(), settings.catalog_filter)),
          plan(subsetter::make_plan(snapshot.transaction(), catalog, settings)) {}

    pg::Transaction& tx() { return snapshot.transaction(); }

    // Makes the statistics claim `rows` rows for `table`, as stale statistics would.
    void pretend_rows(const QualifiedName& table, std::int64_t rows) {
        for (auto& entry : catalog.tables) {
            if (entry.name == table) entry.estimated_rows = rows;
        }
        for (auto& table_plan : plan.tables) {
            if (table_plan.table == table) table_plan.estimated_rows = rows;
        }
    }

    pg::SourceSnapshot snapshot;
    Catalog catalog;
    SubsetPlan plan;
};

// The values of `columns` (NULL-free tuples, joined by '\0') over the rows a table selection
// describes, read through its own select_statements (small batches, to exercise batching).
std::set<std::string> selected_values(pg::Transaction& tx, const Catalog& catalog, const Selection& selection,
                                      const QualifiedName& table_name, const std::vector<std::string>& columns,
                                      const std::optional<subsetter::PolymorphicCondition>& condition = {}) {
    const auto& table = *catalog.find(table_name);
    const auto* table_selection = selection.find(table_name);
    EXPECT_NE(table_selection, nullptr) << table_name.display();
    std::set<std::string> values;
    if (table_selection == nullptr) return values;
    std::string list;
    std::string not_null;
    for (const auto& column : columns) {
        list += (list.empty() ? "s." : ", s.") + pg::quote_ident(column) + "::text";
        not_null += (not_null.empty() ? "s." : " AND s.") + pg::quote_ident(column) + " IS NOT NULL";
    }
    if (condition) {
        not_null +=
            " AND s." + pg::quote_ident(condition->type_column) + " = " + pg::quote_literal(condition->type_value);
    }
    for (const auto& statement : table_selection->select_statements(table, 700)) {
        for (const auto& row : tx.exec("SELECT " + list + " FROM (" + statement + ") s WHERE " + not_null)) {
            std::string value;
            for (std::size_t column_idx = 0; column_idx < columns.size(); ++column_idx) {
                if (column_idx > 0) value += '\0';
                value += row[static_cast<int>(column_idx)].c_str();
            }
            values.insert(value);
        }
    }
    return values;
}

// Every reference of every selected row points at a selected row.
void expect_closed(pg::Transaction& tx, const Catalog& catalog, const SubsetPlan& plan,
                   const Selection& selection) {
    for (const auto& reference : plan.graph.references()) {
        auto child_values =
            selected_values(tx, catalog, selection, reference.child, reference.child_columns, reference.condition);
        auto parent_values = selected_values(tx, catalog, selection, reference.parent, reference.parent_columns);
        std::size_t dangling = 0;
        for (const auto& value : child_values) dangling += parent_values.count(value) == 0 ? 1 : 0;
        EXPECT_EQ(dangling, 0u) << reference.name << ": " << reference.child.display() << " -> "
                                << reference.parent.display();
    }
}

std::int64_t count(pg::Transaction& tx, const std::string& sql) { return tx.exec1(sql)[0].as<std::int64_t>(); }

TEST(Selection, ForcedRowComesWithItsParentsAndEverythingIsClosed) {
    auto settings = public_settings();
    settings.sizing = {subsetter::SizingMode::fraction, 0.05};
    settings.forced.push_back(subsetter::ForcedRow::parse("users:1501"));
    std::vector<std::string> messages;
    pg::SourceSnapshot snapshot(servers().standby.conninfo(k_database));
    auto& tx = snapshot.transaction();
    auto catalog = subsetter::load_catalog(tx, settings.catalog_filter);
    auto plan = subsetter::make_plan(tx, catalog, settings);
    auto selection = subsetter::select_rows(tx, catalog, plan, settings,
                                            [&](const std::string& message) { messages.push_back(message); });

    const auto& users = *selection.find({"public", "users"});
    EXPECT_EQ(users.mode, SelectionMode::keys);
    EXPECT_EQ(users.forced_rows, 1);
    EXPECT_TRUE(std::binary_search(users.keys.begin(), users.keys.end(), "1501"));
    // Its referrer chain is there: users 1501 -> ... -> a user without referrer.
    auto chain = tx.exec(
        "WITH RECURSIVE chain AS (SELECT id, referrer_id FROM public.users WHERE id = 1501 UNION "
        "SELECT u.id, u.referrer_id FROM public.users u JOIN chain c ON u.id = c.referrer_id) SELECT id::text FROM chain");
    EXPECT_GE(chain.size(), 2u);
    for (const auto& row : chain) {
        EXPECT_TRUE(std::binary_search(users.keys.begin(), users.keys.end(), std::string(row[0].c_str())))
            << "referrer " << row[0].c_str();
    }
    EXPECT_EQ(users.row_count(), users.forced_rows + users.seed_rows + users.parent_rows + users.child_rows);
    EXPECT_GT(users.parent_rows, 0);
    EXPECT_GT(users.child_rows, 0);
    EXPECT_EQ(selection.find({"public", "coupons"})->mode, SelectionMode::all);
    EXPECT_EQ(selection.find({"public", "shipments"})->mode, SelectionMode::filtered);
    EXPECT_EQ(selection.find({"public", "likes"})->mode, SelectionMode::filtered);
    EXPECT_GT(selection.find({"public", "likes"})->filtered_rows, 0);
    // Comments come as children of users and orders through the type column, never of "Unknown".
    const auto& comments = *selection.find({"public", "comments"});
    EXPECT_GT(comments.child_rows, 0);
    std::string comment_keys;
    for (const auto& key : comments.keys) comment_keys += (comment_keys.empty() ? "" : ",") + key;
    // Only seeds can be of another type: nothing else reaches a comment.
    EXPECT_LE(
        count(tx, "SELECT count(*) FROM public.comments WHERE id IN (" + comment_keys +
                      ") AND commentable_type IS DISTINCT FROM 'User' AND commentable_type IS DISTINCT FROM 'Order'"),
        comments.seed_rows);
    EXPECT_GE(selection.rounds, 1);
    EXPECT_FALSE(messages.empty());
    expect_closed(tx, catalog, plan, selection);

    // Coupons are whole, so the plans they reference are all there.
    const auto& plans = *selection.find({"public", "plans"});
    for (const auto& plan_id : {"4", "8", "16", "20", "28", "32", "40"}) {
        EXPECT_TRUE(std::binary_search(plans.keys.begin(), plans.keys.end(), plan_id)) << plan_id;
    }
    // Tags with quotes, backslashes, braces and commas came back through array literals.
    EXPECT_GE(selection.find({"public", "tags"})->keys.size(), 5u);
}

TEST(Selection, KeylessRowsAllPointAtSelectedParents) {
    auto settings = public_settings();
    settings.sizing = {subsetter::SizingMode::fraction, 0.05};
    select_on_standby(settings, [](pg::Transaction& tx, const Catalog& catalog, const SubsetPlan&,
                                   const Selection& selection) {
        const QualifiedName name{"public", "shipments"};
        const auto& shipments = *selection.find(name);
        ASSERT_EQ(shipments.mode, SelectionMode::filtered);
        std::int64_t rows = 0;
        for (const auto& statement : shipments.select_statements(*catalog.find(name), 500)) {
            rows += count(tx, "SELECT count(*) FROM (" + statement + ") s");
        }
        EXPECT_EQ(rows, shipments.filtered_rows);
        EXPECT_GT(rows, 0);
        // By hand: rows holding a reference, every held one to a selected parent.
        auto line_items = selected_values(tx, catalog, selection, {"public", "line_items"}, {"order_id", "line_no"});
        auto users = selected_values(tx, catalog, selection, {"public", "users"}, {"id"});
        std::int64_t expected = 0;
        for (const auto& row : tx.exec("SELECT order_id::text, line_no::text, user_id::text FROM public.shipments")) {
            bool line_held = !row[0].is_null() && !row[1].is_null();
            bool user_held = !row[2].is_null();
            if (!line_held && !user_held) continue;
            if (line_held && line_items.count(std::string(row[0].c_str()) + '\0' + row[1].c_str()) == 0) continue;
            if (user_held && users.count(row[2].c_str()) == 0) continue;
            ++expected;
        }
        EXPECT_EQ(rows, expected);
    });
}

TEST(Selection, SameSeedSameRowsOtherSeedOtherRows) {
    auto settings = public_settings();
    auto first = select_on_standby(settings);
    auto again = select_on_standby(settings);
    ASSERT_EQ(first.tables.size(), again.tables.size());
    for (const auto& [name, table] : first.tables) {
        const auto& other = again.tables.at(name);
        EXPECT_EQ(table.keys, other.keys) << name.display();
        EXPECT_EQ(table.filtered_rows, other.filtered_rows) << name.display();
        EXPECT_EQ(table.seed_rows, other.seed_rows) << name.display();
        EXPECT_EQ(table.parent_rows, other.parent_rows) << name.display();
        EXPECT_EQ(table.child_rows, other.child_rows) << name.display();
    }
    EXPECT_EQ(first.rounds, again.rounds);

    settings.seed = 43;
    auto reseeded = select_on_standby(settings);
    EXPECT_NE(first.tables.at({"public", "users"}).keys, reseeded.tables.at({"public", "users"}).keys);
    EXPECT_NE(first.tables.at({"public", "orders"}).keys, reseeded.tables.at({"public", "orders"}).keys);
}

TEST(Selection, SeedCountsEqualPlanTargets) {
    for (auto sampling : {subsetter::SamplingMode::probe, subsetter::SamplingMode::exact}) {
        auto settings = public_settings();  // logarithmic 0.5: exact samples of users and orders are prefiltered
        settings.sampling = sampling;
        select_on_standby(settings, [sampling](pg::Transaction& tx, const Catalog&, const SubsetPlan& plan,
                                               const Selection& selection) {
            for (const auto& table_plan : plan.tables) {
                if (table_plan.policy != TablePolicy::sample || table_plan.keyless) continue;
                EXPECT_EQ(selection.find(table_plan.table)->seed_rows, table_plan.target_rows)
                    << table_plan.table.display();
            }
            if (sampling != subsetter::SamplingMode::exact) return;
            // The prefiltered seeds are exactly the unfiltered first n by hash.
            const auto* users_plan = plan.find({"public", "users"});
            ASSERT_NE(users_plan, nullptr);
            const auto& users = *selection.find({"public", "users"});
            for (const auto& row : tx.exec("SELECT id::text FROM public.users ORDER BY hashint8extended(id, 42), id LIMIT " +
                                           std::to_string(users_plan->target_rows))) {
                EXPECT_TRUE(std::binary_search(users.keys.begin(), users.keys.end(), std::string(row[0].c_str())));
            }
        });
    }
}

TEST(Selection, StaleEstimateFallsBackToTheUnfilteredSample) {
    // Statistics claiming far more rows than the table has: the hash prefilter lets too few rows
    // pass, and the sample must still be exactly the first n by hash.
    auto settings = public_settings();
    settings.sampling = subsetter::SamplingMode::exact;
    StandbyModel model(settings);
    const QualifiedName users_name{"public", "users"};
    model.pretend_rows(users_name, 50000000);
    std::int64_t target = model.plan.find(users_name)->target_rows;
    ASSERT_GT(target, 0);
    auto& tx = model.tx();
    auto selection = subsetter::select_rows(tx, model.catalog, model.plan, settings);
    const auto& users = *selection.find(users_name);
    EXPECT_EQ(users.seed_rows, target);
    for (const auto& row : tx.exec("SELECT id::text FROM public.users ORDER BY hashint8extended(id, 42), id LIMIT " +
                                   std::to_string(target))) {
        EXPECT_TRUE(std::binary_search(users.keys.begin(), users.keys.end(), std::string(row[0].c_str())));
    }
}

TEST(Selection, ChildrenAreTheFirstNByHashPerParent) {
    auto settings = public_settings();
    settings.sizing = {subsetter::SizingMode::fraction, 0.02};
    settings.children = 3;
    for (const auto* table :
         {"orders", "line_items", "countries", "departments", "employees", "tags", "user_tags", "comments", "plans"}) {
        settings.overrides[{"public", table}] = rows_override(0);
    }
    select_on_standby(settings, [](pg::Transaction& tx, const Catalog& catalog, const SubsetPlan& plan,
                                   const Selection& selection) {
        const auto& orders = *selection.find({"public", "orders"});
        EXPECT_EQ(orders.seed_rows, 0);
        EXPECT_EQ(orders.child_rows, static_cast<std::int64_t>(orders.keys.size()));
        EXPECT_GT(orders.child_rows, 0);
        // Orders only come as children of users: per user, the first 3 of its orders by hash.
        auto selected = selected_values(tx, catalog, selection, {"public", "orders"}, {"user_id", "id"});
        std::set<std::string> parents;
        for (const auto& value : selected) parents.insert(value.substr(0, value.find('\0')));
        std::set<std::string> expected;
        for (const auto& parent : parents) {
            for (const auto& row : tx.exec("SELECT id::text FROM public.orders WHERE user_id = " + parent +
                                           " ORDER BY hashint8extended(id, 42), id LIMIT 3")) {
                expected.insert(parent + '\0' + row[0].c_str());
            }
        }
        EXPECT_EQ(selected, expected);
        // Line items (a composite key, found through the primary key's index: one top-N lookup
        // per order rather than the window above): the first 3 of each order by hash.
        auto lines = selected_values(tx, catalog, selection, {"public", "line_items"}, {"order_id", "line_no"});
        std::set<std::string> orders_with_lines;
        for (const auto& value : lines) orders_with_lines.insert(value.substr(0, value.find('\0')));
        std::set<std::string> expected_lines;
        for (const auto& order_id : orders_with_lines) {
            for (const auto& row : tx.exec("SELECT line_no::text FROM public.line_items WHERE order_id = " + order_id +
                                           " ORDER BY hashtextextended(ROW(order_id, line_no)::text, 42), order_id, "
                                           "line_no LIMIT 3")) {
                expected_lines.insert(order_id + '\0' + row[0].c_str());
            }
        }
        EXPECT_FALSE(lines.empty());
        EXPECT_EQ(lines, expected_lines);
        expect_closed(tx, catalog, plan, selection);
    });
}

TEST(Selection, CyclesAndSelfReferencesConverge) {
    auto settings = public_settings();
    settings.sizing = {subsetter::SizingMode::fraction, 0.01};
    settings.forced.push_back(subsetter::ForcedRow::parse("departments:7"));
    settings.forced.push_back(subsetter::ForcedRow::parse("employees:499"));
    select_on_standby(settings, [](pg::Transaction& tx, const Catalog& catalog, const SubsetPlan& plan,
                                   const Selection& selection) {
        const auto& departments = *selection.find({"public", "departments"});
        const auto& employees = *selection.find({"public", "employees"});
        EXPECT_TRUE(std::binary_search(departments.keys.begin(), departments.keys.end(), "7"));
        EXPECT_TRUE(std::binary_search(employees.keys.begin(), employees.keys.end(), "21"));  // head of 7
        EXPECT_TRUE(std::binary_search(employees.keys.begin(), employees.keys.end(), "499"));
        EXPECT_EQ(employees.forced_rows, 1);
        expect_closed(tx, catalog, plan, selection);
    });
}

TEST(Selection, DeepSelfReferenceChainsCloseInOneRound) {
    // A linked list of 3000 rows: the last one pulls all its predecessors as parents, the first
    // one all its successors as children (each the only child of the one before), each in one
    // recursive query rather than one round trip per link.
    for (const auto* forced : {"deep.links:3000", "deep.links:1"}) {
        SubsetSettings settings;
        settings.catalog_filter.schemas = {"deep"};
        settings.overrides[{"deep", "links"}] = rows_override(0);
        settings.forced.push_back(subsetter::ForcedRow::parse(forced));
        pg::SourceSnapshot snapshot(servers().standby.conninfo(k_database));
        auto& tx = snapshot.transaction();
        auto catalog = subsetter::load_catalog(tx, settings.catalog_filter);
        auto plan = subsetter::make_plan(tx, catalog, settings);
        auto selection = subsetter::select_rows(tx, catalog, plan, settings);
        const auto& links = *selection.find({"deep", "links"});
        EXPECT_EQ(links.keys.size(), 3000u) << forced;
        EXPECT_EQ(links.forced_rows, 1) << forced;
        EXPECT_EQ(links.seed_rows, 0) << forced;
        EXPECT_EQ(links.parent_rows + links.child_rows, 2999) << forced;
        EXPECT_LE(selection.rounds, 2) << forced;
        expect_closed(tx, catalog, plan, selection);
    }
}

TEST(Selection, WhereOverrideSeedsEveryMatchingRow) {
    auto settings = public_settings();
    subsetter::TableOverride where;
    where.where = "id <= 10";
    where.origin = "test";
    settings.overrides[{"public", "users"}] = where;
    settings.children = 0;
    auto selection = select_on_standby(settings);
    EXPECT_EQ(selection.find({"public", "users"})->seed_rows, 10);
    EXPECT_EQ(selection.find({"public", "orders"})->child_rows, 0);
}

TEST(Selection, MissingForcedRowIsRefused) {
    auto settings = public_settings();
    settings.forced.push_back(subsetter::ForcedRow::parse("users:999999"));
    try {
        select_on_standby(settings);
        FAIL() << "expected plan_refused";
    } catch (const Error& error) {
        EXPECT_EQ(error.code(), ExitCode::plan_refused);
        EXPECT_STREQ(error.what(), "forced row users:999999 does not exist in \"public.users\"");
    }
}

TEST(Selection, FixtureSubsetIsClosedAndRepeatable) {
    // The shared fixture: partitions, uuid and composite keys, domains, enums, cycles through
    // NOT NULL references, a keyless table, mixed-case names.
    SubsetSettings settings;
    settings.sizing = {subsetter::SizingMode::fraction, 0.05};
    settings.seed = 11;
    settings.forced.push_back(subsetter::ForcedRow::parse("users:1"));
    std::map<QualifiedName, std::vector<std::string>> first_keys;
    double seconds = 0;
    for (int run = 0; run < 2; ++run) {
        pg::SourceSnapshot snapshot(fixture_servers().standby.conninfo(k_fixture_database));
        auto& tx = snapshot.transaction();
        auto catalog = subsetter::load_catalog(tx, settings.catalog_filter);
        auto plan = subsetter::make_plan(tx, catalog, settings);
        if (run == 1) {
            // Another client's formats must not change which rows a timestamptz key hashes to.
            tx.exec0("SET LOCAL TimeZone = 'Asia/Tokyo'");
            tx.exec0("SET LOCAL DateStyle = 'SQL, DMY'");
        }
        auto started = std::chrono::steady_clock::now();
        auto selection = subsetter::select_rows(tx, catalog, plan, settings);
        seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        if (run == 1) {
            EXPECT_EQ(tx.exec1("SELECT current_setting('TimeZone')")[0].as<std::string>(), "Asia/Tokyo");
            EXPECT_EQ(tx.exec1("SELECT current_setting('DateStyle')")[0].as<std::string>(), "SQL, DMY");
        }
        const auto& users = *selection.find({"public", "users"});
        EXPECT_TRUE(std::binary_search(users.keys.begin(), users.keys.end(), "1"));
        EXPECT_EQ(users.forced_rows, 1);
        EXPECT_EQ(selection.find({"public", "page_views"})->mode, SelectionMode::filtered);
        EXPECT_GT(selection.find({"billing", "usage_events"})->keys.size(), 0u);
        if (run == 0) {
            for (const auto& [name, table] : selection.tables) first_keys[name] = table.keys;
            expect_closed(tx, catalog, plan, selection);
        } else {
            for (const auto& [name, table] : selection.tables)
                EXPECT_EQ(table.keys, first_keys[name]) << name.display();
        }
    }
    std::printf("selection of 5%% of the fixture: %.2f s\n", seconds);
}

TEST(Selection, ExcludedParentOfASelectedRowIsRefused) {
    // make_plan refuses this first; the selection still checks what it is handed.
    auto settings = public_settings();
    StandbyModel model(settings);
    for (auto& table_plan : model.plan.tables) {
        if (table_plan.table == QualifiedName{"public", "countries"}) table_plan.policy = TablePolicy::none;
    }
    auto& tx = model.tx();
    auto& catalog = model.catalog;
    auto& plan = model.plan;
    try {
        subsetter::select_rows(tx, catalog, plan, settings);
        FAIL() << "expected plan_refused";
    } catch (const Error& error) {
        EXPECT_EQ(error.code(), ExitCode::plan_refused);
        EXPECT_NE(std::string(error.what()).find("\"public.users\" reference \"public.countries\""),
                  std::string::npos)
            << error.what();
    }
}

TEST(Selection, ParallelSessionsChooseTheSameRows) {
    auto settings = public_settings();
    StandbyModel model(settings);
    auto& tx = model.tx();
    auto& catalog = model.catalog;
    auto& plan = model.plan;
    auto& snapshot = model.snapshot;
    auto alone = subsetter::select_rows(tx, catalog, plan, settings);
    pg::SnapshotSession first(servers().standby.conninfo(k_database), snapshot.id());
    pg::SnapshotSession second(servers().standby.conninfo(k_database), snapshot.id());
    auto together =
        subsetter::select_rows(tx, catalog, plan, settings, {}, {&first.transaction(), &second.transaction()});
    for (const auto& [name, table] : alone.tables) {
        EXPECT_EQ(table.keys, together.tables.at(name).keys) << name.display();
        EXPECT_EQ(table.filtered_rows, together.tables.at(name).filtered_rows) << name.display();
    }
    // The reads of all three sessions are counted, and they are the same reads.
    EXPECT_GT(alone.rows_read, 0);
    EXPECT_EQ(alone.rows_read, together.rows_read);
}

TEST(Selection, ProbesThatRunOutOfKeysTopUpWithABlockSample) {
    // Statistics claiming 50 M users: the target (7,071) is a tiny share, so seeds are probed, but
    // the table has 2,000 rows. Probes stop finding new keys and the rest come from a block sample
    // that grows until it holds them: here the whole table, as the exact sample would give.
    auto settings = public_settings();
    StandbyModel model(settings);
    const QualifiedName users_name{"public", "users"};
    model.pretend_rows(users_name, 50000000);
    for (auto& table_plan : model.plan.tables) {
        if (table_plan.table == users_name) table_plan.target_rows = subsetter::logarithmic_size(50000000, 0.5);
    }
    auto selection = subsetter::select_rows(model.tx(), model.catalog, model.plan, settings);
    const auto& users = *selection.find(users_name);
    EXPECT_EQ(users.keys.size(), 2000u);
    EXPECT_EQ(users.seed_rows + users.forced_rows, 2000);
}

TEST(Selection, AKeyLedByATenantIdIsToppedUpWithABlockSample) {
    // Probes into (tenant_id, id) land on three tenants: three keys at most. The other seeds come
    // from a block sample, not from a scan of the table.
    SubsetSettings settings;
    settings.catalog_filter.schemas = {"perf"};
    for (const auto* table : {"accounts", "events", "log_lines"}) settings.overrides[{"perf", table}] = rows_override(0);
    const QualifiedName tenant_rows{"perf", "tenant_rows"};
    select_on_standby(settings, [&](pg::Transaction&, const Catalog&, const SubsetPlan& plan,
                                    const Selection& selection) {
        const auto& chosen = *selection.find(tenant_rows);
        EXPECT_EQ(chosen.seed_rows, plan.find(tenant_rows)->target_rows);
        EXPECT_LT(chosen.rows_read.at("seeds"), 20000);
    });
}

TEST(Selection, KeylessTableIsABlockSampleUnlessExact) {
    SubsetSettings settings;
    settings.catalog_filter.schemas = {"perf"};
    settings.seed = 5;
    for (const auto* table : {"accounts", "events", "tenant_rows"}) settings.overrides[{"perf", table}] = rows_override(0);
    const QualifiedName lines{"perf", "log_lines"};
    std::set<std::string> sampled;
    for (int run = 0; run < 2; ++run) {
        select_on_standby(settings, [&](pg::Transaction& tx, const Catalog& catalog, const SubsetPlan& plan,
                                        const Selection& selection) {
            const auto& chosen = *selection.find(lines);
            ASSERT_EQ(chosen.mode, SelectionMode::filtered);
            EXPECT_EQ(chosen.filtered_rows, plan.find(lines)->target_rows);
            EXPECT_LT(chosen.filter.sample_percent, 5.0);
            // Only the sampled blocks were read: a few percent of the 200,000 rows.
            EXPECT_LT(chosen.rows_read.at("filter"), 20000);
            auto statements = chosen.select_statements(*catalog.find(lines));
            ASSERT_EQ(statements.size(), 1u);
            EXPECT_NE(statements.front().find("TABLESAMPLE SYSTEM"), std::string::npos);
            auto values = selected_values(tx, catalog, selection, lines, {"at", "line"});
            EXPECT_EQ(values.size(), static_cast<std::size_t>(chosen.filtered_rows));
            if (run == 0) sampled = values;
            else EXPECT_EQ(values, sampled);  // the same blocks, the same rows
        });
    }
    settings.sampling = subsetter::SamplingMode::exact;
    select_on_standby(settings, [&](pg::Transaction&, const Catalog& catalog, const SubsetPlan& plan,
                                    const Selection& selection) {
        const auto& chosen = *selection.find(lines);
        EXPECT_EQ(chosen.filtered_rows, plan.find(lines)->target_rows);
        EXPECT_EQ(chosen.filter.sample_percent, 100.0);
        EXPECT_EQ(chosen.select_statements(*catalog.find(lines)).front().find("TABLESAMPLE"), std::string::npos);
    });
}

TEST(Selection, MillionRowTableAtFivePercentIsFast) {
    SubsetSettings settings;
    settings.catalog_filter.schemas = {"perf"};
    settings.sizing = {subsetter::SizingMode::fraction, 0.05};
    settings.seed = 7;
    pg::SourceSnapshot snapshot(servers().standby.conninfo(k_database));
    auto& tx = snapshot.transaction();
    auto catalog = subsetter::load_catalog(tx, settings.catalog_filter);
    auto plan = subsetter::make_plan(tx, catalog, settings);
    auto started = std::chrono::steady_clock::now();
    auto selection = subsetter::select_rows(tx, catalog, plan, settings);
    auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::printf("selection of 5%% of 1M rows with children: %.2f s\n", seconds);
    const auto& events = *selection.find({"perf", "events"});
    EXPECT_EQ(events.seed_rows, 50000);
    EXPECT_GE(events.keys.size(), 50000u);
    EXPECT_LT(seconds, 10.0);
}

}  // namespace
}  // namespace understudy::testing
