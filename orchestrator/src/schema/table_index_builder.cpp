// Per-table post-data in the background: pg_restore chunks in --jobs lanes, as tables finish loading.
#include "schema/table_index_builder.hpp"

#include <algorithm>
#include <chrono>
#include <sstream>

#include "understudy/orchestrator/transfer/target_analyze.hpp"
#include "understudy/pg/copy_connection.hpp"
#include "understudy/pg/session.hpp"

namespace understudy::orchestrator {
namespace {

/// The target's worker pool and memory settings, in one query.
TargetBuildResources read_build_resources(const pg::ConnInfo& target) {
    pg::CopyConnection connection(target, pg::Side::target);
    const std::string values = connection.query_value(
        "SELECT current_setting('max_parallel_workers') || ' ' || "
        "pg_catalog.pg_size_bytes(current_setting('maintenance_work_mem')) / 1024 || ' ' || "
        "pg_catalog.pg_size_bytes(current_setting('shared_buffers')) / 1024",
        "could not read the target's settings");
    TargetBuildResources resources;
    std::istringstream(values) >> resources.max_parallel_workers >> resources.maintenance_work_mem_kb >>
        resources.shared_buffers_kb;
    return resources;
}

}  // namespace


TableIndexBuilder::TableIndexBuilder(const SchemaArchive& archive, pg::ConnInfo target,
                                     std::map<std::string, std::vector<std::string>> entries,
                                     std::map<std::string, std::string> analyze, int jobs, WorkSlots& slots)
    : m_archive(archive),
      m_target(std::move(target)),
      m_entries(std::move(entries)),
      m_analyze(std::move(analyze)),
      m_jobs(std::max(1, jobs)),
      m_slots(slots) {
    for (int lane = 0; lane < m_jobs; ++lane) m_lanes.emplace_back([this] { run(); });
}

TableIndexBuilder::~TableIndexBuilder() {
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
        update_ready_state();
    }
    m_wakeup.notify_all();
    join_lanes();
}

void TableIndexBuilder::join_lanes() {
    for (auto& lane : m_lanes) {
        if (lane.joinable()) lane.join();
    }
}

void TableIndexBuilder::table_loaded(const std::string& table) {
    {
        std::lock_guard lock(m_mutex);
        if (auto found = m_entries.find(table); found != m_entries.end()) {
            for (auto& line : found->second) m_ready.push_back({std::move(line), table});
            m_unbuilt[table] += static_cast<int>(found->second.size());
            m_entries.erase(found);
        }
        if (auto found = m_analyze.find(table); found != m_analyze.end()) {
            // Analyzed once its indexes are built (ANALYZE samples expression indexes too).
            if (m_unbuilt[table] > 0) m_analyze_after_build[table] = found->second;
            else m_ready_to_analyze.push_back(found->second);
            m_analyzed.insert(found->first);
            m_analyze.erase(found);
        }
        // Said on the copy worker's thread, before it gives its slot back: the build goes ahead
        // of that worker's next copy even though no lane has woken up yet.
        update_ready_state();
    }
    m_wakeup.notify_all();
}

std::vector<std::string> TableIndexBuilder::finish() {
    {
        std::lock_guard lock(m_mutex);
        m_finishing = true;
    }
    m_wakeup.notify_all();
    join_lanes();
    if (m_failure) std::rethrow_exception(m_failure);
    std::vector<std::string> never_loaded;
    for (auto& [table, lines] : m_entries) never_loaded.insert(never_loaded.end(), lines.begin(), lines.end());
    return never_loaded;
}

