// The settings of the sessions that build indexes during and after the copy: parallel workers that
// fit the machine's cores and the target's pool, sort memory from the target's settings.
#include <gtest/gtest.h>

#include "understudy/orchestrator/schema/index_session_settings.hpp"

namespace understudy::orchestrator {
namespace {

TEST(IndexSessionSettings, WorkersFitTheCoresAndThePoolMemoryNeverBelowTheTargets) {
    TargetBuildResources target{8, 65536, 4 * 1024 * 1024};  // pool 8, 64 MB, shared_buffers 4 GB
    // 2 cores, 2 builds at once: each is its leader alone.
    EXPECT_EQ(index_session_settings(target, 2, 2).max_parallel_maintenance_workers, 0);
    // 16 cores, 2 builds: 8 processes each, capped by the pool's half.
    EXPECT_EQ(index_session_settings(target, 16, 2).max_parallel_maintenance_workers, 4);
    EXPECT_EQ(index_session_settings(target, 8, 2).max_parallel_maintenance_workers, 3);
    // A target without parallel workers gets none.
    EXPECT_EQ(index_session_settings({0, 65536, 4 * 1024 * 1024}, 16, 2).max_parallel_maintenance_workers, 0);
    // Sort memory: shared_buffers / builds, at most 1 GB, never below the target's own setting.
    EXPECT_EQ(index_session_settings(target, 8, 2).maintenance_work_mem_kb, 1024u * 1024);
    EXPECT_EQ(index_session_settings(target, 8, 8).maintenance_work_mem_kb, 512u * 1024);
    EXPECT_EQ(index_session_settings({8, 262144, 131072}, 8, 2).maintenance_work_mem_kb, 262144u);
}

TEST(IndexSessionSettings, BuildsSharingSlotsOfTheBudgetCountTheirWorkersAsSlots) {
    TargetBuildResources target{8, 65536, 4 * 1024 * 1024};
    // One build holding the 4 slots the copy left: a leader and 3 workers.
    EXPECT_EQ(index_session_settings(target, 16, 1, 4).max_parallel_maintenance_workers, 3);
    // Two builds in 4 slots: a leader and one worker each; in 3 slots, none can have a worker.
    EXPECT_EQ(index_session_settings(target, 16, 2, 4).max_parallel_maintenance_workers, 1);
    EXPECT_EQ(index_session_settings(target, 16, 2, 3).max_parallel_maintenance_workers, 0);
    // One slot during the copy: the leader alone. Slots beyond the cores or the pool add nothing.
    EXPECT_EQ(index_session_settings(target, 16, 1, 1).max_parallel_maintenance_workers, 0);
    EXPECT_EQ(index_session_settings(target, 2, 1, 8).max_parallel_maintenance_workers, 1);
    EXPECT_EQ(index_session_settings({2, 65536, 4 * 1024 * 1024}, 16, 1, 8).max_parallel_maintenance_workers, 2);
    // A build alone sorts in all of shared_buffers' share (at most 1 GB); two halve it.
    EXPECT_EQ(index_session_settings({8, 65536, 1024 * 1024}, 16, 1, 4).maintenance_work_mem_kb, 1024u * 1024);
    EXPECT_EQ(index_session_settings({8, 65536, 1024 * 1024}, 16, 2, 4).maintenance_work_mem_kb, 512u * 1024);
}

}  // namespace
}  // namespace understudy::orchestrator
