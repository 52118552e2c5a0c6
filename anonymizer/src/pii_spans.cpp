// Finds PII-shaped substrings in free text: a cheap pass over the bytes stops only at anchors every
// candidate holds (a digit, '@', ':', the '.' of `www.`), candidates are grown from there, and the
// whole-value recognizers of value_sniffers decide each one.
#include "understudy/anonymizer/pii_spans.hpp"

#include <algorithm>
#include <cstring>

#include "value_sniffers.hpp"

namespace understudy::anonymizer {
namespace {

constexpr std::array<std::string_view, 7> k_kind_names = {"email",       "phone", "ipv4", "ipv6",
                                                          "credit_card", "iban",  "url"};

// Byte classes, one table lookup per byte: the scan's common case (a letter inside a word, a space)
// must cost next to nothing.
enum : std::uint16_t {
    k_digit = 1,
    k_alpha = 2,
    k_word = 4,  // letters, digits, '_': a candidate never starts or ends next to one
    k_hex = 8,
    k_local = 16,   // may stand in an email's local part as found in prose (no quotes, slashes, '=')
    k_domain = 32,  // may stand in an email's domain
    k_url = 64,     // may stand in a URL
    k_at = 128,     // anchors: where the scan stops, each for the kinds that need it
    k_colon = 256,
    k_dot = 512,
    k_continuing = 1024,  // before a digit: it continues a version, date, path, id or query
};

constexpr std::array<std::uint16_t, 256> make_classes() {
    std::array<std::uint16_t, 256> classes{};
    for (int c = 0; c < 256; ++c) {
        std::uint16_t flags = 0;
        const bool digit = c >= '0' && c <= '9';
        const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        if (digit) flags |= k_digit;
        if (alpha) flags |= k_alpha;
        if (digit || alpha || c == '_') flags |= k_word;
        if (digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) flags |= k_hex;
        if (digit || alpha || c == '.' || c == '_' || c == '%' || c == '+' || c == '-' || c >= 0x80) flags |= k_local;
        if (digit || alpha || c == '.' || c == '-' || c >= 0x80) flags |= k_domain;
        // RFC 3986's characters (and non-ASCII for IRIs); not the delimiters prose wraps URLs in.
        if (c > 0x20 && c != 0x7f && c != '<' && c != '>' && c != '"' && c != '`' && c != '{' && c != '}' && c != '|' &&
            c != '\\' && c != '^')
            flags |= k_url;
        if (c == '@') flags |= k_at;
        if (c == ':') flags |= k_colon;
        if (c == '.') flags |= k_dot;
        if (c == '.' || c == '-' || c == '/' || c == '#' || c == '=' || c == '&' || c == '@' || c == '_' || c == '\\')
            flags |= k_continuing;
        classes[static_cast<std::size_t>(c)] = flags;
    }
    return classes;
}

constexpr std::array<std::uint16_t, 256> k_classes = make_classes();

constexpr std::size_t k_max_numeric_run = 48;  // a grouped card or phone with separators is shorter
constexpr std::size_t k_max_ipv6 = 45;

bool starts_with_ignoring_case(std::string_view text, std::size_t pos, std::string_view prefix) {
    if (text.size() - pos < prefix.size()) return false;
    for (std::size_t idx = 0; idx < prefix.size(); ++idx) {
        char c = text[pos + idx];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (c != prefix[idx]) return false;
    }
    return true;
}

class Scanner {
public:
    Scanner(std::string_view text, ScrubKinds kinds, std::vector<PiiSpan>& spans)
        : m_text(text), m_kinds(kinds), m_spans(spans), m_anchors(anchors_of(kinds)) {
        set_block_test();
    }

    void run() {
        for (std::size_t pos = next_anchor(0); pos < m_text.size();) {
            m_resume = pos + 1;
            const std::size_t end = at_anchor(pos);
            pos = next_anchor(end > pos ? end : std::max(pos + 1, m_resume));
        }
    }

private:
    // Every email has an '@', every IPv6 address a ':', every URL the ':' of its scheme or the '.' of
    // `www.`, every phone, card, IPv4 address and IBAN a digit.
    static std::uint16_t anchors_of(ScrubKinds kinds) {
        std::uint16_t anchors = 0;
        if (kinds.contains(ScrubKind::email)) anchors |= k_at;
        if (kinds.contains(ScrubKind::ipv6)) anchors |= k_colon;
        if (kinds.contains(ScrubKind::url)) anchors |= k_colon | k_dot;
        if (kinds.contains(ScrubKind::phone) || kinds.contains(ScrubKind::credit_card) ||
            kinds.contains(ScrubKind::ipv4) || kinds.contains(ScrubKind::iban))
            anchors |= k_digit;
        return anchors;
    }

