// Guessing which columns hold personal data, and writing `understudy init`'s starter understudy.yml.
#include "understudy/anonymizer/pii_detection.hpp"

#include <algorithm>
#include <array>
#include <cstdio>

#include <yaml-cpp/yaml.h>

#include "pii_dictionary.hpp"
#include "pii_kind_names.hpp"
#include "rules_spec.hpp"
#include "understudy/anonymizer/coverage.hpp"
#include "understudy/anonymizer/rules.hpp"
#include "value_sniffers.hpp"

namespace understudy::anonymizer {
namespace {

/// A bcrypt digest (cost 10) of the test password "understudy", made with pgcrypto's
/// crypt('understudy', gen_salt('bf', 10)): Devise and has_secure_password accept it, so every
/// copied account can log in with that password.
constexpr std::string_view k_test_password = "understudy";
constexpr std::string_view k_test_password_bcrypt = "$2a$10$IH4uDOeD5K.8XBErdO6MEO7z53pDJz6l4KHcb./xnxcJUAI7ek.7S";

/// What the rules can do with a column, by its type.
enum class ColumnClass { text, text_array, numeric, temporal, boolean, network, uuid, json, other };

bool starts_with(std::string_view text, std::string_view prefix) {
    return text.size() >= prefix.size() && text.compare(0, prefix.size(), prefix) == 0;
}

bool text_type_name(std::string_view type) {
    return type == "text" || type == "citext" || type == "name" || type == "char" || starts_with(type, "character") ||
           starts_with(type, "varchar") || starts_with(type, "bpchar") || starts_with(type, "char(");
}

ColumnClass classify(const ColumnShape& column) {
    std::string_view type = column.type;
    if (type == "json" || type == "jsonb") return ColumnClass::json;
    if (type == "uuid") return ColumnClass::uuid;
    std::string_view category = column.type_category;
    if (category.empty()) {
        // Callers that know only the type name (tests, hand-written shapes): the common built-ins.
        if (type.size() > 2 && type.compare(type.size() - 2, 2, "[]") == 0) category = "A";
        else if (text_type_name(type)) category = "S";
        else if (type == "boolean") category = "B";
        else if (type == "inet" || type == "cidr") category = "I";
        else if (type == "date" || starts_with(type, "timestamp") || starts_with(type, "time")) category = "D";
        else if (type == "smallint" || type == "integer" || type == "bigint" || starts_with(type, "numeric") ||
                 type == "real" || type == "double precision")
            category = "N";
    }
    if (category == "S") return ColumnClass::text;
    if (category == "N") return ColumnClass::numeric;
    if (category == "D") return ColumnClass::temporal;
    if (category == "B") return ColumnClass::boolean;
    if (category == "I") return ColumnClass::network;
    if (category == "A") {
        if (type.size() > 2 && type.compare(type.size() - 2, 2, "[]") == 0 &&
            text_type_name(type.substr(0, type.size() - 2))) {
            return ColumnClass::text_array;
        }
        return ColumnClass::other;
    }
    return ColumnClass::other;
}

std::string fake(std::string_view kind) { return "{fake: " + std::string(kind) + "}"; }
std::string fake_unique(std::string_view kind) { return "{fake: " + std::string(kind) + ", unique: true}"; }
std::string hash_hex(bool unique) { return unique ? "{hash: hex, unique: true}" : "{hash: hex}"; }

/// A rule and what to add to the reason when the type forced a second choice.
struct RuleChoice {
    std::string rule;
    std::string note;
};

/// The rule for a text column holding `kind`. A unique column gets an injective rule: fake email and
/// username have a unique form; for the others the hex hash (a keyed permutation) is the safe choice.
RuleChoice text_rule(PiiKind kind, const ColumnShape& column, bool ipv6) {
    bool unique = column.unique;
    auto fake_or_hash = [&](std::string_view fake_kind) -> RuleChoice {
        if (unique) return {hash_hex(true), "; unique, so an injective hash"};
        return {fake(fake_kind), {}};
    };
    switch (kind) {
        case PiiKind::email: return {unique ? fake_unique("email") : fake("email"), {}};
        case PiiKind::username: return {unique ? fake_unique("username") : fake("username"), {}};
        case PiiKind::phone: return fake_or_hash("phone");
        case PiiKind::first_name: return fake_or_hash("first_name");
        case PiiKind::last_name: return fake_or_hash("last_name");
        case PiiKind::full_name: return fake_or_hash("full_name");
        case PiiKind::company: return fake_or_hash("company");
        case PiiKind::street: return fake_or_hash("street");
        case PiiKind::address: return fake_or_hash("street");
        case PiiKind::city: return fake_or_hash("city");
        case PiiKind::postcode: return fake_or_hash("postcode");
        case PiiKind::ip_address: return fake_or_hash(ipv6 ? "ipv6" : "ipv4");
        case PiiKind::iban: return fake_or_hash("iban");
        case PiiKind::card_number: return fake_or_hash("credit_card");
        case PiiKind::national_id:
            if (unique) return {hash_hex(true), "; unique, so an injective hash"};
            return {"{mask: {keep_last: 2}}", {}};
        case PiiKind::password:
            if (unique) return {hash_hex(true), "; unique, so an injective hash"};
            return {"{fixed: \"" + std::string(k_test_password_bcrypt) + "\"}",
                    "; fixed: bcrypt of the test password \"" + std::string(k_test_password) + "\""};
        case PiiKind::secret:
        case PiiKind::device_id: return {hash_hex(unique), {}};
        case PiiKind::birth_date:
            if (unique) return {hash_hex(true), "; unique, so an injective hash"};
            if (!column.not_null) return {"null", "; stored as text, so null"};
            return {"{fixed: \"1970-01-01\"}", "; stored as text, so a fixed date"};
        case PiiKind::free_text:
            if (unique) return {hash_hex(true), "; unique, so an injective hash"};
            if (!column.not_null) return {"null", {}};
            return {"{mask: {keep_last: 0}}", "; not null, so masked whole"};
    }
    return {hash_hex(unique), {}};
}

/// Why the rule written as `rule_text` does not fit a column of `type` (see length_problem).
std::optional<std::string> rule_length_problem(const std::string& rule_text, const std::string& type) {
    const RuleSet rules = RuleSet::from_yaml(
        YAML::Load("anonymize:\n  tables:\n    s.t:\n      c: " + rule_text + "\n"), "init");
    return length_problem(*rules.make_transformer(rules.rules().front(), validation_secret()), type);
}

/// `choice`, or one that fits a varchar(n)/char(n) column: a suggestion whose every pseudonym is
/// longer than the column would make `check` refuse the starter configuration.
RuleChoice fitted(RuleChoice choice, const ColumnShape& column) {
    if (!character_limit(column.type) || !rule_length_problem(choice.rule, column.type)) return choice;
    const std::string why = "; " + choice.rule + " is longer than " + column.type + ", so ";
    if (!column.unique) return {"{mask: {keep_first: 0}}", why + "masked"};
    if (!column.not_null) return {"null", why + "null"};
    choice.note += "; review: its pseudonyms are longer than " + column.type + " holds";
    return choice;
}

/// The rule for `kind` that fits the column's type, or nothing (a boolean `email_verified` leaks
/// nothing; a NOT NULL integer `phone` has no rule that both fits and hides it).
std::optional<RuleChoice> choose_rule(PiiKind kind, const ColumnShape& column, bool ipv6) {
    ColumnClass column_class = classify(column);
    auto null_if_nullable = [&]() -> std::optional<RuleChoice> {
        if (column.not_null) return std::nullopt;
        return RuleChoice{"null", "; type " + column.type + " fits no fake, so null"};
    };
    switch (column_class) {
        case ColumnClass::text: return fitted(text_rule(kind, column, ipv6), column);
        case ColumnClass::boolean: return std::nullopt;
        case ColumnClass::network:
            if (kind == PiiKind::ip_address && !column.unique) return RuleChoice{fake(ipv6 ? "ipv6" : "ipv4"), {}};
            return null_if_nullable();
        case ColumnClass::uuid:
            if (kind == PiiKind::secret || kind == PiiKind::device_id || kind == PiiKind::national_id) {
                return RuleChoice{column.unique ? "{hash: uuid, unique: true}" : "{hash: uuid}", {}};
            }
            return null_if_nullable();
        case ColumnClass::temporal:
            if (kind != PiiKind::birth_date) return std::nullopt;
            if (column.unique) return null_if_nullable();  // a shift can make two dates one
            return RuleChoice{"{date_shift: {max: \"365 days\"}}", {}};
        case ColumnClass::text_array: {
            if (!column.not_null && kind == PiiKind::free_text) return RuleChoice{"null", {}};
            // A unique index compares whole arrays: injective elements make an injective array.
            ColumnShape element = column;
            element.not_null = true;
            RuleChoice inner = text_rule(kind, element, ipv6);
            if (inner.rule == "null") return null_if_nullable();
            return RuleChoice{"{array: " + inner.rule + "}", inner.note.empty() ? "; each element" : inner.note};
        }
        case ColumnClass::numeric:
        case ColumnClass::json:
        case ColumnClass::other: return null_if_nullable();
    }
    return std::nullopt;
}

PiiKind kind_of(ValueKind kind) {
    switch (kind) {
        case ValueKind::iban: return PiiKind::iban;
        case ValueKind::card_number: return PiiKind::card_number;
        case ValueKind::fr_insee:
        case ValueKind::es_dni:
        case ValueKind::uk_nino:
        case ValueKind::us_ssn: return PiiKind::national_id;
        case ValueKind::email: return PiiKind::email;
        case ValueKind::ipv4:
        case ValueKind::ipv6: return PiiKind::ip_address;
        case ValueKind::phone: return PiiKind::phone;
    }
    return PiiKind::free_text;
}

std::string name_reason(const ColumnShape& column, PiiKind kind) {
    return "name \"" + column.name + "\" looks like " + std::string(pii_kind_label(kind));
}

/// What the name says, before the type is considered.
struct NameVerdict {
    std::optional<NameMatch> match;
    bool not_a_person = false;  ///< a bare `name` in a table that does not hold people
};

NameVerdict judge_name(const ColumnShape& column, const std::string* table) {
    NameVerdict verdict{match_name(column.name), false};
    if (verdict.match && verdict.match->bare_name && table != nullptr && !is_person_table(*table)) {
        verdict.match.reset();
        verdict.not_a_person = true;
    }
    return verdict;
}

std::optional<SniffResult> sniff_column(const ColumnShape& column, const std::vector<std::string>& samples) {
    ColumnClass column_class = classify(column);
    if (column_class != ColumnClass::text && column_class != ColumnClass::network) return std::nullopt;
    return sniff_values(samples);
}

std::optional<Suggestion> suggestion_from_values(const ColumnShape& column, const SniffResult& sniffed) {
    auto choice = choose_rule(kind_of(sniffed.kind), column, sniffed.kind == ValueKind::ipv6);
    if (!choice) return std::nullopt;
    std::size_t percent = sniffed.matched * 100 / sniffed.considered;
    return Suggestion{choice->rule, std::to_string(percent) + "% of " + std::to_string(sniffed.considered) +
                                        " sampled values are " + std::string(value_kind_label(sniffed.kind)) +
                                        choice->note};
}

/// The suggestion for one column of `table`, or what to say next to it under `keep:`.
struct ColumnVerdict {
    std::optional<Suggestion> suggestion;
    std::string review;  ///< for a kept column that looked like PII but got no rule
};

ColumnVerdict judge_column(const std::string& table, const ColumnShape& column,
                           const std::vector<std::string>& samples) {
    NameVerdict name = judge_name(column, &table);
    std::optional<SniffResult> sniffed = sniff_column(column, samples);
    ColumnVerdict verdict;

    // Sampled values are evidence; they win over a vague name (free text, a bare name) and refine
    // an IP column to IPv6. A specific name wins over values otherwise.
    bool values_first = sniffed && (!name.match || name.match->kind == PiiKind::free_text ||
                                    name.match->kind == PiiKind::full_name ||
                                    (name.match->kind == PiiKind::ip_address && sniffed->kind == ValueKind::ipv6));
    if (values_first) {
        verdict.suggestion = suggestion_from_values(column, *sniffed);
        if (verdict.suggestion) return verdict;
    }
    if (name.match) {
        if (auto choice = choose_rule(name.match->kind, column, false)) {
            verdict.suggestion = Suggestion{choice->rule, name_reason(column, name.match->kind) + choice->note};
            return verdict;
        }
        // A flag or a timestamp (`email_verified`, `last_login`) is about the data, not the data.
        ColumnClass column_class = classify(column);
        if (column_class != ColumnClass::boolean && column_class != ColumnClass::temporal) {
            verdict.review = "review: " + name_reason(column, name.match->kind) + " but no rule fits its type";
        }
    } else if (name.not_a_person) {
        verdict.review = "review: \"" + column.name + "\" may be a person's name";
    }
    if (sniffed && !values_first) verdict.suggestion = suggestion_from_values(column, *sniffed);
    return verdict;
}

/// What `scrub` replaces, in the order its rule lists them.
constexpr std::array<std::string_view, 6> k_scrub_kind_names = {"email", "phone", "ipv4", "ipv6", "credit_card", "iban"};

bool scrubbable(std::string_view kind) {
    return std::find(k_scrub_kind_names.begin(), k_scrub_kind_names.end(), kind) != k_scrub_kind_names.end();
}

/// The rule for the strings at one place of a document (or a text column's values), from what was
/// found there. Text with PII inside, or several kinds in one place, gets `scrub`, which replaces
/// only the PII-shaped parts; a place that is one kind as a whole gets that kind's rule.
std::optional<Suggestion> rule_for_findings(const std::vector<const DocumentFinding*>& findings,
                                            std::size_t sampled_rows, bool free_text) {
    std::string reason;
    std::vector<bool> scrub(k_scrub_kind_names.size(), false);
    bool inside = false;
    bool unscrubbable_whole = false;
    std::size_t whole_kinds = 0;
    const DocumentFinding* whole_best = nullptr;
    const DocumentFinding* key_best = nullptr;
    for (const DocumentFinding* finding : findings) {
        reason += (reason.empty() ? "" : "; ") + describe_finding(*finding, sampled_rows);
        if (finding->evidence == Evidence::key_name) {
            if (!key_best || finding->rows > key_best->rows) key_best = finding;
            continue;
        }
        inside = inside || finding->evidence == Evidence::inside_text;
        if (finding->evidence == Evidence::whole_value) {
            ++whole_kinds;
            unscrubbable_whole = unscrubbable_whole || !scrubbable(finding->kind);
            if (!whole_best || finding->rows > whole_best->rows) whole_best = finding;
        }
        for (std::size_t kind_idx = 0; kind_idx < k_scrub_kind_names.size(); ++kind_idx) {
            if (k_scrub_kind_names[kind_idx] == finding->kind) scrub[kind_idx] = true;
        }
    }
    const bool any_scrub = std::find(scrub.begin(), scrub.end(), true) != scrub.end();
    if (any_scrub && (inside || free_text || (whole_kinds > 1 && !unscrubbable_whole))) {
        std::string kinds;
        for (std::size_t kind_idx = 0; kind_idx < k_scrub_kind_names.size(); ++kind_idx) {
            if (scrub[kind_idx]) kinds += (kinds.empty() ? "" : ", ") + std::string(k_scrub_kind_names[kind_idx]);
        }
        return Suggestion{"{scrub: [" + kinds + "]}", reason};
    }
    const DocumentFinding* best = whole_best ? whole_best : key_best;
    auto named = best ? named_kind(best->kind) : std::nullopt;
    if (!named) return std::nullopt;
    ColumnShape leaf;
    leaf.type = "text";
    leaf.type_category = "S";
    leaf.not_null = true;  // a rule inside a document or an array rewrites strings, never NULLs them
    RuleChoice choice = text_rule(named->kind, leaf, named->ipv6);
    return Suggestion{choice.rule, reason + choice.note};
}

/// One `"$.path": rule` line of a json rule.
struct PathLine {
    std::string path;
    Suggestion suggestion;
};

/// What init writes for a column that would be kept but holds personal data inside: a json rule
/// with one line per path, or one rule (`{array: …}`, `{scrub: […]}`).
struct DocumentVerdict {
    Suggestion suggestion;        ///< the rule, or for json only the reason (the paths follow)
    std::vector<PathLine> paths;  ///< json columns
};

std::optional<DocumentVerdict> judge_document(const ColumnShape& column, const DocumentFindings& documents) {
    const DocumentShape shape = document_shape(column);
    if (shape == DocumentShape::none || documents.findings.empty()) return std::nullopt;
    // Findings come sorted by path: one group per path.
    std::vector<std::pair<std::string, std::vector<const DocumentFinding*>>> by_path;
    for (const DocumentFinding& finding : documents.findings) {
        if (by_path.empty() || by_path.back().first != finding.path) by_path.push_back({finding.path, {}});
        by_path.back().second.push_back(&finding);
    }
    if (shape == DocumentShape::json) {
        DocumentVerdict verdict;
        for (const auto& [path, findings] : by_path) {
            // A json column whose values are strings, not documents: the rule applies at the root.
            if (auto suggestion = rule_for_findings(findings, documents.sampled_rows, false))
                verdict.paths.push_back({path, *suggestion});
        }
        if (verdict.paths.empty()) return std::nullopt;
        verdict.suggestion.reason = column.type + "; personal data inside " +
                                    std::to_string(documents.sampled_rows) + " sampled documents";
        return verdict;
    }
    std::vector<const DocumentFinding*> findings;
    for (const auto& [path, at_path] : by_path) {
        // An array's elements are `$[*]` (`$[*][*]` for two dimensions); a text value is `$`.
        bool elements = shape == DocumentShape::text_array && path.size() > 1 &&
                        path.find_first_not_of("[*]", 1) == std::string::npos;
        if (elements || (shape == DocumentShape::text && path == "$"))
            findings.insert(findings.end(), at_path.begin(), at_path.end());
    }
    if (findings.empty()) return std::nullopt;
    auto suggestion = rule_for_findings(findings, documents.sampled_rows, shape == DocumentShape::text);
    if (!suggestion) return std::nullopt;
    if (shape == DocumentShape::text_array) suggestion->rule = "{array: " + suggestion->rule + "}";
    return DocumentVerdict{*suggestion, {}};
}

/// A double-quoted YAML scalar (JSON paths are written so, as the documentation writes them).
std::string double_quoted(std::string_view text) {
    std::string quoted = "\"";
    for (char c : text) {
        auto byte = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            quoted += '\\';
            quoted += c;
        } else if (byte < 0x20 || byte == 0x7F) {
            char escape[5];
            std::snprintf(escape, sizeof escape, "\\x%02X", byte);
            quoted += escape;
        } else {
            quoted += c;
        }
    }
    return quoted + "\"";
}

/// Plain YAML when safe, otherwise a double-quoted scalar: identifiers may hold spaces, colons,
/// quotes, or read as booleans (`on`, `no`) or numbers.
std::string yaml_scalar(std::string_view text) {
    auto plain_char = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
               c == '$';
    };
    bool plain = !text.empty() && std::all_of(text.begin(), text.end(), plain_char) &&
                 !(text.front() >= '0' && text.front() <= '9') && text.front() != '.' && text.back() != '.';
    if (plain) {
        std::string lower;
        for (char c : text) lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
        for (std::string_view reserved : {"true", "false", "yes", "no", "on", "off", "y", "n", "null", "nan", "inf"}) {
            if (lower == reserved) plain = false;
        }
    }
    return plain ? std::string(text) : double_quoted(text);
}

