// The part of make_plan that needs no database: validation, references and sizing (unit-testable).
#pragma once

#include <string>
#include <vector>

#include "understudy/subsetter/catalog.hpp"
#include "understudy/subsetter/subset_plan.hpp"
#include "understudy/subsetter/subset_settings.hpp"

namespace understudy::subsetter {

/// Checks overrides and forced rows against `catalog`; throws ConfigError naming the origin.
void validate_settings(const Catalog& catalog, const SubsetSettings& settings);

/// The declared references (parent columns filled in from the parent's row key when empty) and
/// one reference per type value of each declared polymorphic pair, all with origin `declared`.
/// Throws ConfigError when a table, a column or a parent key does not exist.
std::vector<ForeignKey> resolve_declared_references(const Catalog& catalog, const SubsetSettings& settings);

/// make_plan once inference is done: `inferred` and `warnings` come from the source (empty when
/// inference is off). Inferred references that a declared one already covers are dropped.
SubsetPlan build_plan(const Catalog& catalog, const SubsetSettings& settings, std::vector<ForeignKey> inferred,
                      std::vector<std::string> warnings);

/// "5", "2.5", "0.05": numbers in plan text, the same in every locale.
std::string format_number(double value);

}  // namespace understudy::subsetter
