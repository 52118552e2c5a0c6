// Guards a sync checks before anything is written: read-only source, follower lag, protected and replica targets.
#pragma once

#include <string>
#include <vector>

#include "understudy/pg/query_session.hpp"

#include "understudy/pg/conninfo.hpp"
#include "understudy/pg/session.hpp"

namespace understudy::orchestrator {

/// Refuses a source that is not in recovery (a primary) unless `allow_primary_source`:
/// Error(source_not_read_only) with the hint `--allow-primary-source`.
void check_source_read_only(const pg::ServerIdentity& source, bool allow_primary_source);

/// Refuses a standby source whose last replayed commit is older than `max_lag_seconds`
/// (`now() - pg_last_xact_replay_timestamp()`), or that has replayed no commit yet (unknown lag):
/// Error(follower_lag). A primary source has no lag and passes.
void check_follower_lag(pg::QuerySession& source, double max_lag_seconds);

/// The lag check on its values: `lag_seconds` negative means unknown (no commit replayed yet).
void check_follower_lag_value(const std::string& database, bool in_recovery, double lag_seconds,
                              double max_lag_seconds);

/// Refuses a target matching any `protect` entry: its host, `host:port`, `host:port/dbname`, a
/// postgres:// URL or key=value string naming those, its system identifier, or (Heroku) its add-on
/// name or id -> Error(protected_target). Hosts compare case-insensitively; the host is both the one
/// configured in `target` and the one the client connected to. Checked even with --replace.
void check_not_protected(const pg::ConnInfo& target, const pg::ServerIdentity& identity,
                         const std::vector<std::string>& protect);

/// The forked-app trap: refuses a target with the source's system identifier, timeline and
/// database name (the source itself, or a replica of it), and a fork of it (another timeline) with
/// the same database name at the same host and port -> Error(target_is_source).
void check_not_replica_of_source(const pg::ServerIdentity& source, const pg::ServerIdentity& target);

}  // namespace understudy::orchestrator
