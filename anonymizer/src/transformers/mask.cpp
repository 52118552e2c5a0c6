// `mask`: keep the first and last characters, hide the rest; counts characters, not bytes.
#include "transformers/builders.hpp"

namespace understudy::anonymizer {
namespace {

// A UTF-8 continuation byte is 10xxxxxx: counting the others counts characters, so a mask never
// cuts a multibyte character in half (the target would reject the invalid byte sequence).
bool starts_character(char byte) { return (static_cast<unsigned char>(byte) & 0xC0) != 0x80; }

class MaskTransformer final : public Transformer {
public:
    MaskTransformer(std::size_t keep_first, std::size_t keep_last, std::string mask_char)
        : m_keep_first(keep_first), m_keep_last(keep_last), m_mask_char(std::move(mask_char)) {}

    Value apply(const Value& input, const RowView&) const override {
        if (!input) return std::nullopt;
        const std::string& text = *input;
        std::size_t characters = 0;
        for (char byte : text) characters += starts_character(byte) ? 1 : 0;
        if (m_keep_first + m_keep_last >= characters) {
            // Keeping everything would reveal the value: a short one is masked whole instead.
            std::string out;
            for (std::size_t char_idx = 0; char_idx < characters; ++char_idx) out += m_mask_char;
            return out;
        }
        std::string out;
        out.reserve(text.size() + characters * (m_mask_char.size() - 1));
        std::size_t char_idx = 0;
        for (std::size_t pos = 0; pos < text.size();) {
            std::size_t end = pos + 1;
            while (end < text.size() && !starts_character(text[end])) ++end;
            if (char_idx < m_keep_first || char_idx >= characters - m_keep_last) out.append(text, pos, end - pos);
            else out += m_mask_char;
            ++char_idx;
            pos = end;
        }
        return out;
    }
    bool injective() const override { return false; }
    TypeClass accepts() const override { return TypeClass::text; }
    std::string describe() const override {
        std::string text = "mask";
        if (m_keep_first) text += " keep_first " + std::to_string(m_keep_first);
        if (m_keep_last) text += " keep_last " + std::to_string(m_keep_last);
        return text;
    }

private:
    std::size_t m_keep_first;
    std::size_t m_keep_last;
    std::string m_mask_char;
};

}  // namespace

std::unique_ptr<Transformer> make_mask_transformer(std::size_t keep_first, std::size_t keep_last,
                                                   std::string mask_char) {
    return std::make_unique<MaskTransformer>(keep_first, keep_last, std::move(mask_char));
}

}  // namespace understudy::anonymizer
