// Kinds of personal data inside free text: the spans `scrub` would replace, by kind.
#include "text_pii_kinds.hpp"

#include "understudy/anonymizer/pii_spans.hpp"

namespace understudy::anonymizer {

std::vector<std::string_view> pii_kinds_in_text(std::string_view text) {
    // The same finder as the scrub rule: what init reports is what the suggested rule replaces.
    static const ScrubKinds k_personal = [] {
        ScrubKinds kinds;
        for (ScrubKind kind : k_scrub_kinds) {
            if (kind != ScrubKind::url) kinds = kinds.with(kind);
        }
        return kinds;
    }();
    std::vector<bool> found(k_scrub_kinds.size(), false);
    for (const PiiSpan& span : find_pii_spans(text, k_personal)) found[static_cast<std::size_t>(span.kind)] = true;
    std::vector<std::string_view> kinds;
    for (ScrubKind kind : k_scrub_kinds) {
        if (found[static_cast<std::size_t>(kind)]) kinds.push_back(scrub_kind_name(kind));
    }
    return kinds;
}

}  // namespace understudy::anonymizer
