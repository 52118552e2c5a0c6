// What `init` found about references the schema does not declare, as commented YAML to review.
#pragma once

#include <string>
#include <vector>

#include "understudy/subsetter/subset_plan.hpp"
#include "understudy/subsetter/unresolved_references.hpp"

namespace understudy::orchestrator {

/// A commented `subset:` block for the starter config: every reference the Rails models declare
/// (`foreign_keys:` and `polymorphic:` entries, each with its `app/models/...rb:N`) and, for each
/// column that looks like a reference but that nothing declares, an entry to its best candidate with
/// the candidates' shares. Commented out: a person checks them before the first run. Empty when
/// there is nothing to suggest.
std::string suggested_references_yaml(const subsetter::SubsetPlan& plan,
                                      const std::vector<subsetter::UnresolvedReference>& unresolved);

}  // namespace understudy::orchestrator
