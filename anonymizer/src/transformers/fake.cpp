// `fake`: plausible names, addresses, contacts and account numbers picked by the keyed hash of the input.
#include <algorithm>
#include <array>
#include <cstring>
#include <string>
#include <vector>

#include "transformers/builders.hpp"
#include "transformers/dictionaries.hpp"
#include "transformers/keyed_permutation.hpp"

namespace understudy::anonymizer {
namespace {

struct FakeKindName {
    FakeKind kind;
    const char* name;
};

constexpr std::array<FakeKindName, 16> k_kinds = {{
    {FakeKind::first_name, "first_name"}, {FakeKind::last_name, "last_name"}, {FakeKind::full_name, "full_name"},
    {FakeKind::email, "email"}, {FakeKind::username, "username"}, {FakeKind::phone, "phone"},
    {FakeKind::street, "street"}, {FakeKind::city, "city"}, {FakeKind::postcode, "postcode"},
    {FakeKind::country, "country"}, {FakeKind::company, "company"}, {FakeKind::ipv4, "ipv4"},
    {FakeKind::ipv6, "ipv6"}, {FakeKind::url, "url"}, {FakeKind::credit_card, "credit_card"},
    {FakeKind::iban, "iban"},
}};

// Independent draws from one 64-bit hash: each call moves a SplitMix64 state, so the first name and
// the last name of a full name do not share bits.
class Draws {
public:
    explicit Draws(std::uint64_t seed) : m_state(seed) {}
    std::uint64_t next() {
        std::uint64_t z = (m_state += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }
    std::uint64_t below(std::uint64_t bound) { return next() % bound; }

private:
    std::uint64_t m_state;
};

// A dictionary as emails, usernames and URLs spell it (lowercase, spaces as dashes), built once:
// lowering letter by letter was a tenth of a fake email's cost.
class LoweredWords {
public:
    explicit LoweredWords(const Dictionary& dictionary) : m_index_of(dictionary.index_of) {
        m_words.reserve(dictionary.size);
        for (std::size_t index = 0; index < dictionary.size; ++index) {
            std::string word;
            for (char c : dictionary.words[index]) {
                if (c == ' ') word += '-';
                else word += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
            }
            m_words.push_back(std::move(word));
        }
    }
    /// The entry a 64-bit hash picks: the same index as Dictionary::pick.
    const std::string& pick(std::uint64_t hash) const { return m_words[m_index_of(hash)]; }

private:
    std::size_t (*m_index_of)(std::uint64_t);
    std::vector<std::string> m_words;
};

const LoweredWords& lowered_first_names() { static const LoweredWords value(first_names()); return value; }
const LoweredWords& lowered_last_names() { static const LoweredWords value(last_names()); return value; }
const LoweredWords& lowered_words() { static const LoweredWords value(words()); return value; }

// Digits go through a stack buffer and into `out` in one append.
void append_digits(Draws& draws, int count, std::string& out) {
    char digits[32];
    for (int digit_idx = 0; digit_idx < count; ++digit_idx) digits[digit_idx] = static_cast<char>('0' + draws.below(10));
    out.append(digits, static_cast<std::size_t>(count));
}

void append_number(std::uint64_t number, std::string& out) { out += std::to_string(number); }

// Luhn: double every second digit from the right; the check digit makes the sum a multiple of 10.
char luhn_check_digit(std::string_view payload) {
    int sum = 0;
    bool double_it = true;
    for (auto it = payload.rbegin(); it != payload.rend(); ++it) {
        int digit = *it - '0';
        if (double_it) {
            digit *= 2;
            if (digit > 9) digit -= 9;
        }
        sum += digit;
        double_it = !double_it;
    }
    return static_cast<char>('0' + (10 - sum % 10) % 10);
}

// ISO 13616: move the country and "00" to the end, letters as 10..35, then 98 - (number mod 97).
int iban_check_digits(std::string_view country, std::string_view bban) {
    int remainder = 0;
    auto feed = [&remainder](char c) {
        if (c >= '0' && c <= '9') {
            remainder = (remainder * 10 + (c - '0')) % 97;
        } else {
            int value = c - 'A' + 10;
            remainder = (remainder * 100 + value) % 97;
        }
    };
    for (char c : bban) feed(c);
    for (char c : country) feed(c);
    feed('0');
    feed('0');
    return 98 - remainder;
}

class FakeTransformer final : public Transformer {
public:
    FakeTransformer(const Secret& secret, FakeKind kind, bool unique, std::string pseudonym_class)
        : m_kind(kind), m_unique(unique), m_class(std::move(pseudonym_class)),
          m_hash(secret, m_class), m_lower_first(lowered_first_names()), m_lower_last(lowered_last_names()),
          m_lower_words(lowered_words()) {}

