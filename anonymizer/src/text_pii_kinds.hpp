// Which kinds of personal data occur inside a free-text string (for documents and kept columns).
#pragma once

#include <string_view>
#include <vector>

namespace understudy::anonymizer {

/// The distinct kinds (scrub's names: email, phone, ipv4, ipv6, credit_card, iban) of the
/// PII-shaped substrings of `text`, in that order. URLs are left out: a link is not personal data
/// by itself, and `scrub` keeps it unless asked.
std::vector<std::string_view> pii_kinds_in_text(std::string_view text);

}  // namespace understudy::anonymizer
