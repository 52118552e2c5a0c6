// pg_query_session_test: pg::QuerySession, pg::Transaction and the Result/Row/Field views, against the fixture's servers.
#include <cstdint>
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "test_cluster.hpp"
#include "understudy/pg/database_error.hpp"
#include "understudy/pg/query_session.hpp"
#include "understudy/pg/session.hpp"

namespace understudy::testing {
namespace {

TEST(PgQuerySession, FieldsConvertAsTheCodeReadsThem) {
    auto& servers = fixture_servers();
    pg::QuerySession session(servers.standby.conninfo(k_fixture_database), pg::Side::source);
    pg::Transaction tx = session.autocommit();
    const pg::Row row = tx.exec1(
        "SELECT true, 42::int, 9000000000::bigint, 4000000000::bigint, 2.5::float8, 'text', NULL::text, ''::text");
    ASSERT_EQ(row.size(), 8u);
    EXPECT_TRUE(row[0].as<bool>());
    EXPECT_EQ(row[1].as<int>(), 42);
    EXPECT_EQ(row[2].as<std::int64_t>(), 9000000000);
    EXPECT_EQ(row[3].as<std::uint32_t>(), 4000000000u);
    EXPECT_DOUBLE_EQ(row[4].as<double>(), 2.5);
    EXPECT_EQ(row[5].as<std::string>(), "text");
    EXPECT_EQ(row[5].view(), "text");
    EXPECT_EQ(row[5].size(), 4u);
    EXPECT_TRUE(row[6].is_null());
    EXPECT_STREQ(row[6].c_str(), "");
    EXPECT_EQ(row[6].as<std::int64_t>(7), 7);
    EXPECT_EQ(row[6].get<std::string>(), std::nullopt);
    EXPECT_THROW(row[6].as<std::string>(), std::exception);
    EXPECT_FALSE(row[7].is_null());  // an empty string is not NULL
    EXPECT_EQ(row[7].get<std::string>(), std::optional<std::string>(""));
}

TEST(PgQuerySession, RowsByNameAndInOrderOutliveTheirStatement) {
    auto& servers = fixture_servers();
    pg::QuerySession session(servers.standby.conninfo(k_fixture_database), pg::Side::source);
    pg::Transaction tx = session.autocommit();
    std::int64_t sum = 0;
    std::string names;
    for (const auto& row : tx.exec("SELECT g AS n, 'r' || g AS name FROM generate_series(1, 3) g ORDER BY g")) {
        sum += row["n"].as<std::int64_t>();
        names += row[std::string("name")].c_str();
    }
    EXPECT_EQ(sum, 6);
    EXPECT_EQ(names, "r1r2r3");
    // A Row keeps its result: the statement's temporary Result is gone by now.
    const pg::Row kept = tx.exec("SELECT 'still here' AS v")[0];
    EXPECT_STREQ(kept["v"].c_str(), "still here");
    EXPECT_TRUE(tx.exec("SELECT 1 WHERE false").empty());
}

TEST(PgQuerySession, ParametersAndQuotingReachTheServerAsText) {
    auto& servers = fixture_servers();
    pg::QuerySession session(servers.standby.conninfo(k_fixture_database), pg::Side::source);
    pg::Transaction tx = session.autocommit();
    const std::optional<std::string> none;
    const pg::Row row = tx.exec_params1("SELECT $1::text, $2::int + 1, $3::text IS NULL, $4::bool",
                                        std::string("it's"), 41, none, true);
    EXPECT_STREQ(row[0].c_str(), "it's");
    EXPECT_EQ(row[1].as<int>(), 42);
    EXPECT_TRUE(row[2].as<bool>());
    EXPECT_TRUE(row[3].as<bool>());
    EXPECT_EQ(tx.quote("it's"), "'it''s'");
    EXPECT_STREQ(tx.exec1("SELECT " + tx.quote("it's"))[0].c_str(), "it's");
    EXPECT_EQ(tx.quote_name("Mixed Case"), "\"Mixed Case\"");
}

TEST(PgQuerySession, AFailedStatementBecomesADatabaseErrorWithItsSqlstate) {
    auto& servers = fixture_servers();
    pg::QuerySession session(servers.standby.conninfo(k_fixture_database), pg::Side::source);
    pg::Transaction tx = session.autocommit();
    try {
        pg::with_context(pg::Side::source, "could not read", [&] { return tx.exec("SELECT * FROM public.nowhere"); });
        FAIL() << "the query should have failed";
    } catch (const pg::DatabaseError& error) {
        EXPECT_EQ(error.sqlstate(), "42P01");
        EXPECT_EQ(error.side(), pg::Side::source);
        EXPECT_EQ(error.query(), "SELECT * FROM public.nowhere");
    }
    // exec1 insists on exactly one row.
    EXPECT_THROW(tx.exec1("SELECT 1 WHERE false"), std::exception);
    // A source session is read-only, even on a primary.
    pg::QuerySession on_primary(servers.primary.conninfo(k_fixture_database), pg::Side::source);
    pg::Transaction write = on_primary.begin();
    EXPECT_THROW(write.exec0("CREATE TABLE public.never (id int)"), std::exception);
}

TEST(PgQuerySession, SnapshotSessionsSeeTheSnapshotsState) {
    auto& servers = fixture_servers();
    pg::SourceSnapshot snapshot(servers.standby.conninfo(k_fixture_database));
    pg::SnapshotSession helper(snapshot.conninfo(), snapshot.id());
    const std::string count = "SELECT count(*) FROM public.users";
    EXPECT_EQ(helper.transaction().exec1(count)[0].as<std::int64_t>(),
              snapshot.transaction().exec1(count)[0].as<std::int64_t>());
    EXPECT_TRUE(snapshot.identity().in_recovery);
}

}  // namespace
}  // namespace understudy::testing
