// Key selection on the source: seeds, forced rows, parent closure and bounded children.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "understudy/pg/transaction.hpp"

#include "understudy/subsetter/catalog.hpp"
#include "understudy/subsetter/subset_plan.hpp"
#include "understudy/subsetter/subset_settings.hpp"

namespace understudy::subsetter {

/// A row key as text: the key columns' text values joined by '\0' (PostgreSQL text never holds
/// NUL, so the encoding is unambiguous).
using RowKey = std::string;

/// How a table's rows are chosen for the copy.
enum class SelectionMode {
    keys,      ///< exactly the rows with the keys in `keys`
    all,       ///< the whole table
    none,      ///< no rows (the table is created empty)
    filtered,  ///< a table without a row key: the rows `select_statements` describe
};

/// One reference of a table without a row key, and the parent values its rows may point at.
struct ReferenceFilter {
    std::vector<std::string> columns;              ///< the child columns
    std::vector<std::string> types;                ///< their types, for the array casts
    std::optional<PolymorphicCondition> condition; ///< the reference exists only for this type value
    bool any_value = false;                        ///< the parent is copied whole: every value matches
    std::vector<RowKey> values;                    ///< sorted selected parent values, encoded like RowKey
};

/// How the rows of a table without a row key are chosen (mode filtered).
struct RowFilter {
    /// A row needs at least one active reference (all columns non-NULL, condition met), and every
    /// active one must point at a selected parent.
    std::vector<ReferenceFilter> references;
    std::string where;              ///< an override's `where:` SQL that rows must also match; may be empty
    std::int64_t sample_rows = -1;  ///< without references: this many rows in seeded hash order (-1: all)
    /// Without references: the rows come from `TABLESAMPLE SYSTEM (sample_percent) REPEATABLE (seed)`,
    /// which reads only the sampled blocks; 100 reads the whole table (sampling exact).
    double sample_percent = 100.0;
    std::uint64_t seed = 0;
};

/// Rows of a table that the closure added through one reference: what `plan` shows as "why".
struct ClosureRows {
    std::string reference;  ///< reference_text(): "public.tasks(creator_id) -> public.users"
    bool parents = true;    ///< true: parents that selected rows of the referencing table need; false: children
    std::int64_t rows = 0;  ///< new rows (a row counts for the first reference that added it)
};

/// The chosen rows of one table, and how many came for which reason.
struct TableSelection {
    QualifiedName table;
    SelectionMode mode = SelectionMode::keys;
    std::vector<std::string> key_columns;
    std::vector<RowKey> keys;           ///< sorted, unique (mode keys)
    std::int64_t seed_rows = 0;
    std::int64_t forced_rows = 0;
    std::int64_t parent_rows = 0;       ///< added because a selected row references them
    std::int64_t child_rows = 0;        ///< added as children of seed, forced or child rows
    /// parent_rows and child_rows by the reference that pulled them, most rows first.
    std::vector<ClosureRows> closure;
    std::int64_t filtered_rows = -1;    ///< mode filtered: counted rows, when known
    RowFilter filter;                   ///< mode filtered: which rows
    /// Rows the selection made the source read from this table, by phase ("seeds", "parents",
    /// "children", "full_tables", "filter"): its share of what a review app costs the follower.
    std::map<std::string, std::int64_t> rows_read;

    /// Rows that will be copied (keys.size(), or filtered_rows; -1 when unknown, as for `all`).
    std::int64_t row_count() const;
    /// The SELECTs whose union is the table's rows, each at most `batch_size` keys, ordered by the
    /// row key so repeated runs load rows in the same order. Columns are `table.copy_columns()`.
    /// Keys are inlined as array literals: COPY, which wraps these, takes no parameters.
    std::vector<std::string> select_statements(const Table& table, std::size_t batch_size = 50000) const;
};

/// The whole selection, by table.
struct Selection {
    std::map<QualifiedName, TableSelection> tables;
    int rounds = 0;   ///< closure rounds until the fixed point
    std::int64_t rows_read = 0;  ///< rows read from the source's tables, all phases and tables

    const TableSelection* find(const QualifiedName& table) const;
};

/// Progress of the selection, for the terminal: "round 2: public.orders +120 rows".
using SelectionProgress = std::function<void(const std::string& message)>;

/// Chooses the rows inside the source snapshot (`tx` is read-only; nothing is written anywhere:
/// keys live in client memory and go back to the server as array literals). Same seed and same
/// source state give the same rows, whatever the physical row order. Throws Error(plan_refused)
/// naming the row when a forced row does not exist. `parallel` are further read-only transactions
/// that imported the snapshot of `tx`: the independent queries of each step run on all of them.
Selection select_rows(pg::Transaction& tx, const Catalog& catalog, const SubsetPlan& plan,
                      const SubsetSettings& settings, const SelectionProgress& progress = {},
                      const std::vector<pg::Transaction*>& parallel = {});

}  // namespace understudy::subsetter
