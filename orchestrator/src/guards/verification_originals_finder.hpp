// The leak scan's search: many sampled originals looked for at once in copied text, one pass per value.
#pragma once

#include <bitset>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace understudy::orchestrator {

/// Finds which of a set of strings (the needles: sampled original values) occur in a text, at a cost
/// that follows the text's length, not the number of needles. A needle counts only as a whole token:
/// the byte before and after it must not continue a word, an address or a number (`ann@x.org` is not
/// found inside `joann@x.org`, nor `+1-555-0100` inside `+1-555-01002`). ASCII letters match in
/// either case (an address lowercased on its way to another column is the same address).
class OriginalsFinder {
public:
    /// Needles shorter than this are refused: too short to be anybody's (and too common to search for).
    static constexpr std::size_t k_min_length = 6;

    /// Adds `needle`; returns its index (the one `find_in` reports), or nothing when it is too short.
    /// Adding the same needle (in any case) again returns the first one's index.
    std::optional<std::size_t> add(std::string_view needle);
    /// How many needles were added.
    std::size_t size() const { return m_needles.size(); }
    /// Calls `found` with the index of each needle that occurs in `text` as a whole token (once per
    /// occurrence).
    void find_in(std::string_view text, const std::function<void(std::size_t)>& found) const;

private:
    static constexpr std::size_t k_filter_bits = 1 << 16;
    std::vector<std::string> m_needles;  ///< lowercased
    std::unordered_map<std::uint64_t, std::vector<std::size_t>> m_by_prefix;  ///< first k_min_length bytes
    std::bitset<k_filter_bits> m_filter;  ///< prefixes seen, hashed: most text positions stop here
    mutable std::string m_folded;         ///< the text lowercased, reused between calls
};

}  // namespace understudy::orchestrator
