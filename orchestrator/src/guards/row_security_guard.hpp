// Refusing a run whose source role would see fewer rows than a table holds (row-level security).
#pragma once

#include "understudy/pg/transaction.hpp"

#include "understudy/subsetter/catalog.hpp"
#include "understudy/subsetter/subset_plan.hpp"

namespace understudy::orchestrator {

/// Throws Error(source) naming the first table the plan reads whose row-level security policies
/// apply to the current role (no superuser, no BYPASSRLS, not the owner or the owner under FORCE):
/// its rows cannot all be read. Runs in the snapshot, before anything is written.
void check_rows_readable(pg::Transaction& source, const subsetter::Catalog& catalog,
                         const subsetter::SubsetPlan& plan);

}  // namespace understudy::orchestrator
