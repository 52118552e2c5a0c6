// The orchestrator's folders form layers: a file includes only its own folder and folders below it.
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace {

namespace fs = std::filesystem;

/// Top to bottom; docs/ARCHITECTURE.md's folder map says what lives in each.
const std::vector<std::string> k_layers = {"cli", "pipelines", "guards", "promotion", "schema", "transfer"};

int layer_of(const std::string& folder) {
    for (std::size_t i = 0; i < k_layers.size(); ++i)
        if (k_layers[i] == folder) return static_cast<int>(i);
    return -1;
}

/// guards and promotion are side by side: neither includes the other.
bool allowed(int from, int to) {
    if (from == to) return true;
    const int guards = layer_of("guards"), promotion = layer_of("promotion");
    if ((from == guards && to == promotion) || (from == promotion && to == guards)) return false;
    return to > from;
}

TEST(OrchestratorLayers, IncludesPointOnlyDownward) {
    const fs::path root = fs::path(UNDERSTUDY_TEST_DATA_DIR).parent_path() / "orchestrator";
    const std::regex include_line(R"re(#include\s+"(?:understudy/orchestrator/)?([a-z_]+)/)re");
    int files = 0;
    for (const auto& base : {root / "src", root / "include" / "understudy" / "orchestrator"}) {
        ASSERT_TRUE(fs::is_directory(base)) << base;
        for (const auto& entry : fs::recursive_directory_iterator(base)) {
            if (!entry.is_regular_file()) continue;
            const fs::path relative = fs::relative(entry.path(), base);
            ASSERT_GT(std::distance(relative.begin(), relative.end()), 1)
                << entry.path() << " is not in a role folder";
            const std::string folder = relative.begin()->string();
            const int from = layer_of(folder);
            ASSERT_GE(from, 0) << entry.path() << ": folder " << folder << " is not a known layer";
            ++files;
            std::ifstream in(entry.path());
            std::string line;
            int number = 0;
            while (std::getline(in, line)) {
                ++number;
                std::smatch match;
                if (!std::regex_search(line, match, include_line)) continue;
                const int to = layer_of(match[1]);
                if (to < 0) continue;  // understudy/pg/..., understudy/subsetter/...: other parts
                EXPECT_TRUE(allowed(from, to)) << entry.path().string() << ":" << number << ": " << folder
                                               << "/ includes " << match[1] << "/, which is not below it";
            }
        }
    }
    EXPECT_GT(files, 40);
}

}  // namespace
