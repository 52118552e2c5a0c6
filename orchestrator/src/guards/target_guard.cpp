// Guards run before the first write to a target: not the source, writable, empty (or cleared on request).
#include "understudy/orchestrator/guards/target_guard.hpp"

#include <tuple>

#include "understudy/pg/query_session.hpp"
#include "understudy/pg/result.hpp"

#include "understudy/error.hpp"
#include "understudy/pg/database_error.hpp"
#include "understudy/pg/sql_text.hpp"
#include "understudy/pg/user_schemas.hpp"
#include "understudy/sql/orchestrator_sql.hpp"
#include "understudy/orchestrator/schema/sql_template.hpp"

namespace understudy::orchestrator {
namespace {

// SQLSTATE 53200: the lock table is full.
constexpr const char* k_out_of_shared_memory = "53200";

// SQLSTATE 55P03: a lock was not granted within lock_timeout.
constexpr const char* k_lock_not_available = "55P03";

// How long clearing waits for each lock. Sessions pin lock_timeout = 0 (session_settings.hpp);
// without a limit, one idle-in-transaction session on the target (a forgotten psql, a console)
// would keep --replace waiting forever and silently.
constexpr const char* k_clear_lock_timeout = "10s";
constexpr const char* k_clear_lock_timeout_text = "10 s";

// Relations dropped per transaction when they cannot all go in one; halved while even that is too many.
constexpr std::size_t k_initial_drop_batch = 256;

void clear_in_one_transaction(pg::QuerySession& target) {
    pg::with_context(pg::Side::target, "could not clear the target", [&] {
        pg::Transaction tx = target.begin();
        tx.exec0(std::string("SET LOCAL lock_timeout = '") + k_clear_lock_timeout + "'");
        // Event triggers first, so that none of them fires on the drops below. They and
        // publications live outside any schema, and pg_dump --schema-only restores them, so a
        // leftover one would make the restore fail with "already exists".
        for (const auto& row : tx.exec("SELECT evtname FROM pg_event_trigger ORDER BY evtname")) {
            tx.exec0("DROP EVENT TRIGGER IF EXISTS " + pg::quote_ident(row[0].c_str()));
        }
        for (const auto& row : tx.exec("SELECT pubname FROM pg_publication ORDER BY pubname")) {
            tx.exec0("DROP PUBLICATION IF EXISTS " + pg::quote_ident(row[0].c_str()));
        }
        // Large objects belong to no schema either; a fresh database has none.
        tx.exec("SELECT pg_catalog.lo_unlink(oid) FROM pg_catalog.pg_largeobject_metadata");
        // Extensions next: one installed in pg_catalog survives any DROP SCHEMA. plpgsql stays
        // because every fresh database has it.
        auto extensions = tx.exec("SELECT extname FROM pg_extension WHERE extname <> 'plpgsql' ORDER BY extname");
        for (const auto& row : extensions) {
            tx.exec0("DROP EXTENSION IF EXISTS " + pg::quote_ident(row[0].c_str()) + " CASCADE");
        }
        auto schemas = tx.exec(std::string("SELECT n.nspname FROM pg_namespace n WHERE ") + pg::k_user_schema_filter +
                               " ORDER BY n.nspname");
        for (const auto& row : schemas) {
            tx.exec0("DROP SCHEMA IF EXISTS " + pg::quote_ident(row[0].c_str()) + " CASCADE");
        }
        // Schema public as PostgreSQL 15's template1 has it: owned by pg_database_owner (whoever
        // owns the database), usable by everyone, creatable only by the owner (15 dropped the
        // old CREATE for PUBLIC), with its standard comment. pg_dump treats exactly this state as
        // "nothing to dump", so a restored schema then matches the source's.
        tx.exec0("CREATE SCHEMA public AUTHORIZATION pg_database_owner");
        tx.exec0("COMMENT ON SCHEMA public IS 'standard public schema'");
        tx.exec0("GRANT USAGE ON SCHEMA public TO PUBLIC");
        tx.commit();
    });
}

/// Drops every user relation (partitions first, so that no single DROP cascades to thousands)
/// in transactions of a bounded number of relations.
void drop_relations_in_batches(pg::QuerySession& target) {
    std::size_t batch = k_initial_drop_batch;
    for (;;) {
        try {
            bool dropped_any = pg::with_context(pg::Side::target, "could not clear the target", [&] {
                pg::Transaction tx = target.begin();
                tx.exec0(std::string("SET LOCAL lock_timeout = '") + k_clear_lock_timeout + "'");
                auto relations = tx.exec(sql_with(sql::k_droppable_relations) + std::to_string(batch));
                for (const auto& row : relations) {
                    tx.exec0(std::string("DROP ") + row[0].c_str() + " IF EXISTS " + row[1].c_str() + " CASCADE");
                }
                tx.commit();
                return !relations.empty();
            });
            if (!dropped_any) return;
        } catch (const pg::DatabaseError& error) {
            if (error.sqlstate() != k_out_of_shared_memory || batch == 1) throw;
            batch /= 2;
        }
    }
}

// The text every partial-copy mark starts with.
constexpr const char* k_partial_copy_prefix = "understudy: partial copy, ";

constexpr const char* k_database_comment =
    "SELECT current_database(), shobj_description(d.oid, 'pg_database') FROM pg_database d "
    "WHERE d.datname = current_database()";

/// After a lock timeout: the session of the target holding a lock the drops needed, in one line
/// with what to do about it. The waiting transaction is over, so its lock request is gone from
/// pg_locks; every other session's granted lock in this database is a candidate, relation locks
/// and the oldest transactions first.
[[noreturn]] void throw_target_busy(pg::QuerySession& target, const pg::DatabaseError& timeout) {
    const auto holders = pg::with_context(pg::Side::target, "could not find who holds the lock", [&] {
        pg::Transaction tx = target.autocommit();
        return tx.exec(std::string(sql::k_lock_holder));
    });
    if (holders.empty()) {
        // The holder has gone meanwhile: a rerun will not wait on it.
        throw TargetBusy(ExitCode::target, timeout.what(),
                         "another session of the target held a lock for more than " +
                             std::string(k_clear_lock_timeout_text) + "; rerun");
    }
    const auto& holder = holders[0];
    const std::string pid = holder[0].c_str();
    throw TargetBusy(ExitCode::target,
                     std::string("target: could not clear the target: waited ") + k_clear_lock_timeout_text +
                         " for a lock on " + holder[4].c_str() + " held by session " + pid + " (application_name " +
                         pg::quote_literal(holder[1].c_str()) + ", " + holder[2].c_str() + " for " +
                         holder[3].c_str() + " s)",
                     "end that session (SELECT pg_terminate_backend(" + pid +
                         ") on the target) or let its transaction finish, then rerun");
}

std::string plural(long long count, const char* singular, const char* many) {
    return std::to_string(count) + " " + (count == 1 ? singular : many);
}

}  // namespace

void check_target_is_not_source(const pg::ServerIdentity& source, const pg::ServerIdentity& target) {
    // A primary and every standby or fork made from it by physical copy share the system
    // identifier, so the same database name there means the same data, even at another address.
    if (source.system_identifier == target.system_identifier && source.database == target.database) {
        throw Error(ExitCode::target_is_source,
                    "target database \"" + target.database + "\" is the source database (system identifier " +
                        target.system_identifier + ")",
                    "give --target another database; on the same server, create one with createdb");
    }
}

void check_target_writable(const pg::ServerIdentity& target) {
    if (target.in_recovery) {
        throw Error(ExitCode::target,
                    "target database \"" + target.database + "\" is on a hot standby and cannot be written",
                    "give --target a database on a primary server");
    }
}

std::optional<std::string> check_target_empty(pg::QuerySession& target) {
    auto [database, comment, objects] = pg::with_context(pg::Side::target, "could not list the target's objects", [&] {
        pg::Transaction tx = target.autocommit();
        auto row = tx.exec1(k_database_comment);
        return std::make_tuple(std::string(row[0].c_str()), row[1].is_null() ? std::string() : row[1].c_str(),
                               tx.exec(sql_with(sql::k_user_objects)));
    });
    if (objects.empty()) return std::nullopt;
    // A run killed part way (a Heroku postdeploy timeout) left its mark: the contents are ours.
    if (comment.rfind(k_partial_copy_prefix, 0) == 0) return comment;

    static const char* const k_singular[] = {"", "table", "view", "sequence", "type", "function"};
    static const char* const k_many[] = {"", "tables", "views", "sequences", "types", "functions"};
    std::string counts;
    int previous_kind = 0;
    for (const auto& row : objects) {
        int kind = row[0].as<int>();
        if (kind == previous_kind) continue;
        previous_kind = kind;
        if (!counts.empty()) counts += ", ";
        counts += plural(row[1].as<long long>(), k_singular[kind], k_many[kind]);
    }
    std::string example = std::string(objects[0][2].c_str()) + "." + objects[0][3].c_str();
    throw Error(ExitCode::target_not_empty,
                "target database \"" + database + "\" is not empty: " + counts + ", e.g. \"" + example + "\"",
                "use --replace to drop its contents first");
}

std::optional<std::string> mark_partial_copy(pg::QuerySession& target, const std::string& description) {
    return pg::with_context(pg::Side::target, "could not mark the target as a partial copy", [&] {
        pg::Transaction tx = target.autocommit();
        auto row = tx.exec1(k_database_comment);
        std::optional<std::string> previous;
        if (!row[1].is_null() && std::string(row[1].c_str()).rfind(k_partial_copy_prefix, 0) != 0) previous = row[1].c_str();
        tx.exec0("COMMENT ON DATABASE " + pg::quote_ident(row[0].c_str()) + " IS " +
                 pg::quote_literal(k_partial_copy_prefix + description));
        return previous;
    });
}

int end_leftover_sessions(pg::QuerySession& target) {
    return pg::with_context(pg::Side::target, "could not end the sessions left in the target", [&] {
        pg::Transaction tx = target.autocommit();
        return tx.exec1(std::string(sql::k_terminate_leftover_sessions))[0].as<int>();
    });
}

void clear_partial_copy_mark(pg::QuerySession& target, const std::optional<std::string>& previous_comment) {
    pg::with_context(pg::Side::target, "could not remove the partial-copy mark of the target", [&] {
        pg::Transaction tx = target.autocommit();
        const std::string database = tx.exec1("SELECT current_database()")[0].c_str();
        tx.exec0("COMMENT ON DATABASE " + pg::quote_ident(database) + " IS " +
                 (previous_comment ? pg::quote_literal(*previous_comment) : std::string("NULL")));
    });
}

void clear_target(pg::QuerySession& target) {
    try {
        try {
            clear_in_one_transaction(target);
        } catch (const pg::DatabaseError& error) {
            if (error.sqlstate() != k_out_of_shared_memory) throw;
            // Dropping thousands of tables (or partitions) in one transaction overflows the lock
            // table (max_locks_per_transaction). The relations then go in batches, each its own
            // transaction, and the now small rest in one; a failure part way leaves a target that
            // the next --replace clears all the same.
            drop_relations_in_batches(target);
            clear_in_one_transaction(target);
        }
    } catch (const pg::DatabaseError& error) {
        if (error.sqlstate() != k_lock_not_available) throw;
        throw_target_busy(target, error);
    }
}

}  // namespace understudy::orchestrator
