// Parallel streaming of table rows from the source snapshot into the target, with retries.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "understudy/orchestrator/transfer/progress.hpp"
#include "understudy/orchestrator/transfer/snapshot_age_limit.hpp"
#include "understudy/orchestrator/transfer/table_copy.hpp"
#include "understudy/orchestrator/transfer/work_slots.hpp"
#include "understudy/pg/conninfo.hpp"
#include "understudy/subsetter/catalog.hpp"

namespace understudy::orchestrator {

/// Where the transfer reads, and how.
struct TransferSource {
    pg::ConnInfo conninfo;
    std::string snapshot_id;   ///< every worker imports it: one consistent state for the whole run
    std::string encoding;      ///< the target's server_encoding: the source converts COPY text to it
    /// Both servers run the same major version, so COPY's binary format (not portable across
    /// versions) may carry the rows of whole tables without rules; a type without binary I/O falls
    /// back to text.
    bool binary = false;
    /// --max-snapshot-age, checked before each job's copy starts (a started copy runs to its end).
    const SnapshotAgeLimit* age_limit = nullptr;
};

/// Copies every job with `workers` parallel workers. Each worker holds a source connection inside
/// the exported snapshot and a target connection; each table is loaded in its own target
/// transaction (TRUNCATE + COPY FREEZE), so a failed attempt leaves nothing behind and is retried
/// (connection loss, a terminated session, a restarting server, standby recovery conflicts) up to 4
/// times in the same snapshot, after 1, 2, 4 and 8 s; when the snapshot itself is gone (its session
/// ended), the run fails with a message saying so. Results come
/// back in job order. The first non-retryable failure stops the transfer and is rethrown. With
/// `rewriting`, each row of a table with rules is rewritten on its way (columns without rules are
/// forwarded as they came). `on_loaded`, when given, is called (from the worker) with the display
/// name of each table (or leaf partition) right after its rows committed: for a table cut into
/// page ranges (TableCopyJob::pages), after the last of its ranges did. A range is loaded without
/// TRUNCATE or FREEZE in its own transaction, so a retry of one range repeats only its rows; such
/// a table is left for analyze_tables() to freeze. Each job (a table or a range) holds a slot of
/// `budget` while it copies (a budget of `workers` slots of its own when none is given): with the
/// index builder taking slots of the same budget, copies and builds together keep to --jobs.
std::vector<TableCopyResult> transfer_tables(const TransferSource& source, const pg::ConnInfo& target,
                                             const std::vector<TableCopyJob>& jobs, int workers,
                                             Progress& progress, const RowRewriting* rewriting = nullptr,
                                             const std::function<void(const std::string&)>& on_loaded = {},
                                             WorkSlots* budget = nullptr);

}  // namespace understudy::orchestrator
