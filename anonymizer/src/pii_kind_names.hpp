// How DocumentFinding::kind spells a kind of personal data, both ways (documents and init share it).
#pragma once

#include <optional>
#include <string_view>

#include "pii_dictionary.hpp"
#include "value_sniffers.hpp"

namespace understudy::anonymizer {

/// `email`, `credit_card`, `national_id` (every national id format), `ipv4`, `ipv6`.
std::string_view value_kind_name(ValueKind kind);
/// `first_name`, `ip_address`, `credit_card` (card_number), `birth_date`.
std::string_view pii_kind_name(PiiKind kind);

/// The PiiKind a finding's kind names, and whether it is IPv6 (which picks the fake).
struct NamedKind {
    PiiKind kind;
    bool ipv6 = false;
};
/// The inverse of value_kind_name and pii_kind_name, or nothing for an unknown name.
std::optional<NamedKind> named_kind(std::string_view name);

}  // namespace understudy::anonymizer
