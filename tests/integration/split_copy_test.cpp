// Tables larger than sync's split_tables_larger_than are copied in page ranges by several workers:
// the table arrives complete and exact whatever the number of ranges (empty ones included), an
// anonymized split table is byte-identical to the same table copied in one piece, a table changed
// on the primary during the copy arrives as the snapshot saw it, and a sync killed in the middle
// of a range leaves live untouched while a rerun converges.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "background_process.hpp"
#include "db_checks.hpp"
#include "temp_file.hpp"
#include "test_cluster.hpp"

namespace understudy::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* k_source = "split_source";
constexpr const char* k_target = "split_target";
constexpr const char* k_unsplit = "split_unsplit";
constexpr const char* k_live = "split_live";
constexpr const char* k_secret = "a split-copy secret of some length";

// About 30 MB of events (the only table above the 1MB threshold of the tests) and a small table.
// The middle of events is deleted and vacuumed: its pages stay, empty, so some ranges hold no row.
constexpr const char* k_schema = R"sql(
CREATE TABLE public.kinds (id int PRIMARY KEY, name text NOT NULL);
INSERT INTO public.kinds SELECT g, 'kind ' || g FROM generate_series(0, 6) g;
CREATE TABLE public.events (
    id bigint PRIMARY KEY,
    kind_id int NOT NULL REFERENCES public.kinds,
    email text NOT NULL,
    at timestamptz NOT NULL,
    payload text
);
CREATE INDEX events_kind_id_idx ON public.events (kind_id);
INSERT INTO public.events
SELECT g, g % 7, 'person' || g || '@corp.example', '2024-01-01'::timestamptz + g * interval '1 minute',
       CASE WHEN g % 11 = 0 THEN NULL ELSE repeat(md5(g::text), 2) END
  FROM generate_series(1, 200000) g;
DELETE FROM public.events WHERE id BETWEEN 70001 AND 130000;
)sql";

constexpr const char* k_rules = R"yaml(
anonymize:
  default: fail
  tables:
    public.events:
      email: {fake: email, unique: true}
keep: [public.kinds, public.events.id, public.events.kind_id, public.events.at, public.events.payload]
)yaml";

/// Row count and an order-independent digest of every row as text.
std::string digest(const TestCluster& server, const std::string& database, const std::string& table) {
    return server.query_value(database, "SELECT count(*) || ':' || coalesce(md5(string_agg(md5(t::text), '' ORDER BY "
                                        "md5(t::text))), '') FROM " + table + " t");
}

nlohmann::json table_entry(const nlohmann::json& report, const std::string& table) {
    for (const auto& entry : report["tables"])
        if (entry["table"] == table) return entry;
    return {};
}

class SplitCopy : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        auto& servers = fixture_servers();
        drop_all();
        servers.primary.create_database(k_source);
        servers.primary.execute(k_source, k_schema);
        servers.primary.execute(k_source, "VACUUM ANALYZE public.events");
        servers.primary.execute(k_source, "ANALYZE public.kinds");
        servers.standby.wait_for_replay_of(servers.primary);
    }
    static void TearDownTestSuite() { drop_all(); }

    static void drop_all() {
        auto& primary = fixture_servers().primary;
        for (const auto& name : primary.databases_like("split\\_%")) primary.drop_database(name);
    }

    /// A full sync of the source (backend none) into `target`, with `jobs` workers; returns its report.
    static nlohmann::json sync_into(const std::string& target, int jobs, const std::string& split,
                                    bool anonymized = false) {
        auto& servers = fixture_servers();
        servers.primary.drop_database(target);
        servers.primary.create_database(target);
        TempFile config("sync: {backend: none, full: true, split_tables_larger_than: " + split + "}\n" +
                        (anonymized ? k_rules : ""));
        TempFile report("");
        auto run = run_understudy({"sync", "--source", servers.standby.url(k_source), "--target",
                                   servers.primary.url(target), "--config", config.path(), "--jobs",
                                   std::to_string(jobs), "--report", report.path()},
                                  {{"UNDERSTUDY_SECRET", k_secret}});
        EXPECT_EQ(run.exit_code, 0) << run.err;
        return read_json(report.path());
    }

    /// How many of `count` equal page ranges of the source's events hold no row (as the copy cuts them).
    static int empty_ranges(int count) {
        auto& standby = fixture_servers().standby;
        const long pages = std::stol(standby.query_value(
            k_source, "SELECT pg_relation_size('public.events') / current_setting('block_size')::int"));
        int empty = 0;
        for (long range_idx = 0; range_idx < count; ++range_idx) {
            const std::string rows = standby.query_value(
                k_source, "SELECT count(*) FROM public.events WHERE ctid >= '(" + std::to_string(pages * range_idx / count) +
                              ",0)' AND ctid < '(" + std::to_string(pages * (range_idx + 1) / count) + ",0)'");
            if (rows == "0") ++empty;
        }
        return empty;
    }
};

