// Per-table post-data in the background: one pg_restore batch at a time, as tables finish loading.
#include "schema/table_index_builder.hpp"

#include <chrono>

#include "understudy/orchestrator/transfer/target_analyze.hpp"
#include "understudy/pg/session.hpp"

namespace understudy::orchestrator {

TableIndexBuilder::TableIndexBuilder(const SchemaArchive& archive, pg::ConnInfo target,
                                     std::map<std::string, std::vector<std::string>> entries,
                                     std::map<std::string, std::string> analyze, int jobs)
    : m_archive(archive),
      m_target(std::move(target)),
      m_entries(std::move(entries)),
      m_analyze(std::move(analyze)),
      m_jobs(jobs) {
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
            if (m_stopping || (m_ready.empty() && m_ready_to_analyze.empty() && m_finishing)) return;
            batch.swap(m_ready);
            to_analyze.swap(m_ready_to_analyze);
        }
        auto start = std::chrono::steady_clock::now();
        try {
            m_archive.restore_listed(m_target, SchemaSection::post_data, batch, m_jobs);
            if (!to_analyze.empty()) {
                if (!m_connection) m_connection = pg::connect(m_target, pg::Side::target);
                for (const auto& table : to_analyze) analyze_table(*m_connection, table);
            }
        } catch (...) {
            std::lock_guard lock(m_mutex);
            m_failure = std::current_exception();
            return;
        }
        m_busy_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
}

}  // namespace understudy::orchestrator
