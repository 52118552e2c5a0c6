// The Ruby tokenizer: characters to tokens to statements, skipping what only looks like code.
#include "ruby_tokenizer.hpp"

#include <cctype>
#include <set>

namespace understudy::subsetter::detail {
namespace {

bool is_identifier_start(char c) {
    return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}
bool is_identifier_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

/// The closing delimiter of a `%w[`-style literal.
char closing_of(char open) {
    switch (open) {
        case '(':
            return ')';
        case '[':
            return ']';
        case '{':
            return '}';
        case '<':
            return '>';
        default:
            return open;
    }
}

/// Splits Ruby source into tokens, one `;`-or-newline-separated statement per vector. Newlines
/// inside brackets or after `,`, `\`, `(`, `=>` and operators continue the statement, which is
/// how a `belongs_to` spread over several lines stays one call. Comments, `=begin` blocks,
/// heredoc bodies, regexps and `%w[]` literals are skipped: their contents could look like code.
class Tokenizer {
public:
    explicit Tokenizer(const std::string& text) : m_text(text) {}

    std::vector<std::vector<Token>> statements() {
        std::vector<std::vector<Token>> result;
        std::vector<Token> current;
        int depth = 0;
        auto finish = [&] {
            if (!current.empty()) result.push_back(std::move(current));
            current.clear();
        };
        while (m_pos < m_text.size()) {
            const char c = m_text[m_pos];
            if (at_line_start() && m_text.compare(m_pos, 7, "__END__") == 0 &&
                (m_pos + 7 == m_text.size() || m_text[m_pos + 7] == '\n' || m_text[m_pos + 7] == '\r'))
                break;  // the rest of the file is data
            if (at_line_start() && m_text.compare(m_pos, 6, "=begin") == 0) {
                skip_embedded_document();
                continue;
            }
            if (c == '\n') {
                ++m_pos;
                ++m_line;
                skip_heredoc_bodies();
                if (depth <= 0 && !continues(current)) finish();
                continue;
            }
            if (c == ' ' || c == '\t' || c == '\r') {
                ++m_pos;
                continue;
            }
            if (c == '\\' && m_pos + 1 < m_text.size() && m_text[m_pos + 1] == '\n') {
                m_pos += 2;
                ++m_line;
                continue;
            }
            if (c == '#') {
                while (m_pos < m_text.size() && m_text[m_pos] != '\n') ++m_pos;
                continue;
            }
            if (c == ';' && depth <= 0) {
                ++m_pos;
                finish();
                continue;
            }
            const int line = m_line;
            if (c == '"' || c == '\'' || c == '`') {
                std::string contents = read_quoted(c);
                if (peek() == ':' && peek(1) != ':') {  // `"key": value`
                    ++m_pos;
                    current.push_back({TokenKind::label, contents, line});
                } else {
                    current.push_back({TokenKind::string, contents, line});
                }
                continue;
            }
            if (c == ':' && peek(1) == ':') {
                m_pos += 2;
                current.push_back({TokenKind::punct, "::", line});
                continue;
            }
            if (c == ':' && (is_identifier_start(peek(1)) || peek(1) == '"' || peek(1) == '\'')) {
                ++m_pos;
                std::string name;
                if (peek() == '"' || peek() == '\'') {
                    name = read_quoted(peek());
                } else {
                    while (m_pos < m_text.size() && (is_identifier_char(m_text[m_pos]) || m_text[m_pos] == '?' ||
                                                     m_text[m_pos] == '!' || m_text[m_pos] == '='))
                        name += m_text[m_pos++];
                }
                current.push_back({TokenKind::symbol, name, line});
                continue;
            }
            if (is_identifier_start(c) || c == '@' || c == '$') {
                std::string word;
                while (m_pos < m_text.size() &&
                       (is_identifier_char(m_text[m_pos]) || m_text[m_pos] == '@' || m_text[m_pos] == '$'))
                    word += m_text[m_pos++];
                if (peek() == '?' || peek() == '!') {
                    if (!is_identifier_char(peek(1)) && peek(1) != '=') word += m_text[m_pos++];
                }
                if (peek() == ':' && peek(1) != ':' && word.back() != '?') {  // `class_name:`
                    ++m_pos;
                    current.push_back({TokenKind::label, word, line});
                    continue;
                }
                const bool constant = std::isupper(static_cast<unsigned char>(word[0])) != 0;
                current.push_back({constant ? TokenKind::constant : TokenKind::identifier, word, line});
                continue;
            }
            if (std::isdigit(static_cast<unsigned char>(c))) {
                std::string number;
                while (m_pos < m_text.size() && (is_identifier_char(m_text[m_pos]) || m_text[m_pos] == '.') &&
                       !(m_text[m_pos] == '.' && !std::isdigit(static_cast<unsigned char>(peek(1)))))
                    number += m_text[m_pos++];
                current.push_back({TokenKind::other, number, line});
                continue;
            }
            if (c == '<' && peek(1) == '<' && (peek(2) == '~' || peek(2) == '-' || std::isupper(peek(2)) != 0)) {
                if (read_heredoc_start()) {
                    current.push_back({TokenKind::string, "", line});
                    continue;
                }
            }
            if (c == '%' && starts_percent_literal()) {
                skip_percent_literal();
                current.push_back({TokenKind::other, "%literal", line});
                continue;
            }
            if (c == '/' && starts_regexp(current)) {
                skip_regexp();
                current.push_back({TokenKind::other, "/regexp/", line});
                continue;
            }
            if (c == '(' || c == '[' || c == '{') ++depth;
            if (c == ')' || c == ']' || c == '}') --depth;
            std::string punct(1, c);
            static const std::set<std::string> two_char = {"=>", "->", "==", "<<", "||", "&&", "&.", "<=", ">=", "!="};
            if (m_pos + 1 < m_text.size() && two_char.count(m_text.substr(m_pos, 2))) punct = m_text.substr(m_pos, 2);
            m_pos += punct.size();
            current.push_back({TokenKind::punct, punct, line});
        }
        finish();
        return result;
    }

private:
    char peek(std::size_t ahead = 0) const { return m_pos + ahead < m_text.size() ? m_text[m_pos + ahead] : '\0'; }

