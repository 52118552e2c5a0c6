// Builds each table's own indexes and keys as soon as its rows are in, while other tables still copy.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "understudy/pg/query_session.hpp"

#include "understudy/orchestrator/schema/schema_clone.hpp"
#include "understudy/pg/conninfo.hpp"

namespace understudy::orchestrator {

/// What the target allows the sessions that build indexes (read with SHOW-like queries).
struct TargetBuildResources {
    int max_parallel_workers = 8;                      ///< the target's pool of parallel workers
    std::uint64_t maintenance_work_mem_kb = 65536;     ///< its configured maintenance_work_mem
    std::uint64_t shared_buffers_kb = 131072;          ///< a hint of its memory (usually 1/4 of it)
};

/// The settings of one index-building session when `jobs` of them run at once.
struct IndexSessionSettings {
    int max_parallel_maintenance_workers = 0;
    std::uint64_t maintenance_work_mem_kb = 65536;
};

/// `jobs` builds at once, each a leader plus its parallel workers, fit in the machine's `cores`
/// and in the target's worker pool; each may sort in shared_buffers / jobs (at most 1 GB), but
/// never in less than the target's own maintenance_work_mem.
IndexSessionSettings index_session_settings(const TargetBuildResources& target, unsigned cores, int jobs);

/// A background thread that restores, from the schema archive, the post-data entries of tables
/// whose load has committed: their indexes and primary-key, unique and exclusion constraints. Each
/// batch is one `pg_restore --use-list` of everything that became ready since the last batch, so a
/// run of many small tables costs a few pg_restore starts, not one per table. Building a table's
/// indexes while the next tables copy is what pgcopydb does too: on a large copy the index builds of
/// the first tables finish before the copy does, and post-data shrinks to the foreign keys.
/// After its indexes, each table of `analyze` is analyzed too, so that phase shrinks as well.
/// Its sessions set max_parallel_maintenance_workers and maintenance_work_mem from the machine's
/// cores and the target's settings (index_session_settings): the index of a table loaded last,
/// built alone after the copy, uses the cores the copy workers left.
class TableIndexBuilder {
public:
    /// `entries`: per table (display name), its listing lines (see split_post_data). `analyze`:
    /// display name -> quoted name of the tables to ANALYZE once loaded (and indexed).
    TableIndexBuilder(const SchemaArchive& archive, pg::ConnInfo target, std::map<std::string, std::vector<std::string>> entries,
                      std::map<std::string, std::string> analyze, int jobs);
    /// Stops after the batch in progress (a failed run does not wait for the rest).
    ~TableIndexBuilder();
    TableIndexBuilder(const TableIndexBuilder&) = delete;
    TableIndexBuilder& operator=(const TableIndexBuilder&) = delete;

    /// The rows of `table` are committed: its entries may be built. Thread-safe.
    void table_loaded(const std::string& table);
    /// No more tables will load: builds what is still pending, waits, and rethrows the first
    /// failure. Entries of tables that never loaded are returned, to run with the rest.
    std::vector<std::string> finish();
    /// Seconds the builder spent running pg_restore and ANALYZE.
    double busy_seconds() const { return m_busy_seconds; }
    /// Display names of the tables analyzed (valid after finish()).
    const std::set<std::string>& analyzed() const { return m_analyzed; }

private:
    void run();

    const SchemaArchive& m_archive;
    pg::ConnInfo m_target;
    std::optional<pg::ConnInfo> m_build_target;  ///< m_target with the index sessions' settings
    std::map<std::string, std::vector<std::string>> m_entries;
    std::map<std::string, std::string> m_analyze;
    int m_jobs;
    std::mutex m_mutex;
    std::condition_variable m_wakeup;
    std::vector<std::string> m_ready;
    std::vector<std::string> m_ready_to_analyze;  ///< quoted names
    std::set<std::string> m_analyzed;
    bool m_finishing = false;
    bool m_stopping = false;
    std::exception_ptr m_failure;
    std::unique_ptr<pg::QuerySession> m_connection;  ///< for ANALYZE, opened on first use
    double m_busy_seconds = 0;
    std::thread m_thread;
};

}  // namespace understudy::orchestrator
