// The --jobs budget shared by copy jobs and index builds: how many slots are held at once, who
// gets a freed slot first, that the copy/index protocol cannot deadlock with one slot, and that a
// slot comes back when its holder throws.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "understudy/orchestrator/transfer/work_slots.hpp"

namespace understudy::orchestrator {
namespace {

using namespace std::chrono_literals;
using Taker = WorkSlots::Taker;

/// Long enough for a thread that could take a slot to have taken it.
constexpr auto k_blocked = 150ms;
/// Long enough for anything that is not deadlocked.
constexpr auto k_finishes = 10s;

TEST(WorkSlots, NeverMoreHeldThanItsSizeAndAWaiterGetsTheFreedSlot) {
    WorkSlots slots(3);
    std::vector<WorkSlots::Held> held;
    for (int i = 0; i < 3; ++i) held.push_back(slots.take(Taker::copy));
    EXPECT_EQ(slots.peak(), 3);
    auto fourth = std::async(std::launch::async, [&] { return slots.take(Taker::copy); });
    EXPECT_EQ(fourth.wait_for(k_blocked), std::future_status::timeout);
    held.pop_back();
    ASSERT_EQ(fourth.wait_for(k_finishes), std::future_status::ready);
    EXPECT_EQ(fourth.get().count(), 1);
    EXPECT_EQ(slots.peak(), 3);
    EXPECT_EQ(WorkSlots(0).size(), 1);  // a budget has at least one slot
}

TEST(WorkSlots, TakeUpToTakesTheFreeSlotsAndKeepGivesSomeBack) {
    WorkSlots slots(4);
    auto copy = slots.take(Taker::copy);
    auto build = slots.take_up_to(4, Taker::index_build);
    EXPECT_EQ(build.count(), 3);  // all that were free, not more than the size
    build.keep(1);
    EXPECT_EQ(build.count(), 1);
    auto rest = slots.take_up_to(5, Taker::copy);
    EXPECT_EQ(rest.count(), 2);
    // Moving hands the slots over; the moved-from one gives nothing back twice.
    WorkSlots::Held moved = std::move(rest);
    EXPECT_EQ(moved.count(), 2);
    EXPECT_EQ(rest.count(), 0);  // NOLINT(bugprone-use-after-move): the point of the check
    moved.release();
    copy.release();
    build.release();
    EXPECT_EQ(slots.take_up_to(4, Taker::copy).count(), 4);
}

TEST(WorkSlots, AWaitingIndexBuildGetsTheNextSlotBeforeAWaitingCopy) {
    WorkSlots slots(1);
    auto held = slots.take(Taker::copy);
    std::mutex order_mutex;
    std::vector<std::string> order;
    auto waiter = [&](Taker taker, const char* name) {
        return std::async(std::launch::async, [&, taker, name] {
            auto slot = slots.take(taker);
            std::lock_guard lock(order_mutex);
            order.push_back(name);
        });
    };
    auto copy = waiter(Taker::copy, "copy");  // waits first
    std::this_thread::sleep_for(k_blocked);
    auto build = waiter(Taker::index_build, "index");
    std::this_thread::sleep_for(k_blocked);
    held.release();
    ASSERT_EQ(copy.wait_for(k_finishes), std::future_status::ready);
    ASSERT_EQ(build.wait_for(k_finishes), std::future_status::ready);
    EXPECT_EQ(order, (std::vector<std::string>{"index", "copy"}));
}

TEST(WorkSlots, AReadyIndexBuildHoldsCopiesBackUntilItIsNoLongerReady) {
    WorkSlots slots(2);
    slots.set_index_build_ready(true);
    auto copy = std::async(std::launch::async, [&] { return slots.take(Taker::copy); });
    EXPECT_EQ(copy.wait_for(k_blocked), std::future_status::timeout);  // free slots, but a build comes first
    auto build = slots.take(Taker::index_build);
    EXPECT_EQ(copy.wait_for(k_blocked), std::future_status::timeout);  // the builder has not said yet
    slots.set_index_build_ready(false);  // nothing else ready (or the builder failed): copies go on
    ASSERT_EQ(copy.wait_for(k_finishes), std::future_status::ready);  // the slot the build left
    EXPECT_EQ(copy.get().count(), 1);
    EXPECT_EQ(slots.peak(), 2);
}

// The protocol of transfer_tables and TableIndexBuilder with --jobs 1: a copy worker says the
// build of the table it loaded is ready while it still holds its slot, then gives the slot back and
// asks for the next one; the builder takes a slot only when it has a batch, and says nothing else
// is ready once it waits in take. Everything finishes, one at a
// time, and each table's build runs before the next table's copy.
TEST(WorkSlots, OneSlotCopiesAndIndexBuildsTakeTurnsWithoutDeadlock) {
    WorkSlots slots(1);
    std::mutex mutex;
    std::condition_variable ready_changed;
    int ready = 0;
    bool copies_done = false;
    std::vector<std::string> order;
    int running = 0;
    int most_running = 0;
    auto work = [&](const std::string& what) {
        {
            std::lock_guard lock(mutex);
            order.push_back(what);
            most_running = std::max(most_running, ++running);
        }
        std::this_thread::sleep_for(5ms);
        std::lock_guard lock(mutex);
        --running;
    };
    auto builder = std::async(std::launch::async, [&] {
        for (int built = 0;;) {
            {
                std::unique_lock lock(mutex);
                ready_changed.wait(lock, [&] { return ready > built || copies_done; });
                if (ready == built) return;
                ++built;
            }
            auto slot = slots.take(Taker::index_build);
            {
                std::lock_guard lock(mutex);
                slots.set_index_build_ready(ready > built);
            }
            work("index " + std::to_string(built));
        }
    });
    auto copier = std::async(std::launch::async, [&] {
        for (int table = 1; table <= 4; ++table) {
            auto slot = slots.take(Taker::copy);
            work("copy " + std::to_string(table));
            {
                std::lock_guard lock(mutex);
                ++ready;
                slots.set_index_build_ready(true);
            }
            ready_changed.notify_all();
        }
        std::lock_guard lock(mutex);
        copies_done = true;
        ready_changed.notify_all();
    });
    ASSERT_EQ(copier.wait_for(k_finishes), std::future_status::ready);
    ASSERT_EQ(builder.wait_for(k_finishes), std::future_status::ready);
    EXPECT_EQ(most_running, 1);
    EXPECT_EQ(order, (std::vector<std::string>{"copy 1", "index 1", "copy 2", "index 2", "copy 3", "index 3",
                                               "copy 4", "index 4"}));
}

TEST(WorkSlots, AHolderThatThrowsGivesItsSlotsBack) {
    WorkSlots slots(2);
    EXPECT_THROW(
        {
            auto held = slots.take_up_to(2, Taker::index_build);
            throw std::runtime_error("pg_restore failed");
        },
        std::runtime_error);
    auto again = std::async(std::launch::async, [&] { return slots.take_up_to(2, Taker::copy).count(); });
    ASSERT_EQ(again.wait_for(k_finishes), std::future_status::ready);
    EXPECT_EQ(again.get(), 2);
}

}  // namespace
}  // namespace understudy::orchestrator
