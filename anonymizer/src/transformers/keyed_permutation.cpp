// The keyed Feistel permutation: injective by construction, so `unique` rules never need retries.
#include "transformers/keyed_permutation.hpp"

#include <cstring>

namespace understudy::anonymizer {
namespace {

// SplitMix64 stretches one keyed 64-bit hash of a half into as many mask bytes as the other half
// needs; the permutation stays a bijection whatever the round function is, so a fast one is enough.
std::uint64_t split_mix(std::uint64_t& state) {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

// The byte order the mask is applied in must not depend on the machine, or pseudonyms would.
std::uint64_t to_little_endian(std::uint64_t value) {
    const std::uint16_t probe = 1;
    unsigned char first;
    std::memcpy(&first, &probe, 1);
    return first == 1 ? value : __builtin_bswap64(value);
}

}  // namespace

namespace {

// Each round hashes in a class of its own: `<class>\x1fpermutation round <n>`.
ClassHash round_hash(const Secret& secret, std::string_view pseudonym_class, int round) {
    std::string name(pseudonym_class);
    name += "\x1fpermutation round ";
    name += static_cast<char>('0' + round);
    return ClassHash(secret, name);
}

}  // namespace

KeyedPermutation::KeyedPermutation(const Secret& secret, std::string_view pseudonym_class)
    : m_round_hashes{round_hash(secret, pseudonym_class, 0), round_hash(secret, pseudonym_class, 1),
                     round_hash(secret, pseudonym_class, 2), round_hash(secret, pseudonym_class, 3)} {
    static_assert(k_rounds == 4, "one round_hash per round above");
}

void KeyedPermutation::mix(int round, const unsigned char* from, std::size_t from_length, unsigned char* into,
                           std::size_t into_length) const {
    std::uint64_t state = m_round_hashes[static_cast<std::size_t>(round)](
        std::string_view(reinterpret_cast<const char*>(from), from_length));
    // Eight bytes at a time: the mask is XORed in little-endian order, the tail byte by byte.
    std::size_t offset = 0;
    for (; offset + 8 <= into_length; offset += 8) {
        std::uint64_t mask = split_mix(state);
        std::uint64_t word;
        std::memcpy(&word, into + offset, 8);
        word ^= to_little_endian(mask);
        std::memcpy(into + offset, &word, 8);
    }
    if (offset < into_length) {
        std::uint64_t mask = split_mix(state);
        for (int byte_idx = 0; offset < into_length; ++byte_idx, ++offset)
            into[offset] ^= static_cast<unsigned char>(mask >> (8 * byte_idx));
    }
}

// Unbalanced halves: left = first length/2 bytes, right = the rest. Even rounds mask the left half
// with a function of the right one, odd rounds the reverse; each round is its own inverse.
void KeyedPermutation::permute(unsigned char* bytes, std::size_t length) const {
    const std::size_t left = length / 2;
    for (int round = 0; round < k_rounds; ++round) {
        if (round % 2 == 0) mix(round, bytes + left, length - left, bytes, left);
        else mix(round, bytes, left, bytes + left, length - left);
    }
}

void KeyedPermutation::unpermute(unsigned char* bytes, std::size_t length) const {
    const std::size_t left = length / 2;
    for (int round = k_rounds - 1; round >= 0; --round) {
        if (round % 2 == 0) mix(round, bytes + left, length - left, bytes, left);
        else mix(round, bytes, left, bytes + left, length - left);
    }
}

namespace {

// value || 0x80 || 0x00...: the last 0x80 marks where the value ends, so padding is injective.
std::size_t padded_length(std::size_t value_length) {
    return value_length + 1 < KeyedPermutation::k_min_block ? KeyedPermutation::k_min_block : value_length + 1;
}

void pad(std::string_view value, unsigned char* block, std::size_t length) {
    std::memcpy(block, value.data(), value.size());
    block[value.size()] = 0x80;
    std::memset(block + value.size() + 1, 0, length - value.size() - 1);
}

}  // namespace

void KeyedPermutation::permute_padded(std::string_view value, std::string& out) const {
    const std::size_t length = padded_length(value.size());
    out.resize(length);
    auto* block = reinterpret_cast<unsigned char*>(out.data());
    pad(value, block, length);
    permute(block, length);
}

template <typename Use>
void KeyedPermutation::with_padded(std::string_view value, Use&& use) const {
    // Most values (emails, names, ids) fit the stack block; longer ones take one allocation.
    constexpr std::size_t k_stack_block = 256;
    const std::size_t length = padded_length(value.size());
    if (length <= k_stack_block) {
        unsigned char block[k_stack_block];
        pad(value, block, length);
        permute(block, length);
        use(block, length);
        return;
    }
    std::string block;
    permute_padded(value, block);
    use(reinterpret_cast<const unsigned char*>(block.data()), length);
}

void KeyedPermutation::append_padded_base32(std::string_view value, std::string& out) const {
    with_padded(value, [&out](const unsigned char* block, std::size_t length) { append_base32(block, length, out); });
}

void KeyedPermutation::append_padded_hex(std::string_view value, std::string& out) const {
    with_padded(value, [&out](const unsigned char* block, std::size_t length) { append_hex(block, length, out); });
}

void append_base32(const unsigned char* bytes, std::size_t length, std::string& out) {
    static constexpr char k_alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
    const std::size_t start = out.size();
    out.resize(start + (length * 8 + 4) / 5);
    char* write = &out[start];
    // Five bytes are exactly eight letters: whole groups without a bit buffer (the code of a fake
    // email is six of them), then the tail bit by bit.
    std::size_t byte_idx = 0;
    for (; byte_idx + 5 <= length; byte_idx += 5, write += 8) {
        const std::uint64_t group = (std::uint64_t{bytes[byte_idx]} << 32) | (std::uint64_t{bytes[byte_idx + 1]} << 24) |
                                    (std::uint64_t{bytes[byte_idx + 2]} << 16) |
                                    (std::uint64_t{bytes[byte_idx + 3]} << 8) | bytes[byte_idx + 4];
        write[0] = k_alphabet[(group >> 35) & 31];
        write[1] = k_alphabet[(group >> 30) & 31];
        write[2] = k_alphabet[(group >> 25) & 31];
        write[3] = k_alphabet[(group >> 20) & 31];
        write[4] = k_alphabet[(group >> 15) & 31];
        write[5] = k_alphabet[(group >> 10) & 31];
        write[6] = k_alphabet[(group >> 5) & 31];
        write[7] = k_alphabet[group & 31];
    }
    std::uint32_t buffer = 0;
    int bits = 0;
    for (; byte_idx < length; ++byte_idx) {
        buffer = (buffer << 8) | bytes[byte_idx];
        bits += 8;
        while (bits >= 5) {
            *write++ = k_alphabet[(buffer >> (bits - 5)) & 31];
            bits -= 5;
        }
    }
    if (bits > 0) *write++ = k_alphabet[(buffer << (5 - bits)) & 31];
}

void append_hex(const unsigned char* bytes, std::size_t length, std::string& out) {
    static constexpr char k_digits[] = "0123456789abcdef";
    const std::size_t start = out.size();
    out.resize(start + length * 2);
    char* write = &out[start];
    for (std::size_t byte_idx = 0; byte_idx < length; ++byte_idx) {
        *write++ = k_digits[bytes[byte_idx] >> 4];
        *write++ = k_digits[bytes[byte_idx] & 15];
    }
}

}  // namespace understudy::anonymizer