    bool at_line_start() const { return m_pos == 0 || m_text[m_pos - 1] == '\n'; }

    /// Whether a statement ending here goes on on the next line.
    static bool continues(const std::vector<Token>& tokens) {
        if (tokens.empty()) return false;
        const Token& last = tokens.back();
        if (last.kind == TokenKind::label) return true;  // `class_name:` then the value below
        if (last.kind != TokenKind::punct) return false;
        static const std::set<std::string> open = {",", "(",  "[", "{", "=>", "=",  "||", "&&",
                                                   ".", "&.", "+", "-", "*",  "->", "<"};
        return open.count(last.text) > 0;
    }

    std::string read_quoted(char quote) {
        ++m_pos;
        std::string contents;
        int interpolation = 0;
        while (m_pos < m_text.size()) {
            const char c = m_text[m_pos];
            if (c == '\\' && m_pos + 1 < m_text.size()) {
                contents += m_text[m_pos + 1];
                m_pos += 2;
                continue;
            }
            if (c == '\n') ++m_line;
            if (quote == '"' && c == '#' && peek(1) == '{') ++interpolation;
            if (interpolation > 0 && c == '}') --interpolation;
            ++m_pos;
            if (c == quote && interpolation == 0) break;
            contents += c;
        }
        return contents;
    }

    void skip_embedded_document() {
        while (m_pos < m_text.size()) {
            const std::size_t end = m_text.find('\n', m_pos);
            const bool last = m_text.compare(m_pos, 4, "=end") == 0;
            m_pos = end == std::string::npos ? m_text.size() : end + 1;
            ++m_line;
            if (last) break;
        }
    }

    bool read_heredoc_start() {
        std::size_t pos = m_pos + 2;
        if (m_text[pos] == '~' || m_text[pos] == '-') ++pos;
        char quote = '\0';
        if (pos < m_text.size() && (m_text[pos] == '"' || m_text[pos] == '\'')) quote = m_text[pos++];
        std::string terminator;
        while (pos < m_text.size() && is_identifier_char(m_text[pos])) terminator += m_text[pos++];
        if (terminator.empty() || !std::isupper(static_cast<unsigned char>(terminator[0]))) return false;
        if (quote && pos < m_text.size() && m_text[pos] == quote) ++pos;
        m_pending_heredocs.push_back(terminator);
        m_pos = pos;
        return true;
    }

    void skip_heredoc_bodies() {
        for (const auto& terminator : m_pending_heredocs) {
            while (m_pos < m_text.size()) {
                const std::size_t end = m_text.find('\n', m_pos);
                std::string line = m_text.substr(m_pos, end == std::string::npos ? std::string::npos : end - m_pos);
                m_pos = end == std::string::npos ? m_text.size() : end + 1;
                ++m_line;
                line.erase(0, line.find_first_not_of(" \t"));
                if (!line.empty() && line.back() == '\r') line.pop_back();
                if (line == terminator) break;
            }
        }
        m_pending_heredocs.clear();
    }

