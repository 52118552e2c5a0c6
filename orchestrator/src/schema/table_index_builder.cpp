// Per-table post-data in the background: one pg_restore batch at a time, as tables finish loading.
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
      m_jobs(jobs),
      m_slots(slots) {
    m_thread = std::thread([this] { run(); });
}

TableIndexBuilder::~TableIndexBuilder() {
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wakeup.notify_all();
    if (m_thread.joinable()) m_thread.join();
}

void TableIndexBuilder::table_loaded(const std::string& table) {
    {
        std::lock_guard lock(m_mutex);
        if (auto found = m_entries.find(table); found != m_entries.end()) {
            m_ready.insert(m_ready.end(), found->second.begin(), found->second.end());
            m_entries.erase(found);
        }
        if (auto found = m_analyze.find(table); found != m_analyze.end()) {
            m_ready_to_analyze.push_back(found->second);
            m_analyzed.insert(found->first);
            m_analyze.erase(found);
        }
        // Announced on the copy worker's thread, before it gives its slot back: the batch goes
        // ahead of that worker's next copy even though this thread has not woken up yet.
        announce_if_ready();
    }
    m_wakeup.notify_all();
}

std::vector<std::string> TableIndexBuilder::finish() {
    {
        std::lock_guard lock(m_mutex);
        m_finishing = true;
    }
    m_wakeup.notify_all();
    if (m_thread.joinable()) m_thread.join();
    if (m_failure) std::rethrow_exception(m_failure);
    std::vector<std::string> never_loaded;
    for (auto& [table, lines] : m_entries) never_loaded.insert(never_loaded.end(), lines.begin(), lines.end());
    return never_loaded;
}

void TableIndexBuilder::run() {
    for (;;) {
        std::vector<std::string> batch;
        std::vector<std::string> to_analyze;
        {
            std::unique_lock lock(m_mutex);
            m_wakeup.wait(lock, [&] {
                return m_stopping || m_finishing || !m_ready.empty() || !m_ready_to_analyze.empty();
            });
            if (m_stopping || (m_ready.empty() && m_ready_to_analyze.empty() && m_finishing)) break;
            batch.swap(m_ready);
            to_analyze.swap(m_ready_to_analyze);
            m_announced = false;  // the take below consumes the announcement
            m_building = true;
        }
        auto start = std::chrono::steady_clock::now();
        try {
            WorkSlots::Held held = m_slots.take_up_to(m_jobs, WorkSlots::Taker::index_build);
            build(batch, to_analyze, held);
            std::lock_guard lock(m_mutex);
            m_building = false;
            announce_if_ready();  // before the slots go back: the next batch takes one before a copy
        } catch (...) {
            std::lock_guard lock(m_mutex);
            m_failure = std::current_exception();
            break;
        }
        m_busy_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
    stop_announcing();
}

void TableIndexBuilder::build(const std::vector<std::string>& batch, const std::vector<std::string>& to_analyze,
                              WorkSlots::Held& held) {
    if (!batch.empty()) {
        if (!m_resources) m_resources = read_build_resources(m_target);
        // One pg_restore job per slot while entries last; the slots left become parallel workers.
        const int builds = std::min(held.count(), static_cast<int>(batch.size()));
        const auto settings =
            index_session_settings(*m_resources, std::thread::hardware_concurrency(), builds, held.count());
        held.keep(builds * (1 + settings.max_parallel_maintenance_workers));
        // pg_restore's sessions take these as connection options (`-c name=value`).
        const std::string given = m_target.get("options").value_or("");
        const pg::ConnInfo build_target = m_target.with(
            "options", given + (given.empty() ? "" : " ") + "-c max_parallel_maintenance_workers=" +
                           std::to_string(settings.max_parallel_maintenance_workers) +
                           " -c maintenance_work_mem=" + std::to_string(settings.maintenance_work_mem_kb) + "kB");
        m_archive.restore_listed(build_target, SchemaSection::post_data, batch, builds);
    }
    if (!to_analyze.empty()) {
        held.keep(1);  // one session
        if (!m_connection) m_connection = pg::connect(m_target, pg::Side::target);
        for (const auto& table : to_analyze) analyze_table(*m_connection, table);
    }
}

void TableIndexBuilder::announce_if_ready() {
    // Not while a batch runs: copies would then wait behind a build that cannot take a slot before
    // that batch ends, and leave free slots idle meanwhile.
    if (m_announced || m_ended || m_building || (m_ready.empty() && m_ready_to_analyze.empty())) return;
    m_slots.expect_index_build();
    m_announced = true;
}

void TableIndexBuilder::stop_announcing() {
    std::lock_guard lock(m_mutex);
    m_ended = true;
    if (m_announced) m_slots.forget_index_build();
    m_announced = false;
}

}  // namespace understudy::orchestrator
