// Unit tests for the sizing formulas: rdbms-subsetter's numbers, zero and one row, exact powers.
#include <gtest/gtest.h>

#include <cstdint>

#include "understudy/subsetter/subset_plan.hpp"

namespace understudy::subsetter {
namespace {

TEST(LogarithmicSize, MatchesRdbmsSubsetter) {
    EXPECT_EQ(logarithmic_size(1000000, 0.5), 1000);
    EXPECT_EQ(logarithmic_size(50000, 0.2), 8);
    EXPECT_EQ(logarithmic_size(10000000, 0.5), 3162);
    EXPECT_EQ(logarithmic_size(100, 0.5), 10);
    EXPECT_EQ(logarithmic_size(37, 0.5), 6);
}

TEST(LogarithmicSize, EmptyAndSingleRow) {
    EXPECT_EQ(logarithmic_size(0, 0.5), 0);
    EXPECT_EQ(logarithmic_size(1, 0.5), 1);
    EXPECT_EQ(logarithmic_size(2, 0.01), 1);
    EXPECT_EQ(logarithmic_size(5, 0.0), 1);
}

TEST(LogarithmicSize, ExactPowersAreNotRoundedDown) {
    std::int64_t rows = 1;
    std::int64_t root = 1;
    for (int exponent = 0;; exponent += 2) {
        EXPECT_EQ(logarithmic_size(rows, 0.5), root) << "rows 10^" << exponent;
        EXPECT_EQ(logarithmic_size(rows, 1.0), rows) << "rows 10^" << exponent;
        if (exponent == 18) break;  // 10^20 does not fit in int64
        rows *= 100;
        root *= 10;
    }
    EXPECT_EQ(logarithmic_size(1000000000, 1.0 / 3.0), 1000);
    EXPECT_EQ(logarithmic_size(1000, 1.0 / 3.0), 10);
    EXPECT_EQ(logarithmic_size(100000, 0.2), 10);
}

TEST(FractionSize, FloorsWithAtLeastOneRow) {
    EXPECT_EQ(fraction_size(0, 0.05), 0);
    EXPECT_EQ(fraction_size(1, 0.05), 1);
    EXPECT_EQ(fraction_size(19, 0.05), 1);
    EXPECT_EQ(fraction_size(100, 0.05), 5);
    EXPECT_EQ(fraction_size(50000, 0.05), 2500);
    EXPECT_EQ(fraction_size(10, 1.0), 10);
    EXPECT_EQ(fraction_size(10, 0.0), 1);
}

TEST(FractionSize, ExactProductsAreNotRoundedDown) {
    // 100 * 0.29 is 28.999999999999996 in binary floating point.
    EXPECT_EQ(fraction_size(100, 0.29), 29);
    EXPECT_EQ(fraction_size(100, 0.57), 57);
    EXPECT_EQ(fraction_size(1000, 7.0 / 100.0), 70);
    EXPECT_EQ(fraction_size(99, 0.5), 49);
}

}  // namespace
}  // namespace understudy::subsetter
