// The selection tests' database and helpers (selection_fixture.hpp).
#include "selection_fixture.hpp"

#include <gtest/gtest.h>

#include "understudy/pg/sql_text.hpp"

namespace understudy::testing {
namespace {

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

}  // namespace

const char* const k_selection_database = "selection_engine";



FixtureServers& selection_servers() {
    static bool loaded = false;
    auto& fixture = fixture_servers();
    if (!loaded) {
        fixture.primary.drop_database(k_selection_database);
        fixture.primary.create_database(k_selection_database);
        fixture.primary.execute(k_selection_database, k_schema);
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


Selection select_on_standby(const SubsetSettings& settings, const Check& check) {
    pg::SourceSnapshot snapshot(selection_servers().standby.conninfo(k_selection_database));
    auto& tx = snapshot.transaction();
    EXPECT_TRUE(snapshot.identity().in_recovery);
    auto catalog = subsetter::load_catalog(tx, settings.catalog_filter);
    auto plan = subsetter::make_plan(tx, catalog, settings);
    auto selection = subsetter::select_rows(tx, catalog, plan, settings);
    if (check) check(tx, catalog, plan, selection);
    return selection;
}

StandbyModel::StandbyModel(const SubsetSettings& settings)
    : snapshot(selection_servers().standby.conninfo(k_selection_database)),
      catalog(subsetter::load_catalog(snapshot.transaction(), settings.catalog_filter)),
      plan(subsetter::make_plan(snapshot.transaction(), catalog, settings)) {}

void StandbyModel::pretend_rows(const QualifiedName& table, std::int64_t rows) {
    for (auto& entry : catalog.tables) {
        if (entry.name == table) entry.estimated_rows = rows;
    }
    for (auto& table_plan : plan.tables) {
        if (table_plan.table == table) table_plan.estimated_rows = rows;
    }
}

// The values of `columns` (NULL-free tuples, joined by '\0') over the rows a table selection
// describes, read through its own select_statements (small batches, to exercise batching).
std::set<std::string> selected_values(pg::Transaction& tx, const Catalog& catalog, const Selection& selection,
                                      const QualifiedName& table_name, const std::vector<std::string>& columns,
                                      const std::optional<subsetter::PolymorphicCondition>& condition) {
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

}  // namespace understudy::testing
