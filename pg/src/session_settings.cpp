// The one list of session settings pinned by every connection of a run, and the default connect timeout.
#include "understudy/pg/session_settings.hpp"

#include <cstdlib>
#include <utility>
#include <vector>

namespace understudy::pg {
namespace {

// ALTER DATABASE ... SET and ALTER ROLE ... SET reach every session on the server and its
// standbys: `datestyle = 'SQL, DMY'` turns a COPY's `2024-12-13` into `13/12/2024`, which another
// server reads with day and month swapped (or rejects); `extra_float_digits = 0` rounds float8
// text (0.30000000000000004 becomes 0.3); `bytea_output = escape`, an IntervalStyle or a TimeZone
// change the text of their types. pg_dump pins these before it reads anything; so do we, on
// both sides, with SET rather than the startup `options` (PgBouncer refuses those).
const std::vector<std::pair<const char*, const char*>> k_value_settings = {
    {"DateStyle", "'ISO, MDY'"},
    {"IntervalStyle", "'postgres'"},
    {"extra_float_digits", "3"},
    {"bytea_output", "'hex'"},
    {"standard_conforming_strings", "on"},
    {"TimeZone", "'UTC'"},
    {"xmloption", "content"},
};

// Not values but behaviour: an empty search_path means every name we send is qualified and a
// database's odd search_path cannot redirect one (pg_catalog is searched implicitly);
// row_security = off makes a read that a policy would filter an error instead of missing rows;
// the timeouts a database or role may set would cancel a long COPY or an idle snapshot holder.
const std::vector<std::pair<const char*, const char*>> k_session_settings = {
    {"search_path", "''"},
    {"row_security", "off"},
    {"statement_timeout", "0"},
    {"lock_timeout", "0"},
    {"idle_in_transaction_session_timeout", "0"},
};

std::string set_statements(const std::vector<std::pair<const char*, const char*>>& settings) {
    std::string sql;
    for (const auto& [name, value] : settings) sql += std::string("SET ") + name + " = " + value + ";\n";
    return sql;
}

std::string build_session_sql(Side side) {
    std::string sql = set_statements(k_value_settings) + set_statements(k_session_settings);
    // Belt and braces: even a statement outside our read-only transactions cannot write.
    if (side == Side::source) sql += "SET default_transaction_read_only = on;\n";
    return sql;
}

}  // namespace

const std::string& session_settings_sql(Side side) {
    static const std::string source = build_session_sql(Side::source);
    static const std::string target = build_session_sql(Side::target);
    return side == Side::source ? source : target;
}

std::string dump_file_settings_sql() {
    // The search_path and row_security lines come from pg_dump's own header right after these.
    return "-- the settings the rows below were written under (ALTER DATABASE ... SET on the restoring\n"
           "-- database must not change how they read)\n" +
           set_statements(k_value_settings);
}

ConnInfo with_default_connect_timeout(const ConnInfo& info) {
    if (info.get("connect_timeout")) return info;
    const char* from_environment = std::getenv("PGCONNECT_TIMEOUT");
    if (from_environment != nullptr && *from_environment != '\0') return info;
    return info.with("connect_timeout", std::to_string(k_default_connect_timeout_seconds));
}

}  // namespace understudy::pg
