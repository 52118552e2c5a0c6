// The selection tests' database on the hot standby and the helpers that read a selection back.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "test_cluster.hpp"
#include "understudy/pg/session.hpp"
#include "understudy/pg/transaction.hpp"
#include "understudy/subsetter/catalog.hpp"
#include "understudy/subsetter/selection.hpp"
#include "understudy/subsetter/subset_plan.hpp"

namespace understudy::testing {

using subsetter::Catalog;
using subsetter::QualifiedName;
using subsetter::Selection;
using subsetter::SelectionMode;
using subsetter::SubsetPlan;
using subsetter::SubsetSettings;
using subsetter::TablePolicy;

/// The database the selection tests read: users refer users (self-reference), departments and
/// employees reference each other (a cycle), line_items have a composite key, shipments have no
/// key, tags have text keys that need escaping, users reference countries by a unique non-key
/// column, coupons are copied whole; perf.* are large tables for the sampling paths.
extern const char* const k_selection_database;

/// The fixture servers with the selection database loaded on the primary and replayed on the standby.
FixtureServers& selection_servers();

/// The public schema, seed 42, coupons whole, the Rails-style polymorphic pairs.
SubsetSettings public_settings();

/// An override that asks for `rows` rows.
subsetter::TableOverride rows_override(std::int64_t rows);

/// Opens a snapshot on the standby, loads catalog and plan, selects, and hands everything to `check`.
using Check = std::function<void(pg::Transaction&, const Catalog&, const SubsetPlan&, const Selection&)>;
Selection select_on_standby(const SubsetSettings& settings, const Check& check = {});

/// A snapshot on the standby with its catalog and plan, for tests that change them before selecting.
struct StandbyModel {
    explicit StandbyModel(const SubsetSettings& settings);

    pg::Transaction& tx() { return snapshot.transaction(); }

    /// Makes the statistics claim `rows` rows for `table`, as stale statistics would.
    void pretend_rows(const QualifiedName& table, std::int64_t rows);

    pg::SourceSnapshot snapshot;
    Catalog catalog;
    SubsetPlan plan;
};

/// The values of `columns` (NULL-free tuples, joined by '\0') over the rows a table selection
/// describes, read through its own select_statements (small batches, to exercise batching).
std::set<std::string> selected_values(pg::Transaction& tx, const Catalog& catalog, const Selection& selection,
                                      const QualifiedName& table_name, const std::vector<std::string>& columns,
                                      const std::optional<subsetter::PolymorphicCondition>& condition = {});

/// Every reference of every selected row points at a selected row.
void expect_closed(pg::Transaction& tx, const Catalog& catalog, const SubsetPlan& plan, const Selection& selection);

/// The one integer `sql` returns.
std::int64_t count(pg::Transaction& tx, const std::string& sql);

}  // namespace understudy::testing