    // The cheap pass: eight bytes at a time while none of them can be an anchor, then one table
    // lookup per byte. Returns the text's size when no anchor is left.
    std::size_t next_anchor(std::size_t pos) const {
        const std::size_t size = m_text.size();
        while (pos + 8 <= size) {
            std::uint64_t block = 0;
            std::memcpy(&block, m_text.data() + pos, sizeof block);
            const std::uint64_t candidates = possible_anchors(block);
            if (candidates == 0) {
                pos += 8;
                continue;
            }
            // The first flagged byte in text order; the table decides whether it is an anchor.
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
            pos += static_cast<std::size_t>(__builtin_clzll(candidates)) / 8;
#else
            pos += static_cast<std::size_t>(__builtin_ctzll(candidates)) / 8;
#endif
            if ((classes_at(pos) & m_anchors) != 0) return pos;
            ++pos;
        }
        for (; pos < size; ++pos) {
            if ((classes_at(pos) & m_anchors) != 0) return pos;
        }
        return size;
    }

    static constexpr std::uint64_t k_ones = 0x0101010101010101ULL;
    static constexpr std::uint64_t k_high = 0x8080808080808080ULL;

    // The bytes strictly between `low` and `high` the block test flags: the anchors of the kinds
    // asked for that lie in '.'..':' (0x2E to 0x3A). Emails alone test only for '@', so prose full
    // of numbers and full stops stays cheap for them.
    void set_block_test() {
        int low = 0x3B;
        int high = 0x2D;
        if ((m_anchors & k_dot) != 0) low = std::min(low, 0x2D), high = std::max(high, 0x2F);
        if ((m_anchors & k_digit) != 0) low = std::min(low, 0x2F), high = std::max(high, 0x3A);
        if ((m_anchors & k_colon) != 0) low = std::min(low, 0x39), high = std::max(high, 0x3B);
        m_test_range = low < high;
        m_range_low = k_ones * static_cast<std::uint64_t>(127 - low);
        m_range_high = k_ones * static_cast<std::uint64_t>(127 + high);
    }

    // The high bit of each byte of `block` that may be an anchor (a superset: the table decides).
    // Bit Twiddling Hacks' hasbetween (exact per byte: no carry crosses bytes) and haszero (exact
    // for the lowest byte flagged); bytes >= 0x80 (UTF-8) never match.
    std::uint64_t possible_anchors(std::uint64_t block) const {
        std::uint64_t flagged = 0;
        if (m_test_range) {
            const std::uint64_t low7 = block & (k_ones * 127);
            flagged = (m_range_high - low7) & ~block & (low7 + m_range_low) & k_high;
        }
        if ((m_anchors & k_at) != 0) {
            const std::uint64_t at_signs = block ^ (k_ones * '@');
            flagged |= (at_signs - k_ones) & ~at_signs & k_high;
        }
        return flagged;
    }

    std::uint16_t classes_at(std::size_t pos) const {
        return k_classes[static_cast<unsigned char>(m_text[pos])];
    }
    bool is(std::size_t pos, std::uint16_t flag) const {
        return pos < m_text.size() && (classes_at(pos) & flag) != 0;
    }
    bool word_before(std::size_t pos) const {
        return pos > 0 && (classes_at(pos - 1) & k_word) != 0;
    }
    char at(std::size_t pos) const {
        return pos < m_text.size() ? m_text[pos] : '\0';
    }

    // Returns the end of the span found at `pos`, or `pos` (then m_resume says where to go on).
    std::size_t emit(ScrubKind kind, std::size_t begin, std::size_t end) {
        m_spans.push_back(PiiSpan{kind, begin, end - begin});
        m_last_end = end;
        return end;
    }