/// A comment is one line: control characters from odd identifiers would end it early.
std::string comment_text(std::string_view text) {
    std::string result;
    for (char c : text) {
        auto byte = static_cast<unsigned char>(c);
        result += byte < 0x20 || byte == 0x7F ? '?' : c;
    }
    return result;
}

}  // namespace

std::optional<Suggestion> suggest_by_name(const ColumnShape& column) {
    NameVerdict name = judge_name(column, nullptr);
    if (!name.match) return std::nullopt;
    auto choice = choose_rule(name.match->kind, column, false);
    if (!choice) return std::nullopt;
    return Suggestion{choice->rule, name_reason(column, name.match->kind) + choice->note};
}

std::optional<Suggestion> suggest_by_values(const ColumnShape& column, const std::vector<std::string>& samples) {
    auto sniffed = sniff_column(column, samples);
    if (!sniffed) return std::nullopt;
    return suggestion_from_values(column, *sniffed);
}

std::string write_starter_config(const std::vector<SampledTable>& tables) {
    struct RuleLine {
        std::string column;
        Suggestion suggestion;
        std::vector<PathLine> paths;  ///< a json rule, one path a line
    };
    struct KeepLine {
        std::string entry;
        std::string comment;
    };
    std::vector<const SampledTable*> sorted;
    for (const SampledTable& table : tables) sorted.push_back(&table);
    std::sort(sorted.begin(), sorted.end(),
              [](const SampledTable* left, const SampledTable* right) { return left->shape.name < right->shape.name; });

    std::string tables_text;
    std::vector<KeepLine> keep;
    static const std::vector<std::string> k_no_samples;
    static const DocumentFindings k_no_findings;
    for (const SampledTable* table : sorted) {
        std::vector<std::size_t> order(table->shape.columns.size());
        for (std::size_t column_idx = 0; column_idx < order.size(); ++column_idx) order[column_idx] = column_idx;
        std::sort(order.begin(), order.end(), [&](std::size_t left, std::size_t right) {
            return table->shape.columns[left].name < table->shape.columns[right].name;
        });
        std::vector<RuleLine> rules;
        for (std::size_t column_idx : order) {
            const ColumnShape& column = table->shape.columns[column_idx];
            const auto& samples = column_idx < table->samples.size() ? table->samples[column_idx] : k_no_samples;
            ColumnVerdict verdict = judge_column(table->shape.name, column, samples);
            const auto& documents =
                column_idx < table->documents.size() ? table->documents[column_idx] : k_no_findings;
            if (verdict.suggestion) {
                rules.push_back({column.name, *verdict.suggestion, {}});
            } else if (auto document = judge_document(column, documents)) {
                rules.push_back({column.name, document->suggestion, document->paths});
            } else {
                std::string comment = column.type;
                if (!verdict.review.empty()) comment += "; " + verdict.review;
                keep.push_back({config_name(table->shape.name, column.name), comment});
            }
        }
        if (rules.empty()) continue;
        tables_text += "    " + yaml_scalar(config_name(table->shape.name)) + ":\n";
        for (const RuleLine& line : rules) {
            if (line.paths.empty()) {
                tables_text += "      " + yaml_scalar(line.column) + ": " + line.suggestion.rule + "  # " +
                               comment_text(line.suggestion.reason) + "\n";
                continue;
            }
            tables_text += "      " + yaml_scalar(line.column) + ":  # " + comment_text(line.suggestion.reason) +
                           "\n        json:\n";
            for (const PathLine& path : line.paths) {
                tables_text += "          " + double_quoted(path.path) + ": " + path.suggestion.rule + "  # " +
                               comment_text(path.suggestion.reason) + "\n";
            }
        }
    }
    std::sort(keep.begin(), keep.end(),
              [](const KeepLine& left, const KeepLine& right) { return left.entry < right.entry; });

    std::string text =
        "# understudy.yml: a starter configuration written by `understudy init`.\n"
        "# Review every rule before use: the suggestions come from column names and sampled values, and a\n"
        "# column under `keep:` is copied as it is. Lines marked \"review\" looked like personal data but got\n"
        "# no rule. The secret that keys the pseudonyms comes from UNDERSTUDY_SECRET, never from this file.\n"
        "anonymize:\n"
        "  default: fail\n";
    text += tables_text.empty() ? "  tables: {}\n" : "  tables:\n" + tables_text;
    if (keep.empty()) {
        text += "keep: []\n";
    } else {
        text += "keep:\n";
        for (const KeepLine& line : keep) {
            text += "  - " + yaml_scalar(line.entry) + "  # " + comment_text(line.comment) + "\n";
        }
    }
    return text;
}

}  // namespace understudy::anonymizer
