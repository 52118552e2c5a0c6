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

std::string hint_for(Side side, const std::string& sqlstate) {
    if (side == Side::source && (sqlstate == "40001" || sqlstate == "40P01"))
        return "enable hot_standby_feedback on the follower, or raise max_standby_streaming_delay";
    if (sqlstate == "28P01" || sqlstate == "28000")
        return "check the user and password (or PGPASSWORD / .pgpass) for the " + std::string(side_name(side));
    return {};
}

}  // namespace

const char* side_name(Side side) { return side == Side::source ? "source" : "target"; }

DatabaseError::DatabaseError(Side side, std::string action, std::string server_message,
                             std::string sqlstate, std::string query)
    : Error(side == Side::source ? ExitCode::source : ExitCode::target,
            compose(side, action, server_message, sqlstate), hint_for(side, sqlstate)),
      m_side(side), m_sqlstate(std::move(sqlstate)), m_query(std::move(query)) {}

bool DatabaseError::is_retryable() const noexcept {
    return m_sqlstate.rfind("08", 0) == 0 || m_sqlstate == "40001" || m_sqlstate == "40P01" ||
           m_sqlstate == "57P01" || m_sqlstate == "57P04";
}

void rethrow_as_database_error(Side side, const std::string& action) {
    try {
        throw;
    } catch (const DatabaseError&) {
        throw;
    } catch (const pqxx::sql_error& error) {
        throw DatabaseError(side, action, error.what(), error.sqlstate(), error.query());
    } catch (const pqxx::broken_connection& error) {
        throw DatabaseError(side, action, error.what(), "08006");
    } catch (const pqxx::in_doubt_error& error) {
        throw DatabaseError(side, action, error.what(), "08007");
    } catch (const std::exception& error) {
        throw DatabaseError(side, action, error.what(), "");
    }
}

}  // namespace understudy::pg