    bool starts_percent_literal() const {
        const char kind = peek(1);
        if (std::string("wWiIqQr").find(kind) != std::string::npos && kind != '\0')
            return std::string("([{<|!/").find(peek(2)) != std::string::npos && peek(2) != '\0';
        return kind == '(' || kind == '[' || kind == '{';
    }

    void skip_percent_literal() {
        ++m_pos;
        if (std::isalpha(static_cast<unsigned char>(peek()))) ++m_pos;
        const char open = m_text[m_pos++];
        const char close = closing_of(open);
        int depth = 1;
        while (m_pos < m_text.size() && depth > 0) {
            const char c = m_text[m_pos++];
            if (c == '\\') {
                ++m_pos;
                continue;
            }
            if (c == '\n') ++m_line;
            if (c == close)
                --depth;
            else if (c == open && open != close)
                ++depth;
        }
    }

    /// A `/` starts a regexp where a value is expected: after an operator, `(`, `,` or a label.
    static bool starts_regexp(const std::vector<Token>& tokens) {
        if (tokens.empty()) return true;
        const Token& last = tokens.back();
        if (last.kind == TokenKind::label) return true;
        if (last.kind == TokenKind::identifier)
            return last.text == "when" || last.text == "if" || last.text == "unless" || last.text == "and" ||
                   last.text == "or" || last.text == "not";
        return last.kind == TokenKind::punct && last.text != ")" && last.text != "]" && last.text != "}";
    }

    void skip_regexp() {
        ++m_pos;
        bool in_class = false;
        while (m_pos < m_text.size()) {
            const char c = m_text[m_pos++];
            if (c == '\\') {
                ++m_pos;
                continue;
            }
            if (c == '\n') {
                ++m_line;
                continue;
            }
            if (c == '[')
                in_class = true;
            else if (c == ']')
                in_class = false;
            else if (c == '/' && !in_class)
                break;
        }
        while (m_pos < m_text.size() && std::isalpha(static_cast<unsigned char>(m_text[m_pos]))) ++m_pos;
    }

    const std::string& m_text;
    std::size_t m_pos = 0;
    int m_line = 1;
    std::vector<std::string> m_pending_heredocs;
};

const std::set<std::string> k_modifiers = {"if", "unless", "while", "until", "rescue"};

/// Splits statements further at block boundaries: after `do` (and its `|args|`) and around a
/// keyword `end`, so `included do belongs_to :author end` is three statements.
std::vector<std::vector<Token>> split_blocks(std::vector<std::vector<Token>> statements) {
    std::vector<std::vector<Token>> result;
    for (auto& statement : statements) {
        std::vector<Token> current;
        auto finish = [&] {
            if (!current.empty()) result.push_back(std::move(current));
            current.clear();
        };
        int depth = 0;  // inside brackets, `do ... end` pairs close themselves: `-> { if a; b; end }`
        for (std::size_t index = 0; index < statement.size(); ++index) {
            const Token& token = statement[index];
            if (token.kind == TokenKind::punct) {
                if (token.text == "(" || token.text == "[" || token.text == "{") ++depth;
                if (token.text == ")" || token.text == "]" || token.text == "}") --depth;
            }
            const bool after_dot = index > 0 && statement[index - 1].kind == TokenKind::punct &&
                                   (statement[index - 1].text == "." || statement[index - 1].text == "&.");
            if (is_word(token, "end") && !after_dot && depth <= 0) {
                finish();
                current.push_back(token);
                finish();
                // `end while x`, `end if y`: a modifier of the block just closed opens nothing.
                if (index + 1 < statement.size() && k_modifiers.count(statement[index + 1].text)) break;
                continue;
            }
            current.push_back(token);
            if (is_word(token, "do") && !after_dot && depth <= 0) {
                if (index + 1 < statement.size() && statement[index + 1].text == "|") {
                    ++index;
                    while (index + 1 < statement.size() && statement[index + 1].text != "|") ++index;
                    ++index;
                }
                finish();
            }
        }
        finish();
    }
    return result;
}

/// `Billing::Invoice` or `::User` from tokens starting at `index`; advances past them.
}  // namespace

bool is_word(const Token& token, const char* word) {
    return token.kind == TokenKind::identifier && token.text == word;
}

std::vector<std::vector<Token>> ruby_statements(const std::string& text) {
    return split_blocks(Tokenizer(text).statements());
}

}  // namespace understudy::subsetter::detail
