// The one error hierarchy of understudy: every failure that ends an operation carries its exit code.
#pragma once

#include <stdexcept>
#include <string>

#include "understudy/exit_code.hpp"

namespace understudy {

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
