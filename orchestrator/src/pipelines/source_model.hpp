// The read-only model of the source that subset, dump, plan, graph and check share.
#pragma once

#include <optional>
#include <vector>

#include "understudy/anonymizer/rules.hpp"
#include "understudy/anonymizer/secret.hpp"
#include "understudy/orchestrator/transfer/progress.hpp"
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

}  // namespace understudy::orchestrator
