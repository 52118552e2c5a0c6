// The run's secret: derived once into an XXH3 key, so the text itself is never kept in memory.
#include "understudy/anonymizer/secret.hpp"

// XXH_INLINE_ALL compiles XXH3 into this file (from the system header, same algorithm and results as
// libxxhash): the copy path hashes every rewritten value up to five times, and an out-of-line call
// that cannot see the fixed 192-byte key was an eighth of its time. It implies XXH_STATIC_LINKING_ONLY,
// which XXH3_generateSecret (experimental in 0.8.1) needs.
#define XXH_INLINE_ALL
#include <xxhash.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>

#include "understudy/error.hpp"

namespace understudy::anonymizer {
namespace {

// Class and value are hashed as `class \0 value`; short inputs go through a stack buffer so the hot
// path allocates nothing, long ones through XXH3's streaming state (same result by construction).
constexpr std::size_t k_stack_input = 512;

// The high half first, each half big-endian: the byte order hash128's callers have always seen.
std::array<std::uint8_t, 16> big_endian_bytes(XXH128_hash_t hash) {
    std::array<std::uint8_t, 16> bytes{};
    for (int byte_idx = 0; byte_idx < 8; ++byte_idx) {
        bytes[static_cast<std::size_t>(byte_idx)] = static_cast<std::uint8_t>(hash.high64 >> (56 - 8 * byte_idx));
        bytes[static_cast<std::size_t>(8 + byte_idx)] = static_cast<std::uint8_t>(hash.low64 >> (56 - 8 * byte_idx));
    }
    return bytes;
}

}  // namespace

Secret Secret::from_text(std::string_view text, const std::string& origin) {
    if (text.empty()) throw Error(ExitCode::config, origin + " is empty", "set it to at least 16 random bytes");
    if (text.size() < k_min_length)
        throw Error(ExitCode::config,
                    origin + " is too short (" + std::to_string(text.size()) + " bytes, at least " +
                        std::to_string(k_min_length) + " needed)",
                    "generate one with: openssl rand -hex 32");
    Secret secret;
    XXH3_generateSecret(secret.m_key.data(), secret.m_key.size(), text.data(), text.size());
    return secret;
}

Secret Secret::from_environment() {
    // Set but empty is refused rather than skipped: an empty export is a mistake, not a request
    // to read the file instead.
    if (const char* value = std::getenv("UNDERSTUDY_SECRET")) return from_text(value, "UNDERSTUDY_SECRET");
    const char* file = std::getenv("UNDERSTUDY_SECRET_FILE");
    if (!file || !*file)
        throw Error(ExitCode::config, "no anonymization secret: UNDERSTUDY_SECRET and UNDERSTUDY_SECRET_FILE are not set",
                    "export UNDERSTUDY_SECRET (at least 16 bytes, e.g. from openssl rand -hex 32); keep it out of "
                    "the config file");
    std::ifstream stream(file, std::ios::binary);
    if (!stream) throw Error(ExitCode::config, "cannot read the secret file \"" + std::string(file) + "\" (UNDERSTUDY_SECRET_FILE)");
    std::string text((std::istreambuf_iterator<char>(stream)), std::istreambuf_iterator<char>());
    // One trailing newline (CRLF too) is what an editor or `echo` leaves; it is not part of the secret.
    if (!text.empty() && text.back() == '\n') text.pop_back();
    if (!text.empty() && text.back() == '\r') text.pop_back();
    Secret secret = from_text(text, "the secret file \"" + std::string(file) + "\"");
    std::fill(text.begin(), text.end(), '\0');
    return secret;
}

std::uint64_t Secret::hash64(std::string_view pseudonym_class, std::string_view value) const {
    const std::size_t total = pseudonym_class.size() + 1 + value.size();
    if (total <= k_stack_input) {
        char buffer[k_stack_input];
        std::memcpy(buffer, pseudonym_class.data(), pseudonym_class.size());
        buffer[pseudonym_class.size()] = '\0';
        if (!value.empty()) std::memcpy(buffer + pseudonym_class.size() + 1, value.data(), value.size());
        return XXH3_64bits_withSecret(buffer, total, m_key.data(), m_key.size());
    }
    XXH3_state_t state;
    XXH3_64bits_reset_withSecret(&state, m_key.data(), m_key.size());
    XXH3_64bits_update(&state, pseudonym_class.data(), pseudonym_class.size());
    XXH3_64bits_update(&state, "", 1);
    XXH3_64bits_update(&state, value.data(), value.size());
    return XXH3_64bits_digest(&state);
}

ClassHash::ClassHash(const Secret& secret, std::string_view pseudonym_class)
    : m_secret(secret), m_class(pseudonym_class) {
    if (pseudonym_class.size() < k_prefix_block) std::memcpy(m_prefix.data(), pseudonym_class.data(), pseudonym_class.size());
}

template <typename Hash, typename Fallback>
auto ClassHash::with_input(std::string_view value, Hash&& hash, Fallback&& fallback) const {
    const std::size_t prefix = m_class.size() + 1;
    const std::size_t total = prefix + value.size();
    if (prefix > k_prefix_block || total > k_stack_input) return fallback();
    // The whole block is copied (a constant size: a few moves, no call); the value then overwrites
    // its tail, and only `total` bytes are hashed, so the input is exactly `class \0 value`.
    char buffer[k_stack_input];
    std::memcpy(buffer, m_prefix.data(), k_prefix_block);
    if (!value.empty()) std::memcpy(buffer + prefix, value.data(), value.size());
    return hash(buffer, total);
}

std::uint64_t ClassHash::operator()(std::string_view value) const {
    return with_input(
        value,
        [this](const char* input, std::size_t length) {
            return XXH3_64bits_withSecret(input, length, m_secret.m_key.data(), m_secret.m_key.size());
        },
        [this, value] { return m_secret.hash64(m_class, value); });
}

std::array<std::uint8_t, 16> ClassHash::wide(std::string_view value) const {
    return with_input(
        value,
        [this](const char* input, std::size_t length) {
            return big_endian_bytes(XXH3_128bits_withSecret(input, length, m_secret.m_key.data(), m_secret.m_key.size()));
        },
        [this, value] { return m_secret.hash128(m_class, value); });
}

std::array<std::uint8_t, 16> Secret::hash128(std::string_view pseudonym_class, std::string_view value) const {
    const std::size_t total = pseudonym_class.size() + 1 + value.size();
    XXH128_hash_t hash;
    if (total <= k_stack_input) {
        char buffer[k_stack_input];
        std::memcpy(buffer, pseudonym_class.data(), pseudonym_class.size());
        buffer[pseudonym_class.size()] = '\0';
        if (!value.empty()) std::memcpy(buffer + pseudonym_class.size() + 1, value.data(), value.size());
        hash = XXH3_128bits_withSecret(buffer, total, m_key.data(), m_key.size());
    } else {
        XXH3_state_t state;
        XXH3_128bits_reset_withSecret(&state, m_key.data(), m_key.size());
        XXH3_128bits_update(&state, pseudonym_class.data(), pseudonym_class.size());
        XXH3_128bits_update(&state, "", 1);
        XXH3_128bits_update(&state, value.data(), value.size());
        hash = XXH3_128bits_digest(&state);
    }
    return big_endian_bytes(hash);
}

}  // namespace understudy::anonymizer
