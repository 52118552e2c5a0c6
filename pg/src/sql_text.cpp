// Quoting helpers for SQL text that carries identifiers, literals and key arrays.
#include "understudy/pg/sql_text.hpp"

namespace understudy::pg {

std::string quote_ident(std::string_view name) {
    std::string out;
    out.reserve(name.size() + 2);
    out += '"';
    for (char c : name) {
        if (c == '"') out += '"';
        out += c;
    }
    out += '"';
    return out;
}

std::string quote_literal(std::string_view text) {
    std::string out;
    out.reserve(text.size() + 2);
    out += '\'';
    for (char c : text) {
        if (c == '\'') out += '\'';
        out += c;
    }
    out += '\'';
    return out;
}

void append_array_element(std::string& out, std::string_view element) {
    out += '"';
    for (char c : element) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    out += '"';
}

std::string array_literal(const std::vector<std::string_view>& elements) {
    std::string out = "{";
    bool first = true;
    for (auto element : elements) {
        if (!first) out += ',';
        first = false;
        append_array_element(out, element);
    }
    out += '}';
    return out;
}

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
