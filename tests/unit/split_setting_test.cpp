// sync: split_tables_larger_than in understudy.yml: read as a size, 1 GB when absent, and a value
// that is not a size refused at its line and column.
#include <gtest/gtest.h>

#include "../support/temp_file.hpp"
#include "understudy/error.hpp"
#include "understudy/orchestrator/cli/config_file.hpp"

namespace understudy::orchestrator {
namespace {

std::uint64_t threshold_of(const std::string& text) {
    testing::TempFile file(text);
    auto config = load_config_file(file.path());
    EXPECT_TRUE(config.sync.has_value());
    return config.sync ? config.sync->split_tables_larger_than : 0;
}

TEST(SplitSetting, ReadAsASizeOneGigabyteByDefaultRefusedWhenNotASize) {
    EXPECT_EQ(threshold_of("sync: {backend: none}\n"), std::uint64_t{1} << 30);
    EXPECT_EQ(threshold_of("sync: {backend: none, split_tables_larger_than: 200MB}\n"), std::uint64_t{200} << 20);
    EXPECT_EQ(threshold_of("sync:\n  split_tables_larger_than: 5368709120\n"), std::uint64_t{5} << 30);
    testing::TempFile bad("sync:\n  split_tables_larger_than: huge\n");
    try {
        load_config_file(bad.path());
        ADD_FAILURE() << "no error for a size that is not one";
    } catch (const Error& error) {
        EXPECT_EQ(error.code(), ExitCode::config);
        EXPECT_EQ(std::string(error.what()),
                  bad.path() + ":2:29: split_tables_larger_than must be a size like 1GB or 200MB");
    }
}

}  // namespace
}  // namespace understudy::orchestrator
