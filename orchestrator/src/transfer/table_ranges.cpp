// Cutting big tables into page ranges: their sizes, how many ranges, and the range jobs.
#include "understudy/orchestrator/transfer/table_ranges.hpp"

#include <algorithm>
#include <cctype>
#include <string>


#include "understudy/pg/database_error.hpp"
#include "understudy/pg/sql_text.hpp"
#include "understudy/sql/orchestrator_sql.hpp"

namespace understudy::orchestrator {
namespace {

// Beyond this, more ranges only add transactions and index-build waits, not balance.
constexpr int k_max_ranges = 64;
// Pieces of a quarter of one worker's share: largest-first scheduling then ends the workers
// within about a quarter share of each other, and small tables fill the rest.
constexpr std::uint64_t k_pieces_per_worker = 4;

/// Whether `job` copies one relation whole with `COPY relation TO STDOUT` (a plain table or a leaf).
bool copies_one_relation(const TableCopyJob& job) {
    return job.whole_table && !job.pages && (job.partition || !job.table->partitioned);
}

}  // namespace

std::vector<RelationSize> read_relation_sizes(pg::Transaction& source_tx, const std::vector<TableCopyJob>& jobs) {
    std::vector<std::string> names;
    for (const auto& job : jobs) {
        names.push_back(copies_one_relation(job) ? (job.partition ? *job.partition : job.table->name).quoted() : "");
    }
    std::vector<RelationSize> sizes(jobs.size());
    if (jobs.empty()) return sizes;
    auto rows = pg::with_context(pg::Side::source, "could not read the tables' sizes", [&] {
        return source_tx.exec_params(std::string(sql::k_relation_sizes),
                                     pg::array_literal(names));
    });
    for (const auto& row : rows) {
        auto& size = sizes.at(row[0].as<std::size_t>() - 1);
        size.bytes = row[1].as<std::uint64_t>();
        size.pages = row[2].as<std::int64_t>();
    }
    return sizes;
}

int range_count(std::uint64_t table_bytes, std::int64_t pages, std::uint64_t total_bytes, int workers) {
    if (workers < 2 || pages < 2) return 1;
    const std::uint64_t pieces = k_pieces_per_worker * static_cast<std::uint64_t>(workers);
    const std::uint64_t piece = std::max<std::uint64_t>(1, (total_bytes + pieces - 1) / pieces);
    const std::uint64_t wanted = std::max<std::uint64_t>((table_bytes + piece - 1) / piece, workers);
    return static_cast<int>(std::min<std::uint64_t>({wanted, k_max_ranges, static_cast<std::uint64_t>(pages)}));
}

std::vector<TableCopyJob> split_large_tables(const std::vector<TableCopyJob>& jobs, const std::vector<RelationSize>& sizes,
                                             const TableSplitting& splitting) {
    if (splitting.workers < 2 || !splitting.tid_range_scans) return jobs;
    std::uint64_t total_bytes = 0;
    for (const auto& size : sizes) total_bytes += size.bytes;
    std::vector<TableCopyJob> split;
    for (std::size_t job_idx = 0; job_idx < jobs.size(); ++job_idx) {
        const auto& job = jobs[job_idx];
        const auto& size = sizes.at(job_idx);
        const int count = copies_one_relation(job) && size.bytes > splitting.larger_than_bytes
                              ? range_count(size.bytes, size.pages, total_bytes, splitting.workers)
                              : 1;
        if (count < 2) {
            split.push_back(job);
            continue;
        }
        for (int range_idx = 0; range_idx < count; ++range_idx) {
            TableCopyJob range = job;
            // The first range has no lower bound and the last none above, so pages added since the
            // size was read (rows the snapshot does not see, or a size read too early) are covered.
            range.pages = PageRange{size.pages * range_idx / count,
                                    range_idx + 1 == count ? -1 : size.pages * (range_idx + 1) / count,
                                    range_idx + 1, count};
            range.expected_rows = job.expected_rows / count;
            split.push_back(std::move(range));
        }
    }
    return split;
}

std::optional<std::uint64_t> parse_byte_size(std::string_view text) {
    std::size_t digits = 0;
    while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
    if (digits == 0 || digits > 18) return std::nullopt;
    std::uint64_t number = std::stoull(std::string(text.substr(0, digits)));
    std::string unit;
    for (char c : text.substr(digits)) {
        if (c != ' ') unit += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    static const std::pair<const char*, int> k_units[] = {{"", 0},   {"b", 0},   {"kb", 10}, {"k", 10}, {"mb", 20},
                                                          {"m", 20}, {"gb", 30}, {"g", 30},  {"tb", 40}, {"t", 40}};
    for (const auto& [name, shift] : k_units) {
        if (unit != name) continue;
        if (shift && number > (UINT64_MAX >> shift)) return std::nullopt;
        return number << shift;
    }
    return std::nullopt;
}

}  // namespace understudy::orchestrator