    bool write(const Value& input, const RowView&, std::string& out) const override {
        if (!input) return false;
        // Kinds that carry a code draw from the code's own hash: one keyed hash per value.
        std::array<std::uint8_t, 16> code{};
        const bool coded = fake_kind_can_be_unique(m_kind);
        if (coded) code = m_hash.wide(*input);
        Draws draws(coded ? first_word(code) : m_hash(*input));
        out.clear();
        switch (m_kind) {
        case FakeKind::first_name: out += first_names().pick(draws.next()); break;
        case FakeKind::last_name: out += last_names().pick(draws.next()); break;
        case FakeKind::full_name:
            out += first_names().pick(draws.next());
            out += ' ';
            out += last_names().pick(draws.next());
            break;
        case FakeKind::email:
            out += m_lower_first.pick(draws.next());
            out += '.';
            out += m_lower_last.pick(draws.next());
            out += '.';
            append_code(code, out);
            out += k_email_domains[draws.below(k_email_domains.size())];
            break;
        case FakeKind::username:
            out += m_lower_words.pick(draws.next());
            append_code(code, out);
            break;
        case FakeKind::phone:
            // +1 555 01xx numbers are reserved for fiction; 555 with any line keeps the shape of a real one.
            out += "+1 555 ";
            append_digits(draws, 3, out);
            out += ' ';
            append_digits(draws, 4, out);
            break;
        case FakeKind::street:
            append_number(1 + draws.below(300), out);
            out += ' ';
            out += street_names().pick(draws.next());
            out += ' ';
            out += street_suffixes().pick(draws.next());
            break;
        case FakeKind::city: out += cities().pick(draws.next()); break;
        case FakeKind::postcode: append_digits(draws, 5, out); break;
        case FakeKind::country: out += countries().pick(draws.next()); break;
        case FakeKind::company:
            out += company_stems().pick(draws.next());
            out += ' ';
            out += company_suffixes().pick(draws.next());
            break;
        case FakeKind::ipv4: {
            // 10.0.0.0/8: private, so a fake address never points at someone's real host.
            std::uint64_t bits = draws.next();
            out += "10.";
            append_number((bits >> 16) & 255, out);
            out += '.';
            append_number((bits >> 8) & 255, out);
            out += '.';
            append_number(1 + (bits & 255) % 254, out);
            break;
        }
        case FakeKind::ipv6: {
            // 2001:db8::/32 is the documentation prefix (RFC 3849).
            out += "2001:db8";
            std::uint64_t high = draws.next();
            std::uint64_t low = draws.next();
            const std::uint16_t groups[6] = {
                static_cast<std::uint16_t>(high >> 48), static_cast<std::uint16_t>(high >> 32),
                static_cast<std::uint16_t>(high >> 16), static_cast<std::uint16_t>(high),
                static_cast<std::uint16_t>(low >> 16), static_cast<std::uint16_t>(low)};
            static constexpr char k_hex[] = "0123456789abcdef";
            for (std::uint16_t group : groups) {
                out += ':';
                bool started = false;
                for (int shift = 12; shift >= 0; shift -= 4) {
                    int nibble = (group >> shift) & 15;
                    if (nibble != 0 || started || shift == 0) {
                        out += k_hex[nibble];
                        started = true;
                    }
                }
            }
            break;
        }
        case FakeKind::url:
            out += "https://";
            out += k_url_hosts[draws.below(k_url_hosts.size())];
            out += '/';
            out += m_lower_words.pick(draws.next());
            out += '/';
            append_code(code, out);
            break;
        case FakeKind::credit_card: {
            // 4 then 14 digits then the Luhn digit: shaped like a Visa number, valid for checksum tests.
            out += '4';
            append_digits(draws, 14, out);
            out += luhn_check_digit(out);
            break;
        }
        case FakeKind::iban: {
            // A German IBAN: 8-digit bank code and 10-digit account, check digits by mod-97.
            char bban[18];
            for (char& digit : bban) digit = static_cast<char>('0' + draws.below(10));
            int check = iban_check_digits("DE", std::string_view(bban, sizeof bban));
            out += "DE";
            out += static_cast<char>('0' + check / 10);
            out += static_cast<char>('0' + check % 10);
            out.append(bban, sizeof bban);
            break;
        }
        }
        return true;
    }

