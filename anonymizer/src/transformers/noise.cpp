// `noise`: numbers and dates move by a deterministic offset within a range, chosen per value.
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "transformers/builders.hpp"
#include "transformers/temporal.hpp"
#include "understudy/error.hpp"

namespace understudy::anonymizer {
namespace {

// A uniform offset in [-bound, +bound] from a 64-bit hash (the modulo bias is < 2^-40 for any
// bound a rule would give).
std::int64_t offset_within(std::uint64_t hash, std::int64_t bound) {
    if (bound <= 0) return 0;
    const std::uint64_t span = static_cast<std::uint64_t>(bound) * 2 + 1;
    return static_cast<std::int64_t>(hash % span) - bound;
}

// Exact decimal arithmetic for integer and numeric text (`-12`, `12.50`): the offset is drawn in units
// of the value's last decimal place, so `12.50` stays with two decimals and integers stay integers.
bool noise_decimal(std::string_view text, double range, std::uint64_t hash, std::string& out) {
    std::size_t pos = 0;
    bool negative = false;
    if (pos < text.size() && (text[pos] == '-' || text[pos] == '+')) negative = text[pos++] == '-';
    std::int64_t scaled = 0;
    int decimals = 0;
    bool seen_point = false;
    std::size_t digits = 0;
    for (; pos < text.size(); ++pos) {
        char c = text[pos];
        if (c == '.' && !seen_point) {
            seen_point = true;
            continue;
        }
        if (c < '0' || c > '9') return false;
        if (scaled > (INT64_MAX - 9) / 10) return false;  // too wide for int64: the float path takes it
        scaled = scaled * 10 + (c - '0');
        if (seen_point) ++decimals;
        ++digits;
    }
    if (digits == 0) return false;
    if (negative) scaled = -scaled;
    double unit_range = range;
    for (int decimal_idx = 0; decimal_idx < decimals; ++decimal_idx) unit_range *= 10;
    if (unit_range > 9e17) return false;
    std::int64_t moved = scaled + offset_within(hash, static_cast<std::int64_t>(std::floor(unit_range)));
    std::string digits_text = std::to_string(moved < 0 ? -moved : moved);
    if (decimals > 0 && digits_text.size() <= static_cast<std::size_t>(decimals))
        digits_text.insert(0, static_cast<std::size_t>(decimals) + 1 - digits_text.size(), '0');
    out.clear();
    if (moved < 0) out += '-';
    if (decimals > 0) {
        out.append(digits_text, 0, digits_text.size() - static_cast<std::size_t>(decimals));
        out += '.';
        out.append(digits_text, digits_text.size() - static_cast<std::size_t>(decimals), std::string::npos);
    } else {
        out += digits_text;
    }
    return true;
}

// real and double precision in exponent form (`1.5e+20`), NaN and Infinity.
bool noise_float(std::string_view text, double range, std::uint64_t hash, std::string& out) {
    if (text == "NaN" || text == "Infinity" || text == "-Infinity") {
        out.assign(text);
        return true;
    }
    std::string copy(text);
    char* end = nullptr;
    double value = std::strtod(copy.c_str(), &end);
    if (end != copy.c_str() + copy.size()) return false;
    // A fraction of the range in 2^-53 steps, mapped to [-range, +range].
    double unit = static_cast<double>(hash >> 11) / 9007199254740992.0;
    double moved = value + (unit * 2 - 1) * range;
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.17g", moved);
    out.assign(buffer);
    return true;
}

class NoiseTransformer final : public Transformer {
public:
    NoiseTransformer(const Secret& secret, NoiseRange range, std::string pseudonym_class)
        : m_secret(secret), m_range(std::move(range)), m_class(std::move(pseudonym_class)) {}

    bool write(const Value& input, const RowView&, std::string& out) const override {
        if (!input) return false;
        const std::uint64_t hash = m_secret.hash64(m_class, *input);
        if (m_range.temporal) {
            // Whole days for ranges of a day or more, so dates stay dates and times of day stay put.
            std::int64_t offset = m_range.seconds >= 86400 ? offset_within(hash, m_range.seconds / 86400) * 86400
                                                           : offset_within(hash, m_range.seconds);
            if (!shift_temporal(*input, offset, out))
                throw Error(ExitCode::config, "noise: value is not a date, time or timestamp in ISO form");
            return true;
        }
        if (!noise_decimal(*input, m_range.amount, hash, out) && !noise_float(*input, m_range.amount, hash, out))
            throw Error(ExitCode::config, "noise: value is not a number");
        return true;
    }
    bool injective() const override { return false; }
    TypeClass accepts() const override { return m_range.temporal ? TypeClass::temporal : TypeClass::numeric; }
    std::string describe() const override { return "noise range " + m_range.text; }

private:
    Secret m_secret;
    NoiseRange m_range;
    std::string m_class;
};

}  // namespace

std::unique_ptr<Transformer> make_noise_transformer(const Secret& secret, NoiseRange range,
                                                    std::string pseudonym_class) {
    return std::make_unique<NoiseTransformer>(secret, std::move(range), std::move(pseudonym_class));
}

}  // namespace understudy::anonymizer
