// Probe values: a keyed hash of the probe's number scaled into [min, max] with 128-bit arithmetic,
// so neither a bigint range nor the whole UUID space overflows.
#include "key_probes.hpp"

#include <xxhash.h>

#include <cctype>
#include <charconv>

#include "understudy/error.hpp"
#include "understudy/hex_digit.hpp"

namespace understudy::subsetter::detail {
namespace {

// GCC and Clang have 128-bit integers on every 64-bit target we build for; __extension__ says we know.
__extension__ typedef unsigned __int128 Uint128;

std::uint64_t probe_hash(std::uint64_t seed, std::uint64_t number) {
    unsigned char bytes[8];
    for (int byte_idx = 0; byte_idx < 8; ++byte_idx) bytes[byte_idx] = static_cast<unsigned char>(number >> (8 * byte_idx));
    return XXH3_64bits_withSeed(bytes, sizeof bytes, seed);
}

// floor(span * hash / 2^64) for span in [1, 2^128]; span 0 stands for 2^128 (the whole UUID space).
Uint128 scaled(Uint128 span, std::uint64_t hash) {
    if (span == 0) return static_cast<Uint128>(hash) << 64;
    auto high = static_cast<std::uint64_t>(span >> 64);
    auto low = static_cast<std::uint64_t>(span);
    // span = high·2^64 + low, so span·hash / 2^64 = high·hash + low·hash / 2^64, the first term exact.
    return static_cast<Uint128>(high) * hash + ((static_cast<Uint128>(low) * hash) >> 64);
}

[[noreturn]] void bad_bound(const std::string& text, const char* kind) {
    throw Error(ExitCode::internal, "key bound \"" + text + "\" is not " + kind);
}

std::int64_t parse_integer(const std::string& text) {
    std::int64_t value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size()) bad_bound(text, "an integer");
    return value;
}

Uint128 parse_uuid(const std::string& text) {
    Uint128 value = 0;
    int digits = 0;
    for (char character : text) {
        if (character == '-' || character == '{' || character == '}') continue;
        int digit = hex_digit_value(character);
        if (digit < 0) bad_bound(text, "a uuid");
        value = (value << 4) | static_cast<unsigned>(digit);
        ++digits;
    }
    if (digits != 32) bad_bound(text, "a uuid");
    return value;
}

std::string format_uuid(Uint128 value) {
    static constexpr char k_hex[] = "0123456789abcdef";
    std::string out;
    for (int digit_idx = 31; digit_idx >= 0; --digit_idx) {
        out += k_hex[static_cast<unsigned>(value >> (4 * digit_idx)) & 0xF];
        if (digit_idx == 24 || digit_idx == 20 || digit_idx == 16 || digit_idx == 12) out += '-';
    }
    return out;
}

}  // namespace

std::optional<ProbeDomain> probe_domain(const std::string& type) {
    if (type == "smallint" || type == "integer" || type == "bigint") return ProbeDomain::integer;
    if (type == "uuid") return ProbeDomain::uuid;
    return std::nullopt;
}

std::vector<std::string> key_probes(ProbeDomain domain, const std::string& min, const std::string& max,
                                    std::uint64_t seed, std::size_t first, std::size_t count) {
    std::vector<std::string> probes;
    probes.reserve(count);
    if (domain == ProbeDomain::integer) {
        auto low = parse_integer(min);
        auto high = parse_integer(max);
        if (high < low) bad_bound(max, "at least the minimum");
        // Offsets from low in unsigned arithmetic: the span of a bigint range can exceed 2^63.
        auto span = static_cast<Uint128>(static_cast<std::uint64_t>(high) - static_cast<std::uint64_t>(low)) + 1;
        for (std::size_t number = first; number < first + count; ++number) {
            auto offset = static_cast<std::uint64_t>(scaled(span, probe_hash(seed, number)));
            probes.push_back(std::to_string(static_cast<std::int64_t>(static_cast<std::uint64_t>(low) + offset)));
        }
        return probes;
    }
    auto low = parse_uuid(min);
    auto high = parse_uuid(max);
    if (high < low) bad_bound(max, "at least the minimum");
    Uint128 span = high - low + 1;  // wraps to 0 for the whole space, which scaled() understands
    for (std::size_t number = first; number < first + count; ++number) {
        probes.push_back(format_uuid(low + scaled(span, probe_hash(seed, number))));
    }
    return probes;
}

}  // namespace understudy::subsetter::detail
