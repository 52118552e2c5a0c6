// ANALYZE of the loaded tables, spread over parallel connections.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "understudy/pg/query_session.hpp"

#include "understudy/pg/conninfo.hpp"
#include "understudy/subsetter/catalog.hpp"

namespace understudy::orchestrator {

/// ANALYZE of one table (quoted name) on `connection`; throws DatabaseError naming it.
void analyze_table(pg::QuerySession& connection, const std::string& quoted_table);

/// Runs ANALYZE on each table (largest first) with `jobs` connections at once, like
/// `vacuumdb --analyze-only --jobs`, so the planner knows the new data before the first query.
/// Tables named (display name) in `freeze` get `VACUUM (FREEZE, ANALYZE)` instead, first: their
/// rows were loaded without COPY FREEZE (in page ranges, see split_large_tables).
void analyze_tables(const pg::ConnInfo& target, const std::vector<const subsetter::Table*>& tables, int jobs,
                    const std::set<std::string>& freeze = {});

}  // namespace understudy::orchestrator
