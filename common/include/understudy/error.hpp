// The one error hierarchy of understudy: every failure that ends an operation carries its exit code.
#pragma once

#include <stdexcept>
#include <string>

namespace understudy {

/// Stable exit codes; each names one kind of failure and never changes meaning once released.
enum class ExitCode : int {
    ok = 0,
    internal = 1,            ///< a bug or an unexpected condition
    usage = 2,               ///< bad command-line options
    config = 3,              ///< bad configuration file or value
    source = 4,              ///< the source database failed or refused
    target = 5,              ///< the target database failed or refused
    target_not_empty = 6,    ///< target holds tables and --replace was not given
    target_is_source = 7,    ///< target is the source database (or the same database of a replica)
    source_not_read_only = 8,///< source is a primary and --allow-primary-source was not given
    follower_lag = 9,        ///< source follower lags more than allowed
    protected_target = 10,   ///< target matches a protect: entry
    verify_failed = 11,      ///< the built database failed verification
    unclassified_columns = 12, ///< columns without an anonymization rule
    locked = 13,             ///< another run holds the lock
    plan_refused = 14,       ///< the subset plan cannot be satisfied (e.g. excluded parent)
    io = 15,                 ///< a local file could not be read or written
};

/// Base of every error that ends an operation; `main()` maps it to a message and an exit code.
class Error : public std::runtime_error {
public:
    Error(ExitCode code, std::string message, std::string hint = {})
        : std::runtime_error(std::move(message)), m_code(code), m_hint(std::move(hint)) {}

    /// The process exit status for this error.
    ExitCode code() const noexcept { return m_code; }
    /// An optional second line telling the user what to do (printed as `HINT:`).
    const std::string& hint() const noexcept { return m_hint; }

private:
    ExitCode m_code;
    std::string m_hint;
};

/// Bad input in a configuration file; the message names file, line and column.
class ConfigError : public Error {
public:
    explicit ConfigError(std::string message, std::string hint = {})
        : Error(ExitCode::config, std::move(message), std::move(hint)) {}
};

}  // namespace understudy
