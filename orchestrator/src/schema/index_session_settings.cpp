// Index-building sessions: parallel workers and sort memory for `jobs` builds at once.
#include "understudy/orchestrator/schema/index_session_settings.hpp"

#include <algorithm>

namespace understudy::orchestrator {
namespace {

constexpr std::uint64_t k_max_sort_memory_kb = 1024 * 1024;  // more rarely shortens a build

}  // namespace

IndexSessionSettings index_session_settings(const TargetBuildResources& target, unsigned cores, int jobs) {
    // Without a budget, the builds may use every core.
    return index_session_settings(target, cores, jobs, static_cast<int>(std::max(1u, cores)));
}

IndexSessionSettings index_session_settings(const TargetBuildResources& target, unsigned cores, int builds,
                                            int slots) {
    const int sessions = std::max(1, builds);
    const int processes = std::min({static_cast<int>(std::max(1u, cores)), std::max(1, slots),
                                    target.max_parallel_workers + sessions});
    IndexSessionSettings settings;
    settings.max_parallel_maintenance_workers =
        std::max(0, std::min(processes / sessions - 1, target.max_parallel_workers / sessions));
    settings.maintenance_work_mem_kb = std::max(
        target.maintenance_work_mem_kb, std::min(k_max_sort_memory_kb, target.shared_buffers_kb / sessions));
    return settings;
}

}  // namespace understudy::orchestrator
