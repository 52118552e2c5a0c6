// The read-only commands over the source: they open the snapshot, read, print, and write nothing.
#include "understudy/orchestrator/pipelines/inspect_pipeline.hpp"

#include <algorithm>

#include "understudy/pg/result.hpp"

#include "pipelines/plan_selection.hpp"
#include "pipelines/reference_suggestions.hpp"
#include "pipelines/source_model.hpp"
#include "understudy/anonymizer/coverage.hpp"
#include "understudy/anonymizer/pii_detection.hpp"
#include "understudy/error.hpp"
#include "understudy/orchestrator/guards/anonymization_guard.hpp"
#include "understudy/pg/sql_text.hpp"
#include "understudy/subsetter/access_paths.hpp"
#include "understudy/subsetter/unresolved_references.hpp"

namespace understudy::orchestrator {
namespace {

/// The anonymization section of `plan` and `check`.
std::string format_coverage(const anonymizer::RuleSet& rules, const anonymizer::CoverageReport& coverage) {
    std::string out = std::string("anonymization (default: ") +
                      (rules.default_policy() == anonymizer::DefaultPolicy::fail ? "fail" : "keep") + "):\n";
    std::size_t width = 0;
    for (const auto& check : coverage.checks) width = std::max(width, check.table.size() + check.column.size() + 1);
    for (const auto& check : coverage.checks) {
        std::string name = check.table + "." + check.column;
        std::string line = "  " + name + std::string(width - name.size() + 2, ' ') + check.description;
        if (check.unique_column) line += check.unique_safe ? "  [unique column: safe]" : "  [unique column: NOT SAFE]";
        out += line + "\n";
    }
    for (const auto& column : coverage.unclassified) out += "  " + column + "  [no rule: the run will refuse]\n";
    for (const auto& error : coverage.errors) out += "  error: " + error + "\n";
    return out;
}

/// Up to 200 values of each text-like column, for PII detection. They stay in memory: detection
/// reports kinds and ratios, never values.
std::vector<std::vector<std::string>> sample_values(pg::Transaction& tx, const subsetter::Table& table,
                                                    const anonymizer::TableShape& shape) {
    std::vector<std::vector<std::string>> samples(shape.columns.size());
    std::string select;
    std::vector<std::size_t> sampled_columns;
    for (std::size_t column_index = 0; column_index < shape.columns.size(); ++column_index) {
        const auto& category = shape.columns[column_index].type_category;
        if (category != "S" && category != "I" && category != "U" && category != "A") continue;
        select += (select.empty() ? "" : ", ") + pg::quote_ident(shape.columns[column_index].name) + "::text";
        sampled_columns.push_back(column_index);
    }
    if (sampled_columns.empty()) return samples;
    auto rows = pg::with_context(pg::Side::source, "could not sample " + table.name.quoted(), [&] {
        return tx.exec("SELECT " + select + " FROM " + std::string(table.partitioned ? "" : "ONLY ") +
                       table.name.quoted() + " LIMIT 200");
    });
    for (const auto& row : rows) {
        for (std::size_t index = 0; index < sampled_columns.size(); ++index) {
            if (!row[static_cast<int>(index)].is_null())
                samples[sampled_columns[index]].push_back(row[static_cast<int>(index)].c_str());
        }
    }
    return samples;
}

}  // namespace

std::string describe_plan(const pg::ConnInfo& source, const subsetter::SubsetSettings& settings,
                          const anonymizer::RuleSet& rules) {
    pg::SourceSnapshot snapshot(source);
    auto model = read_source_model(snapshot, settings);
    std::string out = describe_selection(snapshot, model, settings) + subsetter::format_plan_notes(model.plan);
    if (auto unresolved = subsetter::format_unresolved_references(subsetter::find_unresolved_references(
            snapshot.transaction(), model.catalog, model.plan, settings));
        !unresolved.empty())
        out += "\n" + unresolved;
    out += "\n" + subsetter::format_access_paths(
                       subsetter::plan_access_paths(snapshot.transaction(), model.catalog, model.plan, settings));
    if (rules.configured()) {
        auto coverage = check_run_coverage(rules, model.catalog, &model.plan);
        out += "\n" + format_coverage(rules, coverage);
    }
    return out;
}

std::string check_rules(const pg::ConnInfo& source, const subsetter::SubsetSettings& settings,
                        const anonymizer::RuleSet& rules) {
    if (!rules.configured())
        throw Error(ExitCode::config, "the configuration has no anonymize: section to check",
                    "understudy init --source URL writes a starter configuration");
    pg::SourceSnapshot snapshot(source);
    auto model = read_source_model(snapshot, settings);
    auto coverage = enforce_coverage(rules, model.catalog, &model.plan);
    return format_coverage(rules, coverage) + "every copied column is covered\n";
}

std::string write_init_config(const pg::ConnInfo& source, const subsetter::SubsetSettings& settings) {
    pg::SourceSnapshot snapshot(source);
    auto catalog = subsetter::load_catalog(snapshot.transaction(), settings.catalog_filter);
    auto shapes = table_shapes(catalog);
    std::vector<anonymizer::SampledTable> sampled;
    for (std::size_t table_index = 0; table_index < catalog.tables.size(); ++table_index) {
        const auto& table = catalog.tables[table_index];
        // An unlogged table on a follower has no rows to sniff: its rules come from names alone.
        sampled.push_back({shapes[table_index], table.unreadable
                                                    ? std::vector<std::vector<std::string>>(shapes[table_index].columns.size())
                                                    : sample_values(snapshot.transaction(), table, shapes[table_index])});
    }
    // The references the schema does not declare go in as commented entries to review: what the
    // models say (with --rails-app) and where the columns that look like references likely point.
    auto plan = subsetter::make_plan(snapshot.transaction(), catalog, settings);
    auto unresolved = subsetter::find_unresolved_references(snapshot.transaction(), catalog, plan, settings);
    return anonymizer::write_starter_config(sampled) + suggested_references_yaml(plan, unresolved);
}

std::string describe_graph(const pg::ConnInfo& source, const subsetter::SubsetSettings& settings) {
    pg::SourceSnapshot snapshot(source);
    auto model = read_source_model(snapshot, settings);
    return model.plan.graph.to_dot();
}

}  // namespace understudy::orchestrator
