// Checks on the target database before anything is written to it, and --replace's clearing.
#pragma once

#include <optional>
#include <string>

#include "understudy/pg/query_session.hpp"

#include "understudy/error.hpp"
#include "understudy/pg/session.hpp"

namespace understudy::orchestrator {

/// Refuses a target that is the source database itself: same system identifier (a primary and its
/// replicas share it) and same database name -> Error(ExitCode::target_is_source, ...). A different
/// database on the same server (or on the primary of a standby source) is allowed.
void check_target_is_not_source(const pg::ServerIdentity& source, const pg::ServerIdentity& target);

/// Throws Error(ExitCode::target_not_empty, "target database \"x\" is not empty: 12 tables, e.g.
/// \"public.users\"", "use --replace to drop its contents first") when the target holds any
/// relation, type or function outside system schemas and extensions (extension members don't count),
/// unless it carries the partial-copy mark of an interrupted run (mark_partial_copy): then it is
/// ours to rebuild and the mark is returned. Returns nothing for an empty target.
std::optional<std::string> check_target_empty(pg::QuerySession& target);

/// Marks the target as holding a partial copy before the first write: the database's comment
/// becomes "understudy: partial copy, <description>". A comment, not a placeholder setting,
/// because any database owner may set one (ALTER DATABASE SET of a custom setting needs a
/// superuser: not so on Heroku), it is committed at once (a SIGKILL leaves it), it shows in no
/// schema dump without --create and changes no session. Returns the comment it replaces.
std::optional<std::string> mark_partial_copy(pg::QuerySession& target, const std::string& description);

/// Before a marked target is rebuilt: ends the sessions a killed run left in it (application_name
/// "understudy…": a pg_restore child goes on after its parent is killed, holding locks the
/// rebuild would wait for). Returns how many were ended.
int end_leftover_sessions(pg::QuerySession& target);

/// Removes the mark once the copy is complete, putting back the comment it replaced.
void clear_partial_copy_mark(pg::QuerySession& target, const std::optional<std::string>& previous_comment);

/// For --replace: drops every non-system schema (CASCADE), every extension but plpgsql, event
/// triggers, publications and large objects, then recreates schema public exactly as `createdb` on
/// PostgreSQL 15 makes it, in one transaction (when that overflows the lock table, relations are
/// first dropped in batches). Subscriptions are left alone (dropping one would drop its slot on
/// the publisher). Waits at most 10 s for a lock; then throws TargetBusy naming the session that
/// holds one (pid, application_name, state, age).
void clear_target(pg::QuerySession& target);

/// clear_target() could not take a lock another session of the target holds. Nothing was dropped
/// in the transaction that waited, and clearing again would wait on the same session.
class TargetBusy : public Error {
public:
    using Error::Error;
};

/// Refuses a target that is a hot standby (cannot be written) with a clear message.
void check_target_writable(const pg::ServerIdentity& target);

}  // namespace understudy::orchestrator
