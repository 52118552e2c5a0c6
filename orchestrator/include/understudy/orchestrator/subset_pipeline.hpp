// `understudy subset`, `plan` and `graph`: from the source snapshot to a loaded, analyzed target.
#pragma once

#include <nlohmann/json.hpp>

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
};

/// Runs the subset: guards, catalog, plan, selection, pre-data, parallel COPY, post-data,
/// sequences, materialized views, ANALYZE. Returns the run's report (see docs/ARCHITECTURE.md for
/// its fields). The source is only read, inside one exported read-only snapshot.
nlohmann::json run_subset(const SubsetRequest& request, Progress& progress);

/// `understudy plan`: the sizing plan as text (reads the source only).
std::string describe_plan(const pg::ConnInfo& source, const subsetter::SubsetSettings& settings);

/// `understudy graph`: the reference graph in Graphviz DOT (reads the source only).
std::string describe_graph(const pg::ConnInfo& source, const subsetter::SubsetSettings& settings);

/// The human summary printed at the end of a run, from its report.
std::string summarize_report(const nlohmann::json& report);

}  // namespace understudy::orchestrator
