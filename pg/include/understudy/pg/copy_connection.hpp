// A raw libpq connection for the COPY hot path: rows stream from one server to another as they come.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "understudy/pg/conninfo.hpp"
#include "understudy/pg/database_error.hpp"

struct pg_conn;

namespace understudy::pg {

/// Rows and bytes moved by one COPY.
struct CopyStats {
    std::uint64_t rows = 0;
    std::uint64_t bytes = 0;
};

/// A libpq connection used where libpqxx would cost a copy per row: COPY out, COPY in, and the
/// few commands around them (BEGIN, SET TRANSACTION SNAPSHOT, COMMIT). One of the two kinds of
/// connection: this one moves table rows; every other statement (catalog, selection, guards, DDL,
/// promotion) goes through pg::QuerySession.
class CopyConnection {
public:
    CopyConnection(const ConnInfo& info, Side side);
    ~CopyConnection();
    CopyConnection(const CopyConnection&) = delete;
    CopyConnection& operator=(const CopyConnection&) = delete;

    Side side() const { return m_side; }

    /// Runs SQL that returns no rows; `action` names it in the error ("could not begin").
    void execute(const std::string& sql, const std::string& action);
    /// Runs a query that returns one value (the first column of the first row).
    std::string query_value(const std::string& sql, const std::string& action);

    /// Runs a `COPY ... TO STDOUT` and hands each row (text format, newline included) to `on_row`.
    CopyStats copy_out(const std::string& sql, const std::string& action,
                       const std::function<void(std::string_view row)>& on_row);

    /// Starts a `COPY ... FROM STDIN`; then put(), and finally end() or abort().
    void begin_copy_in(const std::string& sql, const std::string& action);
    /// Sends rows of the running COPY FROM STDIN (libpq buffers them).
    void put(std::string_view data);
    /// Ends the running COPY FROM STDIN successfully; throws if the server rejects the data.
    void end_copy_in();
    /// Ends the running COPY FROM STDIN with an error so that none of it is kept. Never throws.
    void abort_copy_in(const std::string& reason) noexcept;
    /// True while a COPY FROM STDIN is open.
    bool in_copy_in() const { return m_in_copy_in; }

private:
    [[noreturn]] void fail(const std::string& action, const std::string& query);
    void drain_results(const std::string& action, const std::string& query);

    pg_conn* m_conn = nullptr;
    Side m_side;
    bool m_in_copy_in = false;
    std::string m_copy_in_action;
    std::string m_copy_in_sql;
};

}  // namespace understudy::pg
