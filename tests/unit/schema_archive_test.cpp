// Unit tests for SchemaArchive's use of pg_dump/pg_restore, run against fake programs: the argv they
// get (no password), the environment (PGPASSWORD), and how their failures become messages.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "understudy/error.hpp"
#include "understudy/orchestrator/schema/schema_clone.hpp"

namespace understudy::orchestrator {
namespace {

std::string read_text(const std::filesystem::path& path) {
    std::ifstream file(path);
    std::stringstream content;
    content << file.rdbuf();
    return content.str();
}

/// A folder with fake pg_dump and pg_restore scripts, made the one find_pg_program() picks.
class FakePgBin : public ::testing::Test {
protected:
    void SetUp() override {
        m_folder = std::filesystem::path(::testing::TempDir()) / ("understudy_fake_pg_" + std::to_string(::getpid()));
        std::filesystem::create_directories(m_folder);
        if (const char* old = std::getenv("UNDERSTUDY_PG_BIN")) m_old_pg_bin = old;
        ::setenv("UNDERSTUDY_PG_BIN", m_folder.c_str(), 1);
    }
    void TearDown() override {
        m_old_pg_bin.empty() ? ::unsetenv("UNDERSTUDY_PG_BIN") : ::setenv("UNDERSTUDY_PG_BIN", m_old_pg_bin.c_str(), 1);
        std::filesystem::remove_all(m_folder);
    }

    /// Writes a fake `program` that records its argv and PGPASSWORD, prints `stderr_text`, exits `code`
    /// (but lists an empty archive for `pg_restore --list`).
    void write_program(const std::string& program, const std::string& stderr_text, int code) {
        std::filesystem::path path = m_folder / program;
        std::ofstream script(path);
        script << "#!/bin/sh\n"
               << "[ \"$1\" = --list ] && exit 0\n"  // an archive listing nothing
               << "printf '%s\\n' \"$@\" > \"$0.argv\"\n"
               << "printf '%s' \"$PGPASSWORD\" > \"$0.password\"\n"
               << "printf '%s' '" << stderr_text << "' >&2\n"
               << "exit " << code << "\n";
        script.close();
        ::chmod(path.c_str(), 0755);
    }

    std::string argv_of(const std::string& program) const { return read_text(m_folder / (program + ".argv")); }
    std::string password_of(const std::string& program) const { return read_text(m_folder / (program + ".password")); }

