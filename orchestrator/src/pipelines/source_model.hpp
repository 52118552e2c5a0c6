// The read-only model of the source that subset, dump, plan, graph and check share.
#pragma once

#include <optional>

#include <nlohmann/json.hpp>
#include <vector>

#include "understudy/anonymizer/rules.hpp"
#include "understudy/anonymizer/secret.hpp"
#include "understudy/orchestrator/transfer/progress.hpp"
#include "understudy/orchestrator/transfer/table_ranges.hpp"
#include "understudy/orchestrator/transfer/table_transfer.hpp"
#include "understudy/pg/session.hpp"
#include "understudy/subsetter/catalog.hpp"
#include "understudy/subsetter/selection.hpp"
#include "understudy/subsetter/subset_plan.hpp"
#include "understudy/subsetter/subset_settings.hpp"

namespace understudy::orchestrator {

/// The catalog and the plan, read inside the run's snapshot.
struct SourceModel {
    subsetter::Catalog catalog;
    subsetter::SubsetPlan plan;
};

/// Reads the catalog and makes the plan (a few queries in the snapshot's transaction).
SourceModel read_source_model(pg::SourceSnapshot& snapshot, const subsetter::SubsetSettings& settings);

/// Chooses the subset's rows inside the run's snapshot; the independent lookups of each step run on
/// `sessions` connections that import it (the snapshot's own and sessions - 1 more), and the
/// selection's progress goes to `progress` as notes.
subsetter::Selection select_rows_in_snapshot(pg::SourceSnapshot& snapshot, const SourceModel& model,
                                             const subsetter::SubsetSettings& settings, int sessions,
                                             Progress& progress);

/// The fail-closed anonymization guard, before any row is read: with configured rules, every copied
/// column must be covered (else Error) and the secret must be set; returns it (nullopt without rules).
std::optional<anonymizer::Secret> guard_anonymization(const anonymizer::RuleSet& rules, const SourceModel& model);

/// One copy job per table the selection fills, in plan order (tables with nothing selected are left
/// out). With `split_partitions`, a partitioned table copied whole becomes one job per leaf partition.
std::vector<TableCopyJob> make_copy_jobs(const subsetter::Catalog& catalog, const subsetter::SubsetPlan& plan,
                                         const subsetter::Selection& selection, bool split_partitions = false);

/// A model that passed every guard, and the secret its rows are rewritten with (nullopt without rules).
struct GuardedModel {
    SourceModel model;
    std::optional<anonymizer::Secret> secret;
};

/// The opening subset and dump share, before any row is read: the model, the row-security and
/// anonymization guards, then (a refused run shows only its one error line) the warnings about
/// unresolved and unindexed references and the plan's own. Sets the report's `anonymized` and
/// what the reference checks add.
GuardedModel open_guarded_model(pg::SourceSnapshot& snapshot, const subsetter::SubsetSettings& settings,
                                const anonymizer::RuleSet& rules, Progress& progress, nlohmann::json& report);

/// `jobs` with each table copied whole that is larger than `splitting.larger_than_bytes` cut into
/// page ranges (split_large_tables, sizes read in the snapshot); unchanged, without a query, with
/// one worker or a source older than PostgreSQL 14 (no TID range scans: each range would read the
/// whole table).
std::vector<TableCopyJob> split_copy_jobs(pg::SourceSnapshot& snapshot, const std::vector<TableCopyJob>& jobs,
                                          TableSplitting splitting);

/// The selection and the copy jobs made from it.
struct SelectedRows {
    subsetter::Selection selection;
    std::vector<TableCopyJob> jobs;  ///< make_copy_jobs() of the selection
};

/// select_rows_in_snapshot() then make_copy_jobs(), with the report's `selection_rounds` and
/// `selection.rows_read`: what subset and dump copy.
SelectedRows select_copy_jobs(pg::SourceSnapshot& snapshot, const SourceModel& model,
                              const subsetter::SubsetSettings& settings, int sessions, Progress& progress,
                              nlohmann::json& report, bool split_partitions);

}  // namespace understudy::orchestrator
