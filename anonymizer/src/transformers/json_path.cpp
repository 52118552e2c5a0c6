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

    Value apply(const Value& input, const RowView&) const override {
        if (!input) return std::nullopt;
        Json document = Json::parse(*input, nullptr, false);
        if (document.is_discarded()) throw Error(ExitCode::config, "json: value is not valid JSON");
        for (const auto& path : m_paths) visit(document, path, 0);
        return document.dump(-1, ' ', false, Json::error_handler_t::replace);
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
        if (node.is_string()) {
            Value result = path.rule->apply(node.get<std::string>(), k_no_columns);
            node = result ? Json(*result) : Json(nullptr);
        } else if (node.is_number()) {
            // Numbers go through the rule as their text and come back as numbers when they still are.
            Value result = path.rule->apply(node.dump(), k_no_columns);
            if (!result) {
                node = nullptr;
                return;
            }
            Json number = Json::parse(*result, nullptr, false);
            node = (!number.is_discarded() && number.is_number()) ? number : Json(*result);
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
