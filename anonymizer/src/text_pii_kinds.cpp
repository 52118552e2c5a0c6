// Kinds of personal data inside free text: each word checked by the whole-value sniffers.
#include "text_pii_kinds.hpp"

#include <array>

#include "value_sniffers.hpp"

namespace understudy::anonymizer {

std::vector<std::string_view> pii_kinds_in_text(std::string_view text) {
    constexpr std::array<std::pair<ValueKind, std::string_view>, 6> k_kinds = {{
        {ValueKind::email, "email"},
        {ValueKind::phone, "phone"},
        {ValueKind::ipv4, "ipv4"},
        {ValueKind::ipv6, "ipv6"},
        {ValueKind::card_number, "credit_card"},
        {ValueKind::iban, "iban"},
    }};
    std::array<bool, k_kinds.size()> found{};
    constexpr std::string_view k_separators = " \t\r\n,;<>()\"'[]";
    for (std::size_t start = text.find_first_not_of(k_separators); start != std::string_view::npos;) {
        std::size_t end = text.find_first_of(k_separators, start);
        std::string_view word = text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
        while (!word.empty() && std::string_view(".:!?").find(word.back()) != std::string_view::npos) word.remove_suffix(1);
        for (std::size_t kind_idx = 0; kind_idx < k_kinds.size(); ++kind_idx) {
            if (!found[kind_idx] && looks_like(k_kinds[kind_idx].first, word)) found[kind_idx] = true;
        }
        if (end == std::string_view::npos) break;
        start = text.find_first_not_of(k_separators, end);
    }
    std::vector<std::string_view> kinds;
    for (std::size_t kind_idx = 0; kind_idx < k_kinds.size(); ++kind_idx) {
        if (found[kind_idx]) kinds.push_back(k_kinds[kind_idx].second);
    }
    return kinds;
}

}  // namespace understudy::anonymizer
