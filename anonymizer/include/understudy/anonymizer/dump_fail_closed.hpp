// What `understudy anonymize` refuses to read, and the statement a failed output ends with.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace understudy::anonymizer {

/// Why input starting with `head` cannot be filtered (custom/tar archive, compressed, binary), with
/// the command that makes it a plain dump; nullopt for what may be plain SQL.
struct InputRefusal {
    std::string message;
    std::string hint;
};
std::optional<InputRefusal> refuse_input(std::string_view head);

/// The SQL that ends a failed run's output: `\.` when a COPY block is open (so that the rows so
/// far do not swallow it), then a statement raising `understudy anonymize failed: <message>`. The
/// message names the failure, never a row value; `needs_newline` when the output so far does not
/// end a line.
std::string failure_trailer(std::string_view message, bool inside_copy, bool needs_newline = false);

}  // namespace understudy::anonymizer
