// Unit tests for the one table of sizes that `plan` prints before a run and `subset`/`sync` after it.
#include <gtest/gtest.h>

#include "understudy/orchestrator/pipelines/table_summary.hpp"
#include "understudy/orchestrator/transfer/progress.hpp"

namespace understudy::orchestrator {
namespace {

subsetter::TablePlan table_plan(const std::string& name, subsetter::TablePolicy policy, const std::string& sizing,
                                std::int64_t estimate, std::int64_t target) {
    subsetter::TablePlan plan;
    plan.table = {"public", name};
    plan.policy = policy;
    plan.sizing = sizing;
    plan.estimated_rows = estimate;
    plan.target_rows = target;
    return plan;
}

/// users: 44 seeds, 1 forced, 1,122 parents through two references; tags copied whole; audit none.
nlohmann::json demo_tables() {
    subsetter::TableSelection users;
    users.mode = subsetter::SelectionMode::keys;
    users.keys.resize(1167);
    users.seed_rows = 44;
    users.forced_rows = 1;
    users.parent_rows = 1122;
    users.closure = {{"public.tasks(creator_id) -> public.users", true, 1000},
                     {"public.comments(author_id) -> public.users", true, 122}};
    subsetter::TableSelection tags;
    tags.mode = subsetter::SelectionMode::all;
    subsetter::TableSelection audit;
    audit.mode = subsetter::SelectionMode::none;
    nlohmann::json tables = nlohmann::json::array();
    tables.push_back(table_report(table_plan("users", subsetter::TablePolicy::sample, "logarithmic 0.5", 2000, 44), &users));
    tables.push_back(table_report(table_plan("tags", subsetter::TablePolicy::all, "all", 20, 20), &tags));
    tables.push_back(table_report(table_plan("audit", subsetter::TablePolicy::none, "none", 10000, 0), &audit));
    return tables;
}

TEST(TableSummary, PlanShowsTargetSeedsAddedAndSelected) {
    EXPECT_EQ(format_table_summary(demo_tables()),
              "table         sizing           estimate  target  seeds  added  selected\n"
              "public.users  logarithmic 0.5     2,000      44     44  1,123     1,167\n"
              "public.tags   all                    20      20      -      -       all\n"
              "public.audit  none               10,000       0      -      -         0\n");
}

TEST(TableSummary, AfterACopyTheSameColumnsThenCopiedAndBytes) {
    auto tables = demo_tables();
    tables[0]["copied_rows"] = 1167;
    tables[0]["bytes"] = 2048;
    tables[1]["copied_rows"] = 20;
    tables[1]["bytes"] = 300;
    EXPECT_EQ(format_table_summary(tables),
              "table         sizing           estimate  target  seeds  added  selected  copied   bytes\n"
              "public.users  logarithmic 0.5     2,000      44     44  1,123     1,167   1,167  2.0 kB\n"
              "public.tags   all                    20      20      -      -       all      20   300 B\n"
              "public.audit  none               10,000       0      -      -         0       -       -\n");
}

TEST(TableSummary, ClosureSaysWhichReferencePulledTheRowsIn) {
    EXPECT_EQ(format_closure(demo_tables()),
              "rows added beyond the seeds, by what pulled them in:\n"
              "table         added  why\n"
              "public.users  1,000  parents via public.tasks(creator_id) -> public.users\n"
              "public.users    122  parents via public.comments(author_id) -> public.users\n"
              "public.users      1  forced (--force)\n");
    auto tables = demo_tables();
    tables.erase(0);
    EXPECT_EQ(format_closure(tables), "");
}

TEST(TableSummary, CountsHaveThousandsSeparators) {
    EXPECT_EQ(format_count(0), "0");
    EXPECT_EQ(format_count(999), "999");
    EXPECT_EQ(format_count(1000), "1,000");
    EXPECT_EQ(format_count(1234567), "1,234,567");
    EXPECT_EQ(format_count(-1234), "-1,234");
}

}  // namespace
}  // namespace understudy::orchestrator
