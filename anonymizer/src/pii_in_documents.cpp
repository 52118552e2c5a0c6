// Finding personal data inside sampled JSON documents, array elements and free text: the paths and
// kinds that `init` turns into `json:` and `scrub` rules and the kept-column check reports.
#include "understudy/anonymizer/pii_in_documents.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <stdexcept>
#include <tuple>

#include <nlohmann/json.hpp>

#include "pii_dictionary.hpp"
#include "pii_kind_names.hpp"
#include "text_pii_kinds.hpp"
#include "transformers/builders.hpp"
#include "value_sniffers.hpp"

namespace understudy::anonymizer {
namespace {

bool ends_with(std::string_view text, std::string_view suffix) {
    return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool text_type(std::string_view type) {
    return type == "text" || type == "citext" || type.rfind("character", 0) == 0 || type.rfind("varchar", 0) == 0;
}

/// A path step as json_path.cpp parses it: `.key` for identifier-like keys, `["key"]` otherwise.
std::string key_step(const std::string& key) {
    auto identifier_char = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
               static_cast<unsigned char>(c) >= 0x80;
    };
    if (!key.empty() && std::all_of(key.begin(), key.end(), identifier_char)) return "." + key;
    std::string step = "[\"";
    for (char c : key) {
        if (c == '"' || c == '\\') step += '\\';
        step += c;
    }
    return step + "\"]";
}

/// Kinds a random id or number matches by chance when it is the whole value: Luhn passes one digit
/// string in ten, mod-97 one in 97, and national ids and phones are digits with a little shape.
/// Emails and IP addresses are not chance: one is one person's.
bool matched_by_chance(std::string_view kind) {
    return kind == "credit_card" || kind == "iban" || kind == "national_id" || kind == "phone";
}

/// The smallest share of the rows with a string at that path for a chance kind found as whole
/// values: a path of card numbers passes Luhn in every row, one of random ids in a tenth.
constexpr std::size_t k_min_chance_percent = 50;

/// Collects findings, each counted once per sampled row, and how many rows hold a string per path.
class FindingCounter {
public:
    void start_row(std::size_t row) { m_row = row; }
    void saw_string(const std::string& path) {
        auto& [last_row, rows] = m_strings[path];
        if (rows > 0 && last_row == m_row) return;
        last_row = m_row;
        ++rows;
    }
    void add(const std::string& path, std::string_view kind, Evidence evidence) {
        auto& [last_row, rows] = m_counts[{path, std::string(kind), evidence}];
        if (rows > 0 && last_row == m_row) return;
        last_row = m_row;
        ++rows;
    }
    std::vector<DocumentFinding> findings() const {
        std::vector<DocumentFinding> out;
        for (const auto& [key, count] : m_counts) {
            const auto& [path, kind, evidence] = key;
            if (evidence == Evidence::whole_value && matched_by_chance(kind) && !the_norm(path, count.second))
                continue;
            out.push_back({path, kind, evidence, count.second});
        }
        return out;  // std::map order: path, kind, evidence
    }

private:
    bool the_norm(const std::string& path, std::size_t rows) const {
        const auto strings = m_strings.find(path);
        const std::size_t holding = strings == m_strings.end() ? rows : strings->second.second;
        return rows * 100 >= holding * k_min_chance_percent;
    }

