// The fail-closed guard: before any row moves, every copied column has a rule that fits it, or is kept.
#include "understudy/anonymizer/coverage.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <stdexcept>

#include "rules_spec.hpp"

namespace understudy::anonymizer {
namespace {

/// What kind of values a column holds, as far as the rules care.
// money is apart from numeric: its text is currency-formatted ("$1,234.56", by lc_monetary), which
// noise cannot read and a number written back may not fit.
enum class ColumnClass { text, numeric, money, temporal, json, array, uuid, network, other };

std::string strip_modifiers(std::string type) {
    // `character varying(255)` -> `character varying`; `timestamp(3) with time zone` keeps its words.
    auto open = type.find('(');
    if (open != std::string::npos) {
        auto close = type.find(')', open);
        if (close != std::string::npos) type.erase(open, close - open + 1);
    }
    while (!type.empty() && type.back() == ' ') type.pop_back();
    auto dot = type.rfind('.');  // schema-qualified types: public.citext
    if (dot != std::string::npos && type.find('"') == std::string::npos) type.erase(0, dot + 1);
    return type;
}

// By name, for array elements (whose category the catalog query does not bring) and for types
// whose category is too coarse (json and uuid are both U).
std::optional<ColumnClass> class_by_name(const std::string& base) {
    static const std::map<std::string, ColumnClass> k_names = {
        {"text", ColumnClass::text}, {"character varying", ColumnClass::text}, {"varchar", ColumnClass::text},
        {"character", ColumnClass::text}, {"char", ColumnClass::text}, {"\"char\"", ColumnClass::text},
        {"citext", ColumnClass::text}, {"name", ColumnClass::text}, {"bpchar", ColumnClass::text},
        {"smallint", ColumnClass::numeric}, {"integer", ColumnClass::numeric}, {"bigint", ColumnClass::numeric},
        {"numeric", ColumnClass::numeric}, {"decimal", ColumnClass::numeric}, {"real", ColumnClass::numeric},
        {"double precision", ColumnClass::numeric}, {"money", ColumnClass::money},
        {"date", ColumnClass::temporal}, {"timestamp without time zone", ColumnClass::temporal},
        {"timestamp with time zone", ColumnClass::temporal}, {"time without time zone", ColumnClass::temporal},
        {"time with time zone", ColumnClass::temporal}, {"timestamp", ColumnClass::temporal},
        {"timestamptz", ColumnClass::temporal}, {"json", ColumnClass::json}, {"jsonb", ColumnClass::json},
        {"uuid", ColumnClass::uuid}, {"inet", ColumnClass::network}, {"cidr", ColumnClass::network},
    };
    auto found = k_names.find(base);
    if (found == k_names.end()) return std::nullopt;
    return found->second;
}

ColumnClass classify(const std::string& type, const std::string& category) {
    if (category == "A" || (type.size() > 2 && type.compare(type.size() - 2, 2, "[]") == 0)) return ColumnClass::array;
    if (auto by_name = class_by_name(strip_modifiers(type))) return *by_name;
    if (category == "S") return ColumnClass::text;
    if (category == "N") return ColumnClass::numeric;
    if (category == "D") return ColumnClass::temporal;
    if (category == "I") return ColumnClass::network;
    return ColumnClass::other;
}

ColumnClass element_class(const std::string& type) {
    std::string base = type;
    while (base.size() > 2 && base.compare(base.size() - 2, 2, "[]") == 0) base.resize(base.size() - 2);
    if (auto by_name = class_by_name(strip_modifiers(base))) return *by_name;
    return ColumnClass::other;
}

const char* class_name(ColumnClass value) {
    switch (value) {
    case ColumnClass::text: return "text";
    case ColumnClass::numeric: return "numeric";
    case ColumnClass::money: return "money";
    case ColumnClass::temporal: return "date/time";
    case ColumnClass::json: return "json";
    case ColumnClass::array: return "array";
    case ColumnClass::uuid: return "uuid";
    case ColumnClass::network: return "network address";
    case ColumnClass::other: return "other";
    }
    return "other";
}

bool starts_with(const std::string& text, const char* prefix) { return text.rfind(prefix, 0) == 0; }

// Text-like columns take most rules: a varchar holding dates can be shifted, one holding JSON parsed.
bool fits(const Transformer& transformer, ColumnClass column) {
    const std::string description = transformer.describe();
    if (starts_with(description, "hash uuid")) return column == ColumnClass::uuid || column == ColumnClass::text;
    if (starts_with(description, "hash hex")) return column == ColumnClass::text;
    switch (transformer.accepts()) {
    case TypeClass::any: return true;
    case TypeClass::text:
        return column == ColumnClass::text ||
               (column == ColumnClass::network && (starts_with(description, "fake ipv4") || starts_with(description, "fake ipv6")));
    case TypeClass::numeric: return column == ColumnClass::numeric || column == ColumnClass::text;
    case TypeClass::temporal: return column == ColumnClass::temporal || column == ColumnClass::text;
    case TypeClass::json: return column == ColumnClass::json || column == ColumnClass::text;
    case TypeClass::array: return column == ColumnClass::array;
    }
    return false;
}

std::string quoted_column(const std::string& table, const std::string& column) {
    auto dot = table.find('.');
    std::string quoted = dot == std::string::npos ? "\"" + table + "\""
                                                  : "\"" + table.substr(0, dot) + "\".\"" + table.substr(dot + 1) + "\"";
    return quoted + ".\"" + column + "\"";
}

}  // namespace

std::optional<std::size_t> character_limit(const std::string& type) {
    for (const char* prefix : {"character varying(", "character("}) {
        if (!starts_with(type, prefix)) continue;
        const std::size_t open = std::string(prefix).size();
        const std::size_t close = type.find(')', open);
        // `character varying(12)[]` is an array: its elements are checked by their own rules.
        if (close == std::string::npos || close + 1 != type.size()) return std::nullopt;
        try {
            return static_cast<std::size_t>(std::stoul(type.substr(open, close - open)));
        } catch (const std::logic_error&) {
            return std::nullopt;
        }
    }
    return std::nullopt;
}

std::optional<std::string> length_problem(const Transformer& transformer, const std::string& type) {
    const auto limit = character_limit(type);
    if (!limit) return std::nullopt;
    if (const auto shortest = transformer.min_length(); shortest && *shortest > *limit)
        return " writes at least " + std::to_string(*shortest) + " characters, longer than the " + type +
               " column holds";
    if (const auto longest = transformer.max_length(); longest && *longest > *limit)
        return " writes up to " + std::to_string(*longest) + " characters, longer than the " + type +
               " column holds";
    return std::nullopt;
}

std::string CoverageReport::summary() const {
    const std::size_t problems = errors.size() + unclassified.size();
    if (problems == 0) return "every column has a rule or is kept";
    std::string first;
    if (!errors.empty()) {
        first = errors.front();
    } else {
        const auto& name = unclassified.front();
        auto last = name.rfind('.');
        first = "column " + quoted_column(name.substr(0, last), name.substr(last + 1)) +
                " has no anonymization rule and is not kept";
    }
    if (problems > 1) first += " (and " + std::to_string(problems - 1) + " more)";
    return first;
}

CoverageReport check_coverage(const RuleSet& rules, const std::vector<TableShape>& tables) {
    CoverageReport report;
    std::map<std::string, const TableShape*> by_name;
    for (const auto& table : tables) by_name[table.name] = &table;

    // Rules that point nowhere are typos that would otherwise leave the real column unprotected.
    for (const auto& rule : rules.rules()) {
        auto table = by_name.find(rule.table);
        if (table == by_name.end()) {
            report.errors.push_back(rule.origin + ": unknown table \"" + rule.table + "\" (not among the tables to copy)");
            continue;
        }
        const auto& columns = table->second->columns;
        if (std::none_of(columns.begin(), columns.end(), [&](const ColumnShape& column) { return column.name == rule.column; }))
            report.errors.push_back(rule.origin + ": unknown column " + quoted_column(rule.table, rule.column));
    }

    for (const auto& [table_name, table] : by_name) {
        for (const auto& column : table->columns) {
            const ColumnRule* rule = rules.find(table_name, column.name);
            if (!rule) {
                if (!rules.kept(table_name, column.name) && rules.default_policy() == DefaultPolicy::fail)
                    report.unclassified.push_back(table_name + "." + column.name);
                continue;
            }
            const std::string where = rule->origin + ": column " + quoted_column(table_name, column.name) + ": ";
            auto transformer = rules.make_transformer(*rule, validation_secret());
            const ColumnClass column_class = classify(column.type, column.type_category);
            if (!fits(*transformer, column_class)) {
                report.errors.push_back(where + rule->description + " does not fit a " + class_name(column_class) +
                                        " column (type " + column.type + ")");
            } else if (auto problem = length_problem(*transformer, column.type)) {
                // The target refuses such values (22001), after the whole copy.
                report.errors.push_back(where + rule->description + *problem);
            } else if (const Transformer* element = array_element_transformer(*transformer)) {
                const ColumnClass inner = element_class(column.type);
                if (!fits(*element, inner))
                    report.errors.push_back(where + element->describe() + " does not fit the elements of a " +
                                            column.type + " column");
            }
            for (const auto& referenced : transformer->referenced_columns()) {
                if (std::none_of(table->columns.begin(), table->columns.end(),
                                 [&](const ColumnShape& other) { return other.name == referenced; }))
                    report.errors.push_back(where + rule->kind + " reads unknown column \"" + referenced + "\"");
            }
            bool safe = transformer->injective();
            const std::string description = transformer->describe();
            if (starts_with(description, "hash uuid") && column_class == ColumnClass::uuid) safe = true;
            if (rule->kind == "null") {
                // NULLs never collide under a unique index, but a NOT NULL column refuses them.
                safe = true;
                if (column.not_null) report.errors.push_back(where + "null rule on a NOT NULL column (use fixed or fake)");
            }
            if (!safe && column.unique)
                report.errors.push_back(where + rule->description +
                                        " can map distinct values to one, but the column is under a unique index "
                                        "(use keep, hash, or fake email, username or url)");
            else if (!safe && rule->unique)
                report.errors.push_back(where + rule->description + " cannot guarantee unique: true on a " +
                                        class_name(column_class) + " column");
            report.checks.push_back(RuleCheck{table_name, column.name, rule->description, column.unique,
                                              safe || !column.unique});
        }
    }
    return report;
}

void check_reference_rules(const RuleSet& rules, const std::vector<ReferencePair>& references,
                           CoverageReport& report) {
    // A key and the columns that reference it must map equal values to equal values, or the copy's
    // references point at no row (its foreign keys then fail after the whole copy). The same rule
    // (kind, options and class, which the description carries) does; `unique` changes no value.
    auto mapping = [](const ColumnRule* rule) -> std::string {
        if (!rule || rule->kind == "keep") return "keep";
        std::string text = rule->description;
        const std::string unique_mark = " (unique)";
        const auto at = text.find(unique_mark);
        if (at != std::string::npos) text.erase(at, unique_mark.size());
        return text;
    };
    for (const auto& reference : references) {
        const ColumnRule* parent = rules.find(reference.parent_table, reference.parent_column);
        const ColumnRule* child = rules.find(reference.child_table, reference.child_column);
        if (mapping(parent) == mapping(child)) continue;
        const ColumnRule* stated = parent ? parent : child;
        const std::string& stated_table = parent ? reference.parent_table : reference.child_table;
        const std::string& stated_column = parent ? reference.parent_column : reference.child_column;
        const std::string& other_table = parent ? reference.child_table : reference.parent_table;
        const std::string& other_column = parent ? reference.child_column : reference.parent_column;
        const ColumnRule* other = parent ? child : parent;
        report.errors.push_back(stated->origin + ": column " + quoted_column(stated_table, stated_column) + ": " +
                                stated->description + " is not the rule of " + quoted_column(other_table, other_column) +
                                " (" + (other ? other->description : std::string("no rule, copied as it is")) +
                                "), which " + (parent ? "references it" : "it references") + " through " +
                                reference.via + ": give both the same rule");
    }
}

}  // namespace understudy::anonymizer
