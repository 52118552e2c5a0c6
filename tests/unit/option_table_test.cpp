// Unit tests of the option table (orchestrator/src/cli/option_table.cpp): every row reaches CLI11 for
// exactly the commands it names, variable names are derived once and unique, and the values of secret
// options never show in an error line or a report.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "understudy/orchestrator/cli/cli.hpp"
#include "understudy/orchestrator/cli/option_table.hpp"

namespace understudy::orchestrator {
namespace {

struct CliOutcome {
    int exit_code = 0;
    std::string out;
    std::string err;
};

CliOutcome run(std::vector<std::string> args) {
    args.insert(args.begin(), "understudy");
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    ::testing::internal::CaptureStdout();
    ::testing::internal::CaptureStderr();
    CliOutcome outcome;
    outcome.exit_code = run_cli(static_cast<int>(args.size()), argv.data());
    outcome.err = ::testing::internal::GetCapturedStderr();
    outcome.out = ::testing::internal::GetCapturedStdout();
    return outcome;
}

/// The options `understudy <command> --help` lists, each with the rest of its first line.
std::vector<std::pair<std::string, std::string>> listed_options(const std::string& command) {
    const CliOutcome help = run({command, "--help"});
    EXPECT_EQ(help.exit_code, 0) << help.err;
    std::vector<std::pair<std::string, std::string>> listed;
    std::istringstream lines(help.out);
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind("  ", 0) != 0 || line.size() < 3 || line[2] == ' ') continue;  // not an option's first line
        const std::string name = line.substr(2, line.find(' ', 2) - 2);
        if (name == "-h,--help") continue;
        listed.emplace_back(name, line);
    }
    return listed;
}

TEST(OptionTable, EveryCommandListsExactlyTheOptionsTheTableGivesIt) {
    for (const CommandSpec& command : command_table()) {
        std::vector<std::string> expected;
        for (const OptionSpec& option : option_table()) {
            if (find_use(option, command.name) != nullptr) expected.push_back(option.name);
        }
        std::vector<std::string> listed;
        for (const auto& [name, line] : listed_options(command.name)) listed.push_back(name);
        // Positionals are listed before the options; the table's order holds within each group.
        std::stable_partition(expected.begin(), expected.end(), [](const std::string& name) { return name[0] != '-'; });
        EXPECT_EQ(listed, expected) << "understudy " << command.name << " --help";
    }
}

TEST(OptionTable, EveryOptionShowsItsVariableAndItsHelp) {
    for (const CommandSpec& command : command_table()) {
        const CliOutcome help = run({command.name, "--help"});
        for (const auto& [name, line] : listed_options(command.name)) {
            const OptionSpec* option = find_option(command.name, name);
            ASSERT_NE(option, nullptr) << command.name << " " << name;
            const bool shows_variable =
                line.find("(Env:" + env_name(name) + ")") != std::string::npos ||
                help.out.find("(env " + env_name(name) + ", space-separated)") != std::string::npos;
            EXPECT_EQ(shows_variable, option->from_environment) << command.name << " " << name;
            EXPECT_NE(help.out.find(help_text(*option, *find_use(*option, command.name))), std::string::npos)
                << command.name << " " << name;
            EXPECT_EQ(line.find("REQUIRED") != std::string::npos, find_use(*option, command.name)->required)
                << command.name << " " << name;
        }
    }
}

TEST(OptionTable, ACommandTakesAnOptionOnceAndEveryUseNamesACommand) {
    std::set<std::string> commands;
    for (const CommandSpec& command : command_table())
        EXPECT_TRUE(commands.insert(command.name).second) << command.name;
    std::set<std::pair<std::string, std::string>> uses;
    for (const OptionSpec& option : option_table()) {
        EXPECT_FALSE(option.uses.empty()) << option.name << " is taken by no command";
        for (const OptionUse& use : option.uses) {
            EXPECT_EQ(commands.count(use.command), 1u) << option.name << " names an unknown command " << use.command;
            EXPECT_TRUE(uses.insert({use.command, option.name}).second) << use.command << " " << option.name;
        }
    }
}

TEST(OptionTable, VariableNamesAreDerivedOnceAndUnique) {
    EXPECT_EQ(env_name("--full-table"), "UNDERSTUDY_FULL_TABLE");
    EXPECT_EQ(env_name("--allow-primary-source"), "UNDERSTUDY_ALLOW_PRIMARY_SOURCE");
    std::set<std::string> names;
    for (const OptionSpec& option : option_table()) {
        if (option.from_environment) {
            EXPECT_TRUE(names.insert(env_name(option.name)).second) << option.name;
        }
    }
    EXPECT_FALSE(names.empty());
}

TEST(OptionTable, ConnectionOptionsAreSecret) {
    for (const char* name : {"--source", "--target"}) {
        for (const OptionSpec& option : option_table()) {
            if (option.name == name) {
                EXPECT_TRUE(option.secret) << name;
            }
        }
    }
}

// The password of a secret option is masked even where no URL pattern shows it: CLI11 quotes the value
// of another option verbatim.
TEST(OptionTableSecrets, PasswordOfASecretOptionNeverShowsInAnError) {
    CliOutcome outcome =
        run({"subset", "--source", "postgresql://someone:Zq9Secret@nowhere/x", "--sampling", "Zq9Secret"});
    EXPECT_EQ(outcome.exit_code, 2);
    EXPECT_EQ(outcome.err.find("Zq9Secret"), std::string::npos) << outcome.err;
    EXPECT_NE(outcome.err.find("--sampling: <redacted> not in {probe,exact}"), std::string::npos) << outcome.err;

    ::setenv("UNDERSTUDY_TARGET", "host=/nonexistent-understudy-socket password=Zq9Variable", 1);
    outcome = run({"restore", "--config", "/nonexistent-Zq9Variable.yml", "dump.sql"});
    ::unsetenv("UNDERSTUDY_TARGET");
    EXPECT_EQ(outcome.exit_code, 2);
    EXPECT_EQ(outcome.err.find("Zq9Variable"), std::string::npos) << outcome.err;

    // An argument CLI11 could not place is quoted: a URL's password is masked there too.
    outcome = run({"subset", "postgresql://someone:Zq9Stray@nowhere/x"});
    EXPECT_EQ(outcome.exit_code, 2);
    EXPECT_EQ(outcome.err.find("Zq9Stray"), std::string::npos) << outcome.err;
}

TEST(OptionTableSecrets, PasswordOfASecretOptionNeverShowsInTheReport) {
    const std::string path = ::testing::TempDir() + "understudy-secret-report-" + std::to_string(::getpid()) + ".json";
    std::remove(path.c_str());
    const CliOutcome outcome =
        run({"subset", "--source", "host=/nonexistent-understudy-socket password=Zq9Report", "--target",
             "host=/nonexistent-understudy-socket", "--report", path, "--rails-app", "/nonexistent-Zq9Report"});
    EXPECT_EQ(outcome.exit_code, 2) << outcome.err;
    EXPECT_EQ(outcome.err.find("Zq9Report"), std::string::npos) << outcome.err;
    std::ifstream file(path);
    ASSERT_TRUE(file) << path;
    std::stringstream text;
    text << file.rdbuf();
    std::remove(path.c_str());
    EXPECT_NE(text.str().find("--rails-app \\\"/nonexistent-<redacted>\\\" has no app/models"), std::string::npos)
        << text.str();
    EXPECT_EQ(text.str().find("Zq9Report"), std::string::npos) << text.str();
}

}  // namespace
}  // namespace understudy::orchestrator
