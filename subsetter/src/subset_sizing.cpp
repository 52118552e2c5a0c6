// rdbms-subsetter's two sizing formulas, with a guard against floating-point error at exact values.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "understudy/subsetter/subset_plan.hpp"

namespace understudy::subsetter {
namespace {

/// floor(), except that a value within rounding error of an integer counts as that integer:
/// 10^(log10(1e6) * 0.5) may come out as 999.9999999999999, and users expect 1000.
std::int64_t tolerant_floor(double value) {
    if (!(value >= 0)) return 0;  // negative or NaN
    if (value >= static_cast<double>(std::numeric_limits<std::int64_t>::max()))
        return std::numeric_limits<std::int64_t>::max();
    const double nearest = std::round(value);
    if (std::fabs(value - nearest) <= 1e-9 * std::max(1.0, value)) return static_cast<std::int64_t>(nearest);
    return static_cast<std::int64_t>(std::floor(value));
}

}  // namespace

std::int64_t logarithmic_size(std::int64_t rows, double factor) {
    if (rows <= 0) return 0;
    return std::max<std::int64_t>(1, tolerant_floor(std::pow(10.0, std::log10(static_cast<double>(rows)) * factor)));
}

std::int64_t fraction_size(std::int64_t rows, double factor) {
    if (rows <= 0) return 0;
    return std::max<std::int64_t>(1, tolerant_floor(static_cast<double>(rows) * factor));
}

}  // namespace understudy::subsetter
