// Which copy job a worker takes next: ranges of one table one after another while others are left.
#include "understudy/orchestrator/transfer/range_aware_order.hpp"

#include <algorithm>

namespace understudy::orchestrator {

RangeAwareOrder::RangeAwareOrder(const std::vector<TableCopyJob>& jobs, const std::vector<std::size_t>& schedule)
    : m_jobs(jobs), m_pending(schedule.begin(), schedule.end()) {
    for (const auto& job : jobs) {
        if (job.pages) m_ranges_left[relation_of(job).display()] = job.pages->count;
    }
}

bool RangeAwareOrder::committed(std::size_t index) {
    if (!m_jobs[index].pages) return true;
    std::lock_guard lock(m_mutex);
    return --m_ranges_left.at(relation_of(m_jobs[index]).display()) == 0;
}

std::size_t RangeAwareOrder::next() {
    std::lock_guard lock(m_mutex);
    auto chosen = std::find_if(m_pending.begin(), m_pending.end(), [this](std::size_t index) {
        return !m_jobs[index].pages || m_loading[relation_of(m_jobs[index]).display()] == 0;
    });
    if (chosen == m_pending.end()) chosen = m_pending.begin();
    const std::size_t index = *chosen;
    m_pending.erase(chosen);
    if (m_jobs[index].pages) ++m_loading[relation_of(m_jobs[index]).display()];
    return index;
}

void RangeAwareOrder::finished(std::size_t index) {
    if (!m_jobs[index].pages) return;
    std::lock_guard lock(m_mutex);
    --m_loading[relation_of(m_jobs[index]).display()];
}

}  // namespace understudy::orchestrator