void TableIndexBuilder::run() {
    std::unique_ptr<pg::QuerySession> connection;  // this lane's, for ANALYZE, opened on first use
    for (;;) {
        std::vector<ReadyEntry> chunk;
        std::vector<std::string> to_analyze;
        {
            std::unique_lock lock(m_mutex);
            m_wakeup.wait(lock, [&] {
                return m_stopping || m_finishing || !m_ready.empty() || !m_ready_to_analyze.empty();
            });
            if (m_stopping || (m_ready.empty() && m_ready_to_analyze.empty() && m_finishing && m_building == 0)) break;
            if (m_ready.empty() && m_ready_to_analyze.empty()) {
                // Finishing while other lanes build: they may still release tables to analyze.
                m_wakeup.wait(lock, [&] { return m_stopping || m_building == 0 || !m_ready_to_analyze.empty(); });
                continue;
            }
            // A share of what is ready, at least one entry: the last big table's indexes go to
            // different lanes, so a slot freed by the copy's end builds one of them at once,
            // while many small tables' entries still cost few pg_restore starts.
            const std::size_t share =
                std::min(m_ready.size(), std::max<std::size_t>(1, m_ready.size() / static_cast<std::size_t>(m_jobs)));
            chunk.assign(std::make_move_iterator(m_ready.begin()),
                         std::make_move_iterator(m_ready.begin() + static_cast<std::ptrdiff_t>(share)));
            m_ready.erase(m_ready.begin(), m_ready.begin() + static_cast<std::ptrdiff_t>(share));
            to_analyze.swap(m_ready_to_analyze);
            ++m_building;
            // The ready state stays set until this lane waits in take_up_to: in between, a copy
            // worker could otherwise take the slot meant for this build.
        }
        try {
            WorkSlots::Held held = m_slots.take_up_to(m_jobs, WorkSlots::Taker::index_build);
            {
                std::lock_guard lock(m_mutex);
                update_ready_state();
            }
            const auto start = std::chrono::steady_clock::now();  // the wait for a slot is not work
            build(chunk, to_analyze, held, connection);
            std::lock_guard lock(m_mutex);
            m_busy_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            --m_building;
            for (const auto& entry : chunk) {
                if (--m_unbuilt[entry.table] > 0) continue;
                if (auto waiting = m_analyze_after_build.find(entry.table); waiting != m_analyze_after_build.end()) {
                    m_ready_to_analyze.push_back(waiting->second);
                    m_analyze_after_build.erase(waiting);
                }
            }
            // Before the slots go back: what is ready now takes a slot before a copy does.
            update_ready_state();
        } catch (...) {
            std::lock_guard lock(m_mutex);
            if (!m_failure) m_failure = std::current_exception();
            m_stopping = true;  // the other lanes stop after their chunk
            --m_building;
            update_ready_state();
        }
        m_wakeup.notify_all();
    }
}

void TableIndexBuilder::build(const std::vector<ReadyEntry>& chunk, const std::vector<std::string>& to_analyze,
                              WorkSlots::Held& held, std::unique_ptr<pg::QuerySession>& connection) {
    if (!chunk.empty()) {
        std::vector<std::string> lines;
        for (const auto& entry : chunk) lines.push_back(entry.line);
        TargetBuildResources resources;
        {
            std::lock_guard lock(m_mutex);
            if (!m_resources) m_resources = read_build_resources(m_target);
            resources = *m_resources;
        }
        // One pg_restore job per slot while entries last; the slots left become parallel workers.
        const int builds = std::min(held.count(), static_cast<int>(lines.size()));
        const auto settings = index_session_settings(resources, std::thread::hardware_concurrency(), builds, held.count());
        held.keep(builds * (1 + settings.max_parallel_maintenance_workers));
        // pg_restore's sessions take these as connection options (`-c name=value`).
        const std::string given = m_target.get("options").value_or("");
        const pg::ConnInfo build_target = m_target.with(
            "options", given + (given.empty() ? "" : " ") + "-c max_parallel_maintenance_workers=" +
                           std::to_string(settings.max_parallel_maintenance_workers) +
                           " -c maintenance_work_mem=" + std::to_string(settings.maintenance_work_mem_kb) + "kB");
        m_archive.restore_listed(build_target, SchemaSection::post_data, lines, builds);
    }
    if (!to_analyze.empty()) {
        held.keep(1);  // one session
        if (!connection) connection = pg::connect(m_target, pg::Side::target);
        for (const auto& table : to_analyze) analyze_table(*connection, table);
    }
}

void TableIndexBuilder::update_ready_state() {
    // Only while a lane is free to take the work: otherwise copies would wait behind a build that
    // cannot start before a running one ends, and leave free slots idle meanwhile.
    const bool work = !m_ready.empty() || !m_ready_to_analyze.empty();
    m_slots.set_index_build_ready(work && !m_stopping && m_building < m_jobs);
}

}  // namespace understudy::orchestrator
