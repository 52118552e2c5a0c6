// The settings every session of a run pins, so that values mean the same on both sides and in dump files.
#pragma once

#include <string>

#include "understudy/pg/conninfo.hpp"
#include "understudy/pg/database_error.hpp"

namespace understudy::pg {

/// Seconds a connection attempt may last when neither the connection string (connect_timeout)
/// nor PGCONNECT_TIMEOUT says otherwise: a follower behind a firewall that drops packets would
/// otherwise keep a run waiting forever.
inline constexpr int k_default_connect_timeout_seconds = 10;

/// The SET statements a session runs right after connecting, as one simple query: the settings
/// that shape values as text (DateStyle, IntervalStyle, extra_float_digits, bytea_output, TimeZone,
/// ...), an empty search_path, row_security off and no timeouts, as pg_dump sets them. Source
/// sessions are also made read-only.
const std::string& session_settings_sql(Side side);

/// The same value-shaping settings as SQL lines for the head of a plain dump file, so that
/// `psql -f` reads the rows as they were written, whatever the restoring database's defaults.
std::string dump_file_settings_sql();

/// `info` with connect_timeout=10 added, unless it gives connect_timeout itself or
/// PGCONNECT_TIMEOUT is set (libpq and the PostgreSQL programs read that one themselves).
ConnInfo with_default_connect_timeout(const ConnInfo& info);

}  // namespace understudy::pg
