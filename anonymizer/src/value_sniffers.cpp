// Recognizers for personal data in sampled column values: emails, phones, IPs, cards, IBANs, national ids.
#include "value_sniffers.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstdint>

namespace understudy::anonymizer {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
char to_upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }

std::string_view trim(std::string_view value) {
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    return value;
}

/// `value` without spaces, upper-cased: national ids and IBANs are often printed in groups.
std::string compact_upper(std::string_view value) {
    std::string result;
    result.reserve(value.size());
    for (char c : value) {
        if (c != ' ') result += to_upper(c);
    }
    return result;
}

/// A decimal number of 1 to `max_digits` digits without a leading zero (except `0` itself).
std::optional<unsigned> small_decimal(std::string_view text, std::size_t max_digits) {
    if (text.empty() || text.size() > max_digits || !std::all_of(text.begin(), text.end(), is_digit)) {
        return std::nullopt;
    }
    if (text.size() > 1 && text.front() == '0') return std::nullopt;
    unsigned result = 0;
    for (char c : text) result = result * 10 + static_cast<unsigned>(c - '0');
    return result;
}

/// Splits `value` into the address and an optional `/prefix` no greater than `max_prefix`.
std::optional<std::string_view> strip_prefix_length(std::string_view value, unsigned max_prefix) {
    auto slash = value.find('/');
    if (slash == std::string_view::npos) return value;
    auto prefix = small_decimal(value.substr(slash + 1), 3);
    if (!prefix || *prefix > max_prefix) return std::nullopt;
    return value.substr(0, slash);
}

bool date_shaped(std::string_view digits_and_separators) {
    // 2024-03-05, 2024/03/05, 05.03.2024, 05/03/2024: eight digits in 4-2-2 or 2-2-4 groups.
    auto shape = [&](std::array<std::size_t, 3> groups) {
        std::size_t pos = 0;
        for (std::size_t group_idx = 0; group_idx < groups.size(); ++group_idx) {
            for (std::size_t digit_idx = 0; digit_idx < groups[group_idx]; ++digit_idx, ++pos) {
                if (pos >= digits_and_separators.size() || !is_digit(digits_and_separators[pos])) return false;
            }
            if (group_idx + 1 < groups.size()) {
                if (pos >= digits_and_separators.size()) return false;
                char separator = digits_and_separators[pos++];
                if (separator != '-' && separator != '/' && separator != '.') return false;
            }
        }
        return pos == digits_and_separators.size() || digits_and_separators[pos] == ' ' ||
               digits_and_separators[pos] == 'T';
    };
    return shape({4, 2, 2}) || shape({2, 2, 4});
}

}  // namespace

std::string_view value_kind_label(ValueKind kind) {
    switch (kind) {
        case ValueKind::iban: return "IBANs passing mod-97";
        case ValueKind::card_number: return "card numbers passing Luhn";
        case ValueKind::fr_insee: return "French INSEE numbers with a valid key";
        case ValueKind::es_dni: return "Spanish DNI/NIE numbers with a valid letter";
        case ValueKind::uk_nino: return "UK National Insurance numbers";
        case ValueKind::us_ssn: return "US social security numbers";
        case ValueKind::email: return "email addresses";
        case ValueKind::ipv4: return "IPv4 addresses";
        case ValueKind::ipv6: return "IPv6 addresses";
        case ValueKind::phone: return "phone numbers";
    }
    return "personal data";
}

bool looks_like_email(std::string_view value) {
    value = trim(value);
    auto at = value.find('@');
    if (at == std::string_view::npos || value.find('@', at + 1) != std::string_view::npos) return false;
    std::string_view local = value.substr(0, at);
    std::string_view domain = value.substr(at + 1);
    if (local.empty() || local.size() > 64 || domain.size() < 4 || domain.size() > 253) return false;
    if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) return false;
    constexpr std::string_view k_local_punctuation = "!#$%&'*+/=?^_`{|}~.-";
    for (char c : local) {
        bool non_ascii = static_cast<unsigned char>(c) >= 0x80;  // internationalized addresses
        if (!is_alpha(c) && !is_digit(c) && !non_ascii && k_local_punctuation.find(c) == std::string_view::npos) {
            return false;
        }
    }
    std::size_t labels = 0;
    std::string_view last_label;
    std::size_t start = 0;
    while (start <= domain.size()) {
        auto dot = domain.find('.', start);
        std::string_view label =
            domain.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
        if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
        for (char c : label) {
            if (!is_alpha(c) && !is_digit(c) && c != '-' && static_cast<unsigned char>(c) < 0x80) return false;
        }
        ++labels;
        last_label = label;
        if (dot == std::string_view::npos) break;
        start = dot + 1;
    }
    return labels >= 2 && last_label.size() >= 2 &&
           std::all_of(last_label.begin(), last_label.end(), [](char c) { return is_alpha(c) || c == '-'; });
}