    bool injective() const override { return fake_kind_can_be_unique(m_kind); }
    TypeClass accepts() const override { return TypeClass::text; }
    std::optional<std::size_t> min_length() const override {
        const std::size_t code = k_code_letters;
        const std::size_t domain = std::string_view(k_email_domains[0]).size();
        switch (m_kind) {
        case FakeKind::first_name: return shortest(first_names());
        case FakeKind::last_name: return shortest(last_names());
        case FakeKind::full_name: return shortest(first_names()) + 1 + shortest(last_names());
        case FakeKind::email: return shortest(first_names()) + 1 + shortest(last_names()) + 1 + code + domain;
        case FakeKind::username: return shortest(words()) + code;
        case FakeKind::phone: return std::string_view("+1 555 000 0000").size();
        case FakeKind::street: return 1 + 1 + shortest(street_names()) + 1 + shortest(street_suffixes());
        case FakeKind::city: return shortest(cities());
        case FakeKind::postcode: return 5;
        case FakeKind::country: return shortest(countries());
        case FakeKind::company: return shortest(company_stems()) + 1 + shortest(company_suffixes());
        case FakeKind::ipv4: return std::string_view("10.0.0.1").size();
        case FakeKind::ipv6: return std::string_view("2001:db8:0:0:0:0:0:0").size();
        case FakeKind::url:
            return std::string_view("https://").size() + std::string_view(k_url_hosts[0]).size() + 1 +
                   shortest(words()) + 1 + code;
        case FakeKind::credit_card: return 16;
        case FakeKind::iban: return 22;
        }
        return std::nullopt;
    }
    std::string describe() const override {
        std::string text = std::string("fake ") + fake_kind_name(m_kind);
        if (m_unique) text += " (unique)";
        if (m_class != fake_kind_name(m_kind)) text += " class " + m_class;
        return text;
    }

