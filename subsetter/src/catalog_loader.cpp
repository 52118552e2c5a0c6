// Reads the source's catalog (tables, columns, keys, references, sequences) inside the run's snapshot.
#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "understudy/pg/result.hpp"

#include "understudy/pg/database_error.hpp"
#include "understudy/pg/sql_text.hpp"
#include "understudy/pg/user_schemas.hpp"
#include "understudy/sql/subsetter_sql.hpp"
#include "understudy/subsetter/catalog.hpp"

namespace understudy::subsetter {
namespace {

using Oid = std::int64_t;

std::string text_array(const std::vector<std::string>& values) {
    std::vector<std::string_view> views(values.begin(), values.end());
    return pg::array_literal(views);
}

std::string oid_array(const std::map<Oid, std::size_t>& oids) {
    std::string out = "{";
    for (const auto& [oid, index] : oids) {
        if (out.size() > 1) out += ',';
        out += std::to_string(oid);
    }
    out += '}';
    return out;
}

std::string text_of(const pg::Field& field) { return field.is_null() ? std::string() : field.c_str(); }

bool bool_of(const pg::Field& field) { return !field.is_null() && field.as<bool>(); }

/// The catalog being built, with the oid of each table so later queries can be matched to it.
struct Loading {
    Catalog catalog;
    std::map<Oid, std::size_t> index_by_oid;

