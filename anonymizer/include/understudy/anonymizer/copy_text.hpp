// PostgreSQL's COPY text format, exactly: field splitting, escapes and \N.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace understudy::anonymizer {

/// Splits one row (with or without its trailing newline) at unescaped tabs into raw, still
/// escaped fields. `fields` is cleared first; views point into `row`.
void split_fields(std::string_view row, std::vector<std::string_view>& fields);

/// True when a raw field is the NULL marker `\N`.
bool is_null_field(std::string_view raw);

/// Decodes a raw field's escapes (\b \f \n \r \t \v \\ \ooo octal \xhh hex, any other \c as c)
/// into `out` (cleared first). Must not be called on `\N`.
void decode_field(std::string_view raw, std::string& out);

/// Appends `value` to `out` escaped the way the server writes COPY text (backslash, \b \f \n \r \t \v
/// escaped; everything else, multibyte characters included, verbatim). Like the whole codec it assumes an
/// ASCII-safe encoding (every server encoding; not the client-only SJIS, BIG5, GBK, UHC, GB18030, JOHAB).
void encode_field(std::string_view value, std::string& out);
/// The same written at `out`, which has room for 2 * value.size() bytes (every byte escaped);
/// returns the end of what was written. The row rewriter sizes its output once per row with it.
char* encode_field(std::string_view value, char* out);

/// Appends the NULL marker `\N`.
void encode_null(std::string& out);

}  // namespace understudy::anonymizer
