// The source database's shape as the subsetter needs it: tables, keys, references, sequences.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "understudy/pg/transaction.hpp"

namespace understudy::subsetter {

/// A schema-qualified relation name; ordered by (schema, name), the canonical order everywhere.
struct QualifiedName {
    std::string schema;
    std::string name;

    /// `"schema"."name"`, ready for SQL.
    std::string quoted() const;
    /// `schema.name`, for messages, plans and config keys.
    std::string display() const;
    /// Parses `schema.name` or `name` (schema `public`); quotes are not interpreted.
    static QualifiedName parse(const std::string& text);

    bool operator==(const QualifiedName& other) const { return schema == other.schema && name == other.name; }
    bool operator!=(const QualifiedName& other) const { return !(*this == other); }
    bool operator<(const QualifiedName& other) const {
        return schema != other.schema ? schema < other.schema : name < other.name;
    }
};

/// One column of a table, in attnum order.
struct Column {
    std::string name;
    std::string type;            ///< format_type(): `bigint`, `character varying(20)`, `public.mood`
    std::string base_type;       ///< for domains, the type underneath (hash and array casts use it)
    std::string type_category;   ///< pg_type.typcategory of the base type: N numeric, S string, U user...
    bool not_null = false;
    bool generated = false;      ///< GENERATED ALWAYS AS (...) STORED: never copied, the target computes it
    bool identity = false;       ///< GENERATED ... AS IDENTITY: copied, its sequence is set afterwards
};

/// Only for polymorphic references: the child row points at this parent only when
/// `type_column` holds `type_value` (Rails' `commentable_type = 'Post'`).
struct PolymorphicCondition {
    std::string type_column;
    std::string type_value;
};

/// Where a reference comes from: a FOREIGN KEY, the config, the Rails models, a naming convention.
enum class ReferenceOrigin { constraint, declared, model, inferred };

/// A reference from child rows to parent rows: a FOREIGN KEY constraint, or a virtual one
/// declared in the config or inferred from naming conventions.
struct ForeignKey {
    std::string name;                         ///< constraint name, or a generated one for virtual keys
    QualifiedName child;
    std::vector<std::string> child_columns;
    QualifiedName parent;
    std::vector<std::string> parent_columns;  ///< the parent's PK or a unique key, same order as child_columns
    ReferenceOrigin origin = ReferenceOrigin::constraint;
    std::optional<PolymorphicCondition> condition;
    std::string reason;                       ///< why an inferred or declared reference exists

    bool is_self_reference() const { return child == parent; }
};

/// A sequence and, when it is owned by or is the identity of a column, that column.
struct Sequence {
    QualifiedName name;
    std::optional<QualifiedName> table;
    std::string column;
    /// Unlogged, read on a follower: it has no state there, so it is never read (left at its start).
    bool unreadable = false;
};

/// A table to copy: a plain table, or a partitioned table standing for all its partitions.
struct Table {
    QualifiedName name;
    std::vector<Column> columns;
    std::vector<std::string> primary_key;               ///< empty when there is none
    std::vector<std::vector<std::string>> unique_keys;  ///< unique constraints/indexes on NOT NULL columns, no predicate
    std::vector<std::string> unique_columns;            ///< every column any unique index or the PK reads (sorted)
    bool partitioned = false;
    std::vector<QualifiedName> partitions;              ///< leaf partitions (a whole copy loads them one by one)
    bool foreign_partitions = false;                    ///< a leaf is a foreign table: rows go through the root
    bool has_inheritance_children = false;              ///< plain INHERITS children: read with ONLY
    std::int64_t estimated_rows = 0;                    ///< reltuples, or count(*) when never analyzed
    bool unlogged = false;                              ///< CREATE UNLOGGED TABLE (relpersistence 'u')
    /// Unlogged, and the catalog was read on a follower, which has no contents for it (every read
    /// fails with SQLSTATE 0A000): it is never read, and the copy creates it empty.
    bool unreadable = false;

    /// The columns that identify a row: the primary key, else the first unique key on NOT NULL
    /// columns, else empty (the table is then selected through its references only).
    const std::vector<std::string>& row_key() const;
    const Column* find_column(const std::string& column_name) const;
    /// The columns COPY moves: all but generated ones.
    std::vector<std::string> copy_columns() const;
};

/// Everything the subsetter reads from the source, in canonical (schema, name) order.
struct Catalog {
    std::vector<Table> tables;              ///< sorted by name; leaf partitions are not listed
    std::vector<ForeignKey> foreign_keys;   ///< sorted by (child, name)
    std::vector<Sequence> sequences;        ///< sorted by name
    std::vector<QualifiedName> materialized_views;  ///< populated ones, refreshed after the load
    bool read_on_follower = false;          ///< pg_is_in_recovery() where the catalog was read

    const Table* find(const QualifiedName& name) const;
    /// Like find(), but throws a config error naming `context` when the table does not exist.
    const Table& require(const QualifiedName& name, const std::string& context) const;
};

/// Which schemas to read: all non-system schemas when `schemas` is empty.
struct CatalogFilter {
    std::vector<std::string> schemas;
};

/// Reads the catalog inside the source snapshot's transaction (a few queries, no writes).
Catalog load_catalog(pg::Transaction& tx, const CatalogFilter& filter = {});

}  // namespace understudy::subsetter
