// PostgreSQL's COPY text format, byte for byte as the server reads (copyfromparse.c) and writes (copyto.c) it.
#include "understudy/anonymizer/copy_text.hpp"

#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "understudy/hex_digit.hpp"

namespace understudy::anonymizer {
namespace {

bool is_octal(char c) { return c >= '0' && c <= '7'; }

constexpr std::uint64_t k_ones = 0x0101010101010101ULL;
constexpr std::uint64_t k_highs = 0x8080808080808080ULL;
constexpr std::uint64_t k_backslashes = k_ones * '\\';

// The high bit of each byte of `word` equal to the byte in `pattern` (and maybe above a match).
inline std::uint64_t has_byte(std::uint64_t word, std::uint64_t pattern) {
    const std::uint64_t diff = word ^ pattern;
    return (diff - k_ones) & ~diff & k_highs;
}

// Bytes the server escapes are all below 0x0e (\b 08 .. \r 0d) or the backslash: a word with
// neither needs no look at its bytes one by one.
inline bool may_need_escape(std::uint64_t word) {
    return ((word - k_ones * 0x0e) & ~word & k_highs) != 0 || has_byte(word, k_backslashes) != 0;
}

// The letter the server writes after a backslash for a control character, or 0 when it writes the
// byte verbatim. Only these six and the backslash itself are escaped on output (CopyAttributeOutText):
// every other byte, control characters and multibyte sequences included, goes out as it is.
constexpr char escape_letter(unsigned char c) {
    switch (c) {
        case '\b': return 'b';
        case '\f': return 'f';
        case '\n': return 'n';
        case '\r': return 'r';
        case '\t': return 't';
        case '\v': return 'v';
        case '\\': return '\\';
        default: return 0;
    }
}

struct EscapeTable {
    char letter[256]{};
    constexpr EscapeTable() {
        for (int c = 0; c < 256; ++c) letter[c] = escape_letter(static_cast<unsigned char>(c));
    }
};
constexpr EscapeTable k_escapes;

// A trailing newline ends the row unless a backslash escapes it: the server reads `\` + newline as a
// newline inside the field (CopyReadLineText lets a backslash quote any following byte). A run of
// backslashes right before it pairs up from the left, so an odd run escapes the newline.
std::string_view strip_terminator(std::string_view row) {
    if (row.empty() || row.back() != '\n') return row;
    std::size_t backslashes = 0;
    for (std::size_t pos = row.size() - 1; pos > 0 && row[pos - 1] == '\\'; --pos) ++backslashes;
    if (backslashes % 2 == 1) return row;
    row.remove_suffix(1);
    // A CRLF-terminated row: an unescaped carriage return can only be a line end, the server refuses
    // one inside data ("literal carriage return found in data").
    if (!row.empty() && row.back() == '\r') {
        backslashes = 0;
        for (std::size_t pos = row.size() - 1; pos > 0 && row[pos - 1] == '\\'; --pos) ++backslashes;
        if (backslashes % 2 == 0) row.remove_suffix(1);
    }
    return row;
}

}  // namespace

void split_fields(std::string_view row, std::vector<std::string_view>& fields) {
    fields.clear();
    row = strip_terminator(row);
    const char* const begin = row.data();
    const std::size_t size = row.size();
    std::size_t field_start = 0;
    std::size_t pos = 0;
    // A backslash makes the byte after it data, even a tab: bytes before `escaped_until` are skipped.
    std::size_t escaped_until = 0;
    auto hit = [&](std::size_t at) {
        if (at < escaped_until) return;
        if (begin[at] == '\\') {
            escaped_until = at + 2;
            return;
        }
        fields.emplace_back(begin + field_start, at - field_start);
        field_start = at + 1;
    };
#if defined(__SSE2__)
    // Sixteen bytes at a time; only tabs and backslashes are looked at one by one.
    const __m128i tabs = _mm_set1_epi8('\t');
    const __m128i backslashes = _mm_set1_epi8('\\');
    auto tabs_and_backslashes = [&](std::size_t at) {
        const __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(begin + at));
        return static_cast<unsigned>(
            _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(chunk, tabs), _mm_cmpeq_epi8(chunk, backslashes))));
    };
    // Every set bit of `mask`, lowest first, as a hit at `block` plus the bit's index.
    auto hit_each = [&](std::size_t block, unsigned mask) {
        while (mask != 0) {
            hit(block + static_cast<std::size_t>(__builtin_ctz(mask)));
            mask &= mask - 1;
        }
    };
    for (; pos + 16 <= size; pos += 16) hit_each(pos, tabs_and_backslashes(pos));
    // The last partial block: the final sixteen bytes again, minus those already looked at, so no
    // row longer than a block ends byte by byte.
    if (pos < size && size >= 16) {
        const std::size_t block = size - 16;
        hit_each(block, tabs_and_backslashes(block) & (~0U << (pos - block)));
        pos = size;
    }
#endif
    for (; pos < size; ++pos) {
        if (begin[pos] == '\t' || begin[pos] == '\\') hit(pos);
    }
    fields.emplace_back(begin + field_start, size - field_start);
}

bool is_null_field(std::string_view raw) { return raw.size() == 2 && raw[0] == '\\' && raw[1] == 'N'; }

