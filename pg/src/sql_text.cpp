// Quoting helpers for SQL text that carries identifiers, literals and key arrays.
#include "understudy/pg/sql_text.hpp"

namespace understudy::pg {

namespace {

/// `text` between two `quote` characters, each `quote` inside doubled: SQL's rule for both
/// identifiers (") and string literals (').
std::string enclosed(std::string_view text, char quote) {
    std::string out;
    out.reserve(text.size() + 2);
    out += quote;
    for (char c : text) {
        if (c == quote) out += quote;
        out += c;
    }
    out += quote;
    return out;
}

}  // namespace

std::string quote_ident(std::string_view name) { return enclosed(name, '"'); }

std::string quote_literal(std::string_view text) { return enclosed(text, '\''); }

void append_array_element(std::string& out, std::string_view element) {
    out += '"';
    for (char c : element) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    out += '"';
}

namespace {

template <typename Strings> std::string array_literal_of(const Strings& elements) {
    std::string out = "{";
    bool first = true;
    for (const auto& element : elements) {
        if (!first) out += ',';
        first = false;
        append_array_element(out, element);
    }
    out += '}';
    return out;
}

}  // namespace

std::string array_literal(const std::vector<std::string_view>& elements) { return array_literal_of(elements); }

std::string array_literal(const std::vector<std::string>& elements) { return array_literal_of(elements); }

std::string quote_ident_list(const std::vector<std::string>& names, std::string_view prefix) {
    std::string out;
    for (const auto& name : names) {
        if (!out.empty()) out += ", ";
        out += prefix;
        out += quote_ident(name);
    }
    return out;
}

}  // namespace understudy::pg
