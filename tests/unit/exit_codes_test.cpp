// README.md's "Exit codes" table against k_exit_codes (common/include/understudy/exit_code.hpp), the
// one declaration of the codes: the README lists every code once, in ascending order, and no other.
// The README's wording stays its own (it says more than the one-line meanings); only codes are compared.
#include <gtest/gtest.h>

#include <cstddef>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "understudy/exit_code.hpp"

namespace understudy {
namespace {

/// The first cell of each body row of the table under "## Exit codes", as written.
std::vector<std::string> readme_exit_code_cells() {
    std::ifstream readme(UNDERSTUDY_README);
    EXPECT_TRUE(readme) << "cannot read " << UNDERSTUDY_README;
    std::vector<std::string> cells;
    bool in_section = false;
    int table_line = 0;
    for (std::string line; std::getline(readme, line);) {
        if (line.rfind("## ", 0) == 0) {
            if (in_section) break;
            in_section = line == "## Exit codes";
            continue;
        }
        if (!in_section || line.rfind("|", 0) != 0) continue;
        if (++table_line <= 2) continue;  // the header row and the |---| row
        const std::size_t end = line.find('|', 1);
        std::string cell = line.substr(1, end == std::string::npos ? std::string::npos : end - 1);
        cell.erase(0, cell.find_first_not_of(' '));
        cell.erase(cell.find_last_not_of(' ') + 1);
        cells.push_back(cell);
    }
    EXPECT_TRUE(in_section) << UNDERSTUDY_README << " has no \"## Exit codes\" section";
    return cells;
}

TEST(ExitCodes, ReadmeTableListsEveryDeclaredCodeInOrder) {
    const std::vector<std::string> cells = readme_exit_code_cells();
    ASSERT_EQ(cells.size(), k_exit_codes.size()) << "README.md's exit-code table has " << cells.size()
                                                 << " rows, understudy declares " << k_exit_codes.size() << " codes";
    for (std::size_t row = 0; row < cells.size(); ++row) {
        const ExitCodeEntry& entry = k_exit_codes[row];
        EXPECT_EQ(cells[row], std::to_string(static_cast<int>(entry.code)))
            << "README.md's exit-code row " << row + 1 << " should be code " << static_cast<int>(entry.code) << " ("
            << entry.name << ": " << entry.meaning << ")";
    }
}

TEST(ExitCodes, EntryOfACodeIsItsOwn) {
    for (const ExitCodeEntry& entry : k_exit_codes) {
        EXPECT_EQ(&exit_code_entry(entry.code), &entry) << entry.name;
        EXPECT_FALSE(entry.meaning.empty()) << entry.name;
    }
    EXPECT_EQ(exit_code_entry(ExitCode::plan_refused).name, "plan_refused");
    EXPECT_EQ(static_cast<int>(k_exit_codes.back().code), static_cast<int>(ExitCode::snapshot_too_old));
}

}  // namespace
}  // namespace understudy
