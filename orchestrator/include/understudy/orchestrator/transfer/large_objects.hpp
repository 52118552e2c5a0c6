// Large objects the copied rows point at (oid columns), read in the run's snapshot and written with the same oids.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "understudy/pg/query_session.hpp"
#include "understudy/pg/transaction.hpp"

#include "understudy/anonymizer/rules.hpp"
#include "understudy/orchestrator/transfer/table_copy.hpp"
#include "understudy/subsetter/catalog.hpp"
#include "understudy/subsetter/subset_plan.hpp"
#include "understudy/subsetter/subset_settings.hpp"

namespace understudy::orchestrator {

/// How many large objects a run copied, and their bytes.
struct LargeObjectTotals {
    std::uint64_t count = 0;
    std::uint64_t bytes = 0;
};

/// True for a column that can point at a large object: type oid, or a domain over oid (the `lo`
/// extension's `lo`).
bool refers_to_large_objects(const subsetter::Column& column);

/// True when the run copies every table of the database whole (a full copy): every readable table
/// of the plan is copied `all`, and no schema filter leaves tables out.
bool copies_whole_database(const subsetter::Catalog& catalog, const subsetter::SubsetPlan& plan,
                           const subsetter::SubsetSettings& settings);

/// The large objects the copy carries, ascending: the distinct non-NULL values of every oid column
/// of the rows `jobs` copy, read on the source in the snapshot of `source_tx`, that exist there.
/// A column whose rule rewrites it (anything but keep; `null` included) references none. With
/// `whole_database` (every table copied whole, no such rule), every large object of the source.
std::vector<std::uint32_t> large_objects_to_copy(pg::Transaction& source_tx,
                                                 const std::vector<TableCopyJob>& jobs,
                                                 const anonymizer::RuleSet* rules, bool whole_database);

/// Writes each large object of `oids` into the target database with the same oid, byte for byte,
/// in one transaction (lo_from_bytea, then lo_put for each further chunk).
LargeObjectTotals copy_large_objects(pg::Transaction& source_tx, const std::vector<std::uint32_t>& oids,
                                     pg::QuerySession& target);

/// The same as SQL statements a psql restore runs (`SELECT pg_catalog.lo_from_bytea(oid, '\x…')`,
/// then lo_put), passed to `write` piece by piece.
LargeObjectTotals write_large_objects_sql(pg::Transaction& source_tx, const std::vector<std::uint32_t>& oids,
                                          const std::function<void(const std::string&)>& write);

}  // namespace understudy::orchestrator
