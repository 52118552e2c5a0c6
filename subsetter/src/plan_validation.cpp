// Checks the user's overrides, forced rows and declared references against the source's catalog.
#include <algorithm>

#include "plan_builder.hpp"
#include "understudy/error.hpp"

namespace understudy::subsetter {
namespace {

std::string quoted_list(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& name : names) out += (out.empty() ? "\"" : ", \"") + name + "\"";
    return out;
}

std::vector<std::string> sorted(std::vector<std::string> names) {
    std::sort(names.begin(), names.end());
    return names;
}

void require_column(const Table& table, const std::string& column, const std::string& context) {
    if (!table.find_column(column))
        throw ConfigError(context + ": table \"" + table.name.display() + "\" has no column \"" + column + "\"");
}

std::string reference_context(const ForeignKey& reference) {
    std::string context = "declared reference \"" + reference.name + "\"";
    if (!reference.reason.empty()) context += " (" + reference.reason + ")";
    return context;
}

ForeignKey resolve_reference(const Catalog& catalog, ForeignKey reference) {
    const std::string context = reference_context(reference);
    const Table& child = catalog.require(reference.child, context);
    const Table& parent = catalog.require(reference.parent, context);
    if (reference.child_columns.empty()) throw ConfigError(context + ": no child columns given");
    for (const auto& column : reference.child_columns) require_column(child, column, context);
    if (reference.parent_columns.empty()) {
        if (parent.row_key().empty())
            throw ConfigError(context + ": table \"" + parent.name.display() +
                                  "\" has no primary key or NOT NULL unique key",
                              "name the parent columns of the reference");
        reference.parent_columns = parent.row_key();
    }
    for (const auto& column : reference.parent_columns) require_column(parent, column, context);
    if (reference.parent_columns.size() != reference.child_columns.size())
        throw ConfigError(context + ": " + std::to_string(reference.child_columns.size()) + " child columns but " +
                          std::to_string(reference.parent_columns.size()) + " parent columns");
    // A reference must name one parent row per child row, which only a unique key guarantees.
    const auto wanted = sorted(reference.parent_columns);
    bool is_key = !parent.primary_key.empty() && sorted(parent.primary_key) == wanted;
    for (const auto& unique_key : parent.unique_keys) is_key = is_key || sorted(unique_key) == wanted;
    if (!is_key)
        throw ConfigError(context + ": columns " + quoted_list(reference.parent_columns) + " of table \"" +
                              parent.name.display() + "\" are not its primary key or a NOT NULL unique key",
                          "reference the parent's primary key or a unique key");
    reference.origin = ReferenceOrigin::declared;
    if (reference.condition) require_column(child, reference.condition->type_column, context);
    return reference;
}

std::vector<ForeignKey> expand_polymorphic(const Catalog& catalog, const PolymorphicReference& pair) {
    const std::string context = pair.origin.empty() ? "polymorphic reference" : pair.origin;
    const Table& table = catalog.require(pair.table, context);
    require_column(table, pair.type_column, context);
    require_column(table, pair.id_column, context);
    std::vector<ForeignKey> references;
    for (const auto& [type_value, parent_name] : pair.types) {
        const Table& parent = catalog.require(parent_name, context);
        if (parent.row_key().size() != 1)
            throw ConfigError(context + ": table \"" + parent.name.display() + "\" (type \"" + type_value +
                              "\") has no single-column primary key or NOT NULL unique key");
        ForeignKey reference;
        reference.name = "polymorphic:" + pair.type_column + "=" + type_value;
        reference.child = table.name;
        reference.child_columns = {pair.id_column};
        reference.parent = parent.name;
        reference.parent_columns = parent.row_key();
        reference.origin = ReferenceOrigin::declared;
        reference.condition = PolymorphicCondition{pair.type_column, type_value};
        reference.reason = "polymorphic pair " + pair.type_column + "/" + pair.id_column + ": \"" + type_value +
                           "\" -> " + parent.name.display();
        if (!pair.origin.empty()) reference.reason += " (" + pair.origin + ")";
        references.push_back(std::move(reference));
    }
    return references;
}

}  // namespace

void validate_settings(const Catalog& catalog, const SubsetSettings& settings) {
    for (const auto& [name, override_entry] : settings.overrides) {
        const std::string context = override_entry.origin.empty() ? "table override" : override_entry.origin;
        catalog.require(name, context);
        if (override_entry.rows && *override_entry.rows < 0)
            throw ConfigError(context + ": rows for table \"" + name.display() + "\" must not be negative");
        if (override_entry.percent && !(*override_entry.percent >= 0 && *override_entry.percent <= 100))
            throw ConfigError(context + ": percent for table \"" + name.display() + "\" must be between 0 and 100");
    }
    for (const auto& forced : settings.forced) {
        const std::string context = "--force \"" + forced.spec + "\"";
        const Table& table = catalog.require(forced.table, context);
        const auto& key = table.row_key();
        if (key.empty())
            throw ConfigError(context + ": table \"" + table.name.display() +
                              "\" has no primary key or NOT NULL unique key to name a row by");
        if (key.size() != forced.key.size())
            throw ConfigError(context + ": the key of table \"" + table.name.display() + "\" has " +
                                  std::to_string(key.size()) + " column" + (key.size() == 1 ? "" : "s") + " (" +
                                  quoted_list(key) + "), " + std::to_string(forced.key.size()) + " value" +
                                  (forced.key.size() == 1 ? "" : "s") + " given",
                              "write composite keys as TABLE:(K1,K2) in key column order");
    }
}

std::vector<ForeignKey> resolve_declared_references(const Catalog& catalog, const SubsetSettings& settings) {
    std::vector<ForeignKey> references;
    for (const auto& reference : settings.declared_references) references.push_back(resolve_reference(catalog, reference));
    for (const auto& pair : settings.polymorphic) {
        auto expanded = expand_polymorphic(catalog, pair);
        references.insert(references.end(), expanded.begin(), expanded.end());
    }
    return references;
}

}  // namespace understudy::subsetter
