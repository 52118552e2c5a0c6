// `understudy plan` output after the table of sizes: cycles, references and their origins, warnings.
#include <algorithm>
#include <string>
#include <vector>

#include "understudy/join.hpp"
#include "understudy/subsetter/subset_plan.hpp"

namespace understudy::subsetter {
namespace {

std::string reference_line(const ForeignKey& reference) {
    std::string line = reference.child.display() + "(" + join(reference.child_columns, ", ") + ") -> " +
                       reference.parent.display() + "(" + join(reference.parent_columns, ", ") + ")";
    if (reference.condition)
        line += " when " + reference.condition->type_column + " = '" + reference.condition->type_value + "'";
    return line;
}

/// Where a reference the schema does not declare comes from, so a user can check it in one look.
std::string origin_text(const ForeignKey& reference) {
    switch (reference.origin) {
    case ReferenceOrigin::constraint: return "constraint";
    case ReferenceOrigin::declared: return reference.reason.empty() ? "config" : reference.reason;
    case ReferenceOrigin::model: return reference.reason;
    case ReferenceOrigin::inferred: return "naming convention: " + reference.reason;
    }
    return reference.reason;
}

}  // namespace

std::string format_plan_notes(const SubsetPlan& plan) {
    std::string out;
    const auto& cycles = plan.graph.cycles();
    if (!cycles.empty()) {
        out += "\ncycles:\n";
        for (const auto& cycle : cycles) {
            std::vector<std::string> names;
            for (const auto& table : cycle) names.push_back(table.display());
            out += "  " + join(names, ", ");
            if (cycle.size() == 1) out += " (self reference)";
            out += "\n";
        }
    }
    // Every reference the schema does not declare: the config's, the models', the convention's.
    std::vector<const ForeignKey*> virtual_references;
    for (const auto& reference : plan.graph.references()) {
        if (reference.origin != ReferenceOrigin::constraint) virtual_references.push_back(&reference);
    }
    std::stable_sort(virtual_references.begin(), virtual_references.end(),
                     [](const ForeignKey* left, const ForeignKey* right) {
                         return left->child != right->child ? left->child < right->child : left->name < right->name;
                     });
    if (!virtual_references.empty()) {
        out += "\nreferences (not declared by the schema):\n";
        for (const ForeignKey* reference : virtual_references)
            out += "  " + reference_line(*reference) + ": " + origin_text(*reference) + "\n";
    }
    std::vector<std::string> warnings = plan.warnings;
    for (const auto& table : plan.tables) {
        // Copied whole or not at all, a table needs no key; sampled, it is reached through filters.
        if (table.keyless && table.policy == TablePolicy::sample)
            warnings.push_back("table \"" + table.table.display() +
                               "\" has no primary key or NOT NULL unique key: its rows are not chosen by key");
    }
    if (!warnings.empty()) {
        out += "\nwarnings:\n";
        for (const auto& warning : warnings) out += "  " + warning + "\n";
    }
    return out;
}

}  // namespace understudy::subsetter
