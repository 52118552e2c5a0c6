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
    Secret() = default;
    alignas(64) std::array<unsigned char, 192> m_key{};
};

}  // namespace understudy::anonymizer
