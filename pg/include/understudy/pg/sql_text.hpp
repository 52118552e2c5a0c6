// Building SQL text safely: identifiers, literals and array literals, with the server's rules.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace understudy::pg {

/// `"name"` with embedded quotes doubled; always quoted, so case and keywords are kept.
std::string quote_ident(std::string_view name);

/// `'text'` with embedded quotes doubled (standard_conforming_strings = on, the default since 9.1).
std::string quote_literal(std::string_view text);

/// The text of an array literal `{"a","b"}` (unquoted as SQL): each element double-quoted, with
/// `"` and `\` escaped as array input requires. COPY takes no bind parameters, so keys reach a
/// COPY statement as `quote_literal(array_literal(keys)) || '::type[]'`.
std::string array_literal(const std::vector<std::string_view>& elements);
std::string array_literal(const std::vector<std::string>& elements);

/// Appends the quoted array element form of `element` to `out` (for building large arrays).
void append_array_element(std::string& out, std::string_view element);

/// Comma-separated quoted identifiers: `"a", "b"`.
std::string quote_ident_list(const std::vector<std::string>& names, std::string_view prefix = {});

}  // namespace understudy::pg
