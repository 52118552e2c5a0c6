// `understudy restore`: a dump file (plain or .gz) into an empty database through psql.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "understudy/orchestrator/transfer/progress.hpp"
#include "understudy/pg/conninfo.hpp"

namespace understudy::orchestrator {

/// Everything one restore needs.
struct RestoreRequest {
    std::string file_path;  ///< a file written by `understudy dump`; gunzipped on the way when it ends in `.gz`
    pg::ConnInfo target;
    bool replace = false;   ///< drop the target's contents first instead of refusing a non-empty target
    std::vector<std::string> protect;  ///< protect: entries; a matching target is refused (exit 10)
};

/// Refuses a non-empty (or read-only) target unless `replace`, then streams the file into
/// `psql -X -q -v ON_ERROR_STOP=1 --single-transaction` on the target: either all of it is
/// restored or nothing. Throws Error(target) with psql's first error line when psql fails.
/// Returns a small report (file, bytes, seconds).
nlohmann::json run_restore(const RestoreRequest& request, Progress& progress);

}  // namespace understudy::orchestrator
