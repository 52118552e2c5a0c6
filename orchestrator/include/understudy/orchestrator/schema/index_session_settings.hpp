// How the sessions that build indexes share the machine's cores and the target's memory.
#pragma once

#include <cstdint>

namespace understudy::orchestrator {

/// What the target allows the sessions that build indexes (its settings).
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

/// The same for `builds` builds at once that hold `slots` slots of the --jobs budget (WorkSlots):
/// a parallel maintenance worker is a process like its leader and takes a slot too, so the
/// builds' leaders and workers together fit in `slots` (and in the cores and the pool, as above).
/// A build that runs when the copy is over and slots are free gets them as workers.
IndexSessionSettings index_session_settings(const TargetBuildResources& target, unsigned cores, int builds,
                                            int slots);

}  // namespace understudy::orchestrator