void decode_field(std::string_view raw, std::string& out) {
    out.clear();
    const std::size_t size = raw.size();
    std::size_t pos = 0;
    while (pos < size) {
        const void* found = std::memchr(raw.data() + pos, '\\', size - pos);
        if (found == nullptr) {
            out.append(raw.data() + pos, size - pos);
            return;
        }
        const std::size_t backslash = static_cast<std::size_t>(static_cast<const char*>(found) - raw.data());
        out.append(raw.data() + pos, backslash - pos);
        pos = backslash + 1;
        // A lone backslash at the very end is dropped, as CopyReadAttributesText does.
        if (pos >= size) return;
        char c = raw[pos++];
        switch (c) {
            case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': {
                // Up to three octal digits; \400 and above wrap to one byte like the server's `& 0377`.
                int value = c - '0';
                if (pos < size && is_octal(raw[pos])) {
                    value = (value << 3) + (raw[pos++] - '0');
                    if (pos < size && is_octal(raw[pos])) value = (value << 3) + (raw[pos++] - '0');
                }
                c = static_cast<char>(value & 0377);
                break;
            }
            case 'x': {
                // \x needs at least one hex digit; otherwise it is a plain `x`.
                if (pos < size && hex_digit_value(raw[pos]) >= 0) {
                    int value = hex_digit_value(raw[pos++]);
                    if (pos < size && hex_digit_value(raw[pos]) >= 0) value = (value << 4) + hex_digit_value(raw[pos++]);
                    c = static_cast<char>(value & 0xff);
                }
                break;
            }
            case 'b': c = '\b'; break;
            case 'f': c = '\f'; break;
            case 'n': c = '\n'; break;
            case 'r': c = '\r'; break;
            case 't': c = '\t'; break;
            case 'v': c = '\v'; break;
            default: break;  // any other \c is c itself: \\, \., \N inside a longer field, a quoted tab
        }
        out.push_back(c);
    }
}

namespace {

// True when no byte of the value is one the server escapes (or below it): pseudonyms almost never
// hold one, and proving it sixteen bytes at a time (the last block overlapping the one before, a
// short value padded with letters) lets the value be copied whole.
bool escape_free(const char* data, std::size_t size) {
#if defined(__SSE2__)
    const __m128i highest_escaped = _mm_set1_epi8(0x0d);
    const __m128i backslashes = _mm_set1_epi8('\\');
    auto escapes_in = [&](const char* at) {
        const __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(at));
        const __m128i low = _mm_cmpeq_epi8(_mm_min_epu8(chunk, highest_escaped), chunk);
        return _mm_movemask_epi8(_mm_or_si128(low, _mm_cmpeq_epi8(chunk, backslashes))) != 0;
    };
    if (size < 16) {
        // Two overlapping words cover 8 to 15 bytes (the word test may see an escape where there is
        // none, never the reverse: then the slow path decides); shorter values byte by byte.
        if (size >= 8) {
            std::uint64_t first;
            std::uint64_t last;
            std::memcpy(&first, data, 8);
            std::memcpy(&last, data + size - 8, 8);
            return !may_need_escape(first) && !may_need_escape(last);
        }
        for (std::size_t pos = 0; pos < size; ++pos) {
            if (k_escapes.letter[static_cast<unsigned char>(data[pos])] != 0) return false;
        }
        return true;
    }
    for (std::size_t at = 0; at + 16 <= size; at += 16) {
        if (escapes_in(data + at)) return false;
    }
    return !escapes_in(data + size - 16);
#else
    std::size_t pos = 0;
    for (; pos + 8 <= size; pos += 8) {
        std::uint64_t word;
        std::memcpy(&word, data + pos, 8);
        if (may_need_escape(word)) return false;
    }
    for (; pos < size; ++pos) {
        if (k_escapes.letter[static_cast<unsigned char>(data[pos])] != 0) return false;
    }
    return true;
#endif
}

}  // namespace

char* encode_field(std::string_view value, char* out) {
    const char* const data = value.data();
    const std::size_t size = value.size();
    if (escape_free(data, size)) {
        if (size > 0) std::memcpy(out, data, size);
        return out + size;
    }
    std::size_t run_start = 0;
    std::size_t pos = 0;
    // Skip words that hold nothing to escape; most values have no byte below 0x0e and no backslash.
    while (pos + 8 <= size) {
        std::uint64_t word;
        std::memcpy(&word, data + pos, 8);
        if (may_need_escape(word)) break;
        pos += 8;
    }
    for (; pos < size; ++pos) {
        const char letter = k_escapes.letter[static_cast<unsigned char>(data[pos])];
        if (letter == 0) continue;
        std::memcpy(out, data + run_start, pos - run_start);
        out += pos - run_start;
        *out++ = '\\';
        *out++ = letter;
        run_start = pos + 1;
    }
    std::memcpy(out, data + run_start, size - run_start);
    return out + (size - run_start);
}

void encode_field(std::string_view value, std::string& out) {
    const std::size_t start = out.size();
    out.resize(start + 2 * value.size());
    char* const end = encode_field(value, out.data() + start);
    out.resize(static_cast<std::size_t>(end - out.data()));
}

void encode_null(std::string& out) { out.append("\\N", 2); }

}  // namespace understudy::anonymizer
