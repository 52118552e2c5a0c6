// A PostgreSQL failure, with the side it came from, its SQLSTATE and what we were doing.
#pragma once

#include <string>

#include "understudy/error.hpp"

namespace understudy::pg {

/// Which database of a run a connection belongs to; every error names it.
enum class Side { source, target };

/// "source" or "target".
const char* side_name(Side side);

/// A failed statement or connection. `what()` reads like
/// `source: could not copy "public"."orders": canceling statement ... (SQLSTATE 40001)`.
class DatabaseError : public Error {
public:
    DatabaseError(Side side, std::string action, std::string server_message, std::string sqlstate,
                  std::string query = {});

    Side side() const noexcept { return m_side; }
    /// Five-character SQLSTATE, or empty when the failure happened before the server answered.
    const std::string& sqlstate() const noexcept { return m_sqlstate; }
    const std::string& query() const noexcept { return m_query; }
    /// True for the failures a run retries: lost connections (08xxx), a standby's recovery
    /// conflicts (40001, 40P01), and a session ended by an administrator or a restarting server
    /// (57P01-57P04).
    bool is_retryable() const noexcept;
    /// True when the session itself is gone: the connection was lost (08xxx) or the server ended
    /// it (terminated, shutting down, restarting). Whatever it held, an exported snapshot
    /// included, is gone with it.
    bool is_session_lost() const noexcept;

private:
    Side m_side;
    std::string m_sqlstate;
    std::string m_query;
};

/// The SQLSTATE of a failed connection attempt, from libpq's message (a connection that never
/// started has no result to carry one): 57P03 while the server starts up or shuts down, 28P01 for
/// a refused password, 3D000 for a missing database, else 08001.
std::string connection_failure_sqlstate(const std::string& libpq_message);

/// Runs `body`; a libpqxx or libpq failure inside it becomes a DatabaseError for `side`, with
/// `action` ("could not read the catalog") as the message's subject.
template <typename Body>
auto with_context(Side side, const std::string& action, Body&& body) -> decltype(body());

/// Translates the exception in flight (called from a catch block) into a DatabaseError.
[[noreturn]] void rethrow_as_database_error(Side side, const std::string& action);

template <typename Body>
auto with_context(Side side, const std::string& action, Body&& body) -> decltype(body()) {
    try {
        return body();
    } catch (const Error&) {
        throw;
    } catch (...) {
        rethrow_as_database_error(side, action);
    }
}

}  // namespace understudy::pg