bool looks_like_phone(std::string_view value) {
    value = trim(value);
    if (value.empty()) return false;
    bool plus = value.front() == '+';
    std::string_view rest = plus ? value.substr(1) : value;
    if (rest.empty() || (!is_digit(rest.front()) && rest.front() != '(')) return false;
    if (date_shaped(rest) || looks_like_ipv4(rest)) return false;

    std::size_t digits = 0;
    std::size_t separators = 0;
    std::size_t dots = 0;
    int open_parens = 0;
    std::size_t parens = 0;
    char previous = '\0';
    for (char c : rest) {
        if (is_digit(c)) {
            ++digits;
        } else if (c == ' ' || c == '-' || c == '.' || c == '/') {
            if (previous == '-' || previous == '.' || previous == '/') return false;  // `1--2`, `1./2`
            ++separators;
            if (c == '.') ++dots;
        } else if (c == '(') {
            if (open_parens != 0 || parens != 0) return false;
            ++open_parens;
        } else if (c == ')') {
            if (open_parens != 1) return false;
            --open_parens;
            ++parens;
        } else {
            return false;
        }
        previous = c;
    }
    if (open_parens != 0 || digits < 8 || digits > 15) return false;
    if (!is_digit(rest.back())) return false;
    if (dots == 1 && separators == 1) return false;  // a decimal number
    if (plus || rest.front() == '0' || parens == 1) return true;
    if (separators == 0) return false;  // a bare number could be anything
    if (dots == separators) {
        // 12.345.678 is a number with thousands separators, not a phone.
        std::size_t group = 0;
        bool thousands = true;
        bool first_group = true;
        for (char c : rest) {
            if (c == '.') {
                if (!first_group && group != 3) thousands = false;
                first_group = false;
                group = 0;
            } else {
                ++group;
            }
        }
        if (thousands && group == 3) return false;
    }
    return true;
}

bool looks_like_ipv4(std::string_view value) {
    auto address = strip_prefix_length(trim(value), 32);
    if (!address) return false;
    std::string_view rest = *address;
    for (int octet_idx = 0; octet_idx < 4; ++octet_idx) {
        auto dot = rest.find('.');
        if ((octet_idx < 3) == (dot == std::string_view::npos)) return false;
        auto octet = small_decimal(rest.substr(0, dot), 3);
        if (!octet || *octet > 255) return false;
        rest = dot == std::string_view::npos ? std::string_view() : rest.substr(dot + 1);
    }
    return true;
}

bool looks_like_ipv6(std::string_view value) {
    auto address = strip_prefix_length(trim(value), 128);
    if (!address || address->size() < 2 || address->size() > 45 || address->find(':') == std::string_view::npos) {
        return false;
    }
    std::string text(address->substr(0, address->find('%')));  // a zone (`fe80::1%eth0`) is allowed
    std::array<unsigned char, 16> buffer{};
    return inet_pton(AF_INET6, text.c_str(), buffer.data()) == 1;
}

bool looks_like_card_number(std::string_view value) {
    value = trim(value);
    std::string digits;
    char previous = '\0';
    for (char c : value) {
        if (is_digit(c)) {
            digits += c;
        } else if ((c == ' ' || c == '-') && is_digit(previous)) {
            // a single separator between digit groups
        } else {
            return false;
        }
        previous = c;
    }
    if (digits.size() < 13 || digits.size() > 19 || !is_digit(previous)) return false;
    if (digits.front() < '2' || digits.front() > '6') return false;  // Amex, Visa, Mastercard, Discover, JCB…
    if (std::all_of(digits.begin(), digits.end(), [&](char c) { return c == digits.front(); })) return false;
    unsigned sum = 0;
    bool doubled = false;
    for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
        unsigned digit = static_cast<unsigned>(*it - '0');
        if (doubled) {
            digit *= 2;
            if (digit > 9) digit -= 9;
        }
        sum += digit;
        doubled = !doubled;
    }
    return sum % 10 == 0;
}

bool looks_like_iban(std::string_view value) {
    std::string iban = compact_upper(trim(value));
    if (iban.size() < 15 || iban.size() > 34) return false;
    if (!is_alpha(iban[0]) || !is_alpha(iban[1]) || !is_digit(iban[2]) || !is_digit(iban[3])) return false;
    if (!std::all_of(iban.begin(), iban.end(), [](char c) { return is_digit(c) || (c >= 'A' && c <= 'Z'); })) {
        return false;
    }
    // ISO 13616: move the first four characters to the end, letters count as 10..35, remainder 1.
    std::rotate(iban.begin(), iban.begin() + 4, iban.end());
    unsigned remainder = 0;
    for (char c : iban) {
        if (is_digit(c)) {
            remainder = (remainder * 10 + static_cast<unsigned>(c - '0')) % 97;
        } else {
            remainder = (remainder * 100 + static_cast<unsigned>(c - 'A' + 10)) % 97;
        }
    }
    return remainder == 1;
}

