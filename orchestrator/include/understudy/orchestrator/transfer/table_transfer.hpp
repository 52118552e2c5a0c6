// Parallel streaming of table rows from the source snapshot into the target, with retries.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "understudy/anonymizer/rules.hpp"
#include "understudy/anonymizer/secret.hpp"
#include "understudy/orchestrator/transfer/progress.hpp"
#include "understudy/pg/conninfo.hpp"
#include "understudy/subsetter/catalog.hpp"

namespace understudy::orchestrator {

/// One table to copy: the SELECTs whose rows it gets, or the whole table.
struct TableCopyJob {
    const subsetter::Table* table = nullptr;
    std::vector<std::string> selects;   ///< streamed in order into one target COPY
    bool whole_table = false;           ///< plain `COPY table TO STDOUT` (selects ignored)
    /// Set for one leaf partition of a partitioned table copied whole: its rows go leaf to leaf
    /// (TRUNCATE ONLY + COPY FREEZE into the leaf, no tuple routing), and the leaves of one table
    /// load in parallel. `table` stays the partitioned table (rules, report, manifest).
    std::optional<subsetter::QualifiedName> partition;
    std::int64_t expected_rows = 0;     ///< for scheduling: big tables start first
};

/// What one table's copy did.
struct TableCopyResult {
    std::string table;       ///< the catalog table (a partitioned one for each of its leaves)
    std::string partition;   ///< the leaf partition copied, when the job was one
    std::uint64_t rows = 0;
    std::uint64_t bytes = 0;
    double seconds = 0;
    int attempts = 0;
    bool binary = false;     ///< the rows moved in COPY's binary format
};

/// Where the transfer reads, and how.
struct TransferSource {
    pg::ConnInfo conninfo;
    std::string snapshot_id;   ///< every worker imports it: one consistent state for the whole run
    std::string encoding;      ///< the target's server_encoding: the source converts COPY text to it
    /// Both servers run the same major version, so COPY's binary format (not portable across
    /// versions) may carry the rows of whole tables without rules; a type without binary I/O falls
    /// back to text.
    bool binary = false;
};

/// Rows are rewritten between source and target with these rules (the anonymizer).
struct RowRewriting {
    const anonymizer::RuleSet& rules;
    const anonymizer::Secret& secret;
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
/// name of each table (or leaf partition) right after its rows committed.
std::vector<TableCopyResult> transfer_tables(const TransferSource& source, const pg::ConnInfo& target,
                                             const std::vector<TableCopyJob>& jobs, int workers,
                                             Progress& progress, const RowRewriting* rewriting = nullptr,
                                             const std::function<void(const std::string&)>& on_loaded = {});

}  // namespace understudy::orchestrator
