// The anonymize filter's fail-closed edges: input it cannot rewrite, and how a failed stream ends.
#include "understudy/anonymizer/dump_fail_closed.hpp"

namespace understudy::anonymizer {
namespace {

bool starts_with_bytes(std::string_view text, std::string_view prefix) {
    return text.substr(0, prefix.size()) == prefix;
}

}  // namespace

std::optional<InputRefusal> refuse_input(std::string_view head) {
    constexpr std::string_view pipe = " | understudy anonymize --config understudy.yml | psql -1 -v ON_ERROR_STOP=1 …";
    if (starts_with_bytes(head, "PGDMP"))
        return InputRefusal{"the input is a pg_dump custom-format archive (pg_dump -Fc), not a plain SQL dump: "
                            "its table data cannot be anonymized",
                            "convert it with pg_restore: pg_restore -f - dump.custom" + std::string(pipe)};
    if (starts_with_bytes(head, "\x1f\x8b"))
        return InputRefusal{"the input is gzip-compressed, not a plain SQL dump",
                            "decompress it first: gunzip -c dump.sql.gz" + std::string(pipe)};
    if (starts_with_bytes(head, "\x28\xb5\x2f\xfd") || starts_with_bytes(head, "\x04\x22\x4d\x18") ||
        starts_with_bytes(head, "BZh") || starts_with_bytes(head, "\xfd" "7zXZ"))
        return InputRefusal{"the input is compressed (zstd, lz4, bzip2 or xz), not a plain SQL dump",
                            "decompress it first, e.g. zstd -dc dump.sql.zst" + std::string(pipe)};
    if (head.size() >= 262 && head.substr(257, 5) == "ustar")
        return InputRefusal{"the input is a tar archive (pg_dump -Ft), not a plain SQL dump",
                            "convert it with pg_restore: pg_restore -f - dump.tar" + std::string(pipe)};
    // A plain dump is text: PostgreSQL text never holds a NUL byte, in SQL or in COPY data.
    if (head.find('\0') != std::string_view::npos)
        return InputRefusal{"the input is binary data, not a plain SQL dump",
                            "give a plain pg_dump (the default format, or pg_restore -f - ARCHIVE)"};
    return std::nullopt;
}

std::string failure_trailer(std::string_view message, bool inside_copy, bool needs_newline) {
    // Only what this statement needs survives: no newline (psql would read on), no backslash (a
    // psql meta-command, or an escape when standard_conforming_strings is off), no dollar sign
    // (the DO body's quote). Messages never hold row values, so nothing else is lost.
    std::string text;
    for (char c : message) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || c == '\\' || c == '$') {
            text += ' ';
        } else if (c == '\'') {
            text += "''";
        } else {
            text += c;
        }
    }
    std::string trailer = needs_newline ? "\n" : "";
    if (inside_copy) trailer += "\\.\n";  // end the open COPY block, so that the next line is SQL again
    trailer += "DO $understudy$ BEGIN RAISE EXCEPTION USING MESSAGE = 'understudy anonymize failed: " + text +
               "'; END $understudy$;\n";
    return trailer;
}

}  // namespace understudy::anonymizer
