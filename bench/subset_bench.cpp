// Benchmark: `understudy subset` against a raw COPY pipe of the same rows, in one process.
//
// usage: subset_bench SOURCE_URL TARGET_SERVER_URL [FRACTION] [SEED]
//   SOURCE_URL         the database to subset (a hot standby in bench/subset_bench.sh)
//   TARGET_SERVER_URL  a writable server; databases bench_understudy_* and bench_raw are created there
//
// The baseline is what a hand-written script does once the rows are known: pg_dump pre-data, one
// plain `COPY table TO STDOUT | COPY table FROM STDIN` per table (of the finished subset, so the very
// same rows and bytes), pg_dump post-data, ANALYZE. understudy's time includes everything it does
// (catalog, plan, key selection, schema, copy, indexes, sequences, ANALYZE).
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>

#include "understudy/pg/query_session.hpp"

#include "bench_database.hpp"
#include "understudy/orchestrator/transfer/progress.hpp"
#include "understudy/orchestrator/schema/schema_clone.hpp"
#include "understudy/orchestrator/pipelines/subset_pipeline.hpp"
#include "understudy/pg/copy_connection.hpp"
#include "understudy/pg/session.hpp"
#include "understudy/pg/sql_text.hpp"
#include "understudy/subsetter/catalog.hpp"

namespace {

using namespace std::chrono;
using understudy::bench::recreate_database;
using understudy::pg::ConnInfo;

double seconds_since(steady_clock::time_point start) {
    return duration<double>(steady_clock::now() - start).count();
}

long peak_rss_kb() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
}

struct RawResult {
    double seconds = 0;
    double copy_seconds = 0;
    std::uint64_t rows = 0;
    std::uint64_t bytes = 0;
};

/// The baseline: schema around a plain sequential COPY pipe of every table of `rows_from`.
RawResult raw_copy_pipe(const ConnInfo& schema_from, const ConnInfo& rows_from, const ConnInfo& target) {
    RawResult result;
    auto start = steady_clock::now();
    auto snapshot = understudy::pg::SourceSnapshot(rows_from);
    auto catalog = understudy::subsetter::load_catalog(snapshot.transaction());
    auto schema_snapshot = understudy::pg::SourceSnapshot(schema_from);
    auto archive = understudy::orchestrator::SchemaArchive::dump(schema_from, schema_snapshot.id(), {});
    archive.restore(target, understudy::orchestrator::SchemaSection::pre_data, 1);

    auto copy_start = steady_clock::now();
    understudy::pg::CopyConnection source(rows_from, understudy::pg::Side::source);
    understudy::pg::CopyConnection sink(target, understudy::pg::Side::target);
    for (const auto& table : catalog.tables) {
        std::string columns = understudy::pg::quote_ident_list(table.copy_columns());
        std::string out_sql = table.partitioned
                                  ? "COPY (SELECT " + columns + " FROM " + table.name.quoted() + ") TO STDOUT"
                                  : "COPY " + table.name.quoted() + " (" + columns + ") TO STDOUT";
        sink.begin_copy_in("COPY " + table.name.quoted() + " (" + columns + ") FROM STDIN", "raw copy in");
        auto stats = source.copy_out(out_sql, "raw copy out", [&](std::string_view row) { sink.put(row); });
        sink.end_copy_in();
        result.rows += stats.rows;
        result.bytes += stats.bytes;
    }
    result.copy_seconds = seconds_since(copy_start);
    archive.restore(target, understudy::orchestrator::SchemaSection::post_data, 1);
    auto connection = understudy::pg::connect(target, understudy::pg::Side::target);
    connection->autocommit().exec0("ANALYZE");
    result.seconds = seconds_since(start);
    return result;
}

double run_understudy(const ConnInfo& source, const ConnInfo& target, double fraction, std::uint64_t seed, int jobs,
                      nlohmann::json& report) {
    understudy::orchestrator::SubsetRequest request;
    request.source = source;
    request.target = target;
    request.settings.sizing = {understudy::subsetter::SizingMode::fraction, fraction};
    request.settings.seed = seed;
    request.jobs = jobs;
    understudy::orchestrator::Progress progress(false);
    auto start = steady_clock::now();
    report = understudy::orchestrator::run_subset(request, progress);
    return seconds_since(start);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::cerr << "usage: subset_bench SOURCE_URL TARGET_SERVER_URL [FRACTION] [SEED]\n";
        return 2;
    }
    try {
        auto source = ConnInfo::parse(argv[1]);
        auto server = ConnInfo::parse(argv[2]);
        double fraction = argc > 3 ? std::stod(argv[3]) : 0.05;
        std::uint64_t seed = argc > 4 ? std::stoull(argv[4]) : 1;

        recreate_database(server, "bench_understudy_j2");
        nlohmann::json report;
        double understudy_j2 = run_understudy(source, server.with("dbname", "bench_understudy_j2"), fraction, seed, 2, report);
        long rss_kb = peak_rss_kb();
        recreate_database(server, "bench_understudy_j1");
        nlohmann::json report_j1;
        double understudy_j1 = run_understudy(source, server.with("dbname", "bench_understudy_j1"), fraction, seed, 1, report_j1);

        recreate_database(server, "bench_raw");
        auto raw = raw_copy_pipe(source, server.with("dbname", "bench_understudy_j2"), server.with("dbname", "bench_raw"));

        std::uint64_t source_rows = 0;
        for (const auto& table : report["tables"]) source_rows += table["estimated_rows"].get<std::uint64_t>();
        std::printf("source: ~%llu rows; subset: fraction %.3g, %llu rows, %s\n",
                    static_cast<unsigned long long>(source_rows), fraction,
                    static_cast<unsigned long long>(report["totals"]["rows"].get<std::uint64_t>()),
                    understudy::orchestrator::format_bytes(report["totals"]["bytes"].get<double>()).c_str());
        std::printf("understudy subset --jobs 2: %7.2f s   (selection %.2f s, copy %.2f s, post-data %.2f s)\n",
                    understudy_j2, report["phases"]["selection"].get<double>(), report["phases"]["copy"].get<double>(),
                    report["phases"]["post_data"].get<double>());
        std::printf("understudy subset --jobs 1: %7.2f s\n", understudy_j1);
        std::printf("raw COPY pipe, same rows:   %7.2f s   (copy %.2f s)\n", raw.seconds, raw.copy_seconds);
        std::printf("ratio understudy/raw:       %7.2fx (jobs 2), %.2fx (jobs 1)   goal: <= 2x\n",
                    understudy_j2 / raw.seconds, understudy_j1 / raw.seconds);
        std::printf("peak RSS of the subset run: %ld MB\n", rss_kb / 1024);
        return 0;
    } catch (const std::exception& error) {
        std::cerr << "error: " << error.what() << "\n";
        return 1;
    }
}
