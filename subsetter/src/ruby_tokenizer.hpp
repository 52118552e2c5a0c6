// Ruby source as tokens and statements: just enough Ruby lexing to find Rails' association macros
// without mistaking a comment, string, heredoc or regexp for code.
#pragma once

#include <string>
#include <vector>

namespace understudy::subsetter::detail {

enum class TokenKind { identifier, constant, symbol, string, label, punct, other };

struct Token {
    TokenKind kind;
    std::string text;  ///< symbol/label/string: the name or contents without `:` and quotes
    int line;
};

/// The statements of `text`, each a vector of tokens: split at `;` and newlines (a newline inside
/// brackets or after `,`, `\`, `=>` or an operator continues the statement), then at block
/// boundaries (after `do |args|`, around a keyword `end`). Comments, `=begin` blocks, heredoc
/// bodies, regexps and `%w[]` literals are dropped.
std::vector<std::vector<Token>> ruby_statements(const std::string& text);

/// Whether `token` is the identifier `word`.
bool is_word(const Token& token, const char* word);

}  // namespace understudy::subsetter::detail