TEST_F(SplitCopy, ArrivesCompleteAndExactAtSeveralRangeCountsEmptyRangesIncluded) {
    auto& servers = fixture_servers();
    const std::string events = digest(servers.standby, k_source, "public.events");
    const std::string kinds = digest(servers.standby, k_source, "public.kinds");
    ASSERT_EQ(events.substr(0, events.find(':')), "140000");
    std::set<int> range_counts;
    for (int jobs : {2, 3, 4}) {
        auto report = sync_into(k_target, jobs, "1MB");
        const auto entry = table_entry(report, "public.events");
        ASSERT_TRUE(entry.contains("ranges")) << jobs << " jobs: " << entry.dump();
        const int ranges = entry["ranges"].get<int>();
        EXPECT_GE(ranges, jobs) << "at least one range per worker";
        range_counts.insert(ranges);
        EXPECT_GE(empty_ranges(ranges), 1) << ranges << " ranges: the deleted middle leaves some empty";
        EXPECT_EQ(entry["copied_rows"], 140000);
        EXPECT_EQ(entry["format"], "binary") << "a range of a table without rules moves in binary format";
        EXPECT_EQ(digest(servers.primary, k_target, "public.events"), events) << ranges << " ranges";
        EXPECT_FALSE(table_entry(report, "public.kinds").contains("ranges")) << "a small table is copied whole";
        EXPECT_EQ(digest(servers.primary, k_target, "public.kinds"), kinds);
        // Loaded without COPY FREEZE, the table is vacuumed (frozen) once every range is in.
        EXPECT_EQ(servers.primary.query_value(
                      k_target, "SELECT vacuum_count > 0 FROM pg_stat_user_tables WHERE relid = 'public.events'::regclass"),
                  "t");
        // Its index was built after its last range, and verification passed (the sync exited 0).
        EXPECT_EQ(servers.primary.query_value(k_target, "SELECT count(*) FROM pg_indexes WHERE tablename = 'events'"), "2");
    }
    EXPECT_EQ(range_counts.size(), 3u) << "2, 3 and 4 workers cut the table differently";

    // Above the threshold nothing is cut.
    auto unsplit = sync_into(k_target, 2, "1GB");
    EXPECT_FALSE(table_entry(unsplit, "public.events").contains("ranges"));
    EXPECT_EQ(digest(servers.primary, k_target, "public.events"), events);
}

TEST_F(SplitCopy, AnonymizedSplitTableIsByteIdenticalToItCopiedUnsplit) {
    auto& servers = fixture_servers();
    auto split = sync_into(k_target, 3, "1MB", true);
    auto whole = sync_into(k_unsplit, 3, "1GB", true);
    ASSERT_TRUE(table_entry(split, "public.events").contains("ranges"));
    ASSERT_FALSE(table_entry(whole, "public.events").contains("ranges"));
    EXPECT_EQ(table_entry(split, "public.events")["format"], "text") << "rewritten rows are text";
    const std::string rewritten = digest(servers.primary, k_target, "public.events");
    EXPECT_EQ(rewritten, digest(servers.primary, k_unsplit, "public.events"));
    EXPECT_NE(rewritten, digest(servers.standby, k_source, "public.events")) << "the emails were rewritten";
    EXPECT_EQ(servers.primary.query_value(k_target, "SELECT count(*) FROM public.events WHERE email LIKE 'person%'"), "0");
}

