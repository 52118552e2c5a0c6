// Copy jobs and index builds share the --jobs budget: sampled on the target's pg_stat_activity
// during a sync, never more than --jobs backends copy rows or build indexes at once (parallel
// maintenance workers included), and with --jobs 1 copies and builds take turns and finish.
#include <gtest/gtest.h>

#include <atomic>
#include <exception>
#include <iostream>
#include <string>
#include <thread>

#include "db_checks.hpp"
#include "temp_file.hpp"
#include "test_cluster.hpp"
#include "understudy/pg/query_session.hpp"
#include "understudy/pg/transaction.hpp"

namespace understudy::testing {
namespace {

constexpr const char* k_source = "budget_source";
constexpr const char* k_target = "budget_target";

// Eight tables of 40 000 rows, each with a primary key and two indexes on text: copies long
// enough, and builds heavy enough, that without a shared budget the builds of the first tables
// run beside the copies of the next ones (two copies and a two-job pg_restore with --jobs 2).
std::string schema() {
    std::string sql;
    for (int table = 1; table <= 8; ++table) {
        const std::string name = "public.items_" + std::to_string(table);
        sql += "CREATE TABLE " + name + " (id bigint PRIMARY KEY, code text NOT NULL, note text NOT NULL);\n" +
               "CREATE INDEX ON " + name + " (code);\nCREATE INDEX ON " + name + " (note, code);\n" + "INSERT INTO " +
               name + " SELECT g, md5(g::text || '" + std::to_string(table) + "'), repeat(md5(g::text), 3) " +
               "FROM generate_series(1, 40000) g;\n";
    }
    return sql;
}

/// Backends of the target that copy rows or build indexes (their parallel workers report their
/// leader's statement): COPY, CREATE INDEX, ALTER TABLE adding a key, ANALYZE. Foreign keys and
/// VACUUM run after the copy, in post-data and analyze, outside what the budget governs.
constexpr const char* k_busy_backends = R"sql(
SELECT count(*), coalesce(string_agg(backend_type || ': ' || left(regexp_replace(query, '\s+', ' ', 'g'), 60), ' | '), '')
  FROM pg_catalog.pg_stat_activity
 WHERE datname = 'budget_target' AND state = 'active' AND pid <> pg_catalog.pg_backend_pid()
   AND (query ~* '^\s*(COPY|CREATE (UNIQUE )?INDEX|ANALYZE)'
        OR (query ~* '^\s*ALTER TABLE' AND query !~* 'FOREIGN KEY'))
)sql";

/// The most busy backends seen at once while `run` runs, and what they were doing then.
struct Peak {
    int backends = 0;
    std::string statements;
};

class JobsBudget : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        auto& servers = fixture_servers();
        servers.primary.drop_database(k_source);
        servers.primary.create_database(k_source);
        servers.primary.execute(k_source, schema());
        servers.primary.execute(k_source, "VACUUM ANALYZE");
        servers.standby.wait_for_replay_of(servers.primary);
    }
    static void TearDownTestSuite() {
        auto& primary = fixture_servers().primary;
        primary.drop_database(k_target);
        primary.drop_database(k_source);
    }

    /// A full sync with `jobs` workers while another thread samples the target's busy backends.
    static Peak sync_sampling(int jobs) {
        auto& servers = fixture_servers();
        servers.primary.drop_database(k_target);
        servers.primary.create_database(k_target);
        TempFile config("sync: {backend: none, full: true}\n");
        std::atomic<bool> done{false};
        Peak peak;
        int samples = 0;
        std::exception_ptr sampler_failed;
        std::thread sampler([&] {
            try {
                pg::QuerySession session(servers.primary.conninfo("postgres"), pg::Side::target);
                pg::Transaction tx = session.autocommit();  // a statement per sample: fresh statistics
                while (!done) {
                    const pg::Row row = tx.exec1(k_busy_backends);
                    ++samples;
                    const int busy = row[0].as<int>();
                    if (busy > peak.backends) peak = {busy, row[1].as<std::string>()};
                }
            } catch (...) {
                sampler_failed = std::current_exception();
            }
        });
        auto run = run_understudy({"sync", "--source", servers.standby.url(k_source), "--target",
                                   servers.primary.url(k_target), "--config", config.path(), "--jobs",
                                   std::to_string(jobs)},
                                  {{"UNDERSTUDY_SECRET", "a budget test secret of some length"}});
        done = true;
        sampler.join();
        if (sampler_failed) std::rethrow_exception(sampler_failed);
        EXPECT_EQ(run.exit_code, 0) << run.err;
        EXPECT_GT(samples, 50) << "the sampler must have looked often enough to see overlaps";
        // Everything arrived, indexes included.
        EXPECT_EQ(servers.primary.query_value(k_target, "SELECT count(*) FROM pg_catalog.pg_indexes WHERE "
                                                        "schemaname = 'public'"),
                  "24");
        EXPECT_EQ(servers.primary.query_value(k_target, "SELECT count(*) FROM public.items_8"), "40000");
        return peak;
    }
};

TEST_F(JobsBudget, CopiesAndIndexBuildsTogetherNeverExceedJobs) {
    const Peak peak = sync_sampling(2);
    std::cout << "[ peak ] --jobs 2: " << peak.backends << " busy backends: " << peak.statements << "\n";
    EXPECT_LE(peak.backends, 2) << peak.statements;
    // The sampler saw the budget used, not an idle target: two at once at some point.
    EXPECT_EQ(peak.backends, 2) << peak.statements;
}

TEST_F(JobsBudget, OneJobCopiesAndBuildsInTurnAndFinishes) {
    const Peak peak = sync_sampling(1);
    std::cout << "[ peak ] --jobs 1: " << peak.backends << " busy backends: " << peak.statements << "\n";
    EXPECT_EQ(peak.backends, 1) << peak.statements;
}

}  // namespace
}  // namespace understudy::testing
