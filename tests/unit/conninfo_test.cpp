// Unit tests for connection strings: parsing both forms and never showing a password.
#include <gtest/gtest.h>

#include "understudy/error.hpp"
#include "understudy/pg/conninfo.hpp"

namespace understudy::pg {
namespace {

TEST(ConnInfo, ParsesUrlAndHidesPassword) {
    auto info = ConnInfo::parse("postgres://alice:s3cr%40t@db.example.com:6432/app?sslmode=require");
    EXPECT_EQ(info.get("host"), "db.example.com");
    EXPECT_EQ(info.get("port"), "6432");
    EXPECT_EQ(info.get("dbname"), "app");
    EXPECT_EQ(info.password(), "s3cr@t");
    EXPECT_EQ(info.redacted().find("s3cr"), std::string::npos);
    EXPECT_NE(info.redacted().find("password=<redacted>"), std::string::npos);
    EXPECT_EQ(info.keyword_string_without_password().find("s3cr"), std::string::npos);
    EXPECT_NE(info.keyword_string().find("s3cr@t"), std::string::npos);
}

TEST(ConnInfo, ParsesKeywordsAndQuotesValues) {
    auto info = ConnInfo::parse("host=/tmp dbname='my db' password='it\\'s'");
    EXPECT_EQ(info.get("dbname"), "my db");
    auto again = ConnInfo::parse(info.keyword_string());
    EXPECT_EQ(again.get("dbname"), "my db");
    EXPECT_EQ(again.password(), info.password());
}

TEST(ConnInfo, WithReplacesAndRemoves) {
    auto info = ConnInfo::parse("host=h dbname=a password=p");
    EXPECT_EQ(info.with("dbname", "b").get("dbname"), "b");
    EXPECT_FALSE(info.with("password", "").password().has_value());
    EXPECT_EQ(info.with("port", "5433").get("port"), "5433");
}

TEST(ConnInfo, BadStringIsUsageErrorWithoutSecret) {
    try {
        ConnInfo::parse("host=h password=hunter2 bogus_keyword=1", "--source");
        FAIL() << "expected an error";
    } catch (const Error& error) {
        EXPECT_EQ(error.code(), ExitCode::usage);
        EXPECT_EQ(std::string(error.what()).find("hunter2"), std::string::npos);
        EXPECT_NE(std::string(error.what()).find("--source"), std::string::npos);
    }
}

TEST(RedactSecrets, MasksUrlAndKeywordPasswords) {
    EXPECT_EQ(redact_secrets("to postgres://u:pw@h/db now"), "to postgres://u:<redacted>@h/db now");
    EXPECT_EQ(redact_secrets("host=h password='a b' x=1"), "host=h password=<redacted> x=1");
    EXPECT_EQ(redact_secrets("postgresql://h/db"), "postgresql://h/db");
}

}  // namespace
}  // namespace understudy::pg