TEST_F(SplitCopy, KilledInTheMiddleOfARangeLeavesLiveUntouchedAndTheRerunConverges) {
    auto& servers = fixture_servers();
    servers.primary.create_database(k_live);
    servers.primary.execute(k_live, "CREATE TABLE public.marker (mark text); INSERT INTO public.marker VALUES ('before')");
    TempFile config(std::string("sync: {backend: postgres, full: true, keep: 1, split_tables_larger_than: 1MB}\n") +
                    k_rules);
    const std::vector<std::string> argv{UNDERSTUDY_BINARY, "sync", "--source", servers.standby.url(k_source),
                                        "--target", servers.primary.url(k_live), "--config", config.path(),
                                        "--jobs", "2"};
    {
        BackgroundProcess run(argv, {{"UNDERSTUDY_SECRET", k_secret}, {"UNDERSTUDY_TEST_PAUSE_AT", "copy:mid_table"}});
        ASSERT_TRUE(run.wait_until_stopped(120s)) << run.describe();
        EXPECT_NE(run.describe().find("test pause at copy:mid_table"), std::string::npos) << run.describe();
        EXPECT_EQ(run.kill_and_reap(), 128 + SIGKILL);
    }
    EXPECT_EQ(servers.primary.query_value(k_live, "SELECT string_agg(mark, ',') FROM public.marker"), "before")
        << "live is the database it was";
    EXPECT_EQ(servers.primary.query_value(k_live, "SELECT count(*) FROM pg_class WHERE relname = 'events'"), "0");

    BackgroundProcess rerun(argv, {{"UNDERSTUDY_SECRET", k_secret}});
    auto result = rerun.wait_for_exit(300s);
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(servers.primary.query_value(k_live, "SELECT count(*) FROM public.events"), "140000");
    EXPECT_EQ(fk_violations(servers.primary.conninfo(k_live)), std::vector<std::string>{});
    // The same rows as an anonymized copy made in one piece.
    sync_into(k_unsplit, 2, "1GB", true);
    EXPECT_EQ(digest(servers.primary, k_live, "public.events"), digest(servers.primary, k_unsplit, "public.events"));
}

TEST_F(SplitCopy, TableGrowingOnThePrimaryDuringTheCopyArrivesAsTheSnapshotSawIt) {
    auto& servers = fixture_servers();
    constexpr const char* k_growing = "split_growing";
    servers.primary.drop_database(k_growing);
    servers.primary.execute("postgres", std::string("CREATE DATABASE ") + k_growing + " TEMPLATE " + k_source);
    servers.standby.wait_for_replay_of(servers.primary);
    const std::string before = digest(servers.standby, k_growing, "public.events");
    servers.primary.drop_database(k_target);
    servers.primary.create_database(k_target);
    TempFile config("sync: {backend: none, full: true, split_tables_larger_than: 1MB}\n");
    BackgroundProcess run({UNDERSTUDY_BINARY, "sync", "--source", servers.standby.url(k_growing), "--target",
                           servers.primary.url(k_target), "--config", config.path(), "--jobs", "3"},
                          {{"UNDERSTUDY_TEST_PAUSE_AT", "copy:mid_table"}});
    ASSERT_TRUE(run.wait_until_stopped(120s)) << run.describe();
    // While the first range is half copied: new pages past the end, rows updated into the emptied
    // middle and the new pages, rows deleted at the start.
    servers.primary.execute(k_growing, R"sql(
        INSERT INTO public.events
        SELECT g, g % 7, 'late' || g || '@corp.example', now(), repeat('x', 100) FROM generate_series(200001, 260000) g;
        UPDATE public.events SET payload = 'changed' WHERE id % 10 = 0;
        DELETE FROM public.events WHERE id < 1000;
    )sql");
    servers.standby.wait_for_replay_of(servers.primary);
    run.resume();
    auto result = run.wait_for_exit(300s);
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(digest(servers.primary, k_target, "public.events"), before);
    EXPECT_NE(digest(servers.standby, k_growing, "public.events"), before) << "the source did change";
    servers.primary.drop_database(k_growing);
}

}  // namespace
}  // namespace understudy::testing
