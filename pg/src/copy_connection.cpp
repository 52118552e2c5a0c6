// libpq COPY streaming: the only place that moves row data between servers.
#include "understudy/pg/copy_connection.hpp"

#include <libpq-fe.h>

#include <memory>

#include "understudy/pg/session_settings.hpp"

namespace understudy::pg {
namespace {

struct ResultDeleter {
    void operator()(PGresult* result) const { PQclear(result); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

/// The server's SQLSTATE, or 08006 when libpq lost the connection: a backend terminated while it
/// was blocked sending (a COPY to a slow client) or a dropped network link leaves only libpq's own
/// "server closed the connection unexpectedly", with no SQLSTATE, and that must still read as
/// a connection failure (retryable), not as an unknown error.
std::string sqlstate_of(const PGconn* conn, const PGresult* result) {
    const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
    if (state != nullptr && *state != '\0') return state;
    return PQstatus(conn) == CONNECTION_BAD ? "08006" : "";
}

}  // namespace

CopyConnection::CopyConnection(const ConnInfo& info, Side side) : m_side(side) {
    const ConnInfo effective = with_default_connect_timeout(info.with("application_name", "understudy"));
    m_conn = PQconnectdb(effective.keyword_string().c_str());
    if (PQstatus(m_conn) != CONNECTION_OK) {
        std::string message = PQerrorMessage(m_conn);
        PQfinish(m_conn);
        m_conn = nullptr;
        throw DatabaseError(side, "could not connect to " + info.redacted(), message, connection_failure_sqlstate(message));
    }
    // The same settings as every libpqxx session (session_settings.hpp): COPY text written by one
    // side must read back as the same values on the other.
    try {
        execute(session_settings_sql(side), "could not configure the session");
    } catch (...) {
        PQfinish(m_conn);
        m_conn = nullptr;
        throw;
    }
}

CopyConnection::~CopyConnection() {
    if (m_in_copy_in) abort_copy_in("understudy: connection closed");
    if (m_conn) PQfinish(m_conn);
}

void CopyConnection::fail(const std::string& action, const std::string& query) {
    throw DatabaseError(m_side, action, PQerrorMessage(m_conn),
                        PQstatus(m_conn) == CONNECTION_BAD ? "08006" : "", query);
}

void CopyConnection::drain_results(const std::string& action, const std::string& query) {
    // Collect every result so the connection is ready for the next command; the first error wins.
    std::string error_message;
    std::string error_state;
    while (Result result{PQgetResult(m_conn)}) {
        auto status = PQresultStatus(result.get());
        if ((status == PGRES_FATAL_ERROR || status == PGRES_BAD_RESPONSE) && error_message.empty()) {
            error_message = PQresultErrorMessage(result.get());
            error_state = sqlstate_of(m_conn, result.get());
        }
    }
    if (!error_message.empty()) throw DatabaseError(m_side, action, error_message, error_state, query);
    if (PQstatus(m_conn) == CONNECTION_BAD) fail(action, query);
}

void CopyConnection::execute(const std::string& sql, const std::string& action) {
    if (!PQsendQuery(m_conn, sql.c_str())) fail(action, sql);
    drain_results(action, sql);
}

std::string CopyConnection::query_value(const std::string& sql, const std::string& action) {
    Result result{PQexec(m_conn, sql.c_str())};
    if (PQresultStatus(result.get()) != PGRES_TUPLES_OK) {
        if (!result) fail(action, sql);
        throw DatabaseError(m_side, action, PQresultErrorMessage(result.get()), sqlstate_of(m_conn, result.get()), sql);
    }
    if (PQntuples(result.get()) < 1 || PQgetisnull(result.get(), 0, 0)) return {};
    return PQgetvalue(result.get(), 0, 0);
}

CopyStats CopyConnection::copy_out(const std::string& sql, const std::string& action,
                                   const std::function<void(std::string_view row)>& on_row) {
    if (!PQsendQuery(m_conn, sql.c_str())) fail(action, sql);
    Result start{PQgetResult(m_conn)};
    if (PQresultStatus(start.get()) != PGRES_COPY_OUT) {
        std::string message = start ? PQresultErrorMessage(start.get()) : PQerrorMessage(m_conn);
        std::string state = sqlstate_of(m_conn, start.get());
        start.reset();
        while (Result rest{PQgetResult(m_conn)}) {}
        throw DatabaseError(m_side, action, message, state, sql);
    }
    CopyStats stats;
    for (;;) {
        char* buffer = nullptr;
        int length = PQgetCopyData(m_conn, &buffer, 0);
        if (length < 0) break;  // -1: done, -2: error (reported by the final result)
        std::unique_ptr<char, decltype(&PQfreemem)> owned(buffer, &PQfreemem);
        // In text format libpq hands over exactly one row per buffer.
        ++stats.rows;
        stats.bytes += static_cast<std::uint64_t>(length);
        on_row(std::string_view(buffer, static_cast<std::size_t>(length)));
    }
    drain_results(action, sql);
    return stats;
}

void CopyConnection::begin_copy_in(const std::string& sql, const std::string& action) {
    Result start{PQexec(m_conn, sql.c_str())};
    if (PQresultStatus(start.get()) != PGRES_COPY_IN) {
        if (!start) fail(action, sql);
        throw DatabaseError(m_side, action, PQresultErrorMessage(start.get()), sqlstate_of(m_conn, start.get()), sql);
    }
    m_in_copy_in = true;
    m_copy_in_action = action;
    m_copy_in_sql = sql;
}

void CopyConnection::put(std::string_view data) {
    if (PQputCopyData(m_conn, data.data(), static_cast<int>(data.size())) != 1) {
        m_in_copy_in = false;
        fail(m_copy_in_action, m_copy_in_sql);
    }
}

void CopyConnection::end_copy_in() {
    m_in_copy_in = false;
    if (PQputCopyEnd(m_conn, nullptr) != 1) fail(m_copy_in_action, m_copy_in_sql);
    drain_results(m_copy_in_action, m_copy_in_sql);
}

void CopyConnection::abort_copy_in(const std::string& reason) noexcept {
    if (!m_in_copy_in) return;
    m_in_copy_in = false;
    // An error message makes the server fail the COPY: nothing of it commits.
    PQputCopyEnd(m_conn, reason.c_str());
    while (Result rest{PQgetResult(m_conn)}) {}
}

}  // namespace understudy::pg
