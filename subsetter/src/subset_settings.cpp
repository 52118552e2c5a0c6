// Parsing of `--force TABLE:KEY` values into forced rows.
#include "understudy/subsetter/subset_settings.hpp"

#include <cctype>

#include "understudy/error.hpp"

namespace understudy::subsetter {
namespace {

[[noreturn]] void invalid(const std::string& spec) {
    throw Error(ExitCode::usage,
                "invalid --force value \"" + spec + "\": expected TABLE:KEY or TABLE:(K1,K2)");
}

bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

std::string trim(const std::string& text) {
    std::size_t begin = 0;
    std::size_t end = text.size();
    while (begin < end && is_space(text[begin])) ++begin;
    while (end > begin && is_space(text[end - 1])) --end;
    return text.substr(begin, end - begin);
}

/// Splits `(v1, "v,2", v3)` (parentheses included) into values. A value is bare text without
/// `,()"`, trimmed, or a double-quoted string where `""` stands for one quote.
std::vector<std::string> parse_tuple(const std::string& text, const std::string& spec) {
    std::vector<std::string> values;
    std::size_t position = 1;  // past '('
    const std::size_t close = text.size() - 1;
    while (true) {
        while (position < close && is_space(text[position])) ++position;
        std::string value;
        if (position < close && text[position] == '"') {
            ++position;
            while (true) {
                if (position >= close) invalid(spec);  // no closing quote
                if (text[position] == '"') {
                    if (position + 1 < close && text[position + 1] == '"') {
                        value += '"';
                        position += 2;
                        continue;
                    }
                    ++position;
                    break;
                }
                value += text[position++];
            }
            while (position < close && is_space(text[position])) ++position;
        } else {
            std::size_t start = position;
            while (position < close && text[position] != ',') {
                char c = text[position];
                if (c == '"' || c == '(' || c == ')') invalid(spec);
                ++position;
            }
            value = trim(text.substr(start, position - start));
            if (value.empty()) invalid(spec);
        }
        values.push_back(std::move(value));
        if (position == close) return values;
        if (text[position] != ',') invalid(spec);
        ++position;
    }
}

}  // namespace

ForcedRow ForcedRow::parse(const std::string& spec) {
    // The first colon ends the table: table names cannot hold one unquoted, key values may
    // (timestamps, URLs).
    const auto colon = spec.find(':');
    if (colon == std::string::npos) invalid(spec);
    const std::string table_text = trim(spec.substr(0, colon));
    const std::string key_text = trim(spec.substr(colon + 1));
    if (table_text.empty() || key_text.empty()) invalid(spec);
    for (char c : table_text) {
        if (is_space(c) || c == '"' || c == '(' || c == ')' || c == ',') invalid(spec);
    }

    ForcedRow row;
    row.table = QualifiedName::parse(table_text);
    if (row.table.schema.empty() || row.table.name.empty() || row.table.name.find('.') != std::string::npos)
        invalid(spec);
    row.spec = spec;
    if (key_text.front() == '(') {
        if (key_text.back() != ')' || key_text.size() < 3) invalid(spec);
        row.key = parse_tuple(key_text, spec);
    } else {
        if (key_text.find_first_of("(),\"") != std::string::npos) invalid(spec);
        row.key = {key_text};
    }
    return row;
}

}  // namespace understudy::subsetter
