// Unit tests of the command line: numeric options are refused in one clear line (exit 2), a
// --report path that could not be written is refused before any connection, and a --config file
// that cannot be read is named in one line (both exit 15, a local file).
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "understudy/orchestrator/cli/cli.hpp"

namespace understudy::orchestrator {
namespace {

struct CliOutcome {
    int exit_code = 0;
    std::string err;
};

CliOutcome run(std::vector<std::string> args) {
    args.insert(args.begin(), "understudy");
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    ::testing::internal::CaptureStderr();
    CliOutcome outcome;
    outcome.exit_code = run_cli(static_cast<int>(args.size()), argv.data());
    outcome.err = ::testing::internal::GetCapturedStderr();
    return outcome;
}

// A source that would fail if it were ever reached: the tests prove it is not.
const std::vector<std::string> k_subset = {"subset", "--source", "host=/nonexistent-understudy-socket dbname=x",
                                           "--target", "host=/nonexistent-understudy-socket dbname=y"};

CliOutcome subset_with(const std::vector<std::string>& extra) {
    std::vector<std::string> args = k_subset;
    args.insert(args.end(), extra.begin(), extra.end());
    return run(args);
}

TEST(CliNumbers, EachNumericOptionIsRefusedInOneLine) {
    const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
        {{"--jobs", "0"}, "error: --jobs must be at least 1\n"},
        {{"--jobs", "-3"}, "error: --jobs must be at least 1\n"},
        {{"--jobs", "abc"}, "error: --jobs must be a whole number, not \"abc\"\n"},
        {{"--jobs", "2.5"}, "error: --jobs must be a whole number, not \"2.5\"\n"},
        {{"--jobs", "99999999999999999999999"}, "error: --jobs must be at most 1024\n"},
        {{"--children", "-1"}, "error: --children must be at least 0\n"},
        {{"--children", "1e3"}, "error: --children must be a whole number, not \"1e3\"\n"},
        {{"--seed", "-1"}, "error: --seed must be at least 0\n"},
        {{"--seed", "18446744073709551616"}, "error: --seed must be at most 18446744073709551615\n"},
        {{"--fraction", "0"}, "error: --fraction must be greater than 0 and at most 1\n"},
        {{"--fraction", "1.5"}, "error: --fraction must be greater than 0 and at most 1\n"},
        {{"--fraction", "half"}, "error: --fraction must be a number, not \"half\"\n"},
        {{"--logarithmic", "-0.2"}, "error: --logarithmic must be greater than 0 and at most 1\n"},
        {{"--logarithmic", "nan"}, "error: --logarithmic must be a number, not \"nan\"\n"},
    };
    for (const auto& [extra, expected] : cases) {
        const CliOutcome outcome = subset_with(extra);
        EXPECT_EQ(outcome.exit_code, 2) << extra[0] << " " << extra[1];
        EXPECT_EQ(outcome.err, expected) << extra[0] << " " << extra[1];
    }
}

TEST(CliNumbers, EnvironmentValuesAreCheckedTheSameWay) {
    ::setenv("UNDERSTUDY_JOBS", "0", 1);
    const CliOutcome outcome = run(k_subset);
    ::unsetenv("UNDERSTUDY_JOBS");
    EXPECT_EQ(outcome.exit_code, 2);
    EXPECT_EQ(outcome.err, "error: --jobs must be at least 1\n");
}

TEST(CliNumbers, AcceptedValuesGoOnToTheSource) {
    // Past the options, the run fails on the unreachable source (exit 4), not on a number.
    const CliOutcome outcome =
        subset_with({"--jobs", "1", "--children", "0", "--seed", "18446744073709551615", "--fraction", "1"});
    EXPECT_EQ(outcome.exit_code, 4) << outcome.err;
}

TEST(CliReport, UnwritableReportPathIsRefusedBeforeAnyConnection) {
    CliOutcome outcome = subset_with({"--report", "/nonexistent-understudy-dir/report.json"});
    EXPECT_EQ(outcome.exit_code, 15) << outcome.err;
    EXPECT_EQ(outcome.err.rfind("error: cannot write the report file \"/nonexistent-understudy-dir/report.json\": "
                                "No such file or directory\nHINT: ",
                                0),
              0u)
        << outcome.err;

    const std::string directory = ::testing::TempDir();
    outcome = subset_with({"--report", directory});
    EXPECT_EQ(outcome.exit_code, 15) << outcome.err;
    EXPECT_NE(outcome.err.find("it is a directory"), std::string::npos) << outcome.err;
}

TEST(CliReport, FailedRunWritesItsReport) {
    const std::string path = ::testing::TempDir() + "understudy-cli-report-" + std::to_string(::getpid()) + ".json";
    std::remove(path.c_str());
    const CliOutcome outcome =
        run({"subset", "--source", "host=/nonexistent-understudy-socket dbname=x password=hunter2-secret", "--target",
             "host=/nonexistent-understudy-socket dbname=y", "--report", path});
    EXPECT_EQ(outcome.exit_code, 4) << outcome.err;
    std::FILE* file = std::fopen(path.c_str(), "r");
    ASSERT_NE(file, nullptr);
    std::string text;
    char buffer[4096];
    for (std::size_t got; (got = std::fread(buffer, 1, sizeof buffer, file)) > 0;) text.append(buffer, got);
    std::fclose(file);
    std::remove(path.c_str());
    EXPECT_NE(text.find("\"command\": \"subset\""), std::string::npos) << text;
    EXPECT_NE(text.find("\"ok\": false"), std::string::npos) << text;
    EXPECT_NE(text.find("\"exit_code\": 4"), std::string::npos) << text;
    EXPECT_NE(text.find("\"error\": \"source: could not connect"), std::string::npos) << text;
    EXPECT_NE(text.find("\"hint\""), std::string::npos) << text;
    EXPECT_EQ(text.find("hunter2-secret"), std::string::npos) << text;
    EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
}

TEST(CliLocalFiles, MissingConfigFileExits15NamingIt) {
    const std::string source = "host=/nonexistent-understudy-socket dbname=x";
    // Every command that takes --config. (anonymize reads it first too, through the same
    // load_config_file, but switches std::cout off stdio sync for the whole test process.)
    const std::vector<std::vector<std::string>> commands = {
        {"check", "--source", source},  {"plan", "--source", source},
        {"subset", "--source", source}, {"sync", "--source", source},
        {"init", "--source", source},   {"dump", "--source", source, "--out", "x.sql"},
        {"graph", "--source", source},  {"rollback"},
        {"restore", "/dev/null"}};
    for (std::vector<std::string> args : commands) {
        args.insert(args.end(), {"--config", "/nonexistent-understudy-dir/understudy.yml"});
        const CliOutcome outcome = run(args);
        EXPECT_EQ(outcome.exit_code, 15) << args[0] << ": " << outcome.err;
        EXPECT_EQ(outcome.err,
                  "error: cannot read the configuration file \"/nonexistent-understudy-dir/understudy.yml\": "
                  "No such file or directory\n")
            << args[0];
    }
}

}  // namespace
}  // namespace understudy::orchestrator
