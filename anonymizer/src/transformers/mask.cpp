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

    bool write(const Value& input, const RowView&, std::string& out) const override {
        if (!input) return false;
        const std::string& text = *input;
        std::size_t characters = 0;
        for (char byte : text) characters += starts_character(byte) ? 1 : 0;
        if (m_keep_first + m_keep_last >= characters) {
            // Keeping everything would reveal the value: a short one is masked whole instead.
            out.clear();
            if (m_mask_char.size() == 1) out.assign(characters, m_mask_char[0]);
            else for (std::size_t char_idx = 0; char_idx < characters; ++char_idx) out += m_mask_char;
            return true;
        }
        // Byte offsets where the hidden run starts and ends; the kept ends are copied as they are.
        std::size_t hidden_begin = 0;
        for (std::size_t seen = 0; hidden_begin < text.size(); ++hidden_begin) {
            if (!starts_character(text[hidden_begin])) continue;
            if (seen == m_keep_first) break;
            ++seen;
        }
        std::size_t hidden_end = text.size();
        for (std::size_t seen = 0; seen < m_keep_last;) {
            --hidden_end;
            if (starts_character(text[hidden_end])) ++seen;
        }
        const std::size_t hidden = characters - m_keep_first - m_keep_last;
        out.assign(text, 0, hidden_begin);
        if (m_mask_char.size() == 1) out.append(hidden, m_mask_char[0]);
        else for (std::size_t char_idx = 0; char_idx < hidden; ++char_idx) out += m_mask_char;
        out.append(text, hidden_end, std::string::npos);
        return true;
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
