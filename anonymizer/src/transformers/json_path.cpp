// `json`: inner rules applied at JSON paths inside json/jsonb values.
#include <nlohmann/json.hpp>

#include <stdexcept>

#include "transformers/builders.hpp"
#include "understudy/error.hpp"

namespace understudy::anonymizer {
namespace {

// ordered_json keeps the keys in input order: a json (not jsonb) column keeps its text's order.
using Json = nlohmann::ordered_json;

bool is_identifier_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
           static_cast<unsigned char>(c) >= 0x80;
}

// Numbers with a fraction or exponent, and integers too wide for 64 bits, would come back from a
// double rounded (1.10 as 1.1, 20 digits as 17): they are kept as their source text instead, in a
// string with this prefix, and written back bare. jsonb refuses \u0000 in strings, so no real
// value starts with it; a json value would have to start with \u0000\u0001# to be confused.
const std::string k_raw_number("\0\x01#", 3);
constexpr std::string_view k_dumped_raw_number = "\"\\u0000\\u0001#";

bool is_raw_number(const Json& node) {
    return node.is_string() && node.get_ref<const std::string&>().compare(0, k_raw_number.size(), k_raw_number) == 0;
}

// Builds the document with nlohmann's SAX interface, which hands over each float's source text.
class RawNumberBuilder {
public:
    explicit RawNumberBuilder(Json& root) : m_root(root) {}

    bool null() { return add(nullptr); }
    bool boolean(bool value) { return add(value); }
    bool number_integer(Json::number_integer_t value) { return add(value); }
    bool number_unsigned(Json::number_unsigned_t value) { return add(value); }
    bool number_float(Json::number_float_t, const std::string& text) { return add(k_raw_number + text); }
    bool string(std::string& value) { return add(std::move(value)); }
    bool binary(Json::binary_t&) { return false; }
    bool start_object(std::size_t) { return open(Json::object()); }
    bool key(std::string& key) {
        m_key = std::move(key);
        return true;
    }
    bool end_object() { return close(); }
    bool start_array(std::size_t) { return open(Json::array()); }
    bool end_array() { return close(); }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) { return false; }

private:
    // Only the containers on the path to the current one are held: a parent gains no child while
    // one of its children is open, so these pointers stay valid.
    Json* insert(Json value) {
        if (m_open.empty()) {
            m_root = std::move(value);
            return &m_root;
        }
        Json& parent = *m_open.back();
        if (parent.is_array()) {
            parent.push_back(std::move(value));
            return &parent.back();
        }
        Json& slot = parent[m_key];
        slot = std::move(value);
        return &slot;
    }
    bool add(Json value) {
        insert(std::move(value));
        return true;
    }
    bool open(Json container) {
        m_open.push_back(insert(std::move(container)));
        return true;
    }
    bool close() {
        m_open.pop_back();
        return true;
    }

    Json& m_root;
    std::vector<Json*> m_open;
    std::string m_key;
};

// The dump with each raw number written back bare (its text holds no quote or backslash).
std::string dump_with_raw_numbers(const Json& document) {
    std::string text = document.dump(-1, ' ', false, Json::error_handler_t::replace);
    std::size_t marker = text.find(k_dumped_raw_number);
    if (marker == std::string::npos) return text;
    std::string out;
    out.reserve(text.size());
    std::size_t copied = 0;
    while (marker != std::string::npos) {
        out.append(text, copied, marker - copied);
        const std::size_t number = marker + k_dumped_raw_number.size();
        const std::size_t close = text.find('"', number);
        out.append(text, number, close - number);
        copied = close + 1;
        marker = text.find(k_dumped_raw_number, copied);
    }
    out.append(text, copied, std::string::npos);
    return out;
}

// An empty row: inner rules of a json path see only their own value (templates are refused there).
class NoColumns final : public RowView {
public:
    const Value& column(std::string_view name) const override {
        throw Error(ExitCode::config, "json: a rule inside a json path cannot read column \"" + std::string(name) + "\"");
    }
};

struct JsonPath {
    std::vector<JsonPathStep> steps;
    std::unique_ptr<Transformer> rule;
    bool replace_whole = false;  ///< a null rule on an object or array makes the whole node null
};

class JsonTransformer final : public Transformer {
public:
    JsonTransformer(std::vector<JsonPath> paths, std::string description)
        : m_paths(std::move(paths)), m_description(std::move(description)) {}

