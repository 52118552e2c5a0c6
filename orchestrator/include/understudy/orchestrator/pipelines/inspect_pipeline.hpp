// The read-only commands over the source: plan, graph, check and init.
#pragma once

#include <string>

#include "understudy/anonymizer/rules.hpp"
#include "understudy/pg/conninfo.hpp"
#include "understudy/subsetter/subset_settings.hpp"

namespace understudy::orchestrator {

/// `understudy plan`: the sizing plan as text, and the anonymization rules with their unique-safety
/// when `rules` are configured (reads the source only).
std::string describe_plan(const pg::ConnInfo& source, const subsetter::SubsetSettings& settings,
                          const anonymizer::RuleSet& rules);

/// `understudy check`: the fail-closed guard alone, for the application's CI after migrations.
/// Returns the report text; throws Error(unclassified_columns) on drift, Error(config) on bad rules.
std::string check_rules(const pg::ConnInfo& source, const subsetter::SubsetSettings& settings,
                        const anonymizer::RuleSet& rules);

/// `understudy init`: a starter config for the source, every column listed, PII guessed from names
/// and sampled values.
std::string write_init_config(const pg::ConnInfo& source, const subsetter::SubsetSettings& settings);

/// `understudy graph`: the reference graph in Graphviz DOT (reads the source only).
std::string describe_graph(const pg::ConnInfo& source, const subsetter::SubsetSettings& settings);

}  // namespace understudy::orchestrator
