// Big tables cut into page ranges that several copy workers load at once, inside the one snapshot.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "understudy/orchestrator/transfer/table_copy.hpp"
#include "understudy/pg/transaction.hpp"

namespace understudy::orchestrator {

/// `--split-tables-larger-than`'s default: tables above 1 GiB are copied in ranges.
inline constexpr std::uint64_t k_default_split_tables_larger_than = std::uint64_t{1} << 30;

/// When and how finely split_large_tables() cuts tables.
struct TableSplitting {
    std::uint64_t larger_than_bytes = k_default_split_tables_larger_than;  ///< tables above this are cut
    int workers = 2;                      ///< the copy workers (`--jobs`) that share the ranges
    /// The source plans `ctid` bounds as a TID range scan (PostgreSQL 14+); before that each range
    /// would read the whole table, so nothing is cut.
    bool tid_range_scans = true;
};

/// The size of one relation's main fork, now (sizes are not part of a snapshot, but every row the
/// snapshot sees lies in a page that exists already, and the last range has no upper bound).
struct RelationSize {
    std::uint64_t bytes = 0;
    std::int64_t pages = 0;
};

/// For each job, the size of the relation it copies whole (its leaf partition, or its plain
/// table); zero for jobs that copy SELECTed rows or a partitioned root. One query in `source_tx`.
std::vector<RelationSize> read_relation_sizes(pg::Transaction& source_tx, const std::vector<TableCopyJob>& jobs);

/// How many ranges a table of `table_bytes` is cut into when the jobs total `total_bytes` and
/// `workers` copy them: pieces of about a quarter of one worker's share, so that largest-first
/// scheduling ends the workers within a piece of each other, at least one per worker, at most 64
/// and never more than the table's `pages`.
int range_count(std::uint64_t table_bytes, std::int64_t pages, std::uint64_t total_bytes, int workers);

/// `jobs` with every whole-table job whose relation is larger than `splitting.larger_than_bytes`
/// replaced by range jobs (TableCopyJob::pages) of equal page counts, in place; `sizes` as from
/// read_relation_sizes(). Unchanged with one worker or without TID range scans.
std::vector<TableCopyJob> split_large_tables(const std::vector<TableCopyJob>& jobs, const std::vector<RelationSize>& sizes,
                                             const TableSplitting& splitting);

/// A size as a user writes it: `1073741824`, `200MB`, `1GB`, `512 kB` (units of 1024, case
/// ignored); nullopt when it is not one.
std::optional<std::uint64_t> parse_byte_size(std::string_view text);

}  // namespace understudy::orchestrator
