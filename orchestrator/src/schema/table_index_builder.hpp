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

#include "understudy/orchestrator/schema/index_session_settings.hpp"
#include "understudy/orchestrator/schema/schema_clone.hpp"
#include "understudy/orchestrator/transfer/work_slots.hpp"
#include "understudy/pg/conninfo.hpp"

namespace understudy::orchestrator {

/// A background thread that restores, from the schema archive, the post-data entries of tables
/// whose load has committed: their indexes and primary-key, unique and exclusion constraints. Each
/// batch is one `pg_restore --use-list` of everything that became ready since the last batch, so a
/// run of many small tables costs a few pg_restore starts, not one per table. Building a table's
/// indexes while the next tables copy is what pgcopydb does too: on a large copy the index builds of
/// the first tables finish before the copy does, and post-data shrinks to the foreign keys.
/// After its indexes, each table of `analyze` is analyzed too, so that phase shrinks as well.
/// Each batch takes slots of the run's --jobs budget (`slots`, shared with the copy workers): it
/// waits for one, ahead of the next copy job, and takes every other free one too (up to `jobs`);
/// it runs min(slots, entries) pg_restore jobs whose sessions set max_parallel_maintenance_workers
/// so that leaders and workers fill the slots held (and maintenance_work_mem from the target's
/// settings, index_session_settings). During the copy a batch gets the one slot a finished copy
/// left; the indexes of a table loaded last, built after the copy, get the slots the copy left.
class TableIndexBuilder {
public:
    /// `entries`: per table (display name), its listing lines (see split_post_data). `analyze`:
    /// display name -> quoted name of the tables to ANALYZE once loaded (and indexed).
    TableIndexBuilder(const SchemaArchive& archive, pg::ConnInfo target, std::map<std::string, std::vector<std::string>> entries,
                      std::map<std::string, std::string> analyze, int jobs, WorkSlots& slots);
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
    /// Runs `batch` and analyzes `to_analyze` with the slots held.
    void build(const std::vector<std::string>& batch, const std::vector<std::string>& to_analyze,
               WorkSlots::Held& held);
    /// Tells m_slots that a batch is ready, when this thread is not running one (m_mutex held).
    void announce_if_ready();
    /// The builder's thread ends: an announced build that will not come is withdrawn.
    void stop_announcing();

    const SchemaArchive& m_archive;
    pg::ConnInfo m_target;
    std::optional<TargetBuildResources> m_resources;  ///< read on the first batch
    std::map<std::string, std::vector<std::string>> m_entries;
    std::map<std::string, std::string> m_analyze;
    int m_jobs;
    WorkSlots& m_slots;
    bool m_announced = false;  ///< a build is expected by m_slots (expect_index_build) for m_ready
    bool m_ended = false;      ///< run() returned: nothing will take the slots announced
    bool m_building = false;   ///< a batch is waiting for its slots or running
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
