// The three trivial rules: keep the value, make it NULL, or replace it with one fixed value.
#include "transformers/builders.hpp"

namespace understudy::anonymizer {
namespace {

class KeepTransformer final : public Transformer {
public:
    bool write(const Value& input, const RowView&, std::string& out) const override {
        if (!input) return false;
        out.assign(*input);
        return true;
    }
    bool injective() const override { return true; }
    TypeClass accepts() const override { return TypeClass::any; }
    std::string describe() const override { return "keep"; }
};

// NULLs never collide under a unique index, so null is safe there as long as the column is
// nullable; the coverage guard checks that, since only it knows the column.
class NullTransformer final : public Transformer {
public:
    bool write(const Value&, const RowView&, std::string&) const override { return false; }
    bool injective() const override { return false; }
    TypeClass accepts() const override { return TypeClass::any; }
    std::string describe() const override { return "null"; }
};

class FixedTransformer final : public Transformer {
public:
    FixedTransformer(Value value, bool replace_nulls) : m_value(std::move(value)), m_replace_nulls(replace_nulls) {}
    bool write(const Value& input, const RowView&, std::string& out) const override {
        if ((!input && !m_replace_nulls) || !m_value) return false;
        out.assign(*m_value);
        return true;
    }
    bool injective() const override { return false; }
    TypeClass accepts() const override { return TypeClass::any; }
    std::optional<std::size_t> min_length() const override {
        if (!m_value) return std::nullopt;
        std::size_t characters = 0;  // UTF-8: count the bytes that start a character
        for (char c : *m_value) characters += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
        return characters;
    }
    std::optional<std::size_t> max_length() const override { return min_length(); }
    // Never the value itself: a fixed value may be a password digest.
    std::string describe() const override { return m_replace_nulls ? "fixed (nulls replaced)" : "fixed"; }

private:
    Value m_value;
    bool m_replace_nulls;
};

}  // namespace

std::unique_ptr<Transformer> make_keep_transformer() { return std::make_unique<KeepTransformer>(); }
std::unique_ptr<Transformer> make_null_transformer() { return std::make_unique<NullTransformer>(); }
std::unique_ptr<Transformer> make_fixed_transformer(Value value, bool replace_nulls) {
    return std::make_unique<FixedTransformer>(std::move(value), replace_nulls);
}

}  // namespace understudy::anonymizer
