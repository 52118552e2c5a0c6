// What the user asked the subset to be: sizing, overrides, forced rows and extra references.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "understudy/subsetter/catalog.hpp"

namespace understudy::subsetter {

/// How a table's row count becomes a target size.
enum class SizingMode { logarithmic, fraction };

/// rdbms-subsetter's two formulas, so migrating users get the sizes they know.
struct Sizing {
    SizingMode mode = SizingMode::logarithmic;
    double factor = 0.5;
};

/// What a table gets: a sample (sized by the plan, or by rows/percent/where), all rows, or none.
enum class TablePolicy { sample, all, none };

/// A per-table override from the config file or `--full-table` / `--exclude-table`.
struct TableOverride {
    TablePolicy policy = TablePolicy::sample;
    std::optional<std::int64_t> rows;     ///< `rows: N`
    std::optional<double> percent;        ///< `percent: P`
    std::optional<std::string> where;     ///< `where: SQL`: every matching row is a seed
    std::string origin;                   ///< "file:line" or "--full-table", for messages
};

/// A row that must be in the subset: `--force users:1`, `orders:(7,2)` for composite keys.
struct ForcedRow {
    QualifiedName table;
    std::vector<std::string> key;   ///< one text value per key column
    std::string spec;               ///< as the user wrote it, for messages

    /// Parses `table:value` or `schema.table:(v1,v2)`; throws Error(usage) on bad syntax.
    static ForcedRow parse(const std::string& spec);
};

/// A Rails/Django-style polymorphic pair: `type_column` names the parent table of `id_column`.
struct PolymorphicReference {
    QualifiedName table;
    std::string type_column;
    std::string id_column;
    std::map<std::string, QualifiedName> types;   ///< type value -> parent table (its row key)
    std::string origin;
};

/// How seed rows are chosen. `probe` costs O(target · log n): deterministic probes into the key's
/// range through its index (a block sample where the key cannot be probed). `exact` takes the rows
/// with the smallest seeded hash of their key: independent of gaps in the key space and of where
/// rows are stored, but it reads every key of every sampled table.
enum class SamplingMode { probe, exact };

/// Which naming conventions to infer references from.
enum class ReferenceInference { none, rails };

/// Everything `subset` and `plan` need besides the source.
struct SubsetSettings {
    Sizing sizing;
    std::uint64_t seed = 0;
    int children = 3;
    SamplingMode sampling = SamplingMode::probe;
    std::vector<ForcedRow> forced;
    std::map<QualifiedName, TableOverride> overrides;
    TablePolicy default_policy = TablePolicy::sample;     ///< for tables without an override (sync's full copy: all)
    std::vector<ForeignKey> declared_references;          ///< origin = declared
    std::vector<PolymorphicReference> polymorphic;
    ReferenceInference inference = ReferenceInference::none;
    /// With `rails` inference: the app whose `app/models` declare references (empty: none).
    std::string rails_app;
    std::vector<std::string> not_references;              ///< `schema.table.column`s that only look like references
    bool strict_references = false;                       ///< unresolved references refuse the run (exit 14)
    CatalogFilter catalog_filter;
};

}  // namespace understudy::subsetter
