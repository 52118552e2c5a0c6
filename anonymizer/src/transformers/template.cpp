// `template`: a value built from other columns of the same row (their new values when they have rules).
#include <stdexcept>

#include "transformers/builders.hpp"

namespace understudy::anonymizer {
namespace {

// The pattern is split once into literal and column pieces, so write() only concatenates.
struct Piece {
    bool column = false;
    std::string text;
};

class TemplateTransformer final : public Transformer {
public:
    TemplateTransformer(std::vector<Piece> pieces, std::string pattern)
        : m_pieces(std::move(pieces)), m_pattern(std::move(pattern)) {}

    bool write(const Value& input, const RowView& row, std::string& out) const override {
        if (!input) return false;
        out.clear();
        for (const auto& piece : m_pieces) {
            if (!piece.column) {
                out += piece.text;
                continue;
            }
            // A NULL column contributes nothing rather than the word "null".
            const Value& value = row.column(piece.text);
            if (value) out += *value;
        }
        return true;
    }
    bool injective() const override { return false; }
    TypeClass accepts() const override { return TypeClass::text; }
    std::vector<std::string> referenced_columns() const override {
        std::vector<std::string> columns;
        for (const auto& piece : m_pieces) {
            if (!piece.column) continue;
            bool seen = false;
            for (const auto& column : columns) seen = seen || column == piece.text;
            if (!seen) columns.push_back(piece.text);
        }
        return columns;
    }
    std::string describe() const override { return "template \"" + m_pattern + "\""; }

private:
    std::vector<Piece> m_pieces;
    std::string m_pattern;
};

}  // namespace

std::unique_ptr<Transformer> make_template_transformer(std::string_view pattern) {
    std::vector<Piece> pieces;
    std::string literal;
    for (std::size_t pos = 0; pos < pattern.size(); ++pos) {
        char c = pattern[pos];
        if ((c == '{' || c == '}') && pos + 1 < pattern.size() && pattern[pos + 1] == c) {
            literal += c;
            ++pos;
            continue;
        }
        if (c == '}') throw std::invalid_argument("unmatched \"}\" in template (write \"}}\" for a brace)");
        if (c != '{') {
            literal += c;
            continue;
        }
        auto close = pattern.find('}', pos + 1);
        if (close == std::string_view::npos) throw std::invalid_argument("unclosed \"{\" in template");
        std::string column(pattern.substr(pos + 1, close - pos - 1));
        if (column.empty()) throw std::invalid_argument("empty \"{}\" in template");
        if (column.find('{') != std::string::npos) throw std::invalid_argument("nested \"{\" in template");
        if (!literal.empty()) pieces.push_back(Piece{false, std::move(literal)});
        literal.clear();
        pieces.push_back(Piece{true, std::move(column)});
        pos = close;
    }
    if (!literal.empty()) pieces.push_back(Piece{false, std::move(literal)});
    bool any_column = false;
    for (const auto& piece : pieces) any_column = any_column || piece.column;
    if (!any_column) throw std::invalid_argument("template names no column: use fixed for a constant");
    return std::make_unique<TemplateTransformer>(std::move(pieces), std::string(pattern));
}

}  // namespace understudy::anonymizer
