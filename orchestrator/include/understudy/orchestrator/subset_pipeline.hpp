// `understudy subset`, `plan` and `graph`: from the source snapshot to a loaded, analyzed target.
#pragma once

#include <nlohmann/json.hpp>

#include "understudy/anonymizer/rules.hpp"
#include "understudy/orchestrator/progress.hpp"
#include "understudy/pg/conninfo.hpp"
#include "understudy/subsetter/subset_settings.hpp"

namespace understudy::orchestrator {

/// Everything one subset run needs.
struct SubsetRequest {
    pg::ConnInfo source;
    pg::ConnInfo target;
    subsetter::SubsetSettings settings;
    int jobs = 2;
    bool replace = false;   ///< drop the target's contents first instead of refusing a non-empty target
    bool dry_run = false;   ///< select rows and report, write nothing
    anonymizer::RuleSet rules;  ///< when configured(), every row is rewritten and the guard applies
};

/// Runs the subset: guards, catalog, plan, selection, pre-data, parallel COPY, post-data,
/// sequences, materialized views, ANALYZE. Returns the run's report (see docs/ARCHITECTURE.md for
/// its fields). The source is only read, inside one exported read-only snapshot.
nlohmann::json run_subset(const SubsetRequest& request, Progress& progress);

/// The human summary printed at the end of a run, from its report.
std::string summarize_report(const nlohmann::json& report);

}  // namespace understudy::orchestrator
