// Golden test of the help text: `understudy --help` and `understudy <command> --help` must print
// tests/golden/help/<name>.txt byte for byte, so that a changed option, default or wording shows in review.
//
// The binary runs with an empty environment (CLI11 names the UNDERSTUDY_* variables but does not print
// their values today; a default computed from the environment, or the locale, would change the text) and
// is named `understudy` in argv[0] (CLI11 prints argv[0] in the usage line, which would otherwise be the
// build directory). CLI11 does not read the terminal width (COLUMNS) and wraps nothing.
// To regenerate after an intended change:
//   UNDERSTUDY_GOLDEN_UPDATE=1 build/tests/integration_tests --gtest_filter='*CliHelp*'
// and read the diff of tests/golden/help/ before committing it. No database is started by these tests.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "process.hpp"
#include "understudy/orchestrator/cli/option_table.hpp"

namespace understudy::testing {
namespace {

const std::filesystem::path k_help_dir = std::filesystem::path(UNDERSTUDY_TEST_DATA_DIR) / "golden" / "help";

/// Every command of the option table (orchestrator/src/cli/option_table.cpp); "" is `understudy --help`
/// itself. A command added to the table without a golden file fails GoldenFilesAreExactlyTheCommands.
std::vector<std::string> all_commands() {
    std::vector<std::string> commands{""};
    for (const auto& command : orchestrator::command_table()) commands.push_back(command.name);
    return commands;
}
const std::vector<std::string> k_commands = all_commands();

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

bool updating() {
    const char* update = std::getenv("UNDERSTUDY_GOLDEN_UPDATE");
    return update != nullptr && std::string(update) == "1";
}

/// `understudy [command] --help` in an empty environment, with argv[0] "understudy".
CommandResult help_of(const std::string& command) {
    std::vector<std::string> argv{"env", "-i", "bash", "-c", "exec -a understudy \"$0\" \"$@\"", UNDERSTUDY_BINARY};
    if (!command.empty()) argv.push_back(command);
    argv.push_back("--help");
    return run_process(argv);
}

class CliHelp : public ::testing::TestWithParam<std::string> {};

TEST_P(CliHelp, MatchesGoldenFile) {
    const std::string& command = GetParam();
    const std::filesystem::path golden = k_help_dir / ((command.empty() ? "understudy" : command) + ".txt");
    const CommandResult result = help_of(command);
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(result.err, "");
    ASSERT_NE(result.out, "");
    if (updating()) {
        std::ofstream(golden, std::ios::binary) << result.out;
        return;
    }
    ASSERT_TRUE(std::filesystem::exists(golden))
        << golden << " is missing; write it with UNDERSTUDY_GOLDEN_UPDATE=1 (see this file's header)";
    EXPECT_EQ(result.out, read_file(golden)) << "help of `understudy " << command << "` differs from " << golden;
}

INSTANTIATE_TEST_SUITE_P(Commands, CliHelp, ::testing::ValuesIn(k_commands),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                             return info.param.empty() ? std::string("understudy") : info.param;
                         });

// The environment really is empty and argv[0] is "understudy": neither the test run's variables nor the
// build directory reach the help text.
TEST(CliHelpEnvironment, VariablesOfTheTestRunDoNotShow) {
    ProcessOptions options;
    options.env = {{"UNDERSTUDY_SOURCE", "postgresql:///cli-help-must-not-show"}};
    std::vector<std::string> argv{
        "env", "-i", "bash", "-c", "exec -a understudy \"$0\" \"$@\"", UNDERSTUDY_BINARY, "subset", "--help"};
    const CommandResult result = run_process(argv, options);
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(result.out.find("cli-help-must-not-show"), std::string::npos);
    EXPECT_EQ(result.out.find(UNDERSTUDY_BINARY), std::string::npos) << "argv[0] leaked into the usage line";
}

/// Every command of the binary has a golden file, and no golden file names a command that is gone.
TEST(CliHelpEnvironment, EveryCommandHasAGoldenFile) {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(k_help_dir))
        names.push_back(entry.path().stem().string());
    EXPECT_EQ(names.size(), k_commands.size());
    const std::string top = read_file(k_help_dir / "understudy.txt");
    for (const std::string& command : k_commands) {
        if (!command.empty()) {
            EXPECT_NE(top.find("  " + command + " "), std::string::npos) << command;
        }
    }
}

}  // namespace
}  // namespace understudy::testing
