// Mapping of libpq and libpqxx failures onto understudy's error hierarchy.
#include "understudy/pg/database_error.hpp"

#include <pqxx/except>

#include "understudy/pg/conninfo.hpp"

namespace understudy::pg {
namespace {

std::string trim(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ' || text.back() == '.')) text.pop_back();
    // libpq prefixes server messages with "ERROR:  "; the side already says where it came from.
    for (const char* prefix : {"ERROR:  ", "FATAL:  "}) {
        if (text.rfind(prefix, 0) == 0) text.erase(0, std::char_traits<char>::length(prefix));
    }
    // Keep only the first line: DETAIL/HINT/CONTEXT lines may quote row values.
    if (auto newline = text.find('\n'); newline != std::string::npos) text.erase(newline);
    return text;
}

std::string compose(Side side, const std::string& action, const std::string& message,
                    const std::string& sqlstate) {
    std::string out = std::string(side_name(side)) + ": " + action + ": " + redact_secrets(trim(message));
    if (!sqlstate.empty()) out += " (SQLSTATE " + sqlstate + ")";
    return out;
}

bool contains(const std::string& text, const char* part) { return text.find(part) != std::string::npos; }

std::string hint_for(Side side, const std::string& sqlstate, const std::string& message) {
    const std::string name = side_name(side);
    if (side == Side::source && (sqlstate == "40001" || sqlstate == "40P01"))
        return "enable hot_standby_feedback on the follower, or raise max_standby_streaming_delay";
    if (sqlstate == "28P01" || sqlstate == "28000")
        return "check the user and password (or PGPASSWORD / .pgpass) for the " + name;
    if (contains(message, "timeout expired"))
        return "the " + name + " did not answer in time: check its address, port and any firewall between (the "
               "limit is connect_timeout in the URL, or PGCONNECT_TIMEOUT, 10 s by default)";
    if (sqlstate == "42501" && contains(message, "row-level security"))
        return "read the source as a role with BYPASSRLS (or a superuser), or as the table's owner without "
               "FORCE ROW LEVEL SECURITY, as pg_dump needs";
    if (sqlstate == "57P03")
        return "the " + name + " server is starting up or shutting down: rerun once it accepts connections";
    if (sqlstate == "57P01" || sqlstate == "57P02" || sqlstate.rfind("08", 0) == 0)
        return "the " + name + " server restarted or ended the session (pg_terminate_backend, a failover, a "
               "network cut): rerun once it accepts connections";
    return {};
}

/// libpqxx's words for a connection found dead ("Could not obtain client encoding: not
/// connected", "Lost connection to the database server") say nothing a user can act on.
std::string plain_connection_loss(const std::string& message) {
    if (contains(message, "not connected") || contains(message, "Lost connection") ||
        contains(message, "Could not obtain client encoding"))
        return "the connection to the server was lost";
    return message;
}

}  // namespace

const char* side_name(Side side) { return side == Side::source ? "source" : "target"; }

DatabaseError::DatabaseError(Side side, std::string action, std::string server_message,
                             std::string sqlstate, std::string query)
    : Error(side == Side::source ? ExitCode::source : ExitCode::target,
            compose(side, action, server_message, sqlstate), hint_for(side, sqlstate, server_message)),
      m_side(side), m_sqlstate(std::move(sqlstate)), m_query(std::move(query)) {}

bool DatabaseError::is_retryable() const noexcept {
    return is_session_lost() || m_sqlstate == "40001" || m_sqlstate == "40P01" || m_sqlstate == "57P04";
}

bool DatabaseError::is_session_lost() const noexcept {
    // 57P01 admin_shutdown (pg_terminate_backend, a fast shutdown), 57P02 crash_shutdown (another
    // backend crashed), 57P03 cannot_connect_now (starting up, shutting down, in recovery).
    return m_sqlstate.rfind("08", 0) == 0 || m_sqlstate == "57P01" || m_sqlstate == "57P02" ||
           m_sqlstate == "57P03";
}

std::string connection_failure_sqlstate(const std::string& libpq_message) {
    if (contains(libpq_message, "the database system is starting up") ||
        contains(libpq_message, "the database system is shutting down") ||
        contains(libpq_message, "the database system is in recovery mode") ||
        contains(libpq_message, "the database system is not yet accepting connections") ||
        contains(libpq_message, "the database system is not accepting connections"))
        return "57P03";
    if (contains(libpq_message, "password authentication failed")) return "28P01";
    if (contains(libpq_message, "database \"") && contains(libpq_message, "\" does not exist")) return "3D000";
    return "08001";
}

void rethrow_as_database_error(Side side, const std::string& action) {
    try {
        throw;
    } catch (const DatabaseError&) {
        throw;
    } catch (const pqxx::sql_error& error) {
        throw DatabaseError(side, action, error.what(), error.sqlstate(), error.query());
    } catch (const pqxx::broken_connection& error) {
        // A failed connection attempt carries libpq's own message; a connection found dead later
        // carries libpqxx's, which says less than "lost".
        const std::string message = plain_connection_loss(error.what());
        const std::string state = connection_failure_sqlstate(message);
        throw DatabaseError(side, action, message, state == "08001" ? "08006" : state);
    } catch (const pqxx::in_doubt_error& error) {
        throw DatabaseError(side, action, error.what(), "08007");
    } catch (const std::exception& error) {
        throw DatabaseError(side, action, error.what(), "");
    }
}

}  // namespace understudy::pg
