// The read-only commands over the source: they open the snapshot, read, print, and write nothing.
#include "understudy/orchestrator/pipelines/inspect_pipeline.hpp"

#include <algorithm>

#include "understudy/pg/result.hpp"

#include "guards/column_sample.hpp"
#include "guards/kept_pii_guard.hpp"
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

/// The table with its sampled columns, for PII detection: the first 200 rows' values of each
/// text-like column for the whole-value sniffers (as init always read them), and what the whole
/// sample (k_sample_rows) holds inside documents, arrays and text. Values stay in memory: detection
/// reports kinds and ratios, never values.
anonymizer::SampledTable sample_table(pg::Transaction& tx, const subsetter::Table& table,
                                      const anonymizer::TableShape& shape) {
    constexpr std::size_t k_sniffed_rows = 200;
    anonymizer::SampledTable sampled{shape, std::vector<std::vector<std::string>>(shape.columns.size()),
                                     std::vector<anonymizer::DocumentFindings>(shape.columns.size())};
    // An unlogged table on a follower has no rows to sniff: its rules come from names alone.
    if (table.unreadable) return sampled;
    std::vector<SampledColumn> columns;
    std::vector<std::size_t> sampled_columns;
    for (std::size_t column_index = 0; column_index < shape.columns.size(); ++column_index) {
        const auto& column = shape.columns[column_index];
        const auto document = anonymizer::document_shape(column);
        if (column.type_category != "S" && column.type_category != "I" && document == anonymizer::DocumentShape::none)
            continue;
        columns.push_back({column.name, document == anonymizer::DocumentShape::text_array ? SampledAs::array_json
                                                                                         : SampledAs::text});
        sampled_columns.push_back(column_index);
    }
    const auto values = sample_columns(tx, table, columns);
    for (std::size_t index = 0; index < sampled_columns.size(); ++index) {
        const std::size_t column_index = sampled_columns[index];
        std::vector<std::string> present;
        for (std::size_t row_idx = 0; row_idx < values[index].size(); ++row_idx) {
            if (!values[index][row_idx]) continue;
            if (row_idx < k_sniffed_rows) sampled.samples[column_index].push_back(*values[index][row_idx]);
            present.push_back(*values[index][row_idx]);
        }
        sampled.documents[column_index] = anonymizer::find_pii_in_documents(shape.columns[column_index], present);
    }
    return sampled;
}

/// The kept-column check's lines for `plan` and `check`, or nothing when it found nothing.
std::string format_kept_pii(const anonymizer::RuleSet& rules, const std::vector<KeptPii>& found) {
    std::string out;
    const bool refuse = rules.kept_pii_policy() == anonymizer::KeptPiiPolicy::fail;
    for (const auto& kept : found) {
        out += "  " + kept.column + "  [kept, but " + describe_kept_pii(kept) +
               (refuse ? ": the run will refuse]\n" : ": the run will warn]\n");
    }
    return out;
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
        out += "\n" + format_coverage(rules, coverage) +
               format_kept_pii(rules, find_kept_pii(snapshot.transaction(), rules, model.catalog, &model.plan));
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
    const auto kept_pii = find_kept_pii(snapshot.transaction(), rules, model.catalog, &model.plan);
    enforce_kept_pii(rules, kept_pii);  // kept_pii: fail stops here; warn lists them below
    return format_coverage(rules, coverage) + format_kept_pii(rules, kept_pii) + "every copied column is covered\n";
}

std::string write_init_config(const pg::ConnInfo& source, const subsetter::SubsetSettings& settings) {
    pg::SourceSnapshot snapshot(source);
    auto catalog = subsetter::load_catalog(snapshot.transaction(), settings.catalog_filter);
    auto shapes = table_shapes(catalog);
    std::vector<anonymizer::SampledTable> sampled;
    for (std::size_t table_index = 0; table_index < catalog.tables.size(); ++table_index) {
        sampled.push_back(sample_table(snapshot.transaction(), catalog.tables[table_index], shapes[table_index]));
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
