// Suggested references for the starter config: the models' declarations and the probe's best guesses.
#include "pipelines/reference_suggestions.hpp"

#include <map>
#include <tuple>

#include "understudy/join.hpp"

namespace understudy::orchestrator {
namespace {

// YAML double-quoted: references name tables whose names may hold anything.
std::string quoted(const std::string& text) {
    std::string out = "\"";
    for (char character : text) {
        if (character == '"' || character == '\\') out += '\\';
        out += character;
    }
    return out + "\"";
}

std::string endpoint(const subsetter::QualifiedName& table, const std::vector<std::string>& columns) {
    return quoted(table.display() + "(" + join(columns, ", ") + ")");
}

}  // namespace

std::string suggested_references_yaml(const subsetter::SubsetPlan& plan,
                                      const std::vector<subsetter::UnresolvedReference>& unresolved) {
    std::vector<std::string> foreign_keys;
    // Polymorphic pairs, grouped as the config writes them: one entry per (table, type, id) with its types.
    using Pair = std::tuple<subsetter::QualifiedName, std::string, std::string>;
    std::map<Pair, std::vector<std::pair<std::string, std::string>>> polymorphic;
    std::map<Pair, std::vector<std::string>> polymorphic_origins;
    for (const auto& reference : plan.graph.references()) {
        if (reference.origin != subsetter::ReferenceOrigin::model) continue;
        if (reference.condition && reference.child_columns.size() == 1) {
            Pair pair{reference.child, reference.condition->type_column, reference.child_columns.front()};
            polymorphic[pair].emplace_back(reference.condition->type_value, reference.parent.display());
            polymorphic_origins[pair].push_back(reference.reason);
            continue;
        }
        foreign_keys.push_back("#     - {from: " + endpoint(reference.child, reference.child_columns) +
                               ", to: " + endpoint(reference.parent, reference.parent_columns) + "}  # " +
                               reference.reason);
    }
    for (const auto& column : unresolved) {
        if (column.candidates.empty()) {
            foreign_keys.push_back("#     # " + column.display() + ": looks like a reference, no table holds its " +
                                   "sampled values (list it under not_references: if it is none)");
            continue;
        }
        std::vector<std::string> shares;
        for (const auto& candidate : column.candidates) shares.push_back(candidate.display(column.sampled));
        const auto& best = column.candidates.front();
        foreign_keys.push_back("#     - {from: " + endpoint(column.table, {column.column}) + ", to: " +
                               endpoint(best.table, {best.key_column}) + "}  # unresolved; sampled values found in " +
                               join(shares, ", "));
    }
    if (foreign_keys.empty() && polymorphic.empty()) return {};
    std::string out =
        "\n# References the schema does not declare. Review each, then uncomment the subset: block (merge it\n"
        "# with the one above if you have one): every reference you keep is followed like a foreign key.\n"
        "# subset:\n";
    if (!foreign_keys.empty()) out += "#   foreign_keys:\n" + join(foreign_keys, "\n") + "\n";
    if (!polymorphic.empty()) {
        out += "#   polymorphic:\n";
        for (const auto& [pair, types] : polymorphic) {
            std::vector<std::string> entries;
            for (const auto& [value, parent] : types) entries.push_back(quoted(value) + ": " + quoted(parent));
            out += "#     - {table: " + quoted(std::get<0>(pair).display()) + ", type_column: " +
                   quoted(std::get<1>(pair)) + ", id_column: " + quoted(std::get<2>(pair)) + ", types: {" +
                   join(entries, ", ") + "}}  # " + join(polymorphic_origins.at(pair), ", ") + "\n";
        }
    }
    return out;
}

}  // namespace understudy::orchestrator
