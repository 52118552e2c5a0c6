// `understudy dump`: the subset (anonymized when rules are set) as one plain SQL file for laptops.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "understudy/anonymizer/rules.hpp"
#include "understudy/orchestrator/transfer/progress.hpp"
#include "understudy/pg/conninfo.hpp"
#include "understudy/subsetter/subset_settings.hpp"

namespace understudy::orchestrator {

/// Everything one dump run needs.
struct DumpRequest {
    pg::ConnInfo source;
    subsetter::SubsetSettings settings;
    anonymizer::RuleSet rules;  ///< when configured(), every row is rewritten and the guard applies
    std::string out_path;       ///< gzip when it ends in `.gz`
};

/// Writes the subset as plain SQL that `psql -f` restores into an empty database: pre-data schema,
/// one COPY block per table (rows streamed from the source snapshot through the anonymizer),
/// post-data schema, sequence positions, materialized view refreshes, ANALYZE. Same guards, plan
/// and selection as run_subset; the file appears (atomically) only when the run succeeded.
/// Returns the run's report.
nlohmann::json run_dump(const DumpRequest& request, Progress& progress);

}  // namespace understudy::orchestrator
