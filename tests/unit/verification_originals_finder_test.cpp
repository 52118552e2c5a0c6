// verification_originals_finder_test: the leak scan's multi-needle search finds sampled originals as
// whole tokens in JSON, arrays and prose, in either case, and never inside a longer address or number.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "../../orchestrator/src/guards/verification_originals_finder.hpp"

namespace understudy::orchestrator {
namespace {

std::set<std::size_t> found_in(const OriginalsFinder& finder, const std::string& text) {
    std::set<std::size_t> found;
    finder.find_in(text, [&](std::size_t index) { found.insert(index); });
    return found;
}

TEST(OriginalsFinder, FindsWholeTokensInJsonArraysAndProse) {
    OriginalsFinder finder;
    const auto email = *finder.add("ann.lee@mail.example");
    const auto phone = *finder.add("+1-202-555-0147");
    EXPECT_EQ(found_in(finder, R"({"actor": "ann.lee@mail.example", "n": 1})"), (std::set<std::size_t>{email}));
    EXPECT_EQ(found_in(finder, "{x@y.org,ann.lee@mail.example}"), (std::set<std::size_t>{email}));
    EXPECT_EQ(found_in(finder, "call +1-202-555-0147 or mail ann.lee@mail.example."),
              (std::set<std::size_t>{email, phone}));
    // Lowercased (or uppercased) on its way: the same address.
    EXPECT_EQ(found_in(finder, "From: Ann.Lee@MAIL.example"), (std::set<std::size_t>{email}));
    EXPECT_EQ(found_in(finder, "ann.lee@mail.example"), (std::set<std::size_t>{email}));
}

TEST(OriginalsFinder, NotInsideALongerAddressOrNumber) {
    OriginalsFinder finder;
    finder.add("ann.lee@mail.example");
    finder.add("+1-202-555-0147");
    EXPECT_TRUE(found_in(finder, "joann.lee@mail.example").empty());
    EXPECT_TRUE(found_in(finder, "jo.ann.lee@mail.example").empty());
    EXPECT_TRUE(found_in(finder, "ann.lee@mail.example.com").empty());
    EXPECT_TRUE(found_in(finder, "ann.lee@mail.examples").empty());
    EXPECT_TRUE(found_in(finder, "+1-202-555-01478").empty());
    EXPECT_TRUE(found_in(finder, "+1-202-555-0147-22").empty());
    EXPECT_TRUE(found_in(finder, "ann.lee@mail.exampl").empty());
}

TEST(OriginalsFinder, ShortNeedlesAreRefusedAndRepeatsShareAnIndex) {
    OriginalsFinder finder;
    EXPECT_FALSE(finder.add("US").has_value());
    EXPECT_FALSE(finder.add("Ann").has_value());
    EXPECT_FALSE(finder.add("12345").has_value());
    const auto first = finder.add("ann.lee@mail.example");
    EXPECT_EQ(finder.add("ANN.LEE@mail.example"), first);
    EXPECT_EQ(finder.size(), 1u);
    EXPECT_TRUE(found_in(finder, "Ann from the US").empty());
}

TEST(OriginalsFinder, ManyNeedlesOnePass) {
    OriginalsFinder finder;
    for (int user = 0; user < 1000; ++user) finder.add("user" + std::to_string(user) + "@mail.example");
    std::string text;
    for (int row = 0; row < 1000; ++row) text += R"({"note": "nothing to see", "by": "someone@else.example"} )";
    text += "user737@mail.example";
    EXPECT_EQ(found_in(finder, text), (std::set<std::size_t>{737}));
}

}  // namespace
}  // namespace understudy::orchestrator
