// How each query of the selection reaches its rows (index probe, index lookup, block sample, full
// scan), what the planner expects it to read, and the references whose lookups scan a whole table.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "understudy/pg/transaction.hpp"

#include "understudy/subsetter/btree_indexes.hpp"
#include "understudy/subsetter/catalog.hpp"
#include "understudy/subsetter/subset_plan.hpp"
#include "understudy/subsetter/subset_settings.hpp"

namespace understudy::subsetter {

/// Why the selection reads a table.
enum class AccessKind {
    seeds,        ///< choosing the table's seed rows (sample, or an override's `where:`)
    parents,      ///< fetching rows that selected rows of other tables reference
    children,     ///< fetching up to `--children` rows per selected parent, through one reference
    filter,       ///< a table without a row key: its rows that point at selected parents, through one reference
    whole_table,  ///< the table is copied whole (`all`)
};

/// How a query reaches the rows it reads.
enum class AccessPath { index_probe, index_lookup, block_sample, full_scan };

/// "index probe", "index lookup", "block sample", "full scan".
const char* access_path_name(AccessPath path);

/// One query of the selection on one table.
struct TableAccess {
    AccessKind kind = AccessKind::seeds;
    std::optional<ForeignKey> reference;  ///< children and filter: the reference looked up through
    std::vector<std::string> columns;     ///< the columns a lookup compares (parents: the referenced ones)
    AccessPath path = AccessPath::full_scan;
    /// A representative SELECT of the access, for EXPLAIN: a lookup compares with a value the planner
    /// cannot see (`= (SELECT NULL::bigint)`), so it plans the generic equality the selection runs.
    std::string query;
    std::int64_t lookups = 1;          ///< how many values are looked up (an estimate from the targets)
    std::int64_t planner_rows = -1;    ///< EXPLAIN's row estimate of `query` (per value for a lookup); -1: not asked
    /// An index serves the access, but the planner's plan reads the whole table instead (cheaper
    /// for a small table, or when a value matches much of it): not a missing index.
    bool planner_prefers_scan = false;
    /// Why EXPLAIN refused the query (a broken `where:`, row-level security that applies to the
    /// role): the rules' path stands, without an estimate. Empty when it was explained.
    std::string explain_error;
    std::int64_t expected_rows_read = 0;

    /// "seeds", "parents", "children via public.tasks(creator_id) -> public.users", "whole table".
    std::string description() const;
};

/// The accesses of one table, in a fixed order (seeds, parents, children, filters, whole table).
struct TableAccesses {
    QualifiedName table;
    std::vector<TableAccess> accesses;
    std::int64_t expected_rows_read = 0;
};

/// A reference whose lookups read the whole table, and the index that would make them lookups.
struct UnindexedReference {
    std::string reference;     ///< `public.tasks(creator_id) -> public.users`
    std::string create_index;  ///< `CREATE INDEX ON "public"."tasks" ("creator_id");`
};

/// How the whole selection reaches its rows.
struct AccessPlan {
    std::vector<TableAccesses> tables;  ///< in plan order; tables the selection never reads are left out
    std::int64_t expected_rows_read = 0;
    std::vector<UnindexedReference> unindexed;
};

/// The accesses and their paths by the rules alone (the indexes in `indexes`, the key types, the
/// sampling mode), with estimates from the plan's row counts: no query.
AccessPlan access_paths_by_rules(const Catalog& catalog, const SubsetPlan& plan, const SubsetSettings& settings,
                                 const BtreeIndexes& indexes);

/// The same, confirmed by the planner: EXPLAIN (FORMAT JSON) of each access's query, which plans
/// without executing anything (it works on a hot standby). A Seq Scan in the plan makes the path a
/// full scan, whatever the rules expected (the planner scans small tables rather than use an index).
/// Each EXPLAIN runs behind a savepoint: one the server refuses is recorded in `explain_error` and
/// leaves `tx` usable; a lost session still throws.
AccessPlan plan_access_paths(pg::Transaction& tx, const Catalog& catalog, const SubsetPlan& plan,
                             const SubsetSettings& settings);

/// Only the references without an index (one catalog query, no EXPLAIN): what subset warns about.
std::vector<UnindexedReference> find_unindexed_references(pg::Transaction& tx, const Catalog& catalog,
                                                          const SubsetPlan& plan, const SubsetSettings& settings);

/// `CREATE INDEX ON "schema"."table" ("a", "b");`, every identifier quoted.
std::string create_index_statement(const QualifiedName& table, const std::vector<std::string>& columns);

/// `public.tasks(creator_id) -> public.users`: a reference as plan output and warnings name it.
std::string reference_text(const ForeignKey& reference);

/// The one warning line's text (without "warning: ") naming every unindexed reference; empty when none.
std::string unindexed_warning(const std::vector<UnindexedReference>& unindexed);

/// The "access paths:" and "unindexed references:" sections of `understudy plan`.
std::string format_access_paths(const AccessPlan& access_plan);

}  // namespace understudy::subsetter
