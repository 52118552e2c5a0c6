// One value's PII shape: the value sniffers asked in their order, most specific first.
#include "understudy/anonymizer/pii_shape.hpp"

#include <array>
#include <utility>

#include "value_sniffers.hpp"

namespace understudy::anonymizer {

std::optional<std::string_view> pii_shape_of(std::string_view value) {
    // Checksummed ids before emails before phones, as sniff_values orders them: a card number is
    // also a run of digits a phone recognizer might take.
    static constexpr std::array<std::pair<ValueKind, std::string_view>, 9> k_kinds = {{
        {ValueKind::iban, "iban"},
        {ValueKind::card_number, "card_number"},
        {ValueKind::fr_insee, "fr_insee"},
        {ValueKind::es_dni, "es_dni"},
        {ValueKind::uk_nino, "uk_nino"},
        {ValueKind::us_ssn, "us_ssn"},
        {ValueKind::email, "email"},
        {ValueKind::ipv6, "ipv6"},
        {ValueKind::phone, "phone"},
    }};
    for (const auto& [kind, name] : k_kinds) {
        if (looks_like(kind, value)) return name;
    }
    return std::nullopt;
}

}  // namespace understudy::anonymizer