    std::size_t at_anchor(std::size_t pos) {
        const char c = m_text[pos];
        if (c == '@') return email(pos);
        if (c == ':') {
            if (m_kinds.contains(ScrubKind::url) && at(pos + 1) == '/' && at(pos + 2) == '/') {
                std::size_t scheme = pos;
                while (scheme > m_last_end && is(scheme - 1, k_alpha) && pos - scheme < 5) --scheme;
                if (std::size_t end = url(scheme); end > scheme) return end;
            }
            return m_kinds.contains(ScrubKind::ipv6) ? ipv6(pos) : pos;
        }
        if (c == '.') {
            if (pos >= m_last_end + 3 && starts_with_ignoring_case(m_text, pos - 3, "www")) return url(pos - 3);
            return pos;
        }
        if (word_before(pos)) {
            // A digit inside a word: only an IBAN's, two letters into it (`DE89…`). Its groups are
            // looked at when phones or cards are scrubbed too, so that they are not read as one.
            skip_token(pos);
            const bool iban_matters = m_kinds.contains(ScrubKind::iban) || m_kinds.contains(ScrubKind::phone) ||
                                      m_kinds.contains(ScrubKind::credit_card);
            if (iban_matters && pos >= m_last_end + 2 && is(pos - 2, k_alpha) && is(pos - 1, k_alpha) &&
                !word_before(pos - 2) && is(pos + 1, k_digit)) {
                const std::size_t after_word = m_resume;
                if (std::size_t end = iban(pos - 2); end > pos) return end;
                m_resume = std::max(m_resume, after_word);
            }
            return pos;
        }
        // `+33 6…`, `(555) 123-4567`: a phone may open with a sign or a parenthesis.
        if (pos > m_last_end && (m_text[pos - 1] == '+' || m_text[pos - 1] == '(') && !word_before(pos - 1)) {
            if (std::size_t end = numeric(pos - 1); end > pos) return end;
        }
        return numeric(pos);
    }

    // --- email: anchored on '@', the local part grown to the left, the domain to the right -----------

    // Non-ASCII punctuation (« » “ ” ‘ ’ …, no-break spaces, CJK 、。) ends a local part or domain like a
    // space does; other non-ASCII bytes belong to internationalized addresses.
    static bool punctuation_sequence(std::string_view text, std::size_t lead) {
        const auto b0 = static_cast<unsigned char>(text[lead]);
        const auto b1 = lead + 1 < text.size() ? static_cast<unsigned char>(text[lead + 1]) : 0;
        if (b0 == 0xC2) return true;                                // U+0080–U+00BF: nbsp, «, », ¿, ·…
        if (b0 == 0xE2 && (b1 == 0x80 || b1 == 0x81)) return true;  // U+2000–U+207F: general punctuation
        if (b0 == 0xE3 && b1 == 0x80) return true;                  // U+3000–U+303F: CJK punctuation
        return false;
    }
    static std::size_t sequence_lead(std::string_view text, std::size_t pos) {
        std::size_t lead = pos;
        while (lead > 0 && pos - lead < 3 && (static_cast<unsigned char>(text[lead]) & 0xC0) == 0x80) --lead;
        return lead;
    }

    std::size_t email(std::size_t at_pos) {
        std::size_t begin = at_pos;
        while (begin > m_last_end && is(begin - 1, k_local) && at_pos - begin < 64) {
            if (static_cast<unsigned char>(m_text[begin - 1]) >= 0x80) {
                const std::size_t lead = sequence_lead(m_text, begin - 1);
                // A continuation byte without its lead (not UTF-8: a LATIN1 `«`) ends the part too.
                if (lead < m_last_end || static_cast<unsigned char>(m_text[lead]) < 0xC0 ||
                    punctuation_sequence(m_text, lead))
                    break;
                begin = lead;
            } else {
                --begin;
            }
        }
        while (begin < at_pos && (m_text[begin] == '.' || m_text[begin] == '-' || m_text[begin] == '+')) ++begin;
        if (begin == at_pos) return at_pos;
        std::size_t end = at_pos + 1;
        while (is(end, k_domain) && end - at_pos <= 253) {
            if (static_cast<unsigned char>(m_text[end]) >= 0x80 && punctuation_sequence(m_text, end)) break;
            ++end;
        }
        // The domain ends with a top-level domain's letter: a sentence's full stop is not part of it.
        while (end > at_pos + 1 && !is(end - 1, k_alpha)) --end;
        if (at(end) == '@') return at_pos;
        if (!looks_like_email(m_text.substr(begin, end - begin))) return at_pos;
        return emit(ScrubKind::email, begin, end);
    }

    // --- ipv6: anchored on ':', grown both ways over hex digits, colons and an embedded IPv4's dots --

