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

/// Background threads (lanes) that restore, from the schema archive, the post-data entries of
/// tables whose load has committed: their indexes and primary-key, unique and exclusion
/// constraints. Each chunk is one `pg_restore --use-list` of a share of what became ready, so a
/// run of many small tables costs a few pg_restore starts, not one per table. Building a table's
/// indexes while the next tables copy is what pgcopydb does too: on a large copy the index builds of
/// the first tables finish before the copy does, and post-data shrinks to the foreign keys.
/// After its indexes, each table of `analyze` is analyzed too, so that phase shrinks as well.
/// `jobs` lanes (threads) each take a share of what is ready (at least one entry, ready/jobs) and
/// slots of the run's --jobs budget (`slots`, shared with the copy workers): a lane waits for one,
/// ahead of the next copy job, and takes every other free one too (up to `jobs`); it runs
/// min(slots, entries) pg_restore jobs whose sessions set max_parallel_maintenance_workers so that
/// leaders and workers fill the slots held (and maintenance_work_mem from the target's settings,
/// index_session_settings). During the copy a lane gets the one slot a finished copy left; the
/// indexes of a table loaded last are spread over the lanes and built with the slots the copy
/// leaves as it ends. A table is analyzed once all its entries are built.
class TableIndexBuilder {
public:
    /// `entries`: per table (display name), its listing lines (see split_post_data). `analyze`:
    /// display name -> quoted name of the tables to ANALYZE once loaded (and indexed).
    TableIndexBuilder(const SchemaArchive& archive, pg::ConnInfo target, std::map<std::string, std::vector<std::string>> entries,
                      std::map<std::string, std::string> analyze, int jobs, WorkSlots& slots);
    /// Stops after the chunks in progress (a failed run does not wait for the rest).
    ~TableIndexBuilder();
    TableIndexBuilder(const TableIndexBuilder&) = delete;
    TableIndexBuilder& operator=(const TableIndexBuilder&) = delete;

    /// The rows of `table` are committed: its entries may be built. Thread-safe.
    void table_loaded(const std::string& table);
    /// No more tables will load: builds what is still pending, waits, and rethrows the first
    /// failure. Entries of tables that never loaded are returned, to run with the rest.
    std::vector<std::string> finish();
    /// Seconds the builder's lanes spent running pg_restore and ANALYZE (summed over lanes).
    double busy_seconds() const { return m_busy_seconds; }
    /// Display names of the tables analyzed (valid after finish()).
    const std::set<std::string>& analyzed() const { return m_analyzed; }

private:
    /// A listing line ready to restore, and the table (display name) it belongs to.
    struct ReadyEntry {
        std::string line;
        std::string table;
    };

    void run();
    void join_lanes();
    /// Restores `chunk` and analyzes `to_analyze` with the slots held.
    void build(const std::vector<ReadyEntry>& chunk, const std::vector<std::string>& to_analyze,
               WorkSlots::Held& held, std::unique_ptr<pg::QuerySession>& connection);
    /// Tells m_slots whether work is ready for a free lane (m_mutex held).
    void update_ready_state();

    const SchemaArchive& m_archive;
    pg::ConnInfo m_target;
    std::map<std::string, std::vector<std::string>> m_entries;  ///< of tables not loaded yet
    std::map<std::string, std::string> m_analyze;
    int m_jobs;  ///< lanes, and the most slots one batch takes
    WorkSlots& m_slots;
    std::mutex m_mutex;
    std::condition_variable m_wakeup;
    std::vector<ReadyEntry> m_ready;
    std::map<std::string, int> m_unbuilt;  ///< per loaded table, its entries not built yet
    std::map<std::string, std::string> m_analyze_after_build;  ///< loaded, waiting for its entries
    std::vector<std::string> m_ready_to_analyze;  ///< quoted names
    std::set<std::string> m_analyzed;
    std::optional<TargetBuildResources> m_resources;  ///< read on the first batch
    int m_building = 0;  ///< lanes holding a chunk (waiting for slots or running it)
    bool m_finishing = false;
    bool m_stopping = false;
    std::exception_ptr m_failure;
    double m_busy_seconds = 0;
    std::vector<std::thread> m_lanes;
};

}  // namespace understudy::orchestrator
