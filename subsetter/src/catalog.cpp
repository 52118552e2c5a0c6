// The catalog model's small helpers (names, keys, lookups); loading lives in catalog_loader.cpp.
#include "understudy/subsetter/catalog.hpp"

#include <algorithm>

#include "understudy/error.hpp"
#include "understudy/pg/sql_text.hpp"

namespace understudy::subsetter {

std::string QualifiedName::quoted() const { return pg::quote_ident(schema) + "." + pg::quote_ident(name); }

std::string QualifiedName::display() const { return schema + "." + name; }

QualifiedName QualifiedName::parse(const std::string& text) {
    auto dot = text.find('.');
    if (dot == std::string::npos) return {"public", text};
    return {text.substr(0, dot), text.substr(dot + 1)};
}

const std::vector<std::string>& Table::row_key() const {
    if (!primary_key.empty() || unique_keys.empty()) return primary_key;
    return unique_keys.front();
}

const Column* Table::find_column(const std::string& column_name) const {
    for (const auto& column : columns) {
        if (column.name == column_name) return &column;
    }
    return nullptr;
}

std::vector<std::string> Table::copy_columns() const {
    std::vector<std::string> names;
    for (const auto& column : columns) {
        if (!column.generated) names.push_back(column.name);
    }
    return names;
}

const Table* Catalog::find(const QualifiedName& name) const {
    auto found = std::lower_bound(tables.begin(), tables.end(), name,
                                  [](const Table& table, const QualifiedName& key) { return table.name < key; });
    return found != tables.end() && found->name == name ? &*found : nullptr;
}

const Table& Catalog::require(const QualifiedName& name, const std::string& context) const {
    if (const Table* table = find(name)) return *table;
    throw ConfigError(context + ": unknown table \"" + name.display() + "\"");
}

}  // namespace understudy::subsetter