    std::size_t ipv6(std::size_t colon) {
        // Times (`14:05`) and labels (`Note:`) leave at once: an address has another colon within
        // four hex digits of this one.
        const std::size_t near_begin = colon >= 5 ? colon - 5 : 0;
        if (m_text.substr(near_begin, colon - near_begin).find(':') == std::string_view::npos &&
            m_text.substr(colon + 1, 5).find(':') == std::string_view::npos)
            return colon;
        std::size_t begin = colon;
        while (begin > m_last_end && colon - begin < k_max_ipv6 && (is(begin - 1, k_hex) || at(begin - 1) == ':'))
            --begin;
        std::size_t end = colon + 1;
        while (end - begin <= k_max_ipv6 && (is(end, k_hex) || at(end) == ':' || at(end) == '.')) ++end;
        while (end > colon + 1 && at(end - 1) == '.') --end;
        if (end > begin + 1 && at(end - 1) == ':' && at(end - 2) != ':') --end;  // `host 2001:db8::1: down`
        if (end - begin > k_max_ipv6) return colon;
        if ((begin > 0 && ((classes_at(begin - 1) & k_word) != 0 || at(begin - 1) == '.')) || is(end, k_word) ||
            at(end) == '@')
            return colon;
        // Three groups at least: `::`, `::1`, `a::b` and `std::` are not anyone's address.
        std::size_t colons = 0;
        std::size_t groups = 0;
        for (std::size_t pos = begin; pos < end; ++pos) {
            if (m_text[pos] == ':')
                ++colons;
            else if (pos == begin || m_text[pos - 1] == ':')
                ++groups;
        }
        if (m_text.substr(begin, end - begin).find('.') != std::string_view::npos) ++groups;  // an IPv4 tail is two
        if (colons < 2 || groups < 3) return colon;
        if (!looks_like_ipv6(m_text.substr(begin, end - begin))) return colon;
        return emit(ScrubKind::ipv6, begin, end);
    }

    // --- numbers: IPv4, cards and phones start at a word's first digit, a '+' or a '(' ------------

    std::size_t numeric(std::size_t start) {
        const std::size_t run_end = numeric_run_end(start);
        std::size_t digits = 0;
        for (std::size_t pos = start; pos < run_end; ++pos) digits += (classes_at(pos) & k_digit) != 0 ? 1 : 0;
        if (digits < 4) {
            // Most numbers in prose (`12.50`, `v2.14.3`, `#7731`): no IPv4, phone or card starts in them.
            m_resume = std::max(run_end, start + 1);
            return start;
        }
        const char before = start > 0 ? m_text[start - 1] : ' ';
        if (m_kinds.contains(ScrubKind::ipv4) && (classes_at(start) & k_digit) != 0 && before != '.') {
            if (std::size_t end = ipv4(start); end > start) return end;
        }
        // A digit after `.`, `-`, `/`, `#`, `=`, `&`, `@` or `_` continues a version, date, path, id or
        // query (`v1.0612345678`, `order #0612345678`, `?id=0612345678`), not a phone or card.
        if (start > 0 && (classes_at(start - 1) & k_continuing) != 0) return skip_token(start);
        if (!m_kinds.contains(ScrubKind::phone) && !m_kinds.contains(ScrubKind::credit_card)) return skip_token(start);

        if (digits < 8) return skip_token(start);  // no phone or card is shorter
        // Longest first: cut where a digit group ends, at a space or at the run's end. `digits` counts
        // the digits in [start, end).
        for (std::size_t end = run_end; end > start; --end) {
            const bool digit_before_end = (classes_at(end - 1) & k_digit) != 0;
            if (digit_before_end && (end == run_end || m_text[end] == ' ')) {
                if (digits < 8) break;
                const std::string_view candidate = m_text.substr(start, end - start);
                if (digits <= 19 && ends_a_number(end)) {
                    if (m_kinds.contains(ScrubKind::credit_card) && looks_like_card_number(candidate))
                        return emit(ScrubKind::credit_card, start, end);
                    if (m_kinds.contains(ScrubKind::phone) && plausible_phone(candidate))
                        return emit(ScrubKind::phone, start, end);
                }
            }
            if (digit_before_end) --digits;
        }
        return skip_token(start);
    }

    // Nothing found at a number: go on after its first digit group, which no other candidate starts in.
    std::size_t skip_token(std::size_t start) {
        std::size_t end = start + 1;
        while (is(end, k_word)) ++end;
        m_resume = end;
        return start;
    }

