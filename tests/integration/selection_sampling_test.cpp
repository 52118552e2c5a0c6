// Integration tests of how the selection samples its seeds on the hot standby: targets, determinism
// across seeds and sessions, probes and their top-up, block samples of keyless tables, large tables.
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

TEST(Selection, ParallelSessionsChooseTheSameRows) {
    auto settings = public_settings();
    StandbyModel model(settings);
    auto& tx = model.tx();
    auto& catalog = model.catalog;
    auto& plan = model.plan;
    auto& snapshot = model.snapshot;
    auto alone = subsetter::select_rows(tx, catalog, plan, settings);
    pg::SnapshotSession first(selection_servers().standby.conninfo(k_selection_database), snapshot.id());
    pg::SnapshotSession second(selection_servers().standby.conninfo(k_selection_database), snapshot.id());
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
    pg::SourceSnapshot snapshot(selection_servers().standby.conninfo(k_selection_database));
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
