// `understudy sync` and `understudy rollback`: build a fresh copy, verify it, then promote it.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "understudy/anonymizer/rules.hpp"
#include "understudy/orchestrator/pipelines/sync_settings.hpp"
#include "understudy/orchestrator/transfer/progress.hpp"
#include "understudy/orchestrator/promotion/promotion_backend.hpp"
#include "understudy/pg/conninfo.hpp"
#include "understudy/subsetter/subset_settings.hpp"

namespace understudy::orchestrator {

/// Everything one sync needs.
struct SyncRequest {
    pg::ConnInfo source;
    pg::ConnInfo target;              ///< the live database (postgres, none) or any URL (heroku: unused)
    subsetter::SubsetSettings settings;
    anonymizer::RuleSet rules;
    SyncConfig sync;
    int jobs = 2;
    bool wait_for_lock = false;       ///< wait for another run's lock instead of exiting with `locked`
};

/// The backend the config names (heroku reads HEROKU_API_KEY and friends from the environment).
std::unique_ptr<PromotionBackend> make_backend(const SyncConfig& sync, const pg::ConnInfo& target);

/// Runs the whole refresh: lock, guards, build into a new database (full copy or subset,
/// anonymized), verify, promote, drop old copies. Idempotent: a leftover from a crashed run is
/// rebuilt, never promoted; the live database is only touched by the final swap.
nlohmann::json run_sync(SyncRequest request, Progress& progress);

/// A few readable lines of what verification checked (the report's `verification`): foreign keys by
/// constraint and by anti-join, row counts, sequences, schema, and what the leak scan searched.
std::string summarize_verification(const nlohmann::json& verification);

/// `understudy rollback`: the newest previous copy goes back in place of the live one.
std::string run_rollback(const SyncConfig& sync, const pg::ConnInfo& target);

}  // namespace understudy::orchestrator
