// A keyed Feistel permutation over byte strings: the injective core of every `unique` rule.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "understudy/anonymizer/secret.hpp"

namespace understudy::anonymizer {

/// A bijection on byte strings of each length, keyed by the secret and a pseudonym class.
class KeyedPermutation {
public:
    /// Feistel rounds; 4 is the fewest for which an unbalanced Feistel network mixes both halves twice.
    static constexpr int k_rounds = 4;
    /// The shortest padded block, so that short inputs still get 128 bits of code.
    static constexpr std::size_t k_min_block = 16;

    KeyedPermutation(const Secret& secret, std::string_view pseudonym_class);

    /// Pads `value || 0x80 || 0x00...` to at least k_min_block bytes and permutes it into `out`
    /// (replaced): distinct values always give distinct outputs.
    void permute_padded(std::string_view value, std::string& out) const;
    /// Appends the base32 of permute_padded(value) to `out`; short values never touch the heap.
    void append_padded_base32(std::string_view value, std::string& out) const;
    /// Appends the hex of permute_padded(value) to `out`; short values never touch the heap.
    void append_padded_hex(std::string_view value, std::string& out) const;
    /// Permutes `bytes` in place (any length >= 2): a bijection for each length.
    void permute(unsigned char* bytes, std::size_t length) const;
    /// Undoes permute(): used by tests to prove that nothing was lost.
    void unpermute(unsigned char* bytes, std::size_t length) const;

private:
    /// Pads and permutes `value` into a block (on the stack when short) and hands it to `use`.
    template <typename Use>
    void with_padded(std::string_view value, Use&& use) const;
    void mix(int round, const unsigned char* from, std::size_t from_length, unsigned char* into,
             std::size_t into_length) const;

    std::array<ClassHash, k_rounds> m_round_hashes;
};

/// Lowercase RFC 4648 base32 without padding (letters and digits 2-7: safe in emails and URLs).
void append_base32(const unsigned char* bytes, std::size_t length, std::string& out);
/// Lowercase hex.
void append_hex(const unsigned char* bytes, std::size_t length, std::string& out);

}  // namespace understudy::anonymizer
