// Before any row moves: the rules cover every copied column and fit it, and the secret is there.
#pragma once

#include <vector>

#include "understudy/anonymizer/coverage.hpp"
#include "understudy/anonymizer/rules.hpp"
#include "understudy/subsetter/catalog.hpp"
#include "understudy/subsetter/subset_plan.hpp"

namespace understudy::orchestrator {

/// Every table of the catalog as the anonymizer's guard sees it: a column is unique when any unique
/// index or the primary key reads it. Generated columns are left out (the target computes them).
std::vector<anonymizer::TableShape> table_shapes(const subsetter::Catalog& catalog);

/// The guard's findings for a run: rules are checked against every table (so a rule on an excluded
/// table is not "unknown"), but only tables the plan copies need every column classified.
anonymizer::CoverageReport check_run_coverage(const anonymizer::RuleSet& rules, const subsetter::Catalog& catalog,
                                              const subsetter::SubsetPlan* plan);

/// Runs check_run_coverage and stops the run on a finding: Error(unclassified_columns) listing the
/// columns without a rule, or Error(config) for rules that name unknown columns, fit the wrong type
/// or are not injective on a unique column. Returns the report (for `plan` and `check`).
anonymizer::CoverageReport enforce_coverage(const anonymizer::RuleSet& rules, const subsetter::Catalog& catalog,
                                            const subsetter::SubsetPlan* plan);

}  // namespace understudy::orchestrator
