// Rails naming conventions turned into references: `<x>_id` columns and `<x>_type`/`<x>_id` pairs.
#include "rails_inference.hpp"

#include <algorithm>
#include <set>

#include "understudy/pg/result.hpp"

#include "inflection.hpp"
#include "understudy/pg/database_error.hpp"
#include "understudy/pg/sql_text.hpp"

namespace understudy::subsetter {
namespace {

constexpr std::size_t k_max_type_values = 1000;
const std::string k_id_suffix = "_id";
const std::string k_type_suffix = "_type";

bool ends_with(const std::string& text, const std::string& suffix) {
    return text.size() > suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool is_integer_type(const std::string& type) { return type == "smallint" || type == "integer" || type == "bigint"; }

/// Rails stores class names in `text` or `character varying` columns.
bool is_string_type(const Column& column) {
    return column.base_type == "text" || column.base_type.rfind("character varying", 0) == 0;
}

/// A table named `name` in the child's schema, else in `public` (Rails' default search_path).
const Table* find_table(const Catalog& catalog, const std::string& schema, const std::string& name) {
    if (const Table* table = catalog.find({schema, name})) return table;
    return catalog.find({"public", name});
}

/// Whether `<x>_id` and `<x>_type` of `table` form a polymorphic pair.
bool is_polymorphic_pair(const Table& table, const std::string& stem) {
    const Column* type_column = table.find_column(stem + k_type_suffix);
    return type_column && is_string_type(*type_column) && table.find_column(stem + k_id_suffix);
}

/// Columns that start a FOREIGN KEY of `table`: the schema already says where they point.
std::set<std::string> constrained_columns(const Catalog& catalog, const Table& table) {
    std::set<std::string> columns;
    for (const auto& key : catalog.foreign_keys) {
        if (key.child == table.name && key.origin == ReferenceOrigin::constraint && !key.child_columns.empty())
            columns.insert(key.child_columns.front());
    }
    return columns;
}

std::vector<std::string> read_type_values(pg::Transaction& tx, const Table& table,
                                          const std::string& type_column, std::vector<std::string>& warnings) {
    const std::string column = pg::quote_ident(type_column);
    const std::string query = "SELECT DISTINCT " + column + " FROM " + table.name.quoted() + " WHERE " + column +
                              " IS NOT NULL ORDER BY 1 LIMIT " + std::to_string(k_max_type_values);
    const std::string action =
        "could not read the type values of " + table.name.quoted() + "." + pg::quote_ident(type_column);
    auto rows = pg::with_context(pg::Side::source, action, [&] { return tx.exec(query); });
    std::vector<std::string> values;
    for (const auto& row : rows) values.emplace_back(row[0].c_str());
    // The server sorted by the column's collation; the plan wants the same order on every machine.
    std::sort(values.begin(), values.end());
    if (values.size() == k_max_type_values) {
        warnings.push_back("table \"" + table.name.display() + "\" column \"" + type_column + "\": more than " +
                           std::to_string(k_max_type_values) + " type values, only the first " +
                           std::to_string(k_max_type_values) + " are mapped");
    }
    return values;
}

}  // namespace

bool key_types_compatible(const Column& child, const Column& parent) {
    if (is_integer_type(child.base_type) && is_integer_type(parent.base_type)) return true;
    return child.base_type == parent.base_type;
}

std::vector<ForeignKey> infer_id_references(const Catalog& catalog, const Table& table) {
    std::vector<ForeignKey> references;
    const auto constrained = constrained_columns(catalog, table);
    for (const auto& column : table.columns) {
        if (!ends_with(column.name, k_id_suffix) || constrained.count(column.name)) continue;
        const std::string stem = column.name.substr(0, column.name.size() - k_id_suffix.size());
        if (is_polymorphic_pair(table, stem)) continue;
        // `parent_id` finds a table only if one is called `parents`: Rails self-references name
        // their class explicitly, and guessing the table itself would invent cycles.
        const Table* parent = find_table(catalog, table.name.schema, pluralize(stem));
        if (!parent || parent->row_key() != std::vector<std::string>{"id"}) continue;
        const Column* parent_id = parent->find_column("id");
        if (!parent_id || !key_types_compatible(column, *parent_id)) continue;
        ForeignKey reference;
        reference.name = "rails:" + column.name;
        reference.child = table.name;
        reference.child_columns = {column.name};
        reference.parent = parent->name;
        reference.parent_columns = {"id"};
        reference.origin = ReferenceOrigin::inferred;
        reference.reason =
            "column \"" + column.name + "\" names table \"" + parent->name.display() + "\" (Rails convention)";
        references.push_back(std::move(reference));
    }
    return references;
}

std::vector<ForeignKey> infer_polymorphic_references(const Catalog& catalog, const Table& table,
                                                     const std::string& type_column, const std::string& id_column,
                                                     const std::vector<std::string>& type_values,
                                                     std::vector<std::string>& warnings) {
    std::vector<ForeignKey> references;
    const Column* id = table.find_column(id_column);
    if (!id) return references;
    const std::string where = "table \"" + table.name.display() + "\" column \"" + type_column + "\": type value \"";
    for (const auto& value : type_values) {
        // `Admin::User` is table `admin_users` when Admin is a model, `users` when it is a module.
        std::string underscored = underscore(value);
        std::vector<std::string> candidates;
        std::string flat = underscored;
        std::replace(flat.begin(), flat.end(), '/', '_');
        candidates.push_back(pluralize(flat));
        if (auto slash = underscored.rfind('/'); slash != std::string::npos)
            candidates.push_back(pluralize(underscored.substr(slash + 1)));

        const Table* parent = nullptr;
        for (const auto& candidate : candidates) {
            if ((parent = find_table(catalog, table.name.schema, candidate))) break;
        }
        if (!parent) {
            std::string tried;
            for (const auto& candidate : candidates) tried += (tried.empty() ? "" : ", ") + candidate;
            warnings.push_back(where + value + "\" names no table (tried " + tried + ")");
            continue;
        }
        const auto& key = parent->row_key();
        if (key.size() != 1) {
            warnings.push_back(where + value + "\" names table \"" + parent->name.display() +
                               "\", which has no single-column key");
            continue;
        }
        const Column* key_column = parent->find_column(key.front());
        if (!key_column || !key_types_compatible(*id, *key_column)) {
            warnings.push_back(where + value + "\" names table \"" + parent->name.display() + "\", whose key \"" +
                               key.front() + "\" does not match the type of \"" + id_column + "\"");
            continue;
        }
        ForeignKey reference;
        reference.name = "polymorphic:" + type_column + "=" + value;
        reference.child = table.name;
        reference.child_columns = {id_column};
        reference.parent = parent->name;
        reference.parent_columns = key;
        reference.origin = ReferenceOrigin::inferred;
        reference.condition = PolymorphicCondition{type_column, value};
        reference.reason = "polymorphic pair " + type_column + "/" + id_column + ": \"" + value + "\" -> " +
                           parent->name.display() + " (Rails convention)";
        references.push_back(std::move(reference));
    }
    return references;
}

std::vector<ForeignKey> infer_rails_references(pg::Transaction& tx, const Catalog& catalog,
                                               std::vector<std::string>& warnings) {
    std::vector<ForeignKey> references;
    for (const auto& table : catalog.tables) {
        auto by_id = infer_id_references(catalog, table);
        references.insert(references.end(), by_id.begin(), by_id.end());

        const auto constrained = constrained_columns(catalog, table);
        for (const auto& column : table.columns) {
            if (!ends_with(column.name, k_type_suffix)) continue;
            const std::string stem = column.name.substr(0, column.name.size() - k_type_suffix.size());
            const std::string id_column = stem + k_id_suffix;
            if (!is_polymorphic_pair(table, stem) || constrained.count(id_column)) continue;
            // An unlogged table on a follower cannot be read; it is copied empty anyway.
            if (table.unreadable) continue;
            auto values = read_type_values(tx, table, column.name, warnings);
            auto polymorphic = infer_polymorphic_references(catalog, table, column.name, id_column, values, warnings);
            references.insert(references.end(), polymorphic.begin(), polymorphic.end());
        }
    }
    std::stable_sort(references.begin(), references.end(), [](const ForeignKey& left, const ForeignKey& right) {
        return left.child != right.child ? left.child < right.child : left.name < right.name;
    });
    return references;
}

}  // namespace understudy::subsetter