    std::filesystem::path m_folder;
    std::string m_old_pg_bin;
};

const pg::ConnInfo k_source = pg::ConnInfo::parse("postgresql://app:hunter2@db.example.com:5432/shop");

TEST_F(FakePgBin, DumpPassesPasswordOnlyThroughEnvironment) {
    write_program("pg_dump", "", 0);
    write_program("pg_restore", "", 0);
    SchemaArchive archive = SchemaArchive::dump(k_source, "00000003-0000001B-1", {});
    std::string argv = argv_of("pg_dump");
    EXPECT_EQ(argv.find("hunter2"), std::string::npos) << argv;
    EXPECT_EQ(password_of("pg_dump"), "hunter2");
    for (const char* expected : {"--format=custom\n", "--schema-only\n", "--no-owner\n", "--no-privileges\n",
                                 "--no-subscriptions\n",
                                 "--snapshot=00000003-0000001B-1\n", "host=db.example.com"}) {
        EXPECT_NE(argv.find(expected), std::string::npos) << expected << " missing in\n" << argv;
    }
    EXPECT_NE(argv.find("--file=" + archive.path() + "\n"), std::string::npos) << argv;
    // The archive is a private file.
    struct stat status {};
    ASSERT_EQ(::stat(archive.path().c_str(), &status), 0);
    EXPECT_EQ(status.st_mode & 0777, 0600u);
}

TEST_F(FakePgBin, DumpOfSomeSchemasKeepsExtensions) {
    write_program("pg_dump", "", 0);
    write_program("pg_restore", "", 0);
    SchemaArchive archive = SchemaArchive::dump(k_source, "snap", {"public", "billing"});
    std::string argv = argv_of("pg_dump");
    EXPECT_NE(argv.find("--schema=\"public\"\n--schema=\"billing\"\n--extension=*\n"), std::string::npos) << argv;
}

TEST_F(FakePgBin, DumpQuotesSchemaNamesAsPatterns) {
    write_program("pg_dump", "", 0);
    write_program("pg_restore", "", 0);
    SchemaArchive archive = SchemaArchive::dump(k_source, "snap", {"Billing Dept", "we\"ird*"});
    std::string argv = argv_of("pg_dump");
    EXPECT_NE(argv.find("--schema=\"Billing Dept\"\n--schema=\"we\"\"ird*\"\n"), std::string::npos) << argv;
}

TEST_F(FakePgBin, VersionMismatchGetsDetailAndHint) {
    write_program("pg_dump",
                  "pg_dump: error: aborting because of server version mismatch\n"
                  "pg_dump: detail: server version: 16.4; pg_dump version: 15.18\n",
                  1);
    try {
        SchemaArchive::dump(k_source, "snap", {});
        FAIL() << "expected an error";
    } catch (const Error& error) {
        EXPECT_EQ(error.code(), ExitCode::source);
        EXPECT_EQ(std::string(error.what()),
                  "source: pg_dump failed: aborting because of server version mismatch "
                  "(server version: 16.4; pg_dump version: 15.18)");
        EXPECT_NE(error.hint().find("UNDERSTUDY_PG_BIN"), std::string::npos);
    }
}

TEST_F(FakePgBin, FailureShowsFirstErrorLineWithSecretsRedacted) {
    write_program(
        "pg_dump",
        "pg_dump: warning: something harmless\n"
        "pg_dump: error: connection to server at \"db\" failed: bad password=hunter2 for postgres://app:hunter2@db\n"
        "pg_dump: error: second line\n",
        1);
    try {
        SchemaArchive::dump(k_source, "snap", {});
        FAIL() << "expected an error";
    } catch (const Error& error) {
        std::string message = error.what();
        EXPECT_EQ(message.find("hunter2"), std::string::npos) << message;
        EXPECT_EQ(message.rfind("source: pg_dump failed: connection to server at \"db\" failed", 0), 0u) << message;
        EXPECT_EQ(message.find("second line"), std::string::npos) << message;
    }
}

TEST_F(FakePgBin, RestoreArgumentsPerSection) {
    write_program("pg_dump", "", 0);
    write_program("pg_restore", "", 0);
    SchemaArchive archive = SchemaArchive::dump(k_source, "snap", {});
    const pg::ConnInfo target = pg::ConnInfo::parse("host=/tmp dbname=copy password=s3cret");

    archive.restore(target, SchemaSection::pre_data, 4);
    std::string pre = argv_of("pg_restore");
    EXPECT_NE(pre.find("--section=pre-data\n"), std::string::npos) << pre;
    EXPECT_NE(pre.find("--single-transaction\n"), std::string::npos) << pre;
    EXPECT_NE(pre.find("--exit-on-error\n"), std::string::npos) << pre;
    EXPECT_EQ(pre.find("--jobs"), std::string::npos) << pre;
    EXPECT_EQ(pre.find("s3cret"), std::string::npos) << pre;
    EXPECT_EQ(password_of("pg_restore"), "s3cret");

    archive.restore(target, SchemaSection::post_data, 4);
    std::string post = argv_of("pg_restore");
    EXPECT_NE(post.find("--section=post-data\n"), std::string::npos) << post;
    EXPECT_NE(post.find("--jobs=4\n"), std::string::npos) << post;
    EXPECT_NE(post.find(archive.path() + "\n"), std::string::npos) << post;
    // Every restore reads the archive through its table of contents without what is never copied.
    EXPECT_NE(post.find("--use-list="), std::string::npos) << post;
}

TEST_F(FakePgBin, PreDataRetriesOutsideOneTransactionWhenLocksRunOut) {
    write_program("pg_dump", "", 0);
    // Fails like a server whose lock table overflows, but only inside one transaction.
    std::filesystem::path path = m_folder / "pg_restore";
    std::ofstream script(path);
    script << "#!/bin/sh\n"
           << "[ \"$1\" = --list ] && exit 0\n"
           << "printf '%s\\n' \"$@\" >> \"$0.calls\"\n"
           << "for arg; do [ \"$arg\" = --single-transaction ] && {\n"
           << "  echo 'pg_restore: error: could not execute query: ERROR:  out of shared memory' >&2; exit 1; }; done\n"
           << "exit 0\n";
    script.close();
    ::chmod(path.c_str(), 0755);

    SchemaArchive archive = SchemaArchive::dump(k_source, "snap", {});
    EXPECT_NO_THROW(archive.restore(pg::ConnInfo::parse("dbname=copy"), SchemaSection::pre_data, 1));
    std::string calls = read_text(m_folder / "pg_restore.calls");
    std::size_t second_call = calls.find("--section=pre-data\n", calls.find("--section=pre-data\n") + 1);
    ASSERT_NE(second_call, std::string::npos) << calls;
    EXPECT_EQ(calls.find("--single-transaction", second_call), std::string::npos) << calls;
}

TEST_F(FakePgBin, RestoreFailureIsTargetError) {
    write_program("pg_dump", "", 0);
    write_program(
        "pg_restore",
        "pg_restore: error: could not execute query: ERROR:  permission denied to create extension \"citext\"\n"
        "Command was: CREATE EXTENSION IF NOT EXISTS citext WITH SCHEMA public;\n",
        1);
    SchemaArchive archive = SchemaArchive::dump(k_source, "snap", {});
    try {
        archive.restore(pg::ConnInfo::parse("dbname=copy"), SchemaSection::pre_data, 1);
        FAIL() << "expected an error";
    } catch (const Error& error) {
        EXPECT_EQ(error.code(), ExitCode::target);
        EXPECT_EQ(std::string(error.what()),
                  "target: pg_restore failed: could not execute query: permission denied to create extension "
                  "\"citext\"");
        EXPECT_FALSE(error.hint().empty());
    }
}

}  // namespace
}  // namespace understudy::orchestrator
