// `hash`: hex of the keyed permutation (injective) or a uuid (a permutation of uuid inputs).
#include <cstring>

#include "transformers/builders.hpp"
#include "transformers/keyed_permutation.hpp"
#include "understudy/hex_digit.hpp"

namespace understudy::anonymizer {
namespace {

// PostgreSQL prints a uuid as 8-4-4-4-12 lowercase hex; it also accepts 32 bare digits and braces,
// but what COPY sends is always the canonical form, so that is the form that is permuted.
bool parse_uuid(std::string_view text, unsigned char (&bytes)[16]) {
    if (text.size() != 36) return false;
    std::size_t byte_idx = 0;
    for (std::size_t pos = 0; pos < 36;) {
        if (pos == 8 || pos == 13 || pos == 18 || pos == 23) {
            if (text[pos] != '-') return false;
            ++pos;
            continue;
        }
        int high = hex_digit_value(text[pos]);
        int low = hex_digit_value(text[pos + 1]);
        if (high < 0 || low < 0) return false;
        bytes[byte_idx++] = static_cast<unsigned char>(high * 16 + low);
        pos += 2;
    }
    return byte_idx == 16;
}

void append_uuid(const unsigned char* bytes, std::string& out) {
    for (std::size_t byte_idx = 0; byte_idx < 16; ++byte_idx) {
        if (byte_idx == 4 || byte_idx == 6 || byte_idx == 8 || byte_idx == 10) out += '-';
        append_hex(bytes + byte_idx, 1, out);
    }
}

class HashTransformer final : public Transformer {
public:
    HashTransformer(const Secret& secret, std::string pseudonym_class, HashForm form, std::size_t length)
        : m_secret(secret), m_class(std::move(pseudonym_class)), m_permutation(secret, m_class), m_form(form),
          m_length(length) {}

    bool write(const Value& input, const RowView&, std::string& out) const override {
        if (!input) return false;
        out.clear();
        if (m_form == HashForm::uuid) {
            unsigned char bytes[16];
            if (parse_uuid(*input, bytes)) {
                m_permutation.permute(bytes, 16);
            } else {
                auto hash = m_secret.hash128(m_class, *input);
                std::memcpy(bytes, hash.data(), 16);
            }
            append_uuid(bytes, out);
            return true;
        }
        m_permutation.append_padded_hex(*input, out);
        if (m_length != 0 && out.size() > m_length) out.resize(m_length);
        return true;
    }
    // The uuid form is injective on uuid columns only; the coverage guard decides that with the type.
    bool injective() const override { return m_form == HashForm::hex && m_length == 0; }
    TypeClass accepts() const override { return TypeClass::any; }
    std::optional<std::size_t> min_length() const override {
        if (m_form == HashForm::uuid) return 36;
        const std::size_t shortest = 2 * KeyedPermutation::k_min_block;  // hex of the shortest padded block
        return m_length != 0 && m_length < shortest ? m_length : shortest;
    }
    std::optional<std::size_t> max_length() const override {
        if (m_form == HashForm::uuid) return 36;
        if (m_length != 0) return m_length;
        return std::nullopt;  // the hex of the padded input: as long as the input allows
    }
    std::string describe() const override {
        std::string text = m_form == HashForm::uuid ? "hash uuid" : "hash hex";
        if (m_length != 0) text += " length " + std::to_string(m_length);
        if (m_class != "hash") text += " class " + m_class;
        return text;
    }

private:
    Secret m_secret;
    std::string m_class;
    KeyedPermutation m_permutation;
    HashForm m_form;
    std::size_t m_length;
};

}  // namespace

std::unique_ptr<Transformer> make_hash_transformer(const Secret& secret, std::string pseudonym_class, HashForm form,
                                                   std::size_t length) {
    return std::make_unique<HashTransformer>(secret, std::move(pseudonym_class), form, length);
}

}  // namespace understudy::anonymizer
