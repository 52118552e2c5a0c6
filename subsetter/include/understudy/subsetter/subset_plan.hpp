// The sizing plan: for each table its estimate, its target size and why, in load order.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "understudy/pg/transaction.hpp"

#include "understudy/subsetter/catalog.hpp"
#include "understudy/subsetter/fk_graph.hpp"
#include "understudy/subsetter/subset_settings.hpp"

namespace understudy::subsetter {

/// `max(1, floor(10^(log10(n) * factor)))`, rdbms-subsetter's --logarithmic; 0 when n is 0.
std::int64_t logarithmic_size(std::int64_t rows, double factor);
/// `max(1, floor(n * factor))`; 0 when n is 0.
std::int64_t fraction_size(std::int64_t rows, double factor);

/// One table's line of the plan.
struct TablePlan {
    QualifiedName table;
    TablePolicy policy = TablePolicy::sample;
    std::int64_t estimated_rows = 0;
    std::int64_t target_rows = 0;     ///< seed rows to pick (the whole table for `all`, 0 for `none`)
    std::string sizing;               ///< "logarithmic 0.5", "rows: 100", "where: ...", "all", "none"
    std::vector<std::string> reached_as;  ///< "seed", "parent of public.orders", "child of public.users"
    bool keyless = false;             ///< no PK or NOT NULL unique key: selected through references
};

/// The whole plan; `tables` is in load order (parents first).
struct SubsetPlan {
    std::vector<TablePlan> tables;
    FkGraph graph;                      ///< all references used, constraints and virtual ones
    std::vector<ForeignKey> inferred;   ///< the inferred references (also in graph), for `plan` to list
    std::vector<std::string> warnings;  ///< e.g. polymorphic type values that name no table

    const TablePlan* find(const QualifiedName& table) const;
};

/// Builds the plan. Throws Error(plan_refused) when an excluded table has children that are not
/// excluded (listing them), and Error(config) when an override or forced row names an unknown
/// table or column. Needs `tx` only to sample type values for inferred polymorphic references.
SubsetPlan make_plan(pg::Transaction& tx, const Catalog& catalog, const SubsetSettings& settings);

/// What `understudy plan` prints after its table of sizes: cycles, the references the schema does
/// not declare with their origins, warnings; each section opens with an empty line (empty: none).
std::string format_plan_notes(const SubsetPlan& plan);

}  // namespace understudy::subsetter
