// The sizing plan: which references count, which tables are refused, and each table's target size.
#include "understudy/subsetter/subset_plan.hpp"

#include <algorithm>
#include <locale>
#include <map>
#include <set>
#include <sstream>

#include "plan_builder.hpp"
#include "rails_inference.hpp"
#include "rails_models.hpp"
#include "understudy/error.hpp"

namespace understudy::subsetter {
namespace {

const TableOverride& override_for(const SubsetSettings& settings, const QualifiedName& table) {
    static const TableOverride k_sample;
    static const TableOverride k_all{TablePolicy::all, {}, {}, {}, "full copy"};
    auto found = settings.overrides.find(table);
    if (found != settings.overrides.end()) return found->second;
    return settings.default_policy == TablePolicy::all ? k_all : k_sample;
}

/// An inferred reference adds nothing when a declared one already says where its column points.
bool covered_by(const ForeignKey& inferred, const std::vector<ForeignKey>& declared) {
    return std::any_of(declared.begin(), declared.end(), [&](const ForeignKey& reference) {
        return reference.child == inferred.child && !reference.child_columns.empty() &&
               reference.child_columns.front() == inferred.child_columns.front();
    });
}

/// Refuses a plan where an excluded table would be empty under copied rows that reference it:
/// the target's foreign keys would reject them.
void check_exclusions(const Catalog& catalog, const SubsetSettings& settings, const FkGraph& graph) {
    for (const auto& table : catalog.tables) {
        if (override_for(settings, table.name).policy != TablePolicy::none) continue;
        std::set<QualifiedName> offenders;
        for (const ForeignKey* reference : graph.children_of(table.name)) {
            if (reference->is_self_reference()) continue;
            if (override_for(settings, reference->child).policy != TablePolicy::none) offenders.insert(reference->child);
        }
        if (offenders.empty()) continue;
        std::string list;
        for (const auto& offender : offenders) list += (list.empty() ? "\"" : ", \"") + offender.display() + "\"";
        const std::string name = table.name.display();
        throw Error(ExitCode::plan_refused, "excluded table \"" + name + "\" is referenced by copied tables: " + list,
                    "exclude them as well (--exclude-table) or copy \"" + name + "\"");
    }
}

/// What `plan` says of an unlogged table read on a follower.
constexpr const char* k_unreadable_sizing = "unlogged: created empty, a follower has no contents";

/// The settings with every unreadable table (unlogged, read on a follower) excluded: it is
/// created empty, and nothing reads it (selection, sampling, COPY). Its children are unlogged too
/// (a permanent table cannot reference an unlogged one), so they are excluded with it.
SubsetSettings without_unreadable_tables(const Catalog& catalog, SubsetSettings settings) {
    for (const auto& table : catalog.tables) {
        if (!table.unreadable) continue;
        TableOverride excluded;
        excluded.policy = TablePolicy::none;
        excluded.origin = "unlogged table read on a follower";
        settings.overrides[table.name] = excluded;
    }
    return settings;
}

std::string sizing_text(const Sizing& sizing) {
    return std::string(sizing.mode == SizingMode::logarithmic ? "logarithmic " : "fraction ") +
           format_number(sizing.factor);
}

TablePlan plan_table(const Table& table, const SubsetSettings& settings, const FkGraph& graph) {
    const TableOverride& override_entry = override_for(settings, table.name);
    TablePlan plan;
    plan.table = table.name;
    plan.policy = override_entry.policy;
    plan.estimated_rows = table.estimated_rows;
    plan.keyless = table.row_key().empty();
    const std::int64_t rows = table.estimated_rows;
    switch (override_entry.policy) {
    case TablePolicy::all:
        plan.target_rows = rows;
        plan.sizing = "all";
        break;
    case TablePolicy::none:
        plan.target_rows = 0;
        plan.sizing = "none";
        break;
    case TablePolicy::sample:
        if (override_entry.rows) {
            plan.target_rows = *override_entry.rows;
            plan.sizing = "rows: " + std::to_string(*override_entry.rows);
        } else if (override_entry.percent) {
            plan.target_rows = fraction_size(rows, *override_entry.percent / 100.0);
            plan.sizing = "percent: " + format_number(*override_entry.percent);
        } else if (override_entry.where) {
            plan.target_rows = -1;  // every matching row is a seed: unknown until selected
            plan.sizing = "where: " + *override_entry.where;
        } else {
            plan.target_rows = settings.sizing.mode == SizingMode::logarithmic
                                   ? logarithmic_size(rows, settings.sizing.factor)
                                   : fraction_size(rows, settings.sizing.factor);
            plan.sizing = sizing_text(settings.sizing);
        }
        break;
    }
    if (table.unreadable) plan.sizing = k_unreadable_sizing;
    if (plan.policy == TablePolicy::none) return plan;

    const bool forced = std::any_of(settings.forced.begin(), settings.forced.end(),
                                    [&](const ForcedRow& row) { return row.table == table.name; });
    if (plan.policy == TablePolicy::all || plan.target_rows != 0 || forced) plan.reached_as.push_back("seed");
    std::set<QualifiedName> children;
    for (const ForeignKey* reference : graph.children_of(table.name)) {
        if (!reference->is_self_reference() && override_for(settings, reference->child).policy != TablePolicy::none)
            children.insert(reference->child);
    }
    for (const auto& child : children) plan.reached_as.push_back("parent of " + child.display());
    if (settings.children > 0) {
        std::set<QualifiedName> parents;
        for (const ForeignKey* reference : graph.parents_of(table.name)) {
            if (!reference->is_self_reference() && override_for(settings, reference->parent).policy != TablePolicy::none)
                parents.insert(reference->parent);
        }
        for (const auto& parent : parents) plan.reached_as.push_back("child of " + parent.display());
    }
    return plan;
}

}  // namespace

std::string format_number(double value) {
    std::ostringstream out;
    out.imbue(std::locale::classic());
    out.precision(15);
    out << value;
    return out.str();
}

SubsetPlan build_plan(const Catalog& catalog, const SubsetSettings& requested, std::vector<ForeignKey> inferred,
                      std::vector<std::string> warnings) {
    validate_settings(catalog, requested);
    const SubsetSettings settings = without_unreadable_tables(catalog, requested);
    std::vector<ForeignKey> declared = resolve_declared_references(catalog, settings);
    inferred.erase(std::remove_if(inferred.begin(), inferred.end(),
                                  [&](const ForeignKey& reference) {
                                      // A guess pointing into a table copied empty would only refuse the plan.
                                      const Table* parent = catalog.find(reference.parent);
                                      return covered_by(reference, declared) || (parent && parent->unreadable);
                                  }),
                   inferred.end());
    std::sort(inferred.begin(), inferred.end(), [](const ForeignKey& left, const ForeignKey& right) {
        return left.child != right.child ? left.child < right.child : left.name < right.name;
    });

    std::vector<ForeignKey> references = catalog.foreign_keys;
    references.insert(references.end(), declared.begin(), declared.end());
    references.insert(references.end(), inferred.begin(), inferred.end());
    FkGraph graph(catalog, std::move(references));
    check_exclusions(catalog, settings, graph);

    std::vector<TablePlan> tables;
    for (const auto& name : graph.order()) tables.push_back(plan_table(*catalog.find(name), settings, graph));
    return SubsetPlan{std::move(tables), std::move(graph), std::move(inferred), std::move(warnings)};
}

SubsetPlan make_plan(pg::Transaction& tx, const Catalog& catalog, const SubsetSettings& settings) {
    // Settings first: a typo in the config should not wait for the type-value queries.
    validate_settings(catalog, settings);
    resolve_declared_references(catalog, settings);
    std::vector<std::string> warnings;
    std::vector<ForeignKey> inferred;
    if (settings.inference == ReferenceInference::rails) {
        // The models name what the convention can only guess (`belongs_to :author, class_name:
        // "User"`): theirs come first, and a guess for a column they map is dropped.
        std::vector<ForeignKey> from_models;
        if (!settings.rails_app.empty()) from_models = read_rails_model_references(settings.rails_app, catalog, warnings);
        inferred = merge_model_references(std::move(from_models), infer_rails_references(tx, catalog, warnings));
    }
    return build_plan(catalog, settings, std::move(inferred), std::move(warnings));
}

const TablePlan* SubsetPlan::find(const QualifiedName& table) const {
    for (const auto& plan : tables) {
        if (plan.table == table) return &plan;
    }
    return nullptr;
}

}  // namespace understudy::subsetter
