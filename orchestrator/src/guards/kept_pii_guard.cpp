// The kept-column check: a column the rules copy as it is must not hold PII-shaped values.
#include "guards/kept_pii_guard.hpp"

#include "guards/column_sample.hpp"
#include "understudy/error.hpp"
#include "understudy/orchestrator/guards/anonymization_guard.hpp"

namespace understudy::orchestrator {
namespace {

/// Whether the run copies `column` of `table` as it is, or (a `json` rule) partly as it is.
bool copied_as_is(const anonymizer::RuleSet& rules, const std::string& table, const std::string& column) {
    if (const auto* rule = rules.find(table, column)) return rule->kind == "keep" || rule->kind == "json";
    return rules.kept(table, column) || rules.default_policy() == anonymizer::DefaultPolicy::keep;
}

/// Whether the column's `json` rule rewrites the finding's place (a kept column has no paths).
bool rewritten(const std::vector<std::string>& rule_paths, const anonymizer::DocumentFinding& finding) {
    for (const auto& path : rule_paths) {
        if (anonymizer::json_path_covers(path, finding.path)) return true;
    }
    return false;
}

bool copied(const subsetter::Table& table, const subsetter::SubsetPlan* plan) {
    if (!plan) return true;
    const auto* table_plan = plan->find(table.name);
    return !table_plan || table_plan->policy != subsetter::TablePolicy::none;
}

}  // namespace

std::string describe_kept_pii(const KeptPii& kept) {
    std::string text = anonymizer::describe_finding(kept.finding, kept.sampled_rows);
    if (kept.finding.path != "$") text += " at " + kept.finding.path;
    return text;
}

std::vector<KeptPii> find_kept_pii(pg::Transaction& source, const anonymizer::RuleSet& rules,
                                   const subsetter::Catalog& catalog, const subsetter::SubsetPlan* plan) {
    std::vector<KeptPii> found;
    if (!rules.configured() || rules.kept_pii_policy() == anonymizer::KeptPiiPolicy::off) return found;
    const auto shapes = table_shapes(catalog);
    for (std::size_t table_idx = 0; table_idx < catalog.tables.size(); ++table_idx) {
        const subsetter::Table& table = catalog.tables[table_idx];
        // An unlogged table on a follower has no rows: the copy creates it empty.
        if (table.unreadable || !copied(table, plan)) continue;
        const anonymizer::TableShape& shape = shapes[table_idx];
        std::vector<SampledColumn> columns;
        std::vector<const anonymizer::ColumnShape*> column_shapes;
        for (const anonymizer::ColumnShape& column : shape.columns) {
            const auto document = anonymizer::document_shape(column);
            if (document == anonymizer::DocumentShape::none || !copied_as_is(rules, shape.name, column.name)) continue;
            columns.push_back({column.name, document == anonymizer::DocumentShape::text_array ? SampledAs::array_json
                                                                                             : SampledAs::text});
            column_shapes.push_back(&column);
        }
        if (columns.empty()) continue;
        const auto sampled = sample_columns(source, table, columns);
        for (std::size_t column_idx = 0; column_idx < columns.size(); ++column_idx) {
            std::vector<std::string> values;
            for (const auto& value : sampled[column_idx]) {
                if (value) values.push_back(*value);
            }
            const auto documents = anonymizer::find_pii_in_documents(*column_shapes[column_idx], values);
            // A json rule keeps every path it does not name: what is found there is kept too.
            const auto rule_paths = rules.json_rule_paths(shape.name, columns[column_idx].name);
            for (const auto& finding : documents.findings) {
                // A key name alone is a hint for init, not evidence: `{"city": "dark mode"}` is not PII.
                if (finding.evidence == anonymizer::Evidence::key_name || rewritten(rule_paths, finding)) continue;
                found.push_back({anonymizer::config_name(shape.name, columns[column_idx].name), finding,
                                 documents.sampled_rows});
            }
        }
    }
    return found;
}

std::vector<std::string> enforce_kept_pii(const anonymizer::RuleSet& rules, const std::vector<KeptPii>& found) {
    std::vector<std::string> lines;
    if (found.empty()) return lines;
    if (rules.kept_pii_policy() != anonymizer::KeptPiiPolicy::fail) {
        for (const KeptPii& kept : found)
            lines.push_back("kept column " + kept.column + " holds personal data: " + describe_kept_pii(kept) +
                            " (kept_pii: warn)");
        return lines;
    }
    std::string hint;
    for (std::size_t kept_idx = 1; kept_idx < found.size() && kept_idx < 20; ++kept_idx)
        hint += (hint.empty() ? "also:\n" : "") + found[kept_idx].column + ": " + describe_kept_pii(found[kept_idx]) + "\n";
    hint += "give the column a rule (understudy init suggests json: paths and {scrub: [...]}), or set "
            "anonymize.kept_pii: warn";
    throw Error(ExitCode::unclassified_columns,
                "kept column " + found.front().column + " holds personal data: " + describe_kept_pii(found.front()) +
                    (found.size() > 1 ? " (and " + std::to_string(found.size() - 1) + " more)" : std::string()),
                hint);
}

}  // namespace understudy::orchestrator
