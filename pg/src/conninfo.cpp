// Parsing and redaction of connection strings through libpq's own parser.
#include "understudy/pg/conninfo.hpp"

#include <libpq-fe.h>

#include <memory>
#include <regex>

#include "understudy/error.hpp"

namespace understudy::pg {
namespace {

// Quotes a keyword value the way libpq's conninfo parser reads it back.
std::string quote_value(const std::string& value) {
    if (!value.empty() && value.find_first_of(" '\\\t\n") == std::string::npos) return value;
    std::string quoted = "'";
    for (char c : value) {
        if (c == '\'' || c == '\\') quoted += '\\';
        quoted += c;
    }
    return quoted + "'";
}

}  // namespace

ConnInfo ConnInfo::parse(const std::string& text, const std::string& option_name) {
    ConnInfo info;
    if (text.empty()) return info;
    char* error = nullptr;
    std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> options(
        PQconninfoParse(text.c_str(), &error), &PQconninfoFree);
    if (!options) {
        std::string reason = error ? error : "out of memory";
        PQfreemem(error);
        while (!reason.empty() && (reason.back() == '\n' || reason.back() == '.')) reason.pop_back();
        throw Error(ExitCode::usage, option_name + ": invalid connection string: " + redact_secrets(reason));
    }
    for (PQconninfoOption* option = options.get(); option->keyword; ++option) {
        if (option->val) info.m_options.emplace_back(option->keyword, option->val);
    }
    return info;
}

std::string ConnInfo::keyword_string() const {
    std::string out;
    for (const auto& [keyword, value] : m_options) {
        if (!out.empty()) out += ' ';
        out += keyword + "=" + quote_value(value);
    }
    return out;
}

std::string ConnInfo::keyword_string_without_password() const {
    return with("password", "").keyword_string();
}

std::string ConnInfo::redacted() const {
    std::string out;
    for (const auto& [keyword, value] : m_options) {
        if (!out.empty()) out += ' ';
        out += keyword + "=" + (keyword == "password" ? std::string("<redacted>") : quote_value(value));
    }
    return out.empty() ? std::string("(from PG* environment)") : out;
}

std::optional<std::string> ConnInfo::get(const std::string& keyword) const {
    for (const auto& [name, value] : m_options) {
        if (name == keyword) return value;
    }
    return std::nullopt;
}

ConnInfo ConnInfo::with(const std::string& keyword, const std::string& value) const {
    ConnInfo copy;
    bool replaced = false;
    for (const auto& [name, old_value] : m_options) {
        if (name == keyword) {
            replaced = true;
            if (!value.empty()) copy.m_options.emplace_back(name, value);
        } else {
            copy.m_options.emplace_back(name, old_value);
        }
    }
    if (!replaced && !value.empty()) copy.m_options.emplace_back(keyword, value);
    return copy;
}

std::string redact_secrets(const std::string& text) {
    // postgres://user:secret@host -> postgres://user:<redacted>@host
    static const std::regex url_password(R"(((?:postgres|postgresql)://[^:/@\s]*:)[^@\s]*@)",
                                         std::regex::icase);
    // password=secret or password='sec ret'
    static const std::regex keyword_password(R"((password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+))",
                                             std::regex::icase);
    std::string out = std::regex_replace(text, url_password, "$1<redacted>@");
    return std::regex_replace(out, keyword_password, "$1<redacted>");
}

}  // namespace understudy::pg
