// The run's secret: keys every pseudonym, is never stored, printed or written to a target.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace understudy::anonymizer {

/// Key material derived from UNDERSTUDY_SECRET. Holds only the derived XXH3 secret, never the
/// text it came from; copying it is cheap and safe.
class Secret {
public:
    /// The shortest secret accepted, in bytes.
    static constexpr std::size_t k_min_length = 16;

    /// From UNDERSTUDY_SECRET, else from the file UNDERSTUDY_SECRET_FILE names (trailing newline
    /// dropped). Throws Error(config) when missing, empty or shorter than k_min_length.
    static Secret from_environment();
    /// From `text`; `origin` names where it came from in errors ("UNDERSTUDY_SECRET").
    static Secret from_text(std::string_view text, const std::string& origin);

    /// Keyed 64-bit hash of `value` in `pseudonym_class`: the same (secret, class, value) always
    /// gives the same hash, whatever table, row or run it comes from.
    std::uint64_t hash64(std::string_view pseudonym_class, std::string_view value) const;
    /// Keyed 128-bit hash, as 16 bytes (big-endian halves).
    std::array<std::uint8_t, 16> hash128(std::string_view pseudonym_class, std::string_view value) const;

private:
    friend class ClassHash;
    Secret() = default;
    alignas(64) std::array<unsigned char, 192> m_key{};
};

/// Secret::hash64 for one pseudonym class, its `class \0` prefix laid out once: the copy path hashes
/// millions of values in a handful of classes, and copying the class into place every time was a
/// library call per hash.
class ClassHash {
public:
    ClassHash(const Secret& secret, std::string_view pseudonym_class);
    /// Equal to secret.hash64(pseudonym_class, value), always.
    std::uint64_t operator()(std::string_view value) const;
    /// Equal to secret.hash128(pseudonym_class, value), always: the codes of fake emails, usernames
    /// and URLs, one hash per value.
    std::array<std::uint8_t, 16> wide(std::string_view value) const;

private:
    /// Hashes `class \0 value` laid out on the stack with `hash`, or calls `fallback` (the Secret's
    /// own path, same result) when it does not fit there.
    template <typename Hash, typename Fallback>
    auto with_input(std::string_view value, Hash&& hash, Fallback&& fallback) const;

    /// Classes up to this long (with their \0) are copied as one fixed-size block.
    static constexpr std::size_t k_prefix_block = 64;

    Secret m_secret;
    std::string m_class;
    std::array<char, k_prefix_block> m_prefix{};  ///< class, \0, then zeros
};

}  // namespace understudy::anonymizer