bool looks_like_us_ssn(std::string_view value) {
    value = trim(value);
    if (value.size() != 11 || value[3] != '-' || value[6] != '-') return false;
    for (std::size_t pos : {0, 1, 2, 4, 5, 7, 8, 9, 10}) {
        if (!is_digit(value[pos])) return false;
    }
    std::string_view area = value.substr(0, 3);
    // Never issued: area 000, 666 and 900–999, group 00, serial 0000.
    if (area == "000" || area == "666" || area[0] == '9') return false;
    return value.substr(4, 2) != "00" && value.substr(7, 4) != "0000";
}

bool looks_like_uk_nino(std::string_view value) {
    std::string nino = compact_upper(trim(value));
    if (nino.size() != 9) return false;
    constexpr std::string_view k_bad_first = "DFIQUV";
    constexpr std::string_view k_bad_second = "DFIOQUV";
    if (!is_alpha(nino[0]) || !is_alpha(nino[1]) || k_bad_first.find(nino[0]) != std::string_view::npos ||
        k_bad_second.find(nino[1]) != std::string_view::npos) {
        return false;
    }
    std::string_view prefix = std::string_view(nino).substr(0, 2);
    for (std::string_view reserved : {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}) {
        if (prefix == reserved) return false;
    }
    for (std::size_t pos = 2; pos < 8; ++pos) {
        if (!is_digit(nino[pos])) return false;
    }
    return nino[8] >= 'A' && nino[8] <= 'D';
}

bool looks_like_fr_insee(std::string_view value) {
    std::string insee = compact_upper(trim(value));
    if (insee.size() != 15) return false;
    constexpr std::string_view k_first = "123478";  // sex digit, including temporary registrations
    if (k_first.find(insee[0]) == std::string_view::npos) return false;
    std::uint64_t corsica_offset = 0;
    if (insee[5] == '2' && (insee[6] == 'A' || insee[6] == 'B')) {
        // Corsica: 2A counts as 19 and 2B as 18 in the key computation.
        corsica_offset = insee[6] == 'A' ? 1000000 : 2000000;
        insee[6] = '0';
    }
    if (!std::all_of(insee.begin(), insee.end(), is_digit)) return false;
    std::uint64_t number = 0;
    for (std::size_t pos = 0; pos < 13; ++pos) number = number * 10 + static_cast<std::uint64_t>(insee[pos] - '0');
    number -= corsica_offset;
    auto key = static_cast<std::uint64_t>((insee[13] - '0') * 10 + (insee[14] - '0'));
    return key == 97 - number % 97;
}

bool looks_like_es_dni(std::string_view value) {
    std::string dni = compact_upper(trim(value));
    if (dni.size() == 10 && dni[8] == '-') dni.erase(8, 1);
    if (dni.size() != 9) return false;
    constexpr std::string_view k_letters = "TRWAGMYFPDXBNJZSQVHLCKE";
    std::uint32_t number = 0;
    std::size_t start = 0;
    if (dni[0] == 'X' || dni[0] == 'Y' || dni[0] == 'Z') {  // NIE: the letter stands for 0, 1 or 2
        number = static_cast<std::uint32_t>(dni[0] - 'X');
        start = 1;
    }
    for (std::size_t pos = start; pos < 8; ++pos) {
        if (!is_digit(dni[pos])) return false;
        number = number * 10 + static_cast<std::uint32_t>(dni[pos] - '0');
    }
    return dni[8] == k_letters[number % 23];
}

bool looks_like(ValueKind kind, std::string_view value) {
    switch (kind) {
        case ValueKind::iban: return looks_like_iban(value);
        case ValueKind::card_number: return looks_like_card_number(value);
        case ValueKind::fr_insee: return looks_like_fr_insee(value);
        case ValueKind::es_dni: return looks_like_es_dni(value);
        case ValueKind::uk_nino: return looks_like_uk_nino(value);
        case ValueKind::us_ssn: return looks_like_us_ssn(value);
        case ValueKind::email: return looks_like_email(value);
        case ValueKind::ipv4: return looks_like_ipv4(value);
        case ValueKind::ipv6: return looks_like_ipv6(value);
        case ValueKind::phone: return looks_like_phone(value);
    }
    return false;
}

std::optional<ValueKind> first_value_kind(std::string_view value) {
    for (ValueKind kind : k_value_kinds_most_specific_first) {
        if (looks_like(kind, value)) return kind;
    }
    return std::nullopt;
}

std::optional<SniffResult> sniff_values(const std::vector<std::string>& samples) {
    std::vector<std::string_view> values;
    for (const std::string& sample : samples) {
        std::string_view value = trim(sample);
        if (!value.empty()) values.push_back(value);
    }
    for (ValueKind kind : k_value_kinds_most_specific_first) {
        auto matched = static_cast<std::size_t>(std::count_if(
            values.begin(), values.end(), [&](std::string_view value) { return looks_like(kind, value); }));
        if (matched >= k_min_matching_samples && matched * 100 >= values.size() * k_min_matching_percent) {
            return SniffResult{kind, matched, values.size()};
        }
    }
    return std::nullopt;
}

}  // namespace understudy::anonymizer
