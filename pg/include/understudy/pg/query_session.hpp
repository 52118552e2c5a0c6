// A connection for catalog, guard and DDL statements; COPY rows go through CopyConnection instead.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "understudy/pg/conninfo.hpp"
#include "understudy/pg/database_error.hpp"
#include "understudy/pg/transaction.hpp"

namespace understudy::pg {

namespace detail {
struct SessionState;  // the libpqxx connection (pg/src)
}

/// A session for statements whose results are small or read in place: catalog queries, the
/// selection's key lookups, guards, DDL and promotion. Use it for everything except moving table
/// rows; use CopyConnection for `COPY ... TO STDOUT / FROM STDIN`, where rows stream from one
/// server to the other without being parsed. The session settings (session_settings_sql) are
/// applied on connect; a source session is read-only.
class QuerySession {
public:
    /// Connects, naming the side and the redacted address in any failure.
    QuerySession(const ConnInfo& info, Side side);
    QuerySession(QuerySession&&) noexcept;
    QuerySession& operator=(QuerySession&&) noexcept;
    ~QuerySession();

    Side side() const;
    /// Statements that each commit on their own (no BEGIN): DDL such as CREATE DATABASE needs it.
    Transaction autocommit();
    /// BEGIN (READ COMMITTED, read-write); commit() or leave it to roll back.
    Transaction begin();
    /// BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY: one snapshot for every statement.
    Transaction begin_repeatable_read_only();

    /// The host (or socket directory) and port libpq connected to; empty when unknown.
    std::string host() const;
    std::string port() const;

private:
    std::unique_ptr<detail::SessionState> m_state;
};

/// A QuerySession on the heap, for holders that outlive a scope (kept for existing callers).
std::unique_ptr<QuerySession> connect(const ConnInfo& info, Side side);

}  // namespace understudy::pg
