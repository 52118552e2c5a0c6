// One table's copy: its COPY statements, its rows rewritten on the way, and where they are written.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "understudy/anonymizer/rules.hpp"
#include "understudy/anonymizer/secret.hpp"
#include "understudy/orchestrator/transfer/progress.hpp"
#include "understudy/pg/copy_connection.hpp"
#include "understudy/subsetter/catalog.hpp"

namespace understudy::orchestrator {

class DumpFileWriter;

/// One of the page ranges a big table is cut into (see split_large_tables): its rows are those
/// whose `ctid` lies in [first_page, end_page), read with a TID range scan.
struct PageRange {
    std::int64_t first_page = 0;  ///< 0: no lower bound
    std::int64_t end_page = -1;   ///< one past its last page; -1: no upper bound
    int number = 1;               ///< 1 to count
    int count = 1;                ///< the table's ranges
};

/// One table to copy: the SELECTs whose rows it gets, or the whole table.
struct TableCopyJob {
    const subsetter::Table* table = nullptr;
    std::vector<std::string> selects;   ///< streamed in order into one target COPY
    bool whole_table = false;           ///< plain `COPY table TO STDOUT` (selects ignored)
    /// Set for one leaf partition of a partitioned table copied whole: its rows go leaf to leaf
    /// (TRUNCATE ONLY + COPY FREEZE into the leaf, no tuple routing), and the leaves of one table
    /// load in parallel. `table` stays the partitioned table (rules, report, manifest).
    std::optional<subsetter::QualifiedName> partition;
    /// Set for one range of a table (or leaf) copied whole in several ranges at once: the table
    /// was created empty and is neither truncated nor loaded with FREEZE (each range is its own
    /// transaction); analyze_tables() freezes it once every load has committed.
    std::optional<PageRange> pages;
    std::int64_t expected_rows = 0;     ///< for scheduling: big tables start first
};

/// The relation `job` reads and loads: its leaf partition, or the table.
const subsetter::QualifiedName& relation_of(const TableCopyJob& job);

/// Whether `job` loads a partitioned table through its root (tuple routing): no ONLY, no FREEZE.
bool loads_through_root(const TableCopyJob& job);

/// How progress and messages name what `job` loads: the leaf partition or the table, and its
/// range (`"public"."events" rows 2/4`).
std::string job_label(const TableCopyJob& job);

/// The SELECTs whose rows `job` copies: its own, or for a whole table (or leaf) one that reads all
/// of it, as COPY does (a plain table without its INHERITS children).
std::vector<std::string> selects_of(const TableCopyJob& job);

/// What one table's copy did.
struct TableCopyResult {
    std::string table;       ///< the catalog table (a partitioned one for each of its leaves)
    std::string partition;   ///< the leaf partition copied, when the job was one
    std::uint64_t rows = 0;
    std::uint64_t bytes = 0;
    double seconds = 0;
    int attempts = 0;
    bool binary = false;     ///< the rows moved in COPY's binary format
    int ranges = 0;          ///< the page ranges its table was cut into; 0 when copied in one piece
};

/// Rows are rewritten between source and target with these rules (the anonymizer).
struct RowRewriting {
    const anonymizer::RuleSet& rules;
    const anonymizer::Secret& secret;
};

/// Where copy_table() writes one table's rows; made by target_sink() or dump_file_sink().
class RowSink {
public:
    virtual ~RowSink() = default;
    /// False for a sink that only takes COPY text (a dump file psql reads).
    virtual bool takes_binary() const = 0;
    /// Starts the table of `job`, rows in binary format when `binary`.
    virtual void begin(const TableCopyJob& job, bool binary) = 0;
    /// Writes rows (or, in binary format, any part of the stream) of the table begun.
    virtual void put(std::string_view data) = 0;
    /// Ends the table: its rows are kept.
    virtual void finish() = 0;
    /// Ends the table after a failure: none of its rows is kept where that can be undone. Never throws.
    virtual void abort(const std::string& reason) noexcept = 0;
};

/// The target database: each table in its own transaction, `TRUNCATE` + `COPY ... FREEZE`
/// (`COPY` into the root of a partitioned table loaded whole; a plain `COPY` for one range of a
/// table, which other ranges load at the same time), committed by finish(), so a failed attempt
/// leaves nothing behind.
std::unique_ptr<RowSink> target_sink(pg::CopyConnection& target);

/// A plain SQL dump file: `COPY ... FROM STDIN;`, the rows as COPY text, `\.`, as psql reads them.
std::unique_ptr<RowSink> dump_file_sink(DumpFileWriter& file);

/// Copies one job's rows from `source` (a session inside the run's snapshot, see
/// pg::open_in_snapshot) into `sink`: `COPY table (columns) TO STDOUT` for a whole table, else
/// `COPY (<select>) TO STDOUT` for each of its SELECTs. With `rewriting`, rows of a table with
/// rules are rewritten on the way; without, a whole table moves in binary format when
/// `binary_allowed` and the sink takes it. When the source fails, the sink is aborted and the
/// error rethrown. Running totals go to `progress`.
TableCopyResult copy_table(pg::CopyConnection& source, RowSink& sink, const TableCopyJob& job,
                           const RowRewriting* rewriting, bool binary_allowed, Progress& progress);

}  // namespace understudy::orchestrator
