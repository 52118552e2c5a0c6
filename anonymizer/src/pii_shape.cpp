// One value's PII shape: the value sniffers asked in their order, most specific first.
#include "understudy/anonymizer/pii_shape.hpp"

#include "value_sniffers.hpp"

namespace understudy::anonymizer {

std::optional<std::string_view> pii_shape_of(std::string_view value) {
    const auto kind = first_value_kind(value);
    if (!kind) return std::nullopt;
    switch (*kind) {
        case ValueKind::iban: return "iban";
        case ValueKind::card_number: return "card_number";
        case ValueKind::fr_insee: return "fr_insee";
        case ValueKind::es_dni: return "es_dni";
        case ValueKind::uk_nino: return "uk_nino";
        case ValueKind::us_ssn: return "us_ssn";
        case ValueKind::email: return "email";
        case ValueKind::ipv4: return std::nullopt;  // `10.0.0.1` is in every log: not searched elsewhere
        case ValueKind::ipv6: return "ipv6";
        case ValueKind::phone: return "phone";
    }
    return std::nullopt;
}

}  // namespace understudy::anonymizer