    std::map<std::string, std::pair<std::size_t, std::size_t>> m_strings;
    std::size_t m_row = 0;
    std::map<std::tuple<std::string, std::string, Evidence>, std::pair<std::size_t, std::size_t>> m_counts;
};

/// What a key says about the string under it; `context` is the key that holds its object (the
/// column name at the top), which decides whether a bare `name` is a person's.
std::optional<PiiKind> kind_by_key(const std::string& key, const std::string& context) {
    if (key.empty()) return std::nullopt;
    auto match = match_name(key);
    if (!match || match->kind == PiiKind::free_text) return std::nullopt;
    if (match->bare_name && !is_person_table(context)) return std::nullopt;
    return match->kind;
}

void search_string(const std::string& value, const std::string& path, const std::string& key,
                   const std::string& context, FindingCounter& counter) {
    counter.saw_string(path);
    if (const auto kind = first_value_kind(value)) {
        counter.add(path, value_kind_name(*kind), Evidence::whole_value);
        return;
    }
    for (std::string_view kind : pii_kinds_in_text(value)) counter.add(path, kind, Evidence::inside_text);
    if (value.find_first_not_of(" \t\r\n") == std::string::npos) return;
    if (auto kind = kind_by_key(key, context)) counter.add(path, pii_kind_name(*kind), Evidence::key_name);
}

void walk(const nlohmann::json& node, const std::string& path, const std::string& key, const std::string& context,
          FindingCounter& counter) {
    if (node.is_object()) {
        const std::string& holder = key.empty() ? context : key;
        for (const auto& [child_key, child] : node.items()) {
            walk(child, path + key_step(child_key), child_key, holder, counter);
        }
    } else if (node.is_array()) {
        // Every element under one `[*]`: a rule is written for the array's elements, not for each index.
        for (const auto& child : node) walk(child, path + "[*]", key, context, counter);
    } else if (node.is_string()) {
        search_string(node.get_ref<const std::string&>(), path, key, context, counter);
    }
    // Numbers, booleans and nulls: an id or a count would look like a phone or a card far too often.
}

}  // namespace

std::string_view value_kind_name(ValueKind kind) {
    switch (kind) {
        case ValueKind::iban: return "iban";
        case ValueKind::card_number: return "credit_card";
        case ValueKind::fr_insee:
        case ValueKind::es_dni:
        case ValueKind::uk_nino:
        case ValueKind::us_ssn: return "national_id";
        case ValueKind::email: return "email";
        case ValueKind::ipv4: return "ipv4";
        case ValueKind::ipv6: return "ipv6";
        case ValueKind::phone: return "phone";
    }
    return "personal_data";
}

std::string_view pii_kind_name(PiiKind kind) {
    switch (kind) {
        case PiiKind::email: return "email";
        case PiiKind::phone: return "phone";
        case PiiKind::first_name: return "first_name";
        case PiiKind::last_name: return "last_name";
        case PiiKind::full_name: return "full_name";
        case PiiKind::username: return "username";
        case PiiKind::company: return "company";
        case PiiKind::street: return "street";
        case PiiKind::address: return "address";
        case PiiKind::city: return "city";
        case PiiKind::postcode: return "postcode";
        case PiiKind::birth_date: return "birth_date";
        case PiiKind::ip_address: return "ip_address";
        case PiiKind::national_id: return "national_id";
        case PiiKind::iban: return "iban";
        case PiiKind::card_number: return "credit_card";
        case PiiKind::password: return "password";
        case PiiKind::secret: return "secret";
        case PiiKind::device_id: return "device_id";
        case PiiKind::free_text: return "free_text";
    }
    return "personal_data";
}

std::optional<NamedKind> named_kind(std::string_view name) {
    if (name == "ipv4") return NamedKind{PiiKind::ip_address, false};
    if (name == "ipv6") return NamedKind{PiiKind::ip_address, true};
    for (int kind_idx = 0; kind_idx <= static_cast<int>(PiiKind::free_text); ++kind_idx) {
        auto kind = static_cast<PiiKind>(kind_idx);
        if (pii_kind_name(kind) == name) return NamedKind{kind, false};
    }
    return std::nullopt;
}

DocumentShape document_shape(const ColumnShape& column) {
    if (column.type == "json" || column.type == "jsonb") return DocumentShape::json;
    if (ends_with(column.type, "[]")) {
        std::string_view element = std::string_view(column.type).substr(0, column.type.size() - 2);
        while (ends_with(element, "[]")) element.remove_suffix(2);
        if (text_type(element) || element == "json" || element == "jsonb") return DocumentShape::text_array;
        return DocumentShape::none;
    }
    if (column.type_category == "S" || (column.type_category.empty() && text_type(column.type)))
        return DocumentShape::text;
    return DocumentShape::none;
}

DocumentFindings find_pii_in_documents(const ColumnShape& column, const std::vector<std::string>& values) {
    DocumentFindings result;
    const DocumentShape shape = document_shape(column);
    if (shape == DocumentShape::none) return result;
    FindingCounter counter;
    for (std::size_t row_idx = 0; row_idx < values.size(); ++row_idx) {
        counter.start_row(row_idx);
        const std::string& value = values[row_idx];
        if (shape != DocumentShape::text) {
            auto document = nlohmann::json::parse(value, nullptr, false);
            if (!document.is_discarded()) {
                // A document's top-level keys are the column's: `profile.name` is a person's name.
                walk(document, "$", std::string(), column.name, counter);
                continue;
            }
        }
        search_string(value, "$", std::string(), column.name, counter);
    }
    result.sampled_rows = values.size();
    result.findings = counter.findings();
    return result;
}

bool json_path_covers(std::string_view rule_path, std::string_view finding_path) {
    std::vector<JsonPathStep> rule;
    std::vector<JsonPathStep> finding;
    try {
        rule = parse_json_path(rule_path);
        finding = parse_json_path(finding_path);
    } catch (const std::invalid_argument&) {
        return false;
    }
    if (rule.size() > finding.size()) return false;
    for (std::size_t step_idx = 0; step_idx < rule.size(); ++step_idx) {
        const JsonPathStep& by_rule = rule[step_idx];
        const JsonPathStep& found = finding[step_idx];
        if (by_rule.kind == JsonPathStep::Kind::wildcard) continue;
        if (by_rule.kind == JsonPathStep::Kind::index || found.kind != JsonPathStep::Kind::key ||
            by_rule.key != found.key)
            return false;
    }
    return true;
}

std::string describe_finding(const DocumentFinding& finding, std::size_t sampled_rows) {
    const std::string share =
        " in " + std::to_string(finding.rows) + " of " + std::to_string(sampled_rows) + " sampled rows";
    switch (finding.evidence) {
        case Evidence::whole_value: return finding.kind + "-shaped" + share;
        case Evidence::inside_text: return finding.kind + "-shaped text inside strings" + share;
        case Evidence::key_name: return finding.kind + " by its key" + share;
    }
    return finding.kind + share;
}

}  // namespace understudy::anonymizer
