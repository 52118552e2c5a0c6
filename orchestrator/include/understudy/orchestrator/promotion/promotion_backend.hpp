// Where a sync builds its new database and how it swaps it in: postgres, heroku or none.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "understudy/pg/conninfo.hpp"

namespace understudy::orchestrator {

/// A promotion backend owns the life cycle of the databases a sync builds: the new one (built,
/// verified, then promoted), the live one, and the previous ones kept for rollback. Every step is
/// idempotent, so a rerun after a crash at any point converges instead of leaving orphans.
class PromotionBackend {
public:
    virtual ~PromotionBackend() = default;

    /// "postgres", "heroku" or "none".
    virtual std::string name() const = 0;
    /// The live database (what applications use), for the guards; the target itself for `none`.
    virtual pg::ConnInfo live_database() = 0;
    /// An empty database to build the new copy in. A leftover from an earlier, crashed run is found
    /// and emptied (or dropped and recreated), never promoted.
    virtual pg::ConnInfo prepare_new_database() = 0;
    /// Gives the loaded new database what the live one has besides its contents (owner, privileges,
    /// settings, connection limit), before it is verified and promoted. Nothing where the platform
    /// manages these itself (heroku) or where the target is built in place (none).
    virtual void give_live_properties() {}
    /// Swaps the verified new database in; the live one becomes the newest previous. Returns a line
    /// for the report ("renamed app_understudy_new to app; app kept as app_understudy_prev_1").
    virtual std::string promote() = 0;
    /// Drops previous databases beyond the newest `keep`; returns what was dropped.
    virtual std::vector<std::string> drop_old(int keep) = 0;
    /// Puts the newest previous database back in place of the live one (the live one becomes previous).
    virtual std::string rollback() = 0;
    /// The add-on (name, id) holding the live database, where databases are add-ons (Heroku), so
    /// that a `protect:` entry naming a production add-on matches; empty elsewhere.
    virtual std::pair<std::string, std::string> live_addon() { return {}; }
    /// The same for the database prepare_new_database() returned.
    virtual std::pair<std::string, std::string> new_addon() { return {}; }
};

}  // namespace understudy::orchestrator
