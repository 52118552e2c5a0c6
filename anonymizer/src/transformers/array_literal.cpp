// `array`: the inner rule applied to each element of a PostgreSQL array literal, re-quoted as array_out does.
#include "transformers/builders.hpp"
#include "understudy/error.hpp"

namespace understudy::anonymizer {
namespace {

bool is_array_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

bool equals_null_word(std::string_view text) {
    if (text.size() != 4) return false;
    const char* word = "null";
    for (std::size_t char_idx = 0; char_idx < 4; ++char_idx) {
        char c = text[char_idx];
        if ((c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c) != word[char_idx]) return false;
    }
    return true;
}

// array_out quotes an element that is empty, spells NULL, or holds a brace, quote, backslash,
// the delimiter or white space; inside quotes only `"` and `\` are escaped.
void append_element(const std::string& value, std::string& out) {
    bool quote = value.empty() || equals_null_word(value);
    for (char c : value) {
        if (c == '{' || c == '}' || c == '"' || c == '\\' || c == ',' || is_array_space(c)) {
            quote = true;
            break;
        }
    }
    if (!quote) {
        out += value;
        return;
    }
    out += '"';
    for (char c : value) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    out += '"';
}

class ArrayTransformer final : public Transformer {
public:
    explicit ArrayTransformer(std::unique_ptr<Transformer> element) : m_element(std::move(element)) {}

    bool write(const Value& input, const RowView& row, std::string& out) const override {
        if (!input) return false;
        const std::string& text = *input;
        out.clear();
        std::size_t pos = 0;
        // Explicit bounds (`[0:1]={a,b}`) are kept verbatim.
        if (!text.empty() && text[0] == '[') {
            auto equals = text.find('=');
            if (equals == std::string::npos) fail();
            out.append(text, 0, equals + 1);
            pos = equals + 1;
        }
        while (pos < text.size() && is_array_space(text[pos])) ++pos;
        if (pos >= text.size() || text[pos] != '{') fail();
        rewrite_level(text, pos, row, out);
        while (pos < text.size() && is_array_space(text[pos])) ++pos;
        if (pos != text.size()) fail();
        return true;
    }
    bool injective() const override { return m_element->injective(); }
    TypeClass accepts() const override { return TypeClass::array; }
    std::vector<std::string> referenced_columns() const override { return m_element->referenced_columns(); }
    std::string describe() const override { return "array of " + m_element->describe(); }

    const Transformer& element() const { return *m_element; }

private:
    [[noreturn]] static void fail() { throw Error(ExitCode::config, "array: value is not an array literal"); }

    // `pos` is at `{`; on return it is just past the matching `}`.
    void rewrite_level(const std::string& text, std::size_t& pos, const RowView& row, std::string& out) const {
        out += '{';
        ++pos;
        bool first = true;
        std::string element;
        std::string result;
        for (;;) {
            while (pos < text.size() && is_array_space(text[pos])) ++pos;
            if (pos >= text.size()) fail();
            if (text[pos] == '}' && first) {
                ++pos;
                break;
            }
            if (!first) out += ',';
            first = false;
            if (text[pos] == '{') {
                rewrite_level(text, pos, row, out);
            } else {
                Value value = read_element(text, pos, element);
                if (m_element->write(value, row, result)) append_element(result, out);
                else out += "NULL";
            }
            while (pos < text.size() && is_array_space(text[pos])) ++pos;
            if (pos >= text.size()) fail();
            if (text[pos] == ',') {
                ++pos;
                continue;
            }
            if (text[pos] == '}') {
                ++pos;
                break;
            }
            fail();
        }
        out += '}';
    }

    static Value read_element(const std::string& text, std::size_t& pos, std::string& element) {
        element.clear();
        if (text[pos] == '"') {
            ++pos;
            while (pos < text.size() && text[pos] != '"') {
                if (text[pos] == '\\' && pos + 1 < text.size()) ++pos;
                element += text[pos++];
            }
            if (pos >= text.size()) fail();
            ++pos;
            return element;
        }
        bool escaped = false;
        std::size_t trailing_space_from = std::string::npos;
        while (pos < text.size() && text[pos] != ',' && text[pos] != '}') {
            char c = text[pos];
            if (c == '{' || c == '"') fail();
            if (c == '\\' && pos + 1 < text.size()) {
                escaped = true;
                element += text[pos + 1];
                pos += 2;
                trailing_space_from = std::string::npos;
                continue;
            }
            if (is_array_space(c)) {
                if (trailing_space_from == std::string::npos) trailing_space_from = element.size();
            } else {
                trailing_space_from = std::string::npos;
            }
            element += c;
            ++pos;
        }
        if (trailing_space_from != std::string::npos) element.resize(trailing_space_from);
        if (element.empty()) fail();
        if (!escaped && equals_null_word(element)) return std::nullopt;
        return element;
    }

    std::unique_ptr<Transformer> m_element;
};

}  // namespace

std::unique_ptr<Transformer> make_array_transformer(std::unique_ptr<Transformer> element) {
    return std::make_unique<ArrayTransformer>(std::move(element));
}

const Transformer* array_element_transformer(const Transformer& transformer) {
    const auto* array = dynamic_cast<const ArrayTransformer*>(&transformer);
    return array ? &array->element() : nullptr;
}

}  // namespace understudy::anonymizer