    bool write(const Value& input, const RowView&, std::string& out) const override {
        if (!input) return false;
        Json document;
        RawNumberBuilder builder(document);
        if (!Json::sax_parse(*input, &builder)) throw Error(ExitCode::config, "json: value is not valid JSON");
        for (const auto& path : m_paths) visit(document, path, 0);
        out = dump_with_raw_numbers(document);
        return true;
    }
    bool injective() const override { return false; }
    TypeClass accepts() const override { return TypeClass::json; }
    std::string describe() const override { return m_description; }

private:
    void visit(Json& node, const JsonPath& path, std::size_t step_idx) const {
        if (step_idx == path.steps.size()) {
            rewrite(node, path);
            return;
        }
        const auto& step = path.steps[step_idx];
        switch (step.kind) {
        case JsonPathStep::Kind::key:
            if (node.is_object()) {
                auto found = node.find(step.key);
                if (found != node.end()) visit(*found, path, step_idx + 1);
            }
            break;
        case JsonPathStep::Kind::index:
            if (node.is_array() && step.index < node.size()) visit(node[step.index], path, step_idx + 1);
            break;
        case JsonPathStep::Kind::wildcard:
            if (node.is_array() || node.is_object()) {
                for (auto& child : node) visit(child, path, step_idx + 1);
            }
            break;
        }
    }

    void rewrite(Json& node, const JsonPath& path) const {
        if (node.is_array() || node.is_object()) {
            if (path.replace_whole) {
                node = nullptr;
                return;
            }
            for (auto& child : node) rewrite(child, path);
            return;
        }
        static const NoColumns k_no_columns;
        if (is_raw_number(node) || node.is_number()) {
            // Numbers go through the rule as their text and come back as numbers when they still are.
            Value result = path.rule->apply(is_raw_number(node) ? node.get<std::string>().substr(k_raw_number.size())
                                                                : node.dump(),
                                            k_no_columns);
            if (!result) {
                node = nullptr;
                return;
            }
            Json number = Json::parse(*result, nullptr, false);
            node = (!number.is_discarded() && number.is_number()) ? Json(k_raw_number + *result) : Json(*result);
        } else if (node.is_string()) {
            Value result = path.rule->apply(node.get<std::string>(), k_no_columns);
            node = result ? Json(*result) : Json(nullptr);
        } else if (node.is_null()) {
            Value result = path.rule->apply(std::nullopt, k_no_columns);
            if (result) node = *result;
        }
        // Booleans carry no personal data and stay as they are.
    }

    std::vector<JsonPath> m_paths;
    std::string m_description;
};

}  // namespace

std::vector<JsonPathStep> parse_json_path(std::string_view path) {
    if (path.empty() || path[0] != '$') throw std::invalid_argument("json path must start with \"$\"");
    std::vector<JsonPathStep> steps;
    std::size_t pos = 1;
    while (pos < path.size()) {
        if (path[pos] == '.') {
            ++pos;
            if (pos < path.size() && path[pos] == '*') {
                steps.push_back(JsonPathStep{JsonPathStep::Kind::wildcard, {}, 0});
                ++pos;
                continue;
            }
            std::size_t start = pos;
            while (pos < path.size() && is_identifier_char(path[pos])) ++pos;
            if (pos == start) throw std::invalid_argument("json path has an empty key after \".\"");
            steps.push_back(JsonPathStep{JsonPathStep::Kind::key, std::string(path.substr(start, pos - start)), 0});
        } else if (path[pos] == '[') {
            ++pos;
            if (pos < path.size() && path[pos] == '*') {
                if (pos + 1 >= path.size() || path[pos + 1] != ']') throw std::invalid_argument("json path: expected \"]\" after \"*\"");
                steps.push_back(JsonPathStep{JsonPathStep::Kind::wildcard, {}, 0});
                pos += 2;
            } else if (pos < path.size() && (path[pos] == '"' || path[pos] == '\'')) {
                const char quote = path[pos++];
                std::string key;
                while (pos < path.size() && path[pos] != quote) {
                    if (path[pos] == '\\' && pos + 1 < path.size()) ++pos;
                    key += path[pos++];
                }
                if (pos + 1 >= path.size() || path[pos + 1] != ']') throw std::invalid_argument("json path: unclosed quoted key");
                steps.push_back(JsonPathStep{JsonPathStep::Kind::key, std::move(key), 0});
                pos += 2;
            } else {
                std::size_t index = 0;
                std::size_t start = pos;
                while (pos < path.size() && path[pos] >= '0' && path[pos] <= '9') index = index * 10 + static_cast<std::size_t>(path[pos++] - '0');
                if (pos == start || pos >= path.size() || path[pos] != ']')
                    throw std::invalid_argument("json path: expected an index, \"*\" or a quoted key inside \"[]\"");
                steps.push_back(JsonPathStep{JsonPathStep::Kind::index, {}, index});
                ++pos;
            }
        } else {
            throw std::invalid_argument("json path: unexpected character at position " + std::to_string(pos + 1));
        }
    }
    return steps;
}

std::unique_ptr<Transformer> make_json_transformer(
    std::vector<std::pair<std::vector<JsonPathStep>, std::unique_ptr<Transformer>>> paths, std::string description) {
    std::vector<JsonPath> compiled;
    for (auto& [steps, rule] : paths) {
        JsonPath path;
        path.steps = std::move(steps);
        path.replace_whole = rule->describe() == "null";
        path.rule = std::move(rule);
        compiled.push_back(std::move(path));
    }
    return std::make_unique<JsonTransformer>(std::move(compiled), std::move(description));
}

}  // namespace understudy::anonymizer
