// Which copy job a worker takes next: a big table's ranges one after another while other tables are
// left, shared by every worker only at the end.
#include <gtest/gtest.h>

#include <numeric>

#include "understudy/orchestrator/transfer/range_aware_order.hpp"

namespace understudy::orchestrator {
namespace {

subsetter::Table plain_table(const std::string& name) {
    subsetter::Table table;
    table.name = {"public", name};
    return table;
}

TableCopyJob job_of(const subsetter::Table& table, std::int64_t rows, int range = 0, int ranges = 0) {
    TableCopyJob job;
    job.table = &table;
    job.whole_table = true;
    job.expected_rows = rows;
    if (ranges > 0) job.pages = PageRange{0, -1, range, ranges};
    return job;
}

TEST(RangeAwareOrder, ARangeWaitsWhileItsTableLoadsAndOtherJobsAreLeft) {
    const auto big = plain_table("activity_log");
    const auto comments = plain_table("comments");
    const auto users = plain_table("users");
    // The schedule as transfer_tables sorts it: the big table's three ranges first.
    const std::vector<TableCopyJob> jobs = {job_of(big, 300, 1, 3), job_of(big, 300, 2, 3), job_of(big, 300, 3, 3),
                                            job_of(comments, 200), job_of(users, 100)};
    std::vector<std::size_t> schedule(jobs.size());
    std::iota(schedule.begin(), schedule.end(), 0);
    RangeAwareOrder order(jobs, schedule);

    const std::size_t first = order.next();  // worker A: range 1
    EXPECT_EQ(first, 0u);
    {
        // Worker B: not range 2 beside range 1, but the next other table.
        RangeAwareOrder::Loading loading_first(order, first);
        EXPECT_EQ(order.next(), 3u);
        EXPECT_EQ(order.next(), 4u);
        // Nothing else is left: range 2 is shared out beside range 1 (the tail).
        const std::size_t shared = order.next();
        EXPECT_EQ(shared, 1u);
        RangeAwareOrder::Loading loading_shared(order, shared);
    }
    // Range 1 and 2 are done: range 3 is next, with nothing loading its table.
    EXPECT_EQ(order.next(), 2u);
}

TEST(RangeAwareOrder, RangesOfOneTableFollowEachOtherOnOneWorker) {
    const auto big = plain_table("activity_log");
    const auto other = plain_table("comments");
    const std::vector<TableCopyJob> jobs = {job_of(big, 300, 1, 2), job_of(big, 300, 2, 2), job_of(other, 200)};
    std::vector<std::size_t> schedule = {0, 1, 2};
    RangeAwareOrder order(jobs, schedule);
    const std::size_t first = order.next();
    {
        RangeAwareOrder::Loading loading(order, first);  // the table loads until this worker is done
    }
    EXPECT_EQ(order.next(), 1u);  // the same worker goes on with range 2 before the smaller table
    EXPECT_EQ(order.next(), 2u);
}

TEST(RangeAwareOrder, ARelationIsCommittedWithItsLastRangeWhicheverWorkerLoadsIt) {
    const auto big = plain_table("activity_log");
    const auto other = plain_table("comments");
    const std::vector<TableCopyJob> jobs = {job_of(big, 300, 1, 3), job_of(big, 300, 2, 3), job_of(big, 300, 3, 3),
                                            job_of(other, 200)};
    RangeAwareOrder order(jobs, {0, 1, 2, 3});
    EXPECT_TRUE(order.committed(3));   // a whole table: at once
    EXPECT_FALSE(order.committed(2));  // ranges commit in any order
    EXPECT_FALSE(order.committed(0));
    EXPECT_TRUE(order.committed(1));   // the last of the three
}

}  // namespace
}  // namespace understudy::orchestrator
