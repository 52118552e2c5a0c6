// The anonymizer's fast paths (issue 12) against the plain code they replaced: transformers writing
// into a reused buffer, the prefix-once keyed hash, COPY escaping by blocks and base32 by groups.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "../../../anonymizer/src/transformers/keyed_permutation.hpp"
#include "understudy/anonymizer/copy_text.hpp"
#include "understudy/anonymizer/rules.hpp"
#include "understudy/anonymizer/secret.hpp"

namespace understudy::anonymizer {
namespace {

class Row final : public RowView {
public:
    const Value& column(std::string_view) const override { return m_value; }

private:
    Value m_value = std::string("Nora");
};

std::unique_ptr<Transformer> transformer_for(const std::string& rule, const Secret& secret) {
    const auto rules = RuleSet::from_yaml(YAML::Load("anonymize:\n  tables:\n    public.t:\n      c: " + rule + "\n"), "t.yml");
    return rules.make_transformer(*rules.find("public.t", "c"), secret);
}

std::string random_text(std::mt19937_64& random, std::size_t length) {
    static const char k_letters[] = "abcXYZ019 @.-\t\\\n\xc3\xa9";
    std::string text;
    for (std::size_t char_idx = 0; char_idx < length; ++char_idx) text += k_letters[random() % (sizeof k_letters - 1)];
    return text;
}

// The buffer a transformer writes into holds the previous value, often a longer one: what comes out
// must be exactly the new value, nothing appended to or left over from the old one.
TEST(TransformerBuffers, WritingIntoAReusedBufferGivesTheFreshValue) {
    const Secret secret = Secret::from_text("transformer buffers test secret", "test");
    const Row row;
    const char* const k_rules[] = {
        "keep", "null", "{fixed: \"fixed value\"}", "{fixed: \"x\", nulls: replace}", "hash", "{hash: {length: 12}}",
        "{hash: uuid}", "{fake: email}", "{fake: full_name}", "{fake: phone}", "{fake: username}", "{fake: url}",
        "{fake: credit_card}", "{fake: iban}", "{fake: ipv6}", "{mask: {keep_last: 2}}", "{template: \"{c}!\"}",
        "{array: {fake: first_name}}", "{scrub: all}"};
    std::mt19937_64 random(3);
    for (const char* rule : k_rules) {
        const auto transformer = transformer_for(rule, secret);
        std::string buffer(1000, 'Z');  // a long stale value first
        for (int input_idx = 0; input_idx < 200; ++input_idx) {
            // Lengths cross the stack block of the permutation (256) and of the hash input (512).
            const std::size_t length = input_idx % 10 == 0 ? 200 + random() % 600 : random() % 40;
            Value input = std::string(rule).rfind("{array", 0) == 0 ? Value("{a,\"b c\",NULL}") : Value(random_text(random, length));
            if (input_idx % 17 == 0) input = std::nullopt;
            const Value expected = transformer->apply(input, row);
            const bool written = transformer->write(input, row, buffer);
            ASSERT_EQ(written, expected.has_value()) << rule;
            if (written) {
                ASSERT_EQ(buffer, *expected) << rule << " input " << input_idx;
            }
        }
    }
}

TEST(TransformerBuffers, ClassHashEqualsSecretHash64And128) {
    const Secret secret = Secret::from_text("transformer buffers test secret", "test");
    std::mt19937_64 random(5);
    // Classes around the 64-byte prefix block, values around the 512-byte stack input.
    for (std::size_t class_length : {0, 1, 5, 26, 62, 63, 64, 65, 130}) {
        const std::string pseudonym_class(class_length, 'k');
        const ClassHash hash(secret, pseudonym_class);
        for (std::size_t value_length : {0, 1, 15, 16, 17, 100, 128, 129, 240, 241, 440, 447, 448, 449, 511, 600}) {
            const std::string value = random_text(random, value_length);
            EXPECT_EQ(hash(value), secret.hash64(pseudonym_class, value)) << class_length << " " << value_length;
            EXPECT_EQ(hash.wide(value), secret.hash128(pseudonym_class, value)) << class_length << " " << value_length;
        }
    }
}

// The server's escaping (CopyAttributeOutText), one byte at a time: seven bytes become a backslash
// and a letter, every other byte goes out as it is.
std::string reference_escape(const std::string& value) {
    static const std::string k_escaped = "\b\f\n\r\t\v\\";
    static const std::string k_letters = "bfnrtv\\";
    std::string out;
    for (char c : value) {
        const std::size_t found = k_escaped.find(c);
        if (found == std::string::npos) {
            out += c;
            continue;
        }
        out += '\\';
        out += k_letters[found];
    }
    return out;
}

// Every length up to three blocks, every position, every byte near the escaped range: the block
// test must send exactly the values with an escape down the slow path.
TEST(TransformerBuffers, BlockEscapingEqualsByteByByteEscaping) {
    const char k_bytes[] = {'\0', '\x01', '\b', '\t', '\n', '\v', '\f', '\r', '\x0e', '\\', 'a', '\x7f',
                            static_cast<char>(0x80), static_cast<char>(0xdc), static_cast<char>(0xff)};
    for (std::size_t length = 0; length <= 48; ++length) {
        for (std::size_t position = 0; position < std::max<std::size_t>(length, 1); ++position) {
            for (char byte : k_bytes) {
                std::string value(length, 'm');
                if (length > 0) value[position] = byte;
                std::string appended = "prefix";
                encode_field(value, appended);
                ASSERT_EQ(appended, "prefix" + reference_escape(value)) << length << " " << position << " " << int(byte);
                std::string room(2 * length, '?');
                char* end = encode_field(value, room.data());
                ASSERT_EQ(std::string(room.data(), static_cast<std::size_t>(end - room.data())), reference_escape(value));
            }
        }
    }
}

// Splitting one byte at a time: a backslash makes the next byte data, an unescaped tab ends a field.
std::vector<std::string> reference_split(const std::string& row) {
    std::vector<std::string> fields(1);
    for (std::size_t pos = 0; pos < row.size(); ++pos) {
        if (row[pos] == '\t') {
            fields.emplace_back();
            continue;
        }
        fields.back() += row[pos];
        if (row[pos] == '\\' && pos + 1 < row.size()) fields.back() += row[++pos];
    }
    return fields;
}

// Rows of every length up to three blocks, tabs and backslashes anywhere: the blocks (and the last,
// overlapping one) must split exactly where the byte-by-byte reading does.
TEST(TransformerBuffers, BlockSplittingEqualsByteByByteSplitting) {
    std::mt19937_64 random(13);
    const char k_bytes[] = {'a', 'a', 'a', '\t', '\\', 'z'};
    for (std::size_t length = 0; length <= 48; ++length) {
        for (int variant = 0; variant < 200; ++variant) {
            std::string row;
            for (std::size_t pos = 0; pos < length; ++pos) row += k_bytes[random() % sizeof k_bytes];
            if (!row.empty() && row.back() == '\\') row.back() = 'e';  // a final backslash would quote the line end
            std::vector<std::string_view> fields;
            split_fields(row, fields);
            const std::vector<std::string> expected = reference_split(row);
            ASSERT_EQ(fields.size(), expected.size()) << row;
            for (std::size_t field_idx = 0; field_idx < fields.size(); ++field_idx) {
                ASSERT_EQ(std::string(fields[field_idx]), expected[field_idx]) << row;
            }
        }
    }
}

std::string reference_base32(const std::string& bytes) {
    static const char k_alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
    std::string bits;
    for (unsigned char byte : bytes) {
        for (int bit = 7; bit >= 0; --bit) bits += ((byte >> bit) & 1) ? '1' : '0';
    }
    while (bits.size() % 5 != 0) bits += '0';
    std::string out;
    for (std::size_t at = 0; at < bits.size(); at += 5) out += k_alphabet[std::stoi(bits.substr(at, 5), nullptr, 2)];
    return out;
}

TEST(TransformerBuffers, Base32ByGroupsEqualsBitByBit) {
    std::mt19937_64 random(9);
    for (std::size_t length = 0; length <= 41; ++length) {
        std::string bytes;
        for (std::size_t byte_idx = 0; byte_idx < length; ++byte_idx) bytes += static_cast<char>(random() & 0xff);
        std::string out = "code:";
        append_base32(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), out);
        EXPECT_EQ(out, "code:" + reference_base32(bytes)) << length;
    }
}

// append_padded_* keep short blocks on the stack and long ones on the heap; both equal permute_padded.
TEST(TransformerBuffers, PaddedCodesEqualThePermutedBlock) {
    const Secret secret = Secret::from_text("transformer buffers test secret", "test");
    const KeyedPermutation permutation(secret, "email");
    std::mt19937_64 random(11);
    for (std::size_t length : {0, 1, 14, 15, 16, 29, 254, 255, 256, 300, 1000}) {
        const std::string value = random_text(random, length);
        std::string block;
        permutation.permute_padded(value, block);
        const auto* bytes = reinterpret_cast<const unsigned char*>(block.data());
        std::string expected_base32, expected_hex, base32, hex;
        append_base32(bytes, block.size(), expected_base32);
        append_hex(bytes, block.size(), expected_hex);
        permutation.append_padded_base32(value, base32);
        permutation.append_padded_hex(value, hex);
        EXPECT_EQ(base32, expected_base32) << length;
        EXPECT_EQ(hex, expected_hex) << length;
    }
}

}  // namespace
}  // namespace understudy::anonymizer
