// Benchmark: a full-table copy with anonymization rules against the same run without rules.
//
// usage: anonymized_subset_bench SOURCE_URL TARGET_SERVER_URL RULES_FILE [TABLE]
//   Copies TABLE (default public.users) whole, with the tables it references, twice into fresh
//   databases on the target server: once as it is, once with RULES_FILE's rules. Both runs do everything a subset
//   does (schema, copy, indexes, ANALYZE); the ratio shows what rewriting rows in flight costs.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <set>

#include "understudy/pg/query_session.hpp"

#include "bench_database.hpp"
#include "understudy/anonymizer/rules.hpp"
#include "understudy/orchestrator/transfer/progress.hpp"
#include "understudy/orchestrator/pipelines/subset_pipeline.hpp"
#include "understudy/pg/session.hpp"
#include "understudy/pg/sql_text.hpp"
#include "understudy/subsetter/catalog.hpp"

namespace {

using understudy::bench::recreate_database;
using understudy::pg::ConnInfo;

struct Run {
    double seconds = 0;
    double copy_seconds = 0;
    std::uint64_t rows = 0;
    std::uint64_t bytes = 0;
};

Run run(const ConnInfo& source, const ConnInfo& server, const std::string& database,
        const understudy::subsetter::QualifiedName& table, understudy::anonymizer::RuleSet rules) {
    recreate_database(server, database);
    understudy::orchestrator::SubsetRequest request;
    request.source = source;
    request.target = server.with("dbname", database);
    // The table and the tables it references (transitively) are copied whole; the rest is created
    // empty. With users, that is users and accounts.
    auto source_connection = understudy::pg::SourceSnapshot(source);
    auto catalog = understudy::subsetter::load_catalog(source_connection.transaction());
    std::set<understudy::subsetter::QualifiedName> whole{table};
    for (bool grew = true; grew;) {
        grew = false;
        for (const auto& reference : catalog.foreign_keys) {
            if (whole.count(reference.child) && whole.insert(reference.parent).second) grew = true;
        }
    }
    for (const auto& other : catalog.tables) {
        request.settings.overrides[other.name] = {whole.count(other.name) ? understudy::subsetter::TablePolicy::all
                                                                          : understudy::subsetter::TablePolicy::none,
                                                  {}, {}, {}, "benchmark"};
    }
    request.rules = std::move(rules);
    understudy::orchestrator::Progress progress(false);
    auto start = std::chrono::steady_clock::now();
    auto report = understudy::orchestrator::run_subset(request, progress);
    Run result;
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    result.copy_seconds = report["phases"]["copy"].get<double>();
    result.rows = report["totals"]["rows"].get<std::uint64_t>();
    result.bytes = report["totals"]["bytes"].get<std::uint64_t>();
    return result;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 4) {
        std::cerr << "usage: anonymized_subset_bench SOURCE_URL TARGET_SERVER_URL RULES_FILE [TABLE]\n";
        return 2;
    }
    try {
        auto source = ConnInfo::parse(argv[1]);
        auto server = ConnInfo::parse(argv[2]);
        auto table = understudy::subsetter::QualifiedName::parse(argc > 4 ? argv[4] : "public.users");
        if (!std::getenv("UNDERSTUDY_SECRET")) setenv("UNDERSTUDY_SECRET", "benchmark secret, not for real use", 1);

        // Each twice, alternating, best of two: the first run also warms the source's cache.
        Run plain = run(source, server, "bench_plain", table, {});
        Run anonymized = run(source, server, "bench_anonymized", table, understudy::anonymizer::RuleSet::load_file(argv[3]));
        Run plain_again = run(source, server, "bench_plain", table, {});
        Run anonymized_again = run(source, server, "bench_anonymized", table,
                                   understudy::anonymizer::RuleSet::load_file(argv[3]));
        if (plain_again.seconds < plain.seconds) plain = plain_again;
        if (anonymized_again.seconds < anonymized.seconds) anonymized = anonymized_again;

        std::printf("table %s copied whole: %llu rows, %.1f MB\n", table.display().c_str(),
                    static_cast<unsigned long long>(plain.rows), static_cast<double>(plain.bytes) / 1e6);
        std::printf("without rules:       %7.2f s   (copy %.2f s)\n", plain.seconds, plain.copy_seconds);
        std::printf("with rules:          %7.2f s   (copy %.2f s)\n", anonymized.seconds, anonymized.copy_seconds);
        std::printf("slowdown:            %+6.1f %% whole run, %+.1f %% copy phase   goal: <= +10 %%\n",
                    100.0 * (anonymized.seconds / plain.seconds - 1.0),
                    100.0 * (anonymized.copy_seconds / plain.copy_seconds - 1.0));
        return 0;
    } catch (const std::exception& error) {
        std::cerr << "error: " << error.what() << "\n";
        return 1;
    }
}
