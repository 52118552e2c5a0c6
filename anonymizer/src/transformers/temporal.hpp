// PostgreSQL's text forms of dates, times and timestamps, parsed and re-emitted in the same shape.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace understudy::anonymizer {

/// Parses a duration as rules write it: `30 days`, `12 hours`, `1 week`, `90 minutes`, `45 seconds`,
/// `2 years` (365 days each), `6 months` (30 days each), or a bare number of days. nullopt if not one.
std::optional<std::int64_t> parse_duration_seconds(std::string_view text);

/// Moves a date (`2024-03-05`), timestamp (`2024-03-05 12:34:56.789+00`) or time (`12:34:56`) by
/// `seconds` into `out` (replaced), keeping its shape: fraction, time zone suffix and width. A time
/// wraps around midnight; `infinity` and `-infinity` stay as they are. False if `value` is none of these.
bool shift_temporal(std::string_view value, std::int64_t seconds, std::string& out);

}  // namespace understudy::anonymizer