    // Digits, single separators (`-`, `.`, `/`, a space before a digit or '('), parentheses.
    std::size_t numeric_run_end(std::size_t start) const {
        const std::size_t limit = std::min(m_text.size(), start + k_max_numeric_run);
        std::size_t end = start;
        if (m_text[end] == '+') ++end;
        bool after_separator = false;
        while (end < limit) {
            const char c = m_text[end];
            if ((classes_at(end) & k_digit) != 0 || c == '(' || c == ')') {
                after_separator = false;
            } else if (c == '-' || c == '.' || c == '/' || c == ' ') {
                if (after_separator) break;
                if (c == ' ' && !is(end + 1, k_digit) && at(end + 1) != '(') break;
                after_separator = true;
            } else {
                break;
            }
            ++end;
        }
        while (end > start && (classes_at(end - 1) & k_digit) == 0) --end;
        return end;
    }

    // What follows a number ends it: not a letter (`12345678px`), an '@' (an email's local part), or a
    // separator going on with more of the token (`0612345678.x`, `2001:db8`).
    bool ends_a_number(std::size_t end) const {
        if (end >= m_text.size()) return true;
        const char next = m_text[end];
        if ((classes_at(end) & k_word) != 0 || next == '@') return false;
        if (next == '.' || next == '-' || next == '/' || next == ':') return !is(end + 1, k_word);
        return true;
    }

    // looks_like_phone, plus what prose needs: a version, a list of numbers, a short date with an
    // hour or a thousands-grouped amount has a phone's digits but not its groups.
    static bool plausible_phone(std::string_view candidate) {
        if (!looks_like_phone(candidate)) return false;
        std::size_t group_lengths[20] = {};
        std::size_t groups = 0;
        std::size_t slashes = 0;
        bool dots = false;
        bool in_group = false;
        for (char c : candidate) {
            if (c >= '0' && c <= '9') {
                if (!in_group && groups < 20) ++groups;
                in_group = true;
                ++group_lengths[groups - 1];
            } else {
                in_group = false;
                if (c == '/') ++slashes;
                if (c == '.') dots = true;
            }
        }
        if (slashes > 1) return false;  // 01/02/24 12
        const bool plus = candidate.front() == '+';
        std::size_t single_digit_groups = 0;
        for (std::size_t group_idx = 0; group_idx < groups; ++group_idx) {
            if (group_lengths[group_idx] != 1) continue;
            if (dots && !(plus && group_idx == 0)) return false;  // 10.0.19045.2965, 0.9.12.345
            ++single_digit_groups;
        }
        if (single_digit_groups > 2) return false;  // 1 2 3 4 5 6 7 8
        if (plus || candidate.front() == '(' || candidate.front() == '0') return true;
        // Without a country code, trunk prefix or area code in parentheses, only the North American
        // 3-3-4 shape (optionally after a 1) is told apart from ids, amounts and room numbers.
        const bool nanp = groups == 3 && group_lengths[0] == 3 && group_lengths[1] == 3 && group_lengths[2] == 4;
        const bool nanp_with_one = groups == 4 && candidate.front() == '1' && group_lengths[0] == 1 &&
                                   group_lengths[1] == 3 && group_lengths[2] == 3 && group_lengths[3] == 4;
        return nanp || nanp_with_one;
    }

    std::size_t ipv4(std::size_t start) {
        std::size_t end = start;
        for (int octet_idx = 0; octet_idx < 4; ++octet_idx) {
            const std::size_t octet_start = end;
            while (is(end, k_digit) && end - octet_start < 3) ++end;
            if (end == octet_start) return start;
            if (octet_idx < 3) {
                if (at(end) != '.') return start;
                ++end;
            }
        }
        // `1.2.3.4.5` is a version; `10.0.0.1:5432` is an address and its port.
        if (is(end, k_word) || at(end) == '@' || (at(end) == '.' && is(end + 1, k_digit))) return start;
        if (!looks_like_ipv4(m_text.substr(start, end - start))) return start;
        return emit(ScrubKind::ipv4, start, end);
    }

    // --- words: URLs (`http://`, `https://`, `ftp://`, `www.`) and IBANs --------------------------

