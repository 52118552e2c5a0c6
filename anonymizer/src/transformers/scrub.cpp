// `scrub`: free text keeps its words; each email, phone, IP, card, IBAN or URL inside it becomes the
// pseudonym `fake` of that kind gives the same substring, so a comment and users.email agree.
#include <array>
#include <memory>
#include <vector>

#include "transformers/builders.hpp"

namespace understudy::anonymizer {
namespace {

class ScrubTransformer final : public Transformer {
public:
    ScrubTransformer(const Secret& secret, ScrubKinds kinds) : m_kinds(kinds) {
        for (ScrubKind kind : k_scrub_kinds) {
            if (!kinds.contains(kind)) continue;
            // Same kind name, same default pseudonym class as `{fake: <kind>}`: the same address in
            // a comment and in a column with that rule gets the same pseudonym.
            const std::string name(scrub_kind_name(kind));
            m_fakes[static_cast<std::size_t>(kind)] =
                make_fake_transformer(secret, *parse_fake_kind(name), false, name);
        }
    }

    bool write(const Value& input, const RowView& row, std::string& out) const override {
        if (!input) return false;
        const std::string& text = *input;
        // Kept per thread across values, so the copy path allocates nothing per value; no rule that
        // scrub calls calls scrub again.
        thread_local Scratch scratch;
        std::vector<PiiSpan>& spans = scratch.spans;
        spans.clear();
        find_pii_spans(text, m_kinds, spans);
        out.clear();
        if (spans.empty()) {
            out.append(text);
            return true;
        }
        Value& original = scratch.original;
        std::string& pseudonym = scratch.pseudonym;
        std::size_t copied = 0;
        for (const PiiSpan& span : spans) {
            out.append(text, copied, span.begin - copied);
            original->assign(text, span.begin, span.length);
            m_fakes[static_cast<std::size_t>(span.kind)]->write(original, row, pseudonym);
            out += pseudonym;
            copied = span.begin + span.length;
        }
        out.append(text, copied, std::string::npos);
        return true;
    }

    bool injective() const override { return false; }
    // Text only: a json column's strings are scrubbed through a path rule ({json: {"$": {scrub: all}}}),
    // which decodes JSON escapes first; raw JSON text would let a span swallow an escape's letter.
    TypeClass accepts() const override { return TypeClass::text; }
    std::string describe() const override {
        if (m_kinds == ScrubKinds::all()) return "scrub all";
        std::string text = "scrub";
        for (ScrubKind kind : k_scrub_kinds) {
            if (!m_kinds.contains(kind)) continue;
            text += text.size() == 5 ? " " : ", ";
            text += scrub_kind_name(kind);
        }
        return text;
    }

private:
    struct Scratch {
        std::vector<PiiSpan> spans;
        Value original = std::string();
        std::string pseudonym;
    };

    ScrubKinds m_kinds;
    std::array<std::unique_ptr<Transformer>, k_scrub_kinds.size()> m_fakes;
};

}  // namespace

std::unique_ptr<Transformer> make_scrub_transformer(const Secret& secret, ScrubKinds kinds) {
    return std::make_unique<ScrubTransformer>(secret, kinds);
}

}  // namespace understudy::anonymizer
