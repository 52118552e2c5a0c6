// The `sync:` section of understudy.yml: how the nightly refresh builds, guards and promotes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace understudy::orchestrator {

/// The `sync:` section: how the nightly refresh builds, guards and promotes.
struct SyncConfig {
    std::string backend = "postgres";        ///< postgres | heroku | none
    bool full = false;                       ///< copy every table whole instead of the subset sizing
    int keep = 1;                            ///< previous databases kept for rollback
    std::optional<double> max_lag_seconds;   ///< refuse a follower lagging more than this
    std::optional<double> max_snapshot_age_seconds;  ///< stop between steps once the snapshot is older
    bool allow_primary_source = false;       ///< allow reading a primary (not a follower)
    std::vector<std::string> protect;        ///< target hosts, host:port, host:port/db, system ids or add-ons never written
    std::string heroku_app;
    std::string heroku_plan;
    std::string heroku_attachment = "DATABASE";
    /// Tables larger than this (bytes) are copied in page ranges by all the workers at once.
    std::uint64_t split_tables_larger_than = std::uint64_t{1} << 30;
};

}  // namespace understudy::orchestrator
