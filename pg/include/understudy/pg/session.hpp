// The source's shared snapshot, sessions inside it, and what identifies a server.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "understudy/pg/conninfo.hpp"
#include "understudy/pg/database_error.hpp"
#include "understudy/pg/query_session.hpp"
#include "understudy/pg/transaction.hpp"

namespace understudy::pg {

/// What identifies a server and database: equal identities mean "the same data".
struct ServerIdentity {
    std::string system_identifier;  ///< pg_control_system(): shared by a primary and its replicas
    std::string database;           ///< current_database()
    bool in_recovery = false;       ///< pg_is_in_recovery(): a hot standby
    int server_version = 0;         ///< server_version_num
    std::string encoding;           ///< server_encoding: what COPY text is converted to for this side
    /// The timeline: a replica shares its primary's, a fork or promoted copy starts a new one. A
    /// standby reports the timeline it receives (or, without a WAL receiver, its last restartpoint's).
    /// 0 when the role may not read it.
    std::uint32_t timeline = 0;
    std::string host;               ///< the host (or socket directory) the client connected to
    std::string port;               ///< the port the client connected to
    std::string addon;              ///< Heroku: the add-on's name (postgresql-curly-12345); empty elsewhere
    std::string addon_id;           ///< Heroku: the add-on's id (a UUID); empty elsewhere
};

/// Reads the identity of the database `session` is attached to.
ServerIdentity read_identity(QuerySession& session, Side side);

/// A REPEATABLE READ READ ONLY transaction on the source that exported its snapshot: every
/// query and COPY of a run imports it, so the run sees one consistent state even on a hot
/// standby (supported there since PostgreSQL 10). It lives as long as the run.
class SourceSnapshot {
public:
    explicit SourceSnapshot(const ConnInfo& info);

    /// The transaction that holds the snapshot; catalog and key queries run in it.
    Transaction& transaction() { return *m_transaction; }
    /// The id other sessions pass to `SET TRANSACTION SNAPSHOT` (and pg_dump to --snapshot).
    const std::string& id() const { return m_id; }
    const ServerIdentity& identity() const { return m_identity; }
    const ConnInfo& conninfo() const { return m_info; }

private:
    ConnInfo m_info;
    QuerySession m_session;
    std::optional<Transaction> m_transaction;
    std::string m_id;
    ServerIdentity m_identity;
};

/// Another QuerySession inside a SourceSnapshot's snapshot: queries that run beside the
/// snapshot's own transaction (the selection's parallel lookups) and see exactly its state.
class SnapshotSession {
public:
    SnapshotSession(const ConnInfo& info, const std::string& snapshot_id);

    Transaction& transaction() { return *m_transaction; }

private:
    QuerySession m_session;
    std::optional<Transaction> m_transaction;
};

}  // namespace understudy::pg
