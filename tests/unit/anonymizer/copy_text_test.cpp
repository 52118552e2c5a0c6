// Unit tests for the COPY text codec: every escape the server reads, the exact form it writes, and a
// round-trip property over generated rows (split + decode + encode gives back the server's bytes).
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "understudy/anonymizer/copy_text.hpp"

namespace understudy::anonymizer {
namespace {

std::string decoded(std::string_view raw) {
    std::string out = "garbage that must be cleared";
    decode_field(raw, out);
    return out;
}

std::string encoded(std::string_view value) {
    std::string out;
    encode_field(value, out);
    return out;
}

std::vector<std::string> split(std::string_view row) {
    std::vector<std::string_view> views{"stale"};
    split_fields(row, views);
    return {views.begin(), views.end()};
}

// An independent transcription of CopyAttributeOutText (src/backend/commands/copyto.c, text mode,
// tab delimiter, an ASCII-safe encoding): \b \f \n \r \t \v become letters, a backslash is doubled,
// every other byte is written as it is.
std::string server_escape(std::string_view value) {
    std::string out;
    for (char c : value) {
        switch (c) {
            case '\b': out += "\\b"; break;
            case '\f': out += "\\f"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            case '\v': out += "\\v"; break;
            case '\\': out += "\\\\"; break;
            default: out += c;
        }
    }
    return out;
}

TEST(CopyTextDecode, LetterEscapes) {
    EXPECT_EQ(decoded("a\\bb"), "a\bb");
    EXPECT_EQ(decoded("\\f\\n\\r\\t\\v"), "\f\n\r\t\v");
    EXPECT_EQ(decoded("back\\\\slash"), "back\\slash");
    EXPECT_EQ(decoded(""), "");
    EXPECT_EQ(decoded("plain text"), "plain text");
}

TEST(CopyTextDecode, AnyOtherEscapedCharacterIsItself) {
    EXPECT_EQ(decoded("\\."), ".");
    EXPECT_EQ(decoded("\\a\\q\\z\\N\\N"), "aqzNN");  // \N is NULL only as the whole field
    EXPECT_EQ(decoded("tab\\\there"), "tab\there");  // a backslash before a literal tab
    EXPECT_EQ(decoded("line\\\nbreak"), "line\nbreak");
    EXPECT_EQ(decoded("\\\xc3\xa9"), "\xc3\xa9");  // the lead byte of é quoted, the rest verbatim
}

TEST(CopyTextDecode, Octal) {
    EXPECT_EQ(decoded("\\1"), "\x01");
    EXPECT_EQ(decoded("\\11"), "\t");
    EXPECT_EQ(decoded("\\101BC"), "ABC");
    EXPECT_EQ(decoded("\\1011"), "A1");  // at most three digits
    EXPECT_EQ(decoded("\\377"), "\xff");
    EXPECT_EQ(decoded("\\0"), std::string(1, '\0'));
    EXPECT_EQ(decoded("\\400"), std::string(1, '\0'));  // the server keeps the low 8 bits
    EXPECT_EQ(decoded("\\777"), "\xff");
    EXPECT_EQ(decoded("\\18"), "\x01" "8");  // 8 is not octal
    EXPECT_EQ(decoded("x\\7"), "x\x07");
    for (int value = 1; value <= 0377; ++value) {
        char digits[8];
        std::snprintf(digits, sizeof digits, "\\%o", value);
        EXPECT_EQ(decoded(digits), std::string(1, static_cast<char>(value))) << digits;
        std::snprintf(digits, sizeof digits, "\\%03o", value);
        EXPECT_EQ(decoded(digits), std::string(1, static_cast<char>(value))) << digits;
    }
}

TEST(CopyTextDecode, Hex) {
    EXPECT_EQ(decoded("\\x41"), "A");
    EXPECT_EQ(decoded("\\x4"), "\x04");
    EXPECT_EQ(decoded("\\x4g"), "\x04g");
    EXPECT_EQ(decoded("\\x414"), "A4");  // at most two digits
    EXPECT_EQ(decoded("\\xfF"), "\xff");
    EXPECT_EQ(decoded("\\xg"), "xg");  // no digit: a plain x
    EXPECT_EQ(decoded("\\x"), "x");
    for (int value = 1; value <= 0xff; ++value) {
        char digits[8];
        std::snprintf(digits, sizeof digits, "\\x%x", value);
        EXPECT_EQ(decoded(digits), std::string(1, static_cast<char>(value))) << digits;
        std::snprintf(digits, sizeof digits, "\\x%02X", value);
        EXPECT_EQ(decoded(digits), std::string(1, static_cast<char>(value))) << digits;
    }
}

TEST(CopyTextDecode, TrailingLoneBackslashIsDropped) {
    EXPECT_EQ(decoded("abc\\"), "abc");
    EXPECT_EQ(decoded("\\"), "");
}

TEST(CopyTextNull, OnlyTheWholeFieldIsNull) {
    EXPECT_TRUE(is_null_field("\\N"));
    EXPECT_FALSE(is_null_field("\\\\N"));
    EXPECT_FALSE(is_null_field("\\N "));
    EXPECT_FALSE(is_null_field("N"));
    EXPECT_FALSE(is_null_field("\\n"));
    EXPECT_FALSE(is_null_field(""));
    std::string out = "x";
    encode_null(out);
    EXPECT_EQ(out, "x\\N");
}

TEST(CopyTextEncode, EscapesWhatTheServerEscapes) {
    EXPECT_EQ(encoded("a\tb\nc\rd\\e"), "a\\tb\\nc\\rd\\\\e");
    EXPECT_EQ(encoded("\b\f\v"), "\\b\\f\\v");
    EXPECT_EQ(encoded("\\N"), "\\\\N");  // a two-character text, not NULL
    EXPECT_EQ(encoded(""), "");
    EXPECT_EQ(encoded("\x01\x1f\x7f"), "\x01\x1f\x7f");  // other control characters go out as they are
    EXPECT_EQ(encoded("Zo\xc3\xab \xe2\x82\xac \xf0\x9f\x98\x80"), "Zo\xc3\xab \xe2\x82\xac \xf0\x9f\x98\x80");
    std::string out = "prefix|";
    encode_field("x\ty", out);
    EXPECT_EQ(out, "prefix|x\\ty");  // appends
    for (int byte = 0; byte < 256; ++byte) {
        const std::string value(1, static_cast<char>(byte));
        EXPECT_EQ(encoded(value), server_escape(value)) << "byte " << byte;
    }
}

TEST(CopyTextSplit, FieldsAndTerminators) {
    EXPECT_EQ(split("1\tab\t\\N\n"), (std::vector<std::string>{"1", "ab", "\\N"}));
    EXPECT_EQ(split("1\tab\t\\N"), (std::vector<std::string>{"1", "ab", "\\N"}));
    EXPECT_EQ(split("1\tab\r\n"), (std::vector<std::string>{"1", "ab"}));
    EXPECT_EQ(split("\n"), (std::vector<std::string>{""}));
    EXPECT_EQ(split(""), (std::vector<std::string>{""}));
    EXPECT_EQ(split("\t\t\n"), (std::vector<std::string>{"", "", ""}));
    EXPECT_EQ(split("a\t\n"), (std::vector<std::string>{"a", ""}));
}

TEST(CopyTextSplit, EscapedTabsAndNewlinesStayInTheField) {
    EXPECT_EQ(split("a\\\tb\tc\n"), (std::vector<std::string>{"a\\\tb", "c"}));
    EXPECT_EQ(split("a\\\\\tb\n"), (std::vector<std::string>{"a\\\\", "b"}));
    EXPECT_EQ(split("a\\\\\\\tb\n"), (std::vector<std::string>{"a\\\\\\\tb"}));
    EXPECT_EQ(split("a\\\n"), (std::vector<std::string>{"a\\\n"}));  // an escaped newline is data
    EXPECT_EQ(split("a\\\n\n"), (std::vector<std::string>{"a\\\n"}));
    EXPECT_EQ(split("a\\\\\n"), (std::vector<std::string>{"a\\\\"}));
    EXPECT_EQ(split("a\\\r\n"), (std::vector<std::string>{"a\\\r"}));
    EXPECT_EQ(split("x\t\\"), (std::vector<std::string>{"x", "\\"}));
    EXPECT_EQ(split("x\t\\\t"), (std::vector<std::string>{"x", "\\\t"}));
    EXPECT_EQ(split("\\t\\n\tz"), (std::vector<std::string>{"\\t\\n", "z"}));
}

TEST(CopyTextSplit, EscapesAcrossSixteenByteBlocks) {
    // The splitter looks at 16 bytes at a time: an escape may start in one block and end in the next.
    for (std::size_t prefix = 0; prefix < 40; ++prefix) {
        const std::string padding(prefix, 'p');
        EXPECT_EQ(split(padding + "\\\tq\tr\n"), (std::vector<std::string>{padding + "\\\tq", "r"})) << prefix;
        EXPECT_EQ(split(padding + "\\\\\tr\n"), (std::vector<std::string>{padding + "\\\\", "r"})) << prefix;
        EXPECT_EQ(split(padding + "\t" + padding), (std::vector<std::string>{padding, padding})) << prefix;
    }
}

// Values that stress the codec: everything the escaper touches, look-alikes of \N and of escapes,
// multibyte UTF-8 and raw high bytes (as a LATIN1 or SQL_ASCII database sends them).
std::string random_value(std::mt19937_64& random) {
    static const std::vector<std::string> pieces = {
        "\t", "\n", "\r", "\\", "\\N", "N", "\\.", ".", "\b", "\f", "\v", "\x01", "\x7f", " ",
        "\\t", "x", "41", "\\x41", "\\101", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\x80", "\xff",
        "\xa0", "\x5c\x5c", "''", "\"", "{", "}", ",", "a@example.com", "\r\n"};
    std::uniform_int_distribution<int> length(0, 12);
    std::uniform_int_distribution<std::size_t> piece(0, pieces.size() + 3);
    std::uniform_int_distribution<int> byte(1, 255);
    std::string value;
    for (int count = length(random); count > 0; --count) {
        const std::size_t choice = piece(random);
        if (choice < pieces.size()) value += pieces[choice];
        else value += static_cast<char>(byte(random));
    }
    return value;
}

TEST(CopyTextRoundTrip, GeneratedRowsComeBackByteForByte) {
    std::mt19937_64 random(20261121);
    std::uniform_int_distribution<int> columns(1, 9);
    std::uniform_int_distribution<int> null_chance(0, 5);
    std::vector<std::string_view> fields;
    std::string scratch;
    for (int row_idx = 0; row_idx < 20000; ++row_idx) {
        std::vector<std::optional<std::string>> values;
        std::string row;
        for (int column_idx = columns(random); column_idx > 0; --column_idx) {
            if (!values.empty()) row += '\t';
            if (null_chance(random) == 0) {
                values.emplace_back();
                row += "\\N";
            } else {
                values.push_back(random_value(random));
                row += server_escape(*values.back());
            }
        }
        row += '\n';

        split_fields(row, fields);
        ASSERT_EQ(fields.size(), values.size()) << "row " << row_idx;
        std::string rebuilt;
        for (std::size_t column_idx = 0; column_idx < fields.size(); ++column_idx) {
            if (column_idx > 0) rebuilt += '\t';
            if (is_null_field(fields[column_idx])) {
                ASSERT_FALSE(values[column_idx].has_value()) << "row " << row_idx << " column " << column_idx;
                encode_null(rebuilt);
                continue;
            }
            decode_field(fields[column_idx], scratch);
            ASSERT_TRUE(values[column_idx].has_value()) << "row " << row_idx << " column " << column_idx;
            ASSERT_EQ(scratch, *values[column_idx]) << "row " << row_idx << " column " << column_idx;
            encode_field(scratch, rebuilt);
        }
        rebuilt += '\n';
        ASSERT_EQ(rebuilt, row) << "row " << row_idx;
    }
}

TEST(CopyTextRoundTrip, DecodeOfAnyInputReencodesToAFixedPoint) {
    // Input the server accepts but never writes (octal, hex, needless escapes) decodes to a value
    // whose encoding decodes back to the same value.
    std::mt19937_64 random(7);
    std::string value;
    std::string again;
    for (int count = 0; count < 20000; ++count) {
        const std::string raw = random_value(random);
        decode_field(raw, value);
        const std::string canonical = encoded(value);
        decode_field(canonical, again);
        ASSERT_EQ(again, value) << "case " << count;
        ASSERT_EQ(split(canonical).size(), 1u) << "case " << count;
    }
}

}  // namespace
}  // namespace understudy::anonymizer
