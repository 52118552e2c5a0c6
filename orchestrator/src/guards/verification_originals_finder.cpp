// Multi-needle search for the leak scan: a prefix filter over every text position, then an exact check.
#include "guards/verification_originals_finder.hpp"

#include <cstring>

namespace understudy::orchestrator {
namespace {

char fold(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

/// Letters, digits and every non-ASCII byte (a UTF-8 letter is never split).
bool continues_word(char c) {
    const auto byte = static_cast<unsigned char>(c);
    return (byte >= '0' && byte <= '9') || (byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z') ||
           byte >= 0x80;
}

/// Punctuation that joins two words into one token when a word character is on its other side:
/// `jo.ann@x.org`, `ann@x.org.uk`, `+1-555-0100-22`.
bool joins_words(char c) {
    return c == '.' || c == '-' || c == '_' || c == '+' || c == '%';
}

std::uint64_t prefix_key(const char* text) {
    std::uint64_t key = 0;
    std::memcpy(&key, text, OriginalsFinder::k_min_length);
    return key;
}

std::size_t filter_slot(std::uint64_t key) {
    return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ULL) >> 48);  // top 16 bits: 1 << 16 slots
}

}  // namespace

std::optional<std::size_t> OriginalsFinder::add(std::string_view needle) {
    if (needle.size() < k_min_length) return std::nullopt;
    std::string folded(needle);
    for (char& c : folded) c = fold(c);
    const std::uint64_t key = prefix_key(folded.data());
    auto& candidates = m_by_prefix[key];
    for (std::size_t index : candidates) {
        if (m_needles[index] == folded) return index;
    }
    candidates.push_back(m_needles.size());
    m_filter.set(filter_slot(key));
    m_needles.push_back(std::move(folded));
    return m_needles.size() - 1;
}

void OriginalsFinder::find_in(std::string_view text, const std::function<void(std::size_t)>& found) const {
    if (m_needles.empty() || text.size() < k_min_length) return;
    m_folded.assign(text.data(), text.size());
    for (char& c : m_folded) c = fold(c);
    const char* data = m_folded.data();
    const std::size_t size = m_folded.size();
    for (std::size_t at = 0; at + k_min_length <= size; ++at) {
        const std::uint64_t key = prefix_key(data + at);
        if (!m_filter.test(filter_slot(key))) continue;
        auto candidates = m_by_prefix.find(key);
        if (candidates == m_by_prefix.end()) continue;
        // The token must start here: nothing word-like before, nor punctuation glued to a word.
        if (at > 0 && (continues_word(data[at - 1]) ||
                       (joins_words(data[at - 1]) && at > 1 && continues_word(data[at - 2]))))
            continue;
        for (std::size_t index : candidates->second) {
            const std::string& needle = m_needles[index];
            const std::size_t end = at + needle.size();
            if (end > size || std::memcmp(data + at, needle.data(), needle.size()) != 0) continue;
            // ... and end there: the same on the right, and no `@` (a local part, not an address).
            if (end < size && (continues_word(data[end]) || data[end] == '@' ||
                               (joins_words(data[end]) && end + 1 < size && continues_word(data[end + 1]))))
                continue;
            found(index);
        }
    }
}

}  // namespace understudy::orchestrator
