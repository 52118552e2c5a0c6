// Integration tests of the key selection, read inside an exported snapshot on the hot standby:
// closure, forced rows, bounded children, cycles, composite and text keys, refusals.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "selection_fixture.hpp"
#include "understudy/error.hpp"
#include "understudy/pg/sql_text.hpp"

namespace understudy::testing {
namespace {

TEST(Selection, ForcedRowComesWithItsParentsAndEverythingIsClosed) {
    auto settings = public_settings();
    settings.sizing = {subsetter::SizingMode::fraction, 0.05};
    settings.forced.push_back(subsetter::ForcedRow::parse("users:1501"));
    std::vector<std::string> messages;
    pg::SourceSnapshot snapshot(selection_servers().standby.conninfo(k_selection_database));
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
        pg::SourceSnapshot snapshot(selection_servers().standby.conninfo(k_selection_database));
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

}  // namespace
}  // namespace understudy::testing
