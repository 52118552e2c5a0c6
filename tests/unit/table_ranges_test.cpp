// Cutting big tables into page ranges: how many, where the bounds fall, which jobs are cut, and
// the sizes users write.
#include <gtest/gtest.h>

#include "understudy/orchestrator/transfer/table_ranges.hpp"

namespace understudy::orchestrator {
namespace {

constexpr std::uint64_t k_mb = std::uint64_t{1} << 20;

subsetter::Table plain_table(const std::string& name) {
    subsetter::Table table;
    table.name = {"public", name};
    return table;
}

TableCopyJob whole(const subsetter::Table& table, std::int64_t rows) {
    TableCopyJob job;
    job.table = &table;
    job.whole_table = true;
    job.expected_rows = rows;
    return job;
}

TEST(RangeCount, PiecesOfAQuarterShareAtLeastOnePerWorkerAtMostThePages) {
    // 600 MB of 1000 MB with 2 workers: pieces of 125 MB, so 5 ranges.
    EXPECT_EQ(range_count(600 * k_mb, 76800, 1000 * k_mb, 2), 5);
    // The only table: 4 pieces per worker.
    EXPECT_EQ(range_count(1000 * k_mb, 128000, 1000 * k_mb, 2), 8);
    EXPECT_EQ(range_count(1000 * k_mb, 128000, 1000 * k_mb, 3), 12);
    // A small part of a huge copy still gets one range per worker.
    EXPECT_EQ(range_count(10 * k_mb, 1280, 100000 * k_mb, 4), 4);
    // Never more ranges than pages, nor more than 64.
    EXPECT_EQ(range_count(1000 * k_mb, 3, 1000 * k_mb, 4), 3);
    EXPECT_EQ(range_count(1000 * k_mb, 128000, 1000 * k_mb, 32), 64);
    // One worker gains nothing from ranges.
    EXPECT_EQ(range_count(1000 * k_mb, 128000, 1000 * k_mb, 1), 1);
}

TEST(SplitLargeTables, OnlyWholeTablesAboveTheThresholdEveryPageCoveredOnce) {
    auto events = plain_table("events");
    auto users = plain_table("users");
    auto picked = plain_table("picked");
    std::vector<TableCopyJob> jobs{whole(events, 8000), whole(users, 100)};
    TableCopyJob selected;
    selected.table = &picked;
    selected.selects = {"SELECT * FROM public.picked"};
    jobs.push_back(selected);
    // A SELECTed job is never cut, whatever the size it is given.
    const std::vector<RelationSize> sizes{{800 * k_mb, 102400}, {200 * k_mb, 25600}, {900 * k_mb, 115200}};

    auto split = split_large_tables(jobs, sizes, {300 * k_mb, 2, true});
    // 800 MB of 1900 MB with pieces of 237.5 MB: 4 ranges, then users and picked as they were.
    ASSERT_EQ(split.size(), 6u);
    std::int64_t next_page = 0;
    for (int range_idx = 0; range_idx < 4; ++range_idx) {
        const auto& job = split[range_idx];
        ASSERT_TRUE(job.pages.has_value());
        EXPECT_EQ(job.table, &events);
        EXPECT_EQ(job.pages->number, range_idx + 1);
        EXPECT_EQ(job.pages->count, 4);
        EXPECT_EQ(job.pages->first_page, next_page);
        EXPECT_EQ(job.expected_rows, 2000);
        next_page = job.pages->end_page;
    }
    EXPECT_EQ(split[1].pages->first_page, 25600);
    EXPECT_EQ(split[3].pages->end_page, -1) << "the last range has no upper bound";
    EXPECT_FALSE(split[4].pages.has_value());
    EXPECT_FALSE(split[5].pages.has_value());
    EXPECT_EQ(job_label(split[1]), "public.events rows 2/4");

    EXPECT_EQ(split_large_tables(jobs, sizes, {300 * k_mb, 1, true}).size(), 3u) << "one worker";
    EXPECT_EQ(split_large_tables(jobs, sizes, {300 * k_mb, 2, false}).size(), 3u) << "no TID range scans";
    EXPECT_EQ(split_large_tables(jobs, sizes, {800 * k_mb, 2, true}).size(), 3u) << "not larger than the threshold";
}

TEST(SplitLargeTables, RangesReadTheirPagesOnly) {
    auto events = plain_table("events");
    auto split = split_large_tables({whole(events, 10)}, {{3 * k_mb, 384}}, {k_mb, 2, true});
    ASSERT_EQ(split.size(), 8u);
    EXPECT_EQ(selects_of(split[0]), std::vector<std::string>{
                                        "SELECT * FROM ONLY \"public\".\"events\" WHERE ctid < '(48,0)'::pg_catalog.tid"});
    EXPECT_EQ(selects_of(split[1]),
              std::vector<std::string>{"SELECT * FROM ONLY \"public\".\"events\" WHERE ctid >= '(48,0)'::pg_catalog.tid "
                                       "AND ctid < '(96,0)'::pg_catalog.tid"});
    EXPECT_EQ(selects_of(split[7]), std::vector<std::string>{
                                        "SELECT * FROM ONLY \"public\".\"events\" WHERE ctid >= '(336,0)'::pg_catalog.tid"});
}

TEST(ParseByteSize, UnitsOf1024CaseAndSpacesIgnored) {
    EXPECT_EQ(parse_byte_size("1073741824"), std::uint64_t{1} << 30);
    EXPECT_EQ(parse_byte_size("1GB"), std::uint64_t{1} << 30);
    EXPECT_EQ(parse_byte_size("200MB"), 200 * k_mb);
    EXPECT_EQ(parse_byte_size("512 kB"), 512u * 1024);
    EXPECT_EQ(parse_byte_size("2t"), std::uint64_t{2} << 40);
    EXPECT_EQ(parse_byte_size("0"), 0u);
    EXPECT_EQ(parse_byte_size(""), std::nullopt);
    EXPECT_EQ(parse_byte_size("GB"), std::nullopt);
    EXPECT_EQ(parse_byte_size("1.5GB"), std::nullopt);
    EXPECT_EQ(parse_byte_size("12 apples"), std::nullopt);
    EXPECT_EQ(parse_byte_size("99999999999999999TB"), std::nullopt);
}

}  // namespace
}  // namespace understudy::orchestrator
