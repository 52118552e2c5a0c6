// The read-only model of the source that subset, plan, graph and check share.
#pragma once

#include "understudy/pg/session.hpp"
#include "understudy/subsetter/catalog.hpp"
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

}  // namespace understudy::orchestrator
