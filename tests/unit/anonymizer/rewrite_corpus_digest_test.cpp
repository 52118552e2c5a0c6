// The row rewriter's output over a generated corpus (every rule kind; NULLs, escapes, multibyte text,
// values long enough for the heap and streaming paths, CRLF rows), pinned by a digest computed with
// the rewriter as it was before issue 12 made it faster (updated once, on purpose, when the codes of fake
// emails, usernames and URLs became one 128-bit keyed hash: docs/anonymization.md, "Pseudonym
// versions"). The golden vectors pin one value per rule;
// this pins thousands, so a fast path that differs only on some lengths or bytes cannot hide.
// Never update the digest to make the test pass: a change here changes users' pseudonyms.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "understudy/anonymizer/rules.hpp"
#include "understudy/anonymizer/secret.hpp"
#include "understudy/anonymizer/table_rewriter.hpp"

namespace understudy::anonymizer {
namespace {

// FNV-1a: a digest whose every bit is written down here, not taken from a library that may change.
std::uint64_t fnv1a(std::uint64_t digest, const std::string& bytes) {
    for (unsigned char byte : bytes) digest = (digest ^ byte) * 0x100000001b3ULL;
    return digest;
}

class Corpus {
public:
    std::string escaped_text() {
        static const char* const k_pieces[] = {"a", "b", "Z", "0", "7", "@", ".", "-", " ", "\t", "\\", "\n", "\r",
                                               "\b", "\x01", "\xc3\xa9", "\xe6\x97\xa5", "x", "q", "_"};
        const std::uint64_t roll = m_random() % 100;
        std::size_t length = roll < 70 ? m_random() % 24 : roll < 95 ? 24 + m_random() % 60 : 200 + m_random() % 500;
        std::string field;
        for (std::size_t piece_idx = 0; piece_idx < length; ++piece_idx) {
            const std::string piece = k_pieces[m_random() % (sizeof k_pieces / sizeof *k_pieces)];
            if (piece == "\\") field += "\\\\";
            else if (piece == "\t") field += "\\t";
            else if (piece == "\n") field += "\\n";
            else if (piece == "\r") field += "\\r";
            else field += piece;
        }
        return field;
    }
    std::string text_field() {
        const std::uint64_t roll = m_random() % 100;
        if (roll < 8) return "\\N";
        if (roll < 11) return "x\\101\\x42\\q";  // octal, hex and an escape that is the letter itself
        if (roll < 13) return "";
        return escaped_text();
    }
    std::string uuid_field() {
        const std::uint64_t roll = m_random() % 10;
        if (roll == 0) return "\\N";
        if (roll < 3) return escaped_text();
        static const char k_hex[] = "0123456789abcdef";
        std::string uuid;
        for (int digit_idx = 0; digit_idx < 32; ++digit_idx) {
            if (digit_idx == 8 || digit_idx == 12 || digit_idx == 16 || digit_idx == 20) uuid += '-';
            uuid += k_hex[m_random() % 16];
        }
        return uuid;
    }
    std::string array_field() {
        if (m_random() % 10 == 0) return "\\N";
        std::string array = "{";
        const std::uint64_t count = m_random() % 5;
        for (std::uint64_t element_idx = 0; element_idx < count; ++element_idx) {
            if (element_idx > 0) array += ",";
            const std::uint64_t kind = m_random() % 3;
            array += kind == 0 ? std::string("NULL") : kind == 1 ? std::string("\"b c\"") : "w" + std::to_string(m_random() % 1000);
        }
        return array + "}";
    }
    std::string number_field() {
        const std::uint64_t roll = m_random() % 6;
        if (roll == 0) return "\\N";
        if (roll == 1) return std::to_string(static_cast<long long>(m_random() % 2000000) - 1000000);
        if (roll == 2) return "1.5e+" + std::to_string(m_random() % 30);
        return std::to_string(m_random() % 100000) + "." + std::to_string(10 + m_random() % 90);
    }
    std::string timestamp_field() {
        if (m_random() % 10 == 0) return "\\N";
        auto two = [](std::uint64_t value) { return std::string(1, static_cast<char>('0' + value / 10)) + static_cast<char>('0' + value % 10); };
        return "20" + two(m_random() % 30) + "-" + two(1 + m_random() % 12) + "-" + two(1 + m_random() % 28) + " " +
               two(m_random() % 24) + ":" + two(m_random() % 60) + ":" + two(m_random() % 60) + "+00";
    }

private:
    std::mt19937_64 m_random{12};  // the standard fixes its output sequence
};

std::uint64_t digest_of(const std::string& yaml, const std::string& table, const std::vector<std::string>& columns,
                        std::string (Corpus::*const* generators)(), int rows) {
    const Secret secret = Secret::from_text("rewrite corpus digest secret", "test");
    const RuleSet rules = RuleSet::from_yaml(YAML::Load(yaml), "corpus.yml");
    TableRewriter rewriter(rules, secret, table, columns);
    Corpus corpus;
    std::uint64_t digest = 0xcbf29ce484222325ULL;
    std::string out;
    for (int row_idx = 0; row_idx < rows; ++row_idx) {
        std::string row = std::to_string(row_idx);
        for (std::size_t column_idx = 1; column_idx < columns.size(); ++column_idx) row += "\t" + (corpus.*generators[column_idx])();
        row += row_idx % 7 == 0 ? "\r\n" : "\n";
        out.clear();
        rewriter.rewrite(row, out);
        digest = fnv1a(digest, out);
    }
    return digest;
}

TEST(RewriteCorpusDigest, EveryRuleKindIsUnchanged) {
    const char* const k_rules[][2] = {
        {"c_null", "null"}, {"c_fixed", "{fixed: \"x\\ty\"}"}, {"c_fixed_r", "{fixed: \"abc\", nulls: replace}"},
        {"c_hash", "hash"}, {"c_hash16", "{hash: {form: hex, length: 16}}"}, {"c_first", "{fake: first_name}"},
        {"c_last", "{fake: last_name}"}, {"c_full", "{fake: full_name}"}, {"c_email", "{fake: email}"},
        {"c_user", "{fake: username, unique: true}"}, {"c_phone", "{fake: phone}"}, {"c_street", "{fake: street}"},
        {"c_city", "{fake: city}"}, {"c_post", "{fake: postcode}"}, {"c_country", "{fake: country}"},
        {"c_company", "{fake: company}"}, {"c_ipv4", "{fake: ipv4}"}, {"c_ipv6", "{fake: ipv6}"},
        {"c_url", "{fake: url}"}, {"c_card", "{fake: credit_card}"}, {"c_iban", "{fake: iban}"},
        {"c_billing", "{fake: email, class: billing}"}, {"c_mask", "{mask: {keep_first: 2, keep_last: 2, char: \"#\"}}"},
        {"c_mask_utf8", "{mask: {keep_first: 1, char: \"\xe2\x80\xa2\"}}"},
        {"c_template", "{template: \"{c_first}.{c_last}@{c_raw}\"}"},
    };
    std::string yaml = "anonymize:\n  default: keep\n  tables:\n    public.t:\n";
    std::vector<std::string> columns = {"id", "c_raw"};
    std::vector<std::string (Corpus::*)()> generators = {nullptr, &Corpus::text_field};
    for (const auto& rule : k_rules) {
        yaml += std::string("      ") + rule[0] + ": " + rule[1] + "\n";
        columns.push_back(rule[0]);
        generators.push_back(&Corpus::text_field);
    }
    yaml += "      c_uuid: {hash: uuid}\n      c_array: {array: {fake: first_name}}\n";
    columns.insert(columns.end(), {"c_uuid", "c_array"});
    generators.insert(generators.end(), {&Corpus::uuid_field, &Corpus::array_field});
    EXPECT_EQ(digest_of(yaml, "public.t", columns, generators.data(), 3000), 0x911e733b28820823ULL);
}

TEST(RewriteCorpusDigest, NumbersAndDatesAreUnchanged) {
    const std::string yaml =
        "anonymize:\n  default: keep\n  tables:\n    public.n:\n      amount: {noise: {range: 2.5}}\n"
        "      at: {noise: {range: \"2 hours\"}}\n      shifted: {date_shift: {max: \"365 days\", entity: owner}}\n";
    const std::vector<std::string> columns = {"id", "owner", "amount", "at", "shifted"};
    const std::vector<std::string (Corpus::*)()> generators = {nullptr, &Corpus::number_field, &Corpus::number_field,
                                                               &Corpus::timestamp_field, &Corpus::timestamp_field};
    EXPECT_EQ(digest_of(yaml, "public.n", columns, generators.data(), 3000), 0x2ea04d8defeda120ULL);
}

}  // namespace
}  // namespace understudy::anonymizer
