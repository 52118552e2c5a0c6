// Unit tests for the pinned session settings, the default connect timeout and the SQLSTATE of a
// failed connection attempt (no server needed).
#include <gtest/gtest.h>

#include <cstdlib>

#include <pqxx/except>

#include "understudy/pg/database_error.hpp"
#include "understudy/pg/session_settings.hpp"

namespace understudy::pg {
namespace {

TEST(SessionSettings, PinEveryValueShapingSettingOnBothSides) {
    for (Side side : {Side::source, Side::target}) {
        const std::string& sql = session_settings_sql(side);
        for (const char* line : {"SET DateStyle = 'ISO, MDY';", "SET IntervalStyle = 'postgres';",
                                 "SET extra_float_digits = 3;", "SET bytea_output = 'hex';",
                                 "SET standard_conforming_strings = on;", "SET TimeZone = 'UTC';",
                                 "SET search_path = '';", "SET row_security = off;", "SET xmloption = content;",
                                 "SET statement_timeout = 0;", "SET lock_timeout = 0;",
                                 "SET idle_in_transaction_session_timeout = 0;"}) {
            EXPECT_NE(sql.find(line), std::string::npos) << side_name(side) << ": " << line;
        }
    }
    EXPECT_NE(session_settings_sql(Side::source).find("SET default_transaction_read_only = on;"), std::string::npos);
    EXPECT_EQ(session_settings_sql(Side::target).find("default_transaction_read_only"), std::string::npos);
}

TEST(SessionSettings, DumpFilesCarryTheValueSettings) {
    const std::string head = dump_file_settings_sql();
    EXPECT_NE(head.find("SET DateStyle = 'ISO, MDY';\n"), std::string::npos);
    EXPECT_NE(head.find("SET extra_float_digits = 3;\n"), std::string::npos);
    EXPECT_NE(head.find("SET bytea_output = 'hex';\n"), std::string::npos);
    // Every line is a comment or a SET: nothing else runs before pg_dump's own header.
    std::size_t start = 0;
    while (start < head.size()) {
        std::size_t end = head.find('\n', start);
        const std::string line = head.substr(start, end - start);
        EXPECT_TRUE(line.rfind("SET ", 0) == 0 || line.rfind("-- ", 0) == 0) << line;
        start = end + 1;
    }
}

TEST(SessionSettings, ConnectTimeoutDefaultsToTenSecondsUnlessGiven) {
    ::unsetenv("PGCONNECT_TIMEOUT");
    EXPECT_EQ(with_default_connect_timeout(ConnInfo::parse("postgres://u@h/db")).get("connect_timeout"), "10");
    EXPECT_EQ(with_default_connect_timeout(ConnInfo::parse("postgres://u@h/db?connect_timeout=3")).get("connect_timeout"),
              "3");
    ::setenv("PGCONNECT_TIMEOUT", "4", 1);
    // libpq reads PGCONNECT_TIMEOUT itself; adding ours would override it.
    EXPECT_EQ(with_default_connect_timeout(ConnInfo::parse("postgres://u@h/db")).get("connect_timeout"), std::nullopt);
    ::unsetenv("PGCONNECT_TIMEOUT");
}

TEST(DatabaseError, ConnectionFailuresGetTheirRealCause) {
    EXPECT_EQ(connection_failure_sqlstate("connection to server on socket \"/tmp/.s.PGSQL.5432\" failed: FATAL:  the "
                                          "database system is starting up"),
              "57P03");
    EXPECT_EQ(connection_failure_sqlstate("FATAL:  the database system is shutting down"), "57P03");
    EXPECT_EQ(connection_failure_sqlstate("FATAL:  password authentication failed for user \"u\""), "28P01");
    EXPECT_EQ(connection_failure_sqlstate("connection to server at \"10.0.0.1\", port 5432 failed: timeout expired"),
              "08001");
    DatabaseError starting(Side::source, "could not connect to host=h", "FATAL:  the database system is starting up",
                           "57P03");
    EXPECT_TRUE(starting.is_retryable());
    EXPECT_TRUE(starting.is_session_lost());
    EXPECT_NE(starting.hint().find("starting up"), std::string::npos) << starting.hint();
    DatabaseError timeout(Side::source, "could not connect to host=h",
                          "connection to server at \"h\", port 5432 failed: timeout expired", "08001");
    EXPECT_NE(timeout.hint().find("connect_timeout"), std::string::npos) << timeout.hint();
    DatabaseError syntax(Side::target, "could not load", "syntax error", "42601");
    EXPECT_FALSE(syntax.is_retryable());
    EXPECT_FALSE(syntax.is_session_lost());
}

TEST(DatabaseError, LibpqxxNotConnectedReadsAsALostConnection) {
    try {
        try {
            throw pqxx::broken_connection("Could not obtain client encoding: not connected.");
        } catch (...) {
            rethrow_as_database_error(Side::source, "could not select rows");
        }
    } catch (const DatabaseError& error) {
        EXPECT_EQ(std::string(error.what()),
                  "source: could not select rows: the connection to the server was lost (SQLSTATE 08006)");
        EXPECT_TRUE(error.is_session_lost());
        EXPECT_FALSE(error.hint().empty());
        return;
    }
    FAIL() << "no DatabaseError";
}

}  // namespace
}  // namespace understudy::pg
