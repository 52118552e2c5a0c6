// `plan`'s table of sizes: the selection subset would make, run read-only on the source.
#pragma once

#include <string>

#include "pipelines/source_model.hpp"
#include "understudy/pg/session.hpp"
#include "understudy/subsetter/subset_settings.hpp"

namespace understudy::orchestrator {

/// Runs the key selection that `subset` runs (the same code, seed and options, in `snapshot`:
/// only reads) and shows what it chose: the table of sizes subset prints after a copy, the rows
/// forced rows and the closure added with the reference that pulled them in, and what the
/// selection read. When the selection fails (a forced row that does not exist, a `where:` the
/// server refuses) the table shows the plan alone and one line says why: plan never refuses.
std::string describe_selection(pg::SourceSnapshot& snapshot, const SourceModel& model,
                               const subsetter::SubsetSettings& settings);

}  // namespace understudy::orchestrator