    std::size_t url(std::size_t start) {
        const char c = m_text[start];
        std::size_t host = 0;
        if (c == 'h' || c == 'H') {
            if (starts_with_ignoring_case(m_text, start, "http://"))
                host = start + 7;
            else if (starts_with_ignoring_case(m_text, start, "https://"))
                host = start + 8;
        } else if (c == 'f' || c == 'F') {
            if (starts_with_ignoring_case(m_text, start, "ftp://")) host = start + 6;
        } else if (c == 'w' || c == 'W') {
            if (starts_with_ignoring_case(m_text, start, "www.")) host = start + 4;
        }
        if (host == 0 || !is(host, k_word) || word_before(start)) return start;
        if (start > 0 && (m_text[start - 1] == '.' || m_text[start - 1] == '/' || m_text[start - 1] == '@'))
            return start;
        std::size_t end = host;
        while (is(end, k_url)) {
            if (static_cast<unsigned char>(m_text[end]) >= 0x80 && punctuation_sequence(m_text, end)) break;
            ++end;
        }
        // Prose around a link: `(see https://x.org/a).` keeps its `).`.
        for (bool trimmed = true; trimmed && end > host;) {
            trimmed = false;
            const char last = m_text[end - 1];
            if (std::string_view(".,;:!?'*").find(last) != std::string_view::npos) {
                --end;
                trimmed = true;
            } else if (last == ')' || last == ']') {
                const char open = last == ')' ? '(' : '[';
                const auto body = m_text.substr(start, end - start);
                if (std::count(body.begin(), body.end(), open) < std::count(body.begin(), body.end(), last)) {
                    --end;
                    trimmed = true;
                }
            }
        }
        if (c == 'w' || c == 'W') {
            // `www.` needs a name and a top-level domain after it: `www.example.org`.
            const std::size_t dot = m_text.find('.', host);
            if (dot == std::string_view::npos || dot + 1 >= end || !is(dot + 1, k_alpha)) return start;
        }
        if (end <= host) return start;
        return emit(ScrubKind::url, start, end);
    }

    // `DE89 3704 0044 0532 0130 00` (groups of four, a shorter last one) or `DE89370400440532013000`.
    std::size_t iban(std::size_t start) {
        auto token_end = [this](std::size_t pos) {
            while (is(pos, k_alpha) || is(pos, k_digit)) ++pos;
            return pos;
        };
        std::size_t end = token_end(start);
        std::size_t shorter_end = end;
        if (end - start == 4) {
            std::size_t length = 4;
            while (at(end) == ' ' && length < 34) {
                const std::size_t next_end = token_end(end + 1);
                const std::size_t group = next_end - end - 1;
                if (group == 0 || group > 4 || is(next_end, k_word)) break;
                const auto text = m_text.substr(end + 1, group);
                const bool plausible =
                    std::any_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
                    std::all_of(text.begin(), text.end(), [](char c) { return c < 'a'; });
                if (!plausible) break;
                shorter_end = end;
                end = next_end;
                length += group;
                if (group < 4) break;
            }
        }
        for (std::size_t candidate_end : {end, shorter_end}) {
            if (is(candidate_end, k_word) || at(candidate_end) == '@') continue;
            if (m_kinds.contains(ScrubKind::iban) && looks_like_iban(m_text.substr(start, candidate_end - start)))
                return emit(ScrubKind::iban, start, candidate_end);
        }
        // An IBAN-shaped group run (failing mod-97, or not scrubbed) is not read again as a card or phone.
        m_resume = end;
        return start;
    }

    std::string_view m_text;
    ScrubKinds m_kinds;
    std::vector<PiiSpan>& m_spans;
    std::uint16_t m_anchors;
    bool m_test_range = false;
    std::uint64_t m_range_low = 0;   // 127 - low in every byte
    std::uint64_t m_range_high = 0;  // 127 + high in every byte
    std::size_t m_last_end = 0;      // no candidate reaches back before the end of the last span
    std::size_t m_resume = 0;        // where the scan goes on after a position that gave nothing
};

}  // namespace

std::optional<ScrubKind> parse_scrub_kind(std::string_view name) {
    for (ScrubKind kind : k_scrub_kinds) {
        if (name == k_kind_names[static_cast<std::size_t>(kind)]) return kind;
    }
    return std::nullopt;
}

std::string_view scrub_kind_name(ScrubKind kind) {
    return k_kind_names[static_cast<std::size_t>(kind)];
}

std::string scrub_kind_names() {
    std::string text;
    for (std::string_view name : k_kind_names) {
        if (!text.empty()) text += ", ";
        text += name;
    }
    return text;
}

std::vector<PiiSpan> find_pii_spans(std::string_view text, ScrubKinds kinds) {
    std::vector<PiiSpan> spans;
    find_pii_spans(text, kinds, spans);
    return spans;
}

void find_pii_spans(std::string_view text, ScrubKinds kinds, std::vector<PiiSpan>& spans) {
    if (kinds.empty() || text.empty()) return;
    Scanner(text, kinds, spans).run();
}

}  // namespace understudy::anonymizer
