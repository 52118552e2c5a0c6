// Unit tests for seed probes: uniform in the key's range, the same for the same seed, and safe at
// the edges of bigint and of the UUID space.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "understudy/error.hpp"
// The internal probe generator, tested directly: its values become index range scans.
#include "../../subsetter/src/key_probes.hpp"

namespace understudy::subsetter::detail {
namespace {

std::vector<std::int64_t> integers(const std::vector<std::string>& probes) {
    std::vector<std::int64_t> out;
    for (const auto& probe : probes) out.push_back(std::stoll(probe));
    return out;
}

TEST(KeyProbes, DomainsAreIntegersAndUuids) {
    EXPECT_EQ(probe_domain("smallint"), ProbeDomain::integer);
    EXPECT_EQ(probe_domain("integer"), ProbeDomain::integer);
    EXPECT_EQ(probe_domain("bigint"), ProbeDomain::integer);
    EXPECT_EQ(probe_domain("uuid"), ProbeDomain::uuid);
    EXPECT_FALSE(probe_domain("text"));
    EXPECT_FALSE(probe_domain("numeric"));
    EXPECT_FALSE(probe_domain("timestamp with time zone"));
}

TEST(KeyProbes, IntegerProbesStayInRangeAndSpreadOverIt) {
    auto probes = integers(key_probes(ProbeDomain::integer, "1", "1000", 7, 0, 4000));
    ASSERT_EQ(probes.size(), 4000u);
    for (auto probe : probes) {
        EXPECT_GE(probe, 1);
        EXPECT_LE(probe, 1000);
    }
    // Every tenth of the range gets its share (400 expected each; binomial spread is about 19).
    std::vector<int> tenths(10, 0);
    for (auto probe : probes) ++tenths[static_cast<std::size_t>((probe - 1) / 100)];
    for (int count : tenths) {
        EXPECT_GT(count, 300);
        EXPECT_LT(count, 500);
    }
    EXPECT_EQ(*std::min_element(probes.begin(), probes.end()), 1);
    EXPECT_EQ(*std::max_element(probes.begin(), probes.end()), 1000);
}

TEST(KeyProbes, SameSeedSameProbesOtherSeedOthers) {
    auto first = key_probes(ProbeDomain::integer, "-50", "1000000", 42, 0, 100);
    EXPECT_EQ(first, key_probes(ProbeDomain::integer, "-50", "1000000", 42, 0, 100));
    EXPECT_NE(first, key_probes(ProbeDomain::integer, "-50", "1000000", 43, 0, 100));
    // A later round continues the sequence instead of repeating it.
    auto later = key_probes(ProbeDomain::integer, "-50", "1000000", 42, 50, 50);
    EXPECT_TRUE(std::equal(later.begin(), later.end(), first.begin() + 50));
}

TEST(KeyProbes, BigintWithGapsCoversTheWholeRangeWithoutOverflow) {
    auto probes = integers(key_probes(ProbeDomain::integer, "-9223372036854775808", "9223372036854775807", 1, 0, 1000));
    int negative = 0;
    for (auto probe : probes) negative += probe < 0 ? 1 : 0;
    EXPECT_GT(negative, 400);
    EXPECT_LT(negative, 600);
    // Keys 10 and 10^12 with nothing between: probes fall anywhere between, never outside.
    for (auto probe : integers(key_probes(ProbeDomain::integer, "10", "1000000000000", 3, 0, 1000))) {
        EXPECT_GE(probe, 10);
        EXPECT_LE(probe, 1000000000000);
    }
}

TEST(KeyProbes, OneRowOrAllKeysEqualGivesThatKey) {
    for (const auto& probe : key_probes(ProbeDomain::integer, "5", "5", 9, 0, 20)) EXPECT_EQ(probe, "5");
    auto max = std::to_string(INT64_MAX);
    for (const auto& probe : key_probes(ProbeDomain::integer, max, max, 9, 0, 20)) EXPECT_EQ(probe, max);
    auto uuid = std::string("0b7e2a7c-3c1d-4f5e-9a8b-7c6d5e4f3a2b");
    for (const auto& probe : key_probes(ProbeDomain::uuid, uuid, uuid, 9, 0, 20)) EXPECT_EQ(probe, uuid);
}

TEST(KeyProbes, UuidProbesSpreadOverTheWholeSpace) {
    auto probes = key_probes(ProbeDomain::uuid, "00000000-0000-0000-0000-000000000000",
                             "ffffffff-ffff-ffff-ffff-ffffffffffff", 11, 0, 1600);
    std::vector<int> first_digit(16, 0);
    for (const auto& probe : probes) {
        ASSERT_EQ(probe.size(), 36u) << probe;
        EXPECT_EQ(probe[8], '-');
        EXPECT_EQ(probe[23], '-');
        ++first_digit[static_cast<std::size_t>(std::stoi(probe.substr(0, 1), nullptr, 16))];
    }
    for (int count : first_digit) {
        EXPECT_GT(count, 60);
        EXPECT_LT(count, 140);
    }
    EXPECT_EQ(std::set<std::string>(probes.begin(), probes.end()).size(), probes.size());
}

TEST(KeyProbes, UuidProbesStayBetweenMinAndMax) {
    std::string low = "10000000-0000-0000-0000-000000000000";
    std::string high = "10000000-0000-0000-0000-0000000000ff";
    for (const auto& probe : key_probes(ProbeDomain::uuid, low, high, 5, 0, 500)) {
        EXPECT_GE(probe, low);
        EXPECT_LE(probe, high);
    }
}

TEST(KeyProbes, ABoundOfTheWrongTypeIsAnInternalError) {
    EXPECT_THROW(key_probes(ProbeDomain::integer, "abc", "10", 0, 0, 1), Error);
    EXPECT_THROW(key_probes(ProbeDomain::uuid, "not-a-uuid", "10", 0, 0, 1), Error);
    EXPECT_THROW(key_probes(ProbeDomain::integer, "10", "1", 0, 0, 1), Error);
}

}  // namespace
}  // namespace understudy::subsetter::detail
