// The table of sizes that `plan`, `subset` and `sync` print: one format, made from a run's report.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "understudy/subsetter/selection.hpp"
#include "understudy/subsetter/subset_plan.hpp"

namespace understudy::orchestrator {

/// One table's entry of a run's report (`tables[]`): its plan and, when the selection ran
/// (`chosen`), its rows by reason and the references that added them (`closure`).
nlohmann::json table_report(const subsetter::TablePlan& table_plan, const subsetter::TableSelection* chosen);

/// The table of sizes, a line per entry of `tables` (table_report()s; after a copy also with
/// `copied_rows` and `bytes`): table, sizing, estimate, target, seeds, added, selected, and copied
/// and bytes when an entry has them. What plan shows and what subset then copies line up column by column.
std::string format_table_summary(const nlohmann::json& tables);

/// The rows that forced rows and the closure added, a line per table and reference, most rows
/// first within a table; empty when no table gained a row beyond its seeds.
std::string format_closure(const nlohmann::json& tables);

}  // namespace understudy::orchestrator