    std::optional<std::size_t> max_length() const override {
        switch (m_kind) {
        case FakeKind::first_name: return longest(first_names());
        case FakeKind::last_name: return longest(last_names());
        case FakeKind::full_name: return longest(first_names()) + 1 + longest(last_names());
        case FakeKind::email: return longest(first_names()) + 1 + longest(last_names()) + 1 + k_code_letters + longest(k_email_domains);
        case FakeKind::username: return longest(words()) + k_code_letters;
        case FakeKind::url:
            return std::string_view("https://").size() + longest(k_url_hosts) + 1 + longest(words()) + 1 + k_code_letters;
        case FakeKind::phone: return std::string_view("+1 555 000 0000").size();
        case FakeKind::street: return 3 + 1 + longest(street_names()) + 1 + longest(street_suffixes());
        case FakeKind::city: return longest(cities());
        case FakeKind::postcode: return 5;
        case FakeKind::country: return longest(countries());
        case FakeKind::company: return longest(company_stems()) + 1 + longest(company_suffixes());
        case FakeKind::ipv4: return std::string_view("10.255.255.254").size();
        case FakeKind::ipv6: return std::string_view("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff").size();
        case FakeKind::credit_card: return 16;
        case FakeKind::iban: return 22;
        }
        return std::nullopt;
    }

private:
    /// Characters of the longest entry (dictionaries are ASCII).
    static std::size_t longest(const Dictionary& dictionary) {
        std::size_t length = 0;
        for (std::size_t index = 0; index < dictionary.size; ++index)
            length = std::max(length, dictionary.words[index].size());
        return length;
    }

    /// Characters of the shortest entry (dictionaries are ASCII).
    static std::size_t shortest(const Dictionary& dictionary) {
        std::size_t length = std::string_view::npos;
        for (std::size_t index = 0; index < dictionary.size; ++index)
            length = std::min(length, dictionary.words[index].size());
        return length;
    }

    // string_views, not char pointers: appending one then needs no strlen.
    static constexpr std::array<std::string_view, 3> k_email_domains = {"@example.com", "@example.org", "@example.net"};
    static constexpr std::array<std::string_view, 3> k_url_hosts = {"example.com", "example.org", "example.net"};

    // Emails, usernames and URLs always carry the base32 of a keyed 128-bit hash of the input, with
    // or without `unique: true`: distinct inputs collide with probability about n^2 / 2^129 (1e-19 for
    // ten billion values), and a collision on a unique column fails the index build, never silently.
    // One form for both keeps joins intact when users.email is unique and orders.customer_email is not.
    // It replaced a 4-round keyed permutation of the padded input (four hashes, a code as long as the
    // input, reversible by whoever held the secret).
    static constexpr std::size_t k_code_letters = (16 * 8 + 4) / 5;

    static void append_code(const std::array<std::uint8_t, 16>& code, std::string& out) {
        append_base32(code.data(), code.size(), out);
    }

    static std::uint64_t first_word(const std::array<std::uint8_t, 16>& code) {
        std::uint64_t word = 0;
        for (std::size_t byte_idx = 0; byte_idx < 8; ++byte_idx) word = (word << 8) | code[byte_idx];
        return word;
    }

    static std::size_t longest(const std::array<std::string_view, 3>& texts) {
        std::size_t length = 0;
        for (auto text : texts) length = std::max(length, text.size());
        return length;
    }

    FakeKind m_kind;
    bool m_unique;
    std::string m_class;
    ClassHash m_hash;
    const LoweredWords& m_lower_first;
    const LoweredWords& m_lower_last;
    const LoweredWords& m_lower_words;
};

}  // namespace

std::optional<FakeKind> parse_fake_kind(std::string_view name) {
    for (const auto& entry : k_kinds) {
        if (name == entry.name) return entry.kind;
    }
    return std::nullopt;
}

const char* fake_kind_name(FakeKind kind) {
    for (const auto& entry : k_kinds) {
        if (entry.kind == kind) return entry.name;
    }
    return "unknown";
}

std::string fake_kind_names() {
    std::string text;
    for (const auto& entry : k_kinds) {
        if (!text.empty()) text += ", ";
        text += entry.name;
    }
    return text;
}

bool fake_kind_can_be_unique(FakeKind kind) {
    return kind == FakeKind::email || kind == FakeKind::username || kind == FakeKind::url;
}

std::unique_ptr<Transformer> make_fake_transformer(const Secret& secret, FakeKind kind, bool unique,
                                                   std::string pseudonym_class) {
    return std::make_unique<FakeTransformer>(secret, kind, unique, std::move(pseudonym_class));
}

}  // namespace understudy::anonymizer