    Table* table(Oid oid) {
        auto found = index_by_oid.find(oid);
        return found == index_by_oid.end() ? nullptr : &catalog.tables[found->second];
    }
};

void load_tables(pg::Transaction& tx, const std::string& schemas, Loading& loading) {
    auto rows = tx.exec_params(pg::with_user_schema_filter(sql::k_catalog_tables), schemas);
    std::vector<std::pair<Table, Oid>> tables;
    for (const auto& row : rows) {
        Table table;
        table.name = {text_of(row["schema_name"]), text_of(row["table_name"])};
        table.partitioned = bool_of(row["partitioned"]);
        table.has_inheritance_children = bool_of(row["has_inheritance_children"]);
        table.unlogged = bool_of(row["unlogged"]);
        // An unlogged table's contents are not in the WAL: a follower has none to read.
        table.unreadable = table.unlogged && loading.catalog.read_on_follower;
        table.estimated_rows = table.unreadable ? 0 : row["estimated_rows"].as<std::int64_t>(0);
        if (!table.unreadable && bool_of(row["needs_count"])) {
            // Never vacuumed or analyzed (reltuples = -1 on PostgreSQL 14+): the estimate would
            // be a guess, and the plan sizes samples from it, so count. A partitioned table is
            // counted through all its partitions, which is what it stands for; a parent of plain
            // INHERITS children only for its own rows (ONLY), as reltuples would.
            const std::string only = table.partitioned ? "" : "ONLY ";
            table.estimated_rows =
                tx.exec1("SELECT count(*) FROM " + only + table.name.quoted())[0].as<std::int64_t>();
        }
        tables.emplace_back(std::move(table), row["table_oid"].as<Oid>());
    }
    // SQL sorted with COLLATE "C"; sort again so the order is QualifiedName's by construction.
    std::sort(tables.begin(), tables.end(),
              [](const auto& left, const auto& right) { return left.first.name < right.first.name; });
    for (auto& [table, oid] : tables) {
        loading.index_by_oid.emplace(oid, loading.catalog.tables.size());
        loading.catalog.tables.push_back(std::move(table));
    }
}

void load_partitions(pg::Transaction& tx, const std::string& oids, Loading& loading) {
    for (const auto& row : tx.exec_params(std::string(sql::k_catalog_partitions), oids)) {
        if (Table* table = loading.table(row["table_oid"].as<Oid>())) {
            table->partitions.push_back({text_of(row["schema_name"]), text_of(row["partition_name"])});
            if (row["foreign_table"].as<bool>()) table->foreign_partitions = true;
        }
    }
    for (auto& table : loading.catalog.tables) std::sort(table.partitions.begin(), table.partitions.end());
}

void load_columns(pg::Transaction& tx, const std::string& oids, Loading& loading) {
    for (const auto& row : tx.exec_params(std::string(sql::k_catalog_columns), oids)) {
        Table* table = loading.table(row["table_oid"].as<Oid>());
        if (!table) continue;
        Column column;
        column.name = text_of(row["column_name"]);
        column.type = text_of(row["type"]);
        column.base_type = text_of(row["base_type"]);
        column.type_category = text_of(row["type_category"]);
        column.not_null = bool_of(row["not_null"]);
        column.generated = bool_of(row["generated"]);
        column.identity = bool_of(row["identity"]);
        table->columns.push_back(std::move(column));
    }
}

void load_keys(pg::Transaction& tx, const std::string& oids, Loading& loading) {
    struct Key {
        bool primary = false;
        bool all_not_null = true;
        std::vector<std::string> columns;
    };
    // (table oid, index name) -> key; rows arrive in key position order.
    std::map<std::pair<Oid, std::string>, Key> keys;
    for (const auto& row : tx.exec_params(std::string(sql::k_catalog_keys), oids)) {
        auto& key = keys[{row["table_oid"].as<Oid>(), text_of(row["index_name"])}];
        key.primary = bool_of(row["is_primary"]);
        key.all_not_null = key.all_not_null && bool_of(row["not_null"]);
        key.columns.push_back(text_of(row["column_name"]));
    }
    std::map<Oid, std::vector<std::pair<std::string, std::vector<std::string>>>> unique_by_table;
    for (auto& [id, key] : keys) {
        Table* table = loading.table(id.first);
        if (!table) continue;
        if (key.primary) {
            table->primary_key = key.columns;
        } else if (key.all_not_null) {
            // A unique key with a nullable column lets many rows hold NULL there: it cannot name a row.
            unique_by_table[id.first].emplace_back(id.second, std::move(key.columns));
        }
    }
    for (auto& [oid, candidates] : unique_by_table) {
        Table* table = loading.table(oid);
        std::sort(candidates.begin(), candidates.end(), [](const auto& left, const auto& right) {
            if (left.second.size() != right.second.size()) return left.second.size() < right.second.size();
            return left.first < right.first;
        });
        for (auto& [index_name, columns] : candidates) {
            // A unique constraint and a unique index on the same columns, or a key repeating the
            // primary key, would only add noise.
            if (columns == table->primary_key) continue;
            if (std::find(table->unique_keys.begin(), table->unique_keys.end(), columns) != table->unique_keys.end())
                continue;
            table->unique_keys.push_back(std::move(columns));
        }
    }
}

void load_unique_columns(pg::Transaction& tx, const std::string& oids, Loading& loading) {
    for (const auto& row : tx.exec_params(std::string(sql::k_catalog_unique_columns), oids)) {
        if (Table* table = loading.table(row["table_oid"].as<Oid>())) table->unique_columns.push_back(text_of(row["column_name"]));
    }
}

void load_foreign_keys(pg::Transaction& tx, const std::string& oids, Loading& loading) {
    std::map<Oid, ForeignKey> by_constraint;
    std::set<Oid> on_partition;
    for (const auto& row : tx.exec_params(std::string(sql::k_catalog_foreign_keys), oids)) {
        const Table* child = loading.table(row["child_oid"].as<Oid>());
        const Table* parent = loading.table(row["parent_oid"].as<Oid>());
        if (!child || !parent) continue;
        const Oid constraint_oid = row["constraint_oid"].as<Oid>();
        if (!bool_of(row["on_root"])) on_partition.insert(constraint_oid);
        auto& key = by_constraint[constraint_oid];
        key.name = text_of(row["constraint_name"]);
        key.child = child->name;
        key.parent = parent->name;
        key.origin = ReferenceOrigin::constraint;
        key.child_columns.push_back(text_of(row["child_column"]));
        key.parent_columns.push_back(text_of(row["parent_column"]));
    }
    // Keys declared on the root come first, so that of equal keys the one kept is the one a
    // user sees on the table; keys declared on several partitions of one root all land on the
    // root with the same columns, and one of them says everything the subset needs.
    std::vector<std::pair<bool, ForeignKey>> candidates;
    for (auto& [oid, key] : by_constraint) candidates.emplace_back(on_partition.count(oid) > 0, std::move(key));
    std::sort(candidates.begin(), candidates.end(), [](const auto& left, const auto& right) {
        return std::tie(left.first, left.second.child, left.second.name) <
               std::tie(right.first, right.second.child, right.second.name);
    });
    std::vector<ForeignKey> kept;
    for (auto& [partition_level, key] : candidates) {
        bool duplicate = std::any_of(kept.begin(), kept.end(), [&](const ForeignKey& other) {
            return other.child == key.child && other.parent == key.parent && other.child_columns == key.child_columns &&
                   other.parent_columns == key.parent_columns;
        });
        if (!duplicate) kept.push_back(std::move(key));
    }
    std::sort(kept.begin(), kept.end(), [](const ForeignKey& left, const ForeignKey& right) {
        return std::tie(left.child, left.name, left.parent, left.child_columns) <
               std::tie(right.child, right.name, right.parent, right.child_columns);
    });
    loading.catalog.foreign_keys = std::move(kept);
}

void load_sequences(pg::Transaction& tx, const std::string& schemas, Loading& loading) {
    for (const auto& row : tx.exec_params(pg::with_user_schema_filter(sql::k_catalog_sequences), schemas)) {
        Sequence sequence;
        sequence.name = {text_of(row["schema_name"]), text_of(row["sequence_name"])};
        sequence.unreadable = bool_of(row["unlogged"]) && loading.catalog.read_on_follower;
        if (!row["owner_table"].is_null()) {
            sequence.table = QualifiedName{text_of(row["owner_schema"]), text_of(row["owner_table"])};
            sequence.column = text_of(row["owner_column"]);
        }
        loading.catalog.sequences.push_back(std::move(sequence));
    }
    std::sort(loading.catalog.sequences.begin(), loading.catalog.sequences.end(),
              [](const Sequence& left, const Sequence& right) { return left.name < right.name; });
}

void load_materialized_views(pg::Transaction& tx, const std::string& schemas, Loading& loading) {
    for (const auto& row : tx.exec_params(pg::with_user_schema_filter(sql::k_catalog_materialized_views), schemas)) {
        loading.catalog.materialized_views.push_back({text_of(row["schema_name"]), text_of(row["view_name"])});
    }
    std::sort(loading.catalog.materialized_views.begin(), loading.catalog.materialized_views.end());
}

}  // namespace

Catalog load_catalog(pg::Transaction& tx, const CatalogFilter& filter) {
    return pg::with_context(pg::Side::source, "could not read the catalog", [&] {
        Loading loading;
        const std::string schemas = text_array(filter.schemas);
        loading.catalog.read_on_follower = tx.exec1("SELECT pg_is_in_recovery()")[0].as<bool>();
        load_tables(tx, schemas, loading);
        const std::string oids = oid_array(loading.index_by_oid);
        load_partitions(tx, oids, loading);
        load_columns(tx, oids, loading);
        load_keys(tx, oids, loading);
        load_unique_columns(tx, oids, loading);
        load_foreign_keys(tx, oids, loading);
        load_sequences(tx, schemas, loading);
        load_materialized_views(tx, schemas, loading);
        return std::move(loading.catalog);
    });
}

}  // namespace understudy::subsetter
