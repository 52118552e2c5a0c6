// A parsed PostgreSQL connection string that knows how to hide its password.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace understudy::pg {

/// A connection string (URL or `key=value` form), parsed by libpq, whose password never reaches
/// a log line or a child's argv. Unset keywords keep libpq's defaults, so PG* variables and
/// `.pgpass` keep working.
class ConnInfo {
public:
    /// Parses `text`; an empty string means "all from the environment". Throws Error(usage).
    static ConnInfo parse(const std::string& text, const std::string& option_name = "connection");

    /// The full keyword string for libpq, password included: never log it.
    std::string keyword_string() const;
    /// The keyword string without the password, for the argv of pg_dump and friends.
    std::string keyword_string_without_password() const;
    /// A form fit for logs and reports: the password shows as `<redacted>`.
    std::string redacted() const;
    /// The password given in the string, if any (children get it as PGPASSWORD).
    std::optional<std::string> password() const { return get("password"); }

    /// The value of a keyword given explicitly in the string.
    std::optional<std::string> get(const std::string& keyword) const;
    /// A copy with `keyword` set to `value` (e.g. another dbname on the same server).
    ConnInfo with(const std::string& keyword, const std::string& value) const;

private:
    std::vector<std::pair<std::string, std::string>> m_options;  // libpq's keyword order
};

/// Masks the password in any URL or keyword string found in free text (for messages that quote
/// user input verbatim, such as libpq's own errors).
std::string redact_secrets(const std::string& text);

}  // namespace understudy::pg
