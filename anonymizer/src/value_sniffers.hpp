// Recognizers for personal data in sampled column values: emails, phones, IPs, cards, IBANs, national ids.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace understudy::anonymizer {

/// What a sampled value looks like.
enum class ValueKind { iban, card_number, fr_insee, es_dni, uk_nino, us_ssn, email, ipv4, ipv6, phone };

/// `IBANs`, `card numbers passing Luhn`: for reasons written next to a rule.
std::string_view value_kind_label(ValueKind kind);

/// `local@domain.tld` with a plausible local part and host name.
bool looks_like_email(std::string_view value);
/// E.164 (`+49 30 1234567`) or a national format (`030 1234567`, `(555) 123-4567`, `06.12.34.56.78`):
/// 8 to 15 digits with a leading `+`, a leading `0`, parentheses or separators, and not a date or IPv4.
bool looks_like_phone(std::string_view value);
/// Dotted decimal, optionally with a `/prefix` as inet prints it.
bool looks_like_ipv4(std::string_view value);
/// Any IPv6 text form, optionally with a `/prefix`.
bool looks_like_ipv6(std::string_view value);
/// 13 to 19 digits (single spaces or dashes between groups allowed) starting 2–6 and passing Luhn.
bool looks_like_card_number(std::string_view value);
/// Country code, check digits and 11 to 30 alphanumerics (spaces allowed) passing ISO 7064 mod-97.
bool looks_like_iban(std::string_view value);
/// `AAA-GG-SSSS` with the Social Security Administration's never-issued ranges excluded.
bool looks_like_us_ssn(std::string_view value);
/// UK National Insurance number: two allowed prefix letters, six digits, suffix A–D.
bool looks_like_uk_nino(std::string_view value);
/// French INSEE/NIR number: 13 digits (Corsica `2A`/`2B` allowed) and a matching two-digit key.
bool looks_like_fr_insee(std::string_view value);
/// Spanish DNI (8 digits) or NIE (X/Y/Z and 7 digits) with the matching control letter.
bool looks_like_es_dni(std::string_view value);

/// Whether `value` is of `kind`.
bool looks_like(ValueKind kind, std::string_view value);

/// Every kind, most specific first: checksummed ids before emails before phones (a card number is
/// also a run of digits a phone recognizer might take). Sniffing, documents and the leak scan ask in
/// this order.
inline constexpr std::array<ValueKind, 10> k_value_kinds_most_specific_first = {
    ValueKind::iban,   ValueKind::card_number, ValueKind::fr_insee, ValueKind::es_dni, ValueKind::uk_nino,
    ValueKind::us_ssn, ValueKind::email,       ValueKind::ipv4,     ValueKind::ipv6,   ValueKind::phone,
};

/// The first kind of k_value_kinds_most_specific_first that `value` is, or nothing.
std::optional<ValueKind> first_value_kind(std::string_view value);

/// The kind most sampled values have.
struct SniffResult {
    ValueKind kind;
    std::size_t matched = 0;     ///< samples of that kind
    std::size_t considered = 0;  ///< non-empty samples
};

/// The fewest matching samples for a verdict.
inline constexpr std::size_t k_min_matching_samples = 3;
/// The smallest share of non-empty samples that must match, in percent.
inline constexpr std::size_t k_min_matching_percent = 80;

/// The first kind (most specific first: checksummed ids before emails before phones) that at least
/// k_min_matching_samples and k_min_matching_percent of the non-empty samples have, or nothing.
std::optional<SniffResult> sniff_values(const std::vector<std::string>& samples);

}  // namespace understudy::anonymizer
