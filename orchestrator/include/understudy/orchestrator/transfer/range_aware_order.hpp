// Which copy job a worker takes next when big tables are cut into page ranges.
#pragma once

#include <cstddef>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "understudy/orchestrator/transfer/table_copy.hpp"

namespace understudy::orchestrator {

/// The first job of the schedule, except that a range of a table another worker is loading waits
/// while anything else is left. Two COPYs into one heap contend for its extension lock (PostgreSQL
/// 15 extends one page at a time under it): on bench/sync_bench.sh's 2 GB database the copy phase
/// took 44 s with its big table's ranges side by side, 28 s unsplit. So a big table's ranges go one
/// after another while the other workers take the other tables, and are shared out only at the end,
/// when nothing else is left: what splitting is for (workers finishing together). Thread-safe.
class RangeAwareOrder {
public:
    /// `schedule`: indexes into `jobs`, in the order they should start (largest first).
    RangeAwareOrder(const std::vector<TableCopyJob>& jobs, const std::vector<std::size_t>& schedule);

    /// The next job's index, its table marked as loading when it is a range; once per job.
    std::size_t next();

    /// Records that job `index` committed; true when that completes its relation (a whole table or
    /// leaf at once, a table cut into ranges with its last range, whichever worker loaded it).
    bool committed(std::size_t index);

    /// Ends what next() marked, however the copy of job `index` ends.
    class Loading {
    public:
        Loading(RangeAwareOrder& order, std::size_t index) : m_order(order), m_index(index) {}
        ~Loading() { m_order.finished(m_index); }
        Loading(const Loading&) = delete;
        Loading& operator=(const Loading&) = delete;

    private:
        RangeAwareOrder& m_order;
        std::size_t m_index;
    };

private:
    void finished(std::size_t index);

    const std::vector<TableCopyJob>& m_jobs;
    std::mutex m_mutex;
    std::vector<std::size_t> m_pending;
    std::map<std::string, int> m_loading;       ///< ranges being loaded, per relation
    std::map<std::string, int> m_ranges_left;   ///< ranges not yet committed, per relation
};

}  // namespace understudy::orchestrator
