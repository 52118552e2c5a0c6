// One list of work items shared by a few threads, each holding its own connections; the first
// failure stops every worker and is rethrown.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace understudy::orchestrator {

/// The items left to take; shared by the workers of run_workers.
class WorkQueue {
public:
    explicit WorkQueue(std::size_t size) : m_size(size) {}

    /// The next item's index in `index`; false once none is left or any worker has failed.
    bool take(std::size_t& index) {
        if (m_failed) return false;
        index = m_next++;
        return index < m_size;
    }

private:
    template <typename Worker>
    friend void run_workers(int workers, std::size_t items, Worker&& worker);

    std::size_t m_size;
    std::atomic<std::size_t> m_next{0};
    std::atomic<bool> m_failed{false};
};

/// How many threads run_workers(workers, items, ...) starts, the calling one included.
inline int worker_count(int workers, std::size_t items) {
    return std::max(1, std::min<int>(workers, static_cast<int>(items)));
}

/// Runs `worker(worker_number, queue)` on min(`workers`, `items`) threads, at least one; number 0
/// is the calling thread (it may use the caller's own connection). Each worker sets up what it
/// needs (connections) and then takes items until take() says stop. Returns when all are done;
/// rethrows the first exception, after which the others take no new item.
template <typename Worker>
void run_workers(int workers, std::size_t items, Worker&& worker) {
    WorkQueue queue(items);
    std::exception_ptr first_error;
    std::mutex error_mutex;
    auto guarded = [&](int number) {
        try {
            worker(number, queue);
        } catch (...) {
            std::lock_guard lock(error_mutex);
            if (!first_error) first_error = std::current_exception();
            queue.m_failed = true;
        }
    };
    const int count = worker_count(workers, items);
    std::vector<std::thread> threads;
    for (int number = 1; number < count; ++number) threads.emplace_back(guarded, number);
    guarded(0);
    for (auto& thread : threads) thread.join();
    if (first_error) std::rethrow_exception(first_error);
}

}  // namespace understudy::orchestrator
