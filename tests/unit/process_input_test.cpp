// Unit tests for run_process_with_input: stdin fed in chunks, a child that stops reading, failing input.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "understudy/orchestrator/schema/subprocess.hpp"

namespace understudy::orchestrator {
namespace {

TEST(RunProcessWithInput, FeedsChunksLargerThanThePipe) {
    std::string expected;
    std::vector<std::string> chunks;
    for (char letter : {'a', 'b', 'c'}) {
        chunks.push_back(std::string(200000, letter));
        expected += chunks.back();
    }
    std::size_t next = 0;
    auto result = run_process_with_input({"cat"}, {}, [&]() -> std::string_view {
        return next < chunks.size() ? std::string_view(chunks[next++]) : std::string_view();
    });
    EXPECT_EQ(result.exit_code, 0);
    EXPECT_TRUE(result.stdout_text == expected) << result.stdout_text.size() << " bytes came back";
}

TEST(RunProcessWithInput, EmptyInputIsEndOfFile) {
    auto result = run_process_with_input({"wc", "-c"}, {}, [] { return std::string_view(); });
    EXPECT_EQ(result.exit_code, 0);
    EXPECT_EQ(std::stoi(result.stdout_text), 0);
}

TEST(RunProcessWithInput, ChildThatStopsReadingEndsTheInputWithoutSigpipe) {
    const std::string chunk(1 << 20, 'x');
    int calls = 0;
    auto result = run_process_with_input({"head", "-c", "10"}, {}, [&]() -> std::string_view {
        return ++calls <= 64 ? std::string_view(chunk) : std::string_view();
    });
    EXPECT_EQ(result.exit_code, 0);
    EXPECT_EQ(result.stdout_text, std::string(10, 'x'));
    EXPECT_LT(calls, 64) << "the rest of the input is not read once the child is gone";
}

TEST(RunProcessWithInput, FailingInputStopsTheChildAndIsRethrown) {
    const std::string chunk(1000, 'y');
    int calls = 0;
    EXPECT_THROW(run_process_with_input({"/bin/sh", "-c", "cat > /dev/null; echo finished"}, {},
                                        [&]() -> std::string_view {
                                            if (++calls == 3) throw std::runtime_error("input broke");
                                            return chunk;
                                        }),
                 std::runtime_error);
}

TEST(RunProcessWithInput, PassesTheEnvironment) {
    auto result = run_process_with_input({"/bin/sh", "-c", "cat >/dev/null; printf %s \"$UNDERSTUDY_PROBE\""},
                                         {{"UNDERSTUDY_PROBE", "here"}}, [] { return std::string_view(); });
    EXPECT_EQ(result.stdout_text, "here");
}

}  // namespace
}  // namespace understudy::orchestrator
