// The fail-closed guard, applied to the tables a run copies.
#include "understudy/orchestrator/guards/anonymization_guard.hpp"

#include <algorithm>

#include "understudy/error.hpp"

namespace understudy::orchestrator {

std::vector<anonymizer::TableShape> table_shapes(const subsetter::Catalog& catalog) {
    std::vector<anonymizer::TableShape> shapes;
    for (const auto& table : catalog.tables) {
        anonymizer::TableShape shape;
        shape.name = table.name.display();
        for (const auto& column : table.columns) {
            if (column.generated) continue;  // computed by the target from columns that are rewritten
            anonymizer::ColumnShape column_shape;
            column_shape.name = column.name;
            column_shape.type = column.type;
            column_shape.type_category = column.type_category;
            column_shape.not_null = column.not_null;
            // unique_columns is sorted bytewise (COLLATE "C" in its query).
            column_shape.unique = std::binary_search(table.unique_columns.begin(), table.unique_columns.end(),
                                                     column.name);
            shape.columns.push_back(std::move(column_shape));
        }
        shapes.push_back(std::move(shape));
    }
    return shapes;
}

namespace {

/// Every column pair of every reference the plan follows (constraints, declared and inferred ones)
/// whose child table is copied: its values must get the same rule as the key they point at.
std::vector<anonymizer::ReferencePair> reference_pairs(const subsetter::Catalog& catalog,
                                                       const subsetter::SubsetPlan& plan) {
    std::vector<anonymizer::ReferencePair> pairs;
    for (const auto& table : catalog.tables) {
        const auto* table_plan = plan.find(table.name);
        if (table_plan && table_plan->policy == subsetter::TablePolicy::none) continue;  // created empty
        for (const subsetter::ForeignKey* reference : plan.graph.parents_of(table.name)) {
            const char* kind = reference->origin == subsetter::ReferenceOrigin::constraint ? "foreign key"
                               : reference->origin == subsetter::ReferenceOrigin::declared ? "declared reference"
                               : reference->origin == subsetter::ReferenceOrigin::model    ? "model reference"
                                                                                          : "inferred reference";
            for (std::size_t column_index = 0; column_index < reference->child_columns.size() &&
                                               column_index < reference->parent_columns.size();
                 ++column_index) {
                pairs.push_back({reference->child.display(), reference->child_columns[column_index],
                                 reference->parent.display(), reference->parent_columns[column_index],
                                 std::string(kind) + " \"" + reference->name + "\""});
            }
        }
    }
    return pairs;
}

}  // namespace

anonymizer::CoverageReport check_run_coverage(const anonymizer::RuleSet& rules, const subsetter::Catalog& catalog,
                                              const subsetter::SubsetPlan* plan) {
    auto report = anonymizer::check_coverage(rules, table_shapes(catalog));
    if (!plan) return report;
    anonymizer::check_reference_rules(rules, reference_pairs(catalog, *plan), report);
    // A table created empty needs no rules: drop its columns from the unclassified list.
    std::vector<std::string> copied;
    for (const auto& column : report.unclassified) {
        const auto* table_plan = [&]() -> const subsetter::TablePlan* {
            for (const auto& candidate : plan->tables) {
                if (column.rfind(candidate.table.display() + ".", 0) == 0) return &candidate;
            }
            return nullptr;
        }();
        if (!table_plan || table_plan->policy != subsetter::TablePolicy::none) copied.push_back(column);
    }
    report.unclassified = std::move(copied);
    return report;
}

anonymizer::CoverageReport enforce_coverage(const anonymizer::RuleSet& rules, const subsetter::Catalog& catalog,
                                            const subsetter::SubsetPlan* plan) {
    auto report = check_run_coverage(rules, catalog, plan);
    if (!report.errors.empty()) {
        std::string hint;
        for (std::size_t index = 1; index < report.errors.size() && index < 20; ++index) hint += report.errors[index] + "\n";
        throw Error(ExitCode::config,
                    report.errors.front() +
                        (report.errors.size() > 1 ? " (and " + std::to_string(report.errors.size() - 1) + " more)" : ""),
                    hint.empty() ? std::string() : "also:\n" + hint.substr(0, hint.size() - 1));
    }
    if (!report.unclassified.empty()) {
        std::string list;
        for (const auto& column : report.unclassified) list += (list.empty() ? "" : ", ") + ("\"" + column + "\"");
        throw Error(ExitCode::unclassified_columns,
                    std::to_string(report.unclassified.size()) + " column" +
                        (report.unclassified.size() == 1 ? " has" : "s have") +
                        " no anonymization rule: " + list,
                    "add a rule under anonymize.tables, or list the column under keep: (understudy init "
                    "suggests rules)");
    }
    return report;
}

}  // namespace understudy::orchestrator
