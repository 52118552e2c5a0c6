// Unit tests for run_process: exit codes, captured output, environment, and no shell in between.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "understudy/error.hpp"
#include "understudy/orchestrator/schema/subprocess.hpp"

namespace understudy::orchestrator {
namespace {

TEST(RunProcess, ReportsExitCode) {
    EXPECT_EQ(run_process({"true"}).exit_code, 0);
    EXPECT_EQ(run_process({"false"}).exit_code, 1);
    EXPECT_EQ(run_process({"/bin/sh", "-c", "exit 42"}).exit_code, 42);
}

TEST(RunProcess, ReportsSignalAs128Plus) {
    EXPECT_EQ(run_process({"/bin/sh", "-c", "kill -TERM $$"}).exit_code, 128 + 15);
}

TEST(RunProcess, CapturesStdoutAndStderrSeparately) {
    auto result = run_process({"/bin/sh", "-c", "printf out; printf err >&2"});
    EXPECT_EQ(result.stdout_text, "out");
    EXPECT_EQ(result.stderr_text, "err");
}

TEST(RunProcess, LargeOutputOnBothStreamsDoesNotDeadlock) {
    // 1 MB on each stream, interleaved: far more than a pipe buffer holds.
    auto result = run_process({"/bin/sh", "-c",
                               "i=0; while [ $i -lt 16 ]; do head -c 65536 /dev/zero; "
                               "head -c 65536 /dev/zero >&2; i=$((i+1)); done"});
    EXPECT_EQ(result.exit_code, 0);
    EXPECT_EQ(result.stdout_text.size(), 16u * 65536u);
    EXPECT_EQ(result.stderr_text.size(), 16u * 65536u);
}

TEST(RunProcess, PassesExtraEnvironment) {
    ::setenv("UNDERSTUDY_TEST_INHERITED", "kept", 1);
    ::setenv("UNDERSTUDY_TEST_REPLACED", "old", 1);
    auto result = run_process({"/bin/sh", "-c", "printf '%s %s %s' \"$UNDERSTUDY_TEST_INHERITED\" "
                                                "\"$UNDERSTUDY_TEST_REPLACED\" \"$UNDERSTUDY_TEST_NEW\""},
                              {{"UNDERSTUDY_TEST_REPLACED", "new"}, {"UNDERSTUDY_TEST_NEW", "a b"}});
    EXPECT_EQ(result.stdout_text, "kept new a b");
    ::unsetenv("UNDERSTUDY_TEST_INHERITED");
    ::unsetenv("UNDERSTUDY_TEST_REPLACED");
}

TEST(RunProcess, ArgumentsAreNotInterpretedByAShell) {
    auto result = run_process({"printf", "%s|", "$HOME", "a b", "`id`", "; rm -rf /", "*", "'q'"});
    EXPECT_EQ(result.stdout_text, "$HOME|a b|`id`|; rm -rf /|*|'q'|");
}

TEST(RunProcess, ChildGetsNoStdin) {
    auto result = run_process({"cat"});
    EXPECT_EQ(result.exit_code, 0);
    EXPECT_EQ(result.stdout_text, "");
}

TEST(RunProcess, WritesStdoutToFile) {
    std::string path = ::testing::TempDir() + "understudy_subprocess_test_" + std::to_string(::getpid());
    auto result = run_process({"printf", "hello"}, {}, path);
    EXPECT_EQ(result.exit_code, 0);
    EXPECT_EQ(result.stdout_text, "");
    std::ifstream file(path);
    std::stringstream content;
    content << file.rdbuf();
    EXPECT_EQ(content.str(), "hello");
    std::remove(path.c_str());
}

TEST(RunProcess, MissingProgramIsAnError) {
    try {
        run_process({"understudy-no-such-program"});
        FAIL() << "expected an error";
    } catch (const Error& error) {
        EXPECT_EQ(error.code(), ExitCode::io);
        EXPECT_NE(std::string(error.what()).find("\"understudy-no-such-program\""), std::string::npos);
    }
}

/// Sets or clears UNDERSTUDY_PG_BIN for one test and puts the caller's value back afterwards.
class PgBinOverride {
public:
    explicit PgBinOverride(const char* value) {
        if (const char* old = std::getenv("UNDERSTUDY_PG_BIN")) m_old = old;
        value ? ::setenv("UNDERSTUDY_PG_BIN", value, 1) : ::unsetenv("UNDERSTUDY_PG_BIN");
    }
    ~PgBinOverride() {
        m_old.empty() ? ::unsetenv("UNDERSTUDY_PG_BIN") : ::setenv("UNDERSTUDY_PG_BIN", m_old.c_str(), 1);
    }

private:
    std::string m_old;
};

TEST(FindPgProgram, HonoursOverrideFolder) {
    PgBinOverride override_folder("/opt/pg/bin");
    EXPECT_EQ(find_pg_program("pg_dump"), "/opt/pg/bin/pg_dump");
}

TEST(FindPgProgram, FallsBackToPath) {
    PgBinOverride no_override(nullptr);
    EXPECT_EQ(find_pg_program("understudy-no-such-program"), "understudy-no-such-program");
    std::string pg_dump = find_pg_program("pg_dump");
    EXPECT_NE(pg_dump.find("pg_dump"), std::string::npos);
}

}  // namespace
}  // namespace understudy::orchestrator
