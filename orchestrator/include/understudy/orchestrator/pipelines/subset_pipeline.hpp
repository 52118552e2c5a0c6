// `understudy subset`, `plan` and `graph`: from the source snapshot to a loaded, analyzed target.
#pragma once

#include <functional>
#include <optional>

#include <nlohmann/json.hpp>
#include "understudy/pg/transaction.hpp"

#include "understudy/anonymizer/rules.hpp"
#include "understudy/orchestrator/transfer/progress.hpp"
#include "understudy/orchestrator/schema/schema_clone.hpp"
#include "understudy/orchestrator/transfer/table_ranges.hpp"
#include "understudy/pg/conninfo.hpp"
#include "understudy/subsetter/catalog.hpp"
#include "understudy/subsetter/subset_plan.hpp"
#include "understudy/subsetter/subset_settings.hpp"

namespace understudy::orchestrator {

/// What a finished load offers to a check run after it, while the source snapshot is still open.
struct LoadedRun {
    pg::Transaction& source_transaction;  ///< the snapshot's read-only transaction
    const subsetter::Catalog& catalog;
    const SchemaArchive& schema;                 ///< the source schema at the snapshot
    const nlohmann::json& report;                ///< the run's report so far (tables, rows copied)
    const subsetter::SubsetPlan& plan;           ///< its references, declared and inferred ones too
};

/// Everything one subset run needs.
struct SubsetRequest {
    pg::ConnInfo source;
    pg::ConnInfo target;
    subsetter::SubsetSettings settings;
    int jobs = 2;
    bool replace = false;   ///< drop the target's contents first instead of refusing a non-empty target
    bool dry_run = false;   ///< select rows and report, write nothing
    std::vector<std::string> protect;  ///< protect: entries; a matching target is refused (exit 10), --replace or not
    anonymizer::RuleSet rules;  ///< when configured(), every row is rewritten and the guard applies
    /// Called after the load (sync verifies the new database here); a throw fails the run.
    std::function<void(const LoadedRun&)> after_load;
    /// Empty the target again when the run fails (subset: yes; sync keeps a failed copy for inspection).
    bool empty_target_on_failure = true;
    /// Tables copied whole that are larger than this are copied in page ranges by all the workers.
    std::uint64_t split_tables_larger_than = k_default_split_tables_larger_than;
    /// --max-snapshot-age: the run stops between steps once its snapshot is older (empty: no limit).
    std::optional<double> max_snapshot_age_seconds;
};

/// Runs the subset: guards, catalog, plan, selection, pre-data, parallel COPY, post-data,
/// sequences, materialized views, ANALYZE. Returns the run's report (see docs/ARCHITECTURE.md for
/// its fields). The source is only read, inside one exported read-only snapshot.
nlohmann::json run_subset(const SubsetRequest& request, Progress& progress);

/// The human summary printed at the end of a run, from its report.
std::string summarize_report(const nlohmann::json& report);

}  // namespace understudy::orchestrator
