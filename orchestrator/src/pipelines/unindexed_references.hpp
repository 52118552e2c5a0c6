// The one warning of a run whose selection looks rows up through references that no index serves.
#pragma once

#include <nlohmann/json.hpp>
#include "understudy/pg/transaction.hpp"

#include "pipelines/source_model.hpp"
#include "understudy/orchestrator/transfer/progress.hpp"
#include "understudy/subsetter/subset_settings.hpp"

namespace understudy::orchestrator {

/// Records the references whose lookups read a whole table in `report["unindexed_references"]`
/// ({"reference", "create_index"} each; empty when none) and, when there are any, prints one
/// `warning:` line naming them. One catalog query in the snapshot's transaction.
void warn_unindexed_references(pg::Transaction& tx, const SourceModel& model,
                               const subsetter::SubsetSettings& settings, Progress& progress, nlohmann::json& report);

}  // namespace understudy::orchestrator
