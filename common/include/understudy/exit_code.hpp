// The exit codes of understudy, declared once: `ExitCode` names them, `k_exit_codes` says what each
// means; README.md's "Exit codes" table is checked against `k_exit_codes` by tests/unit/exit_codes_test.cpp.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

namespace understudy {

/// Stable exit codes; each names one kind of failure and never changes meaning once released.
/// What each one means is written once, in `k_exit_codes` below; a new code is added to both.
enum class ExitCode : int {
    ok = 0,
    internal = 1,
    usage = 2,
    config = 3,
    source = 4,
    target = 5,
    target_not_empty = 6,
    target_is_source = 7,
    source_not_read_only = 8,
    follower_lag = 9,
    protected_target = 10,
    verify_failed = 11,
    unclassified_columns = 12,
    locked = 13,
    plan_refused = 14,
    io = 15,
    snapshot_too_old = 16,
};

/// One exit code: its number (through the enum), the enumerator's name and what it means.
struct ExitCodeEntry {
    ExitCode code;
    std::string_view name;
    std::string_view meaning;
};

/// Every exit code, in ascending order, each exactly once.
inline constexpr std::array<ExitCodeEntry, 17> k_exit_codes{{
    {ExitCode::ok, "ok", "success"},
    {ExitCode::internal, "internal", "a bug or an unexpected condition"},
    {ExitCode::usage, "usage", "bad command-line options"},
    {ExitCode::config, "config", "bad configuration file or value"},
    {ExitCode::source, "source", "the source database failed or refused"},
    {ExitCode::target, "target", "the target database failed or refused"},
    {ExitCode::target_not_empty, "target_not_empty", "the target holds tables and --replace was not given"},
    {ExitCode::target_is_source, "target_is_source",
     "the target is the source database (or the same database of a replica)"},
    {ExitCode::source_not_read_only, "source_not_read_only",
     "the source is a primary and --allow-primary-source was not given"},
    {ExitCode::follower_lag, "follower_lag", "the source follower lags more than allowed"},
    {ExitCode::protected_target, "protected_target", "the target matches a protect: entry"},
    {ExitCode::verify_failed, "verify_failed", "the built database failed verification"},
    {ExitCode::unclassified_columns, "unclassified_columns", "columns without an anonymization rule"},
    {ExitCode::locked, "locked", "another run holds the lock"},
    {ExitCode::plan_refused, "plan_refused", "the subset plan cannot be satisfied (e.g. an excluded parent)"},
    {ExitCode::io, "io", "a local file could not be read or written"},
    {ExitCode::snapshot_too_old, "snapshot_too_old",
     "the run held its source snapshot longer than --max-snapshot-age"},
}};

namespace detail {
/// True when `k_exit_codes` lists 0, 1, 2, ... in order, so that a code's entry is `k_exit_codes[code]`.
constexpr bool exit_codes_are_consecutive() {
    for (std::size_t index = 0; index < k_exit_codes.size(); ++index)
        if (static_cast<std::size_t>(k_exit_codes[index].code) != index) return false;
    return true;
}
}  // namespace detail

static_assert(detail::exit_codes_are_consecutive(), "k_exit_codes must list every code once, ascending from 0");

/// The entry of `code` in `k_exit_codes`; std::out_of_range for a code the table lacks.
constexpr const ExitCodeEntry& exit_code_entry(ExitCode code) {
    return k_exit_codes.at(static_cast<std::size_t>(code));
}

}  // namespace understudy
