// The one warning (or, with --strict-references, the one error) of a run about columns that look
// like references but that nothing declares.
#pragma once

#include <nlohmann/json.hpp>
#include "understudy/pg/transaction.hpp"

#include "pipelines/source_model.hpp"
#include "understudy/orchestrator/transfer/progress.hpp"
#include "understudy/subsetter/subset_settings.hpp"

namespace understudy::orchestrator {

/// Records the unresolved references in `report["unresolved_references"]` ({"column", "sampled",
/// "rows_sampled", "candidates": [{"table", "contained"}]} each; empty when none) and prints one
/// `warning:` line naming them; with `settings.strict_references` throws Error(plan_refused)
/// naming them instead. A full copy (every table copied whole) checks nothing: its rows keep their
/// parents. Bounded reads in the snapshot's transaction (see find_unresolved_references).
void check_unresolved_references(pg::Transaction& tx, const SourceModel& model,
                                 const subsetter::SubsetSettings& settings, Progress& progress, nlohmann::json& report);

}  // namespace understudy::orchestrator
