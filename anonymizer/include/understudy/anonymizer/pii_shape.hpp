// Whether one whole value is personal data by its shape alone, for checks that search a finished copy.
#pragma once

#include <optional>
#include <string_view>

namespace understudy::anonymizer {

/// The kind (`email`, `phone`, `card_number`, `iban`, `us_ssn`, `uk_nino`, `fr_insee`, `es_dni`,
/// `ipv6`) that `value` as a whole has, by the same recognizers `init` samples columns with
/// (checksums for cards, IBANs and national ids); surrounding blanks are ignored. IPv4 is left out:
/// `10.0.0.1` or `127.0.0.1` occur in any log and are nobody's.
std::optional<std::string_view> pii_shape_of(std::string_view value);

}  // namespace understudy::anonymizer
