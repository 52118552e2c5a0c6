// The --jobs budget shared by copy jobs and index builds.
#include "understudy/orchestrator/transfer/work_slots.hpp"

#include <algorithm>
#include <utility>

namespace understudy::orchestrator {

WorkSlots::Held::Held(Held&& other) noexcept
    : m_owner(std::exchange(other.m_owner, nullptr)), m_count(std::exchange(other.m_count, 0)) {}

WorkSlots::Held& WorkSlots::Held::operator=(Held&& other) noexcept {
    if (this != &other) {
        release();
        m_owner = std::exchange(other.m_owner, nullptr);
        m_count = std::exchange(other.m_count, 0);
    }
    return *this;
}

void WorkSlots::Held::keep(int count) {
    const int returned = m_count - std::max(0, count);
    if (returned <= 0 || !m_owner) return;
    m_count -= returned;
    m_owner->give_back(returned);
}

WorkSlots::WorkSlots(int size) : m_size(std::max(1, size)), m_free(m_size) {}

WorkSlots::Held WorkSlots::take_up_to(int most, Taker taker) {
    std::unique_lock lock(m_mutex);
    if (taker == Taker::index_build) {
        ++m_builds_waiting;
        m_freed.wait(lock, [&] { return m_free > 0; });
        --m_builds_waiting;
    } else {
        m_freed.wait(lock, [&] { return m_free > 0 && m_builds_waiting == 0 && !m_build_ready; });
    }
    const int taken = std::clamp(most, 1, m_free);
    m_free -= taken;
    m_peak = std::max(m_peak, m_size - m_free);
    // A copy that waited behind this build may take a slot this build left.
    if (taker == Taker::index_build && m_free > 0) m_freed.notify_all();
    return Held(this, taken);
}

void WorkSlots::set_index_build_ready(bool ready) {
    {
        std::lock_guard lock(m_mutex);
        if (m_build_ready == ready) return;
        m_build_ready = ready;
    }
    if (!ready) m_freed.notify_all();
}

int WorkSlots::peak() const {
    std::lock_guard lock(m_mutex);
    return m_peak;
}

void WorkSlots::give_back(int count) {
    {
        std::lock_guard lock(m_mutex);
        m_free += count;
    }
    m_freed.notify_all();
}

}  // namespace understudy::orchestrator
