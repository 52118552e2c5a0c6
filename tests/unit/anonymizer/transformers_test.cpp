// Unit tests of the transformers' behaviour: checksums, masks, ranges, shifts, json/array, NULLs, injectivity.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <string>

#include "../../../anonymizer/src/transformers/keyed_permutation.hpp"
#include "../../../anonymizer/src/transformers/temporal.hpp"
#include "understudy/anonymizer/rules.hpp"
#include "understudy/anonymizer/secret.hpp"
#include "understudy/error.hpp"

namespace understudy::anonymizer {
namespace {

const Secret& test_secret() {
    static const Secret secret = Secret::from_text("test secret: 0123456789abcdef", "test");
    return secret;
}

class Row final : public RowView {
public:
    Row() = default;
    explicit Row(std::map<std::string, Value> values) : m_values(std::move(values)) {}
    const Value& column(std::string_view name) const override {
        auto found = m_values.find(std::string(name));
        if (found == m_values.end()) throw std::out_of_range("column " + std::string(name));
        return found->second;
    }

private:
    std::map<std::string, Value> m_values;
};

// The transformer for one rule written in YAML flow style, e.g. `{fake: email}`.
std::unique_ptr<Transformer> make(const std::string& rule, const Secret& secret = test_secret()) {
    auto root = YAML::Load("anonymize:\n  tables:\n    public.t:\n      c: " + rule + "\n");
    auto rules = RuleSet::from_yaml(root, "test.yml");
    return rules.make_transformer(*rules.find("public.t", "c"), secret);
}

std::string run(const Transformer& transformer, const std::string& input, const RowView& row = Row()) {
    auto result = transformer.apply(input, row);
    EXPECT_TRUE(result.has_value());
    return result.value_or("<null>");
}

bool luhn_valid(const std::string& digits) {
    int sum = 0;
    bool double_it = false;
    for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
        int digit = *it - '0';
        if (double_it) {
            digit *= 2;
            if (digit > 9) digit -= 9;
        }
        sum += digit;
        double_it = !double_it;
    }
    return sum % 10 == 0;
}

bool iban_valid(const std::string& iban) {
    std::string rearranged = iban.substr(4) + iban.substr(0, 4);
    int remainder = 0;
    for (char c : rearranged) {
        if (c >= '0' && c <= '9') remainder = (remainder * 10 + (c - '0')) % 97;
        else remainder = (remainder * 100 + (c - 'A' + 10)) % 97;
    }
    return remainder == 1;
}

TEST(Secret, RefusesEmptyAndShortSecretsWithoutEchoingThem) {
    EXPECT_THROW(Secret::from_text("", "UNDERSTUDY_SECRET"), Error);
    try {
        Secret::from_text("short-secret", "UNDERSTUDY_SECRET");
        FAIL() << "a 12-byte secret was accepted";
    } catch (const Error& error) {
        EXPECT_EQ(error.code(), ExitCode::config);
        EXPECT_EQ(std::string(error.what()).find("short-secret"), std::string::npos);
        EXPECT_NE(std::string(error.what()).find("UNDERSTUDY_SECRET"), std::string::npos);
    }
}

TEST(Secret, FromEnvironmentNeedsOneOfTheVariables) {
    ::unsetenv("UNDERSTUDY_SECRET");
    ::unsetenv("UNDERSTUDY_SECRET_FILE");
    EXPECT_THROW(Secret::from_environment(), Error);
    ::setenv("UNDERSTUDY_SECRET", "test secret: 0123456789abcdef", 1);
    auto secret = Secret::from_environment();
    EXPECT_EQ(secret.hash64("c", "v"), test_secret().hash64("c", "v"));
    ::setenv("UNDERSTUDY_SECRET", "", 1);
    EXPECT_THROW(Secret::from_environment(), Error);
    ::unsetenv("UNDERSTUDY_SECRET");
    const std::string path = ::testing::TempDir() + "understudy_secret_test";
    {
        std::ofstream file(path);
        file << "test secret: 0123456789abcdef\n";
    }
    ::setenv("UNDERSTUDY_SECRET_FILE", path.c_str(), 1);
    EXPECT_EQ(Secret::from_environment().hash64("c", "v"), test_secret().hash64("c", "v"));  // newline dropped
    std::remove(path.c_str());
    EXPECT_THROW(Secret::from_environment(), Error);
    ::unsetenv("UNDERSTUDY_SECRET_FILE");
}

TEST(Secret, ClassSeparatesDomainsAndLongValuesHashLikeShortOnes) {
    const auto& secret = test_secret();
    EXPECT_NE(secret.hash64("email", "a@b.c"), secret.hash64("phone", "a@b.c"));
    EXPECT_NE(secret.hash64("ab", "c"), secret.hash64("a", "bc"));  // the \0 separator
    std::string long_value(2000, 'x');
    EXPECT_EQ(secret.hash64("c", long_value), secret.hash64("c", long_value));
    EXPECT_NE(secret.hash64("c", long_value), secret.hash64("c", long_value + "y"));
    auto other = Secret::from_text("another secret of enough length", "test");
    EXPECT_NE(secret.hash64("email", "a@b.c"), other.hash64("email", "a@b.c"));
}

TEST(KeyedPermutation, IsABijectionOnEveryLength) {
    KeyedPermutation permutation(test_secret(), "test");
    for (std::size_t length = 2; length < 40; ++length) {
        std::string original;
        for (std::size_t byte_idx = 0; byte_idx < length; ++byte_idx) original += static_cast<char>(byte_idx * 37 + length);
        std::string bytes = original;
        permutation.permute(reinterpret_cast<unsigned char*>(bytes.data()), length);
        EXPECT_NE(bytes, original) << length;
        permutation.unpermute(reinterpret_cast<unsigned char*>(bytes.data()), length);
        EXPECT_EQ(bytes, original) << length;
    }
}

TEST(KeyedPermutation, PaddedOutputsAreDistinctForManyInputs) {
    KeyedPermutation permutation(test_secret(), "test");
    std::set<std::string> outputs;
    std::string out;
    // Prefixes and trailing NULs are the inputs a careless padding would confuse.
    std::vector<std::string> inputs = {"", std::string(1, '\0'), std::string(2, '\0'), "a", std::string("a\0", 2)};
    for (int number = 0; number < 20000; ++number) inputs.push_back("user" + std::to_string(number) + "@example.com");
    for (const auto& input : inputs) {
        permutation.permute_padded(input, out);
        EXPECT_GE(out.size(), KeyedPermutation::k_min_block);
        outputs.insert(out);
    }
    EXPECT_EQ(outputs.size(), inputs.size());
}

TEST(Fake, UniqueEmailIsInjectiveOverManyInputs) {
    auto email = make("{fake: email, unique: true}");
    EXPECT_TRUE(email->injective());
    std::set<std::string> outputs;
    const int count = 50000;
    for (int number = 0; number < count; ++number) {
        auto out = run(*email, "person" + std::to_string(number) + "@corp.example");
        ASSERT_NE(out.find('@'), std::string::npos);
        outputs.insert(out);
    }
    EXPECT_EQ(outputs.size(), static_cast<std::size_t>(count));
}

// The code of emails, usernames and URLs is one keyed hash per value: the base32 of the 128-bit hash
// of the input in the rule's class, at a fixed length whatever the input's, so it says nothing of it.
TEST(Fake, CodeIsTheBase32OfOneKeyed128BitHash) {
    for (const std::string& value : {std::string("alice@example.com"), std::string("b"), std::string(700, 'x')}) {
        const auto hash = test_secret().hash128("email", value);
        std::string code;
        append_base32(hash.data(), hash.size(), code);
        ASSERT_EQ(code.size(), 26u);
        const std::string email = run(*make("{fake: email}"), value);
        EXPECT_NE(email.find("." + code + "@example."), std::string::npos) << email;
        EXPECT_LE(email.size(), *make("{fake: email}")->max_length());
        const auto billing = test_secret().hash128("billing", value);
        std::string billing_code;
        append_base32(billing.data(), billing.size(), billing_code);
        EXPECT_NE(run(*make("{fake: username, class: billing}"), value).find(billing_code), std::string::npos);
    }
}

TEST(Fake, UniqueUsernameAndHashHexAreInjective) {
    auto username = make("{fake: username, unique: true}");
    auto hash = make("{hash: hex}");
    std::set<std::string> usernames, hashes;
    for (int number = 0; number < 20000; ++number) {
        usernames.insert(run(*username, std::to_string(number)));
        hashes.insert(run(*hash, std::to_string(number)));
    }
    EXPECT_EQ(usernames.size(), 20000u);
    EXPECT_EQ(hashes.size(), 20000u);
}

TEST(Fake, SameInputSameOutputAcrossRulesOfOneClass) {
    auto users_email = make("{fake: email}");
    auto orders_email = make("{fake: email}");
    EXPECT_EQ(run(*users_email, "ann@shop.example"), run(*orders_email, "ann@shop.example"));
    // users.email under a unique index and orders.customer_email without one still join.
    EXPECT_EQ(run(*make("{fake: email, unique: true}"), "ann@shop.example"), run(*orders_email, "ann@shop.example"));
    auto separate = make("{fake: email, class: billing}");
    EXPECT_NE(run(*users_email, "ann@shop.example"), run(*separate, "ann@shop.example"));
    auto other_secret = Secret::from_text("a completely different secret", "test");
    EXPECT_NE(run(*users_email, "ann@shop.example"), run(*make("{fake: email}", other_secret), "ann@shop.example"));
}

TEST(Fake, CreditCardsPassLuhnAndIbansPassMod97) {
    auto card = make("{fake: credit_card}");
    auto iban = make("{fake: iban}");
    for (int number = 0; number < 2000; ++number) {
        auto digits = run(*card, "4111 1111 1111 " + std::to_string(number));
        ASSERT_EQ(digits.size(), 16u);
        EXPECT_TRUE(luhn_valid(digits)) << digits;
        auto account = run(*iban, "GB82 WEST 1234 5698 7654 " + std::to_string(number));
        ASSERT_EQ(account.size(), 22u);
        EXPECT_EQ(account.substr(0, 2), "DE");
        EXPECT_TRUE(iban_valid(account)) << account;
    }
}

TEST(Fake, AddressesAreFromReservedRanges) {
    auto ipv4 = make("{fake: ipv4}");
    auto ipv6 = make("{fake: ipv6}");
    for (int number = 0; number < 500; ++number) {
        auto v4 = run(*ipv4, "192.168.1." + std::to_string(number));
        EXPECT_EQ(v4.rfind("10.", 0), 0u) << v4;
        EXPECT_EQ(std::count(v4.begin(), v4.end(), '.'), 3);
        auto v6 = run(*ipv6, "fe80::" + std::to_string(number));
        EXPECT_EQ(v6.rfind("2001:db8:", 0), 0u) << v6;
        EXPECT_EQ(std::count(v6.begin(), v6.end(), ':'), 7);
    }
}

TEST(Fake, EveryKindProducesSomething) {
    for (const char* kind : {"first_name", "last_name", "full_name", "email", "username", "phone", "street", "city",
                             "postcode", "country", "company", "ipv4", "ipv6", "url", "credit_card", "iban"}) {
        auto transformer = make(std::string("{fake: ") + kind + "}");
        EXPECT_FALSE(run(*transformer, "input").empty()) << kind;
        const std::string name = kind;
        EXPECT_EQ(transformer->injective(), name == "email" || name == "username" || name == "url") << kind;
    }
}

TEST(Nulls, StayNullUnlessAFixedRuleReplacesThem) {
    for (const char* rule : {"keep", "null", "{fixed: x}", "{hash: hex}", "{hash: uuid}", "{fake: email}",
                             "{mask: {keep_last: 2}}", "{noise: {range: 10}}", "{date_shift: {max: \"30 days\"}}",
                             "{template: \"{a}\"}", "{json: {\"$.a\": {fake: email}}}", "{array: {fake: email}}"}) {
        EXPECT_FALSE(make(rule)->apply(std::nullopt, Row({{"a", std::string("x")}})).has_value()) << rule;
    }
    EXPECT_EQ(make("{fixed: x, nulls: replace}")->apply(std::nullopt, Row()), Value("x"));
    EXPECT_EQ(make("{fixed: x}")->apply(std::string("secret"), Row()), Value("x"));
}

TEST(Mask, KeepsFirstAndLastCharactersAndRespectsUtf8) {
    EXPECT_EQ(run(*make("{mask: {keep_last: 2}}"), "+49 170 1234567"), "*************67");
    EXPECT_EQ(run(*make("{mask: {keep_first: 1, keep_last: 1, char: \"#\"}}"), "secret"), "s####t");
    EXPECT_EQ(run(*make("{mask: {keep_first: 2, char: \"•\"}}"), "Jürgen"), "Jü••••");
    EXPECT_EQ(run(*make("{mask: {keep_last: 4}}"), "abc"), "***");  // too short to keep anything
    EXPECT_EQ(run(*make("{mask: {}}"), "äb"), "**");
}

TEST(Noise, NumbersStayWithinTheRangeAndKeepTheirScale) {
    auto integer = make("{noise: {range: 10}}");
    auto decimal = make("{noise: {range: 5}}");
    bool moved = false;
    for (int number = 0; number < 1000; ++number) {
        auto out = std::stol(run(*integer, std::to_string(number)));
        EXPECT_LE(std::labs(out - number), 10);
        moved = moved || out != number;
        auto text = run(*decimal, std::to_string(number) + ".25");
        ASSERT_EQ(text.size() - text.find('.'), 3u) << text;
        EXPECT_LE(std::fabs(std::stod(text) - (number + 0.25)), 5.0 + 1e-9);
    }
    EXPECT_TRUE(moved);
    EXPECT_EQ(run(*integer, "42"), run(*integer, "42"));
    EXPECT_EQ(run(*integer, "NaN"), "NaN");
    EXPECT_THROW(integer->apply(std::string("forty-two"), Row()), Error);
}

TEST(Noise, DatesMoveWholeDaysWithinTheRange) {
    auto noise = make("{noise: {range: \"30 days\"}}");
    for (int day = 1; day <= 28; ++day) {
        std::string date = "2024-02-" + std::string(day < 10 ? "0" : "") + std::to_string(day);
        auto out = run(*noise, date);
        ASSERT_EQ(out.size(), 10u) << out;
        auto timestamp = run(*noise, date + " 12:34:56.789+00");
        EXPECT_EQ(timestamp.substr(10), " 12:34:56.789+00") << timestamp;
    }
}

TEST(Temporal, ShiftsKeepTheShape) {
    std::string out;
    ASSERT_TRUE(shift_temporal("2024-02-28", 86400, out));
    EXPECT_EQ(out, "2024-02-29");
    ASSERT_TRUE(shift_temporal("2024-12-31 23:59:59.5-05:30", 2, out));
    EXPECT_EQ(out, "2025-01-01 00:00:01.5-05:30");
    ASSERT_TRUE(shift_temporal("00:00:10", -20, out));
    EXPECT_EQ(out, "23:59:50");
    ASSERT_TRUE(shift_temporal("infinity", 86400, out));
    EXPECT_EQ(out, "infinity");
    ASSERT_TRUE(shift_temporal("2000-03-01", -86400 * 366, out));
    EXPECT_EQ(out, "1999-03-01");
    EXPECT_FALSE(shift_temporal("yesterday", 1, out));
    EXPECT_FALSE(shift_temporal("0044-03-15 BC", 1, out));
    EXPECT_EQ(parse_duration_seconds("30 days"), 30 * 86400);
    EXPECT_EQ(parse_duration_seconds("1 year"), 365 * 86400);
    EXPECT_EQ(parse_duration_seconds("12 hours"), 12 * 3600);
    EXPECT_EQ(parse_duration_seconds("7"), 7 * 86400);
    EXPECT_FALSE(parse_duration_seconds("soon").has_value());
}

// Property: shifting by s then by -s gives back the value, over generated timestamps of every shape.
TEST(Temporal, ShiftThereAndBackIsIdentity) {
    std::uint64_t state = 99;
    auto next = [&state](std::uint64_t bound) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return (state >> 33) % bound;
    };
    auto two = [](std::uint64_t value) { return std::string(value < 10 ? "0" : "") + std::to_string(value); };
    const char* suffixes[] = {"", ".5", ".123456", "+00", "-05:30", ".25+02"};
    std::string there, back;
    for (int case_idx = 0; case_idx < 5000; ++case_idx) {
        std::string value = std::to_string(1900 + next(300)) + "-" + two(1 + next(12)) + "-" + two(1 + next(28));
        const auto shape = next(3);
        if (shape > 0) value += " " + two(next(24)) + ":" + two(next(60)) + ":" + two(next(60)) + suffixes[next(6)];
        const std::int64_t seconds = static_cast<std::int64_t>(next(400 * 86400)) - 200 * 86400;
        const std::int64_t shift = shape == 0 ? seconds - seconds % 86400 : seconds;
        ASSERT_TRUE(shift_temporal(value, shift, there)) << value;
        ASSERT_TRUE(shift_temporal(there, -shift, back)) << there;
        EXPECT_EQ(back, value) << shift;
    }
}

TEST(DateShift, KeepsIntervalsWithinOneEntity) {
    auto shift = make("{date_shift: {max: \"365 days\", entity: user_id}}");
    EXPECT_EQ(shift->referenced_columns(), std::vector<std::string>{"user_id"});
    std::set<std::string> first_dates;
    for (int user = 0; user < 50; ++user) {
        Row row({{"user_id", std::to_string(user)}});
        auto signup = run(*shift, "2024-01-10 08:00:00", row);
        auto order = run(*shift, "2024-01-17 09:30:00", row);
        std::string expected;
        ASSERT_TRUE(shift_temporal(signup, 7 * 86400 + 5400, expected));
        EXPECT_EQ(order, expected) << "user " << user;
        EXPECT_NE(signup, "2024-01-10 08:00:00");
        first_dates.insert(signup);
    }
    EXPECT_GT(first_dates.size(), 40u);  // entities get different offsets
}

TEST(Template, BuildsFromOtherColumns) {
    auto email = make("{template: \"{first_name}.{last_name}@example.com\"}");
    EXPECT_EQ(email->referenced_columns(), (std::vector<std::string>{"first_name", "last_name"}));
    Row row({{"first_name", std::string("Ada")}, {"last_name", std::string("Lovelace")}});
    EXPECT_EQ(run(*email, "old@real.example", row), "Ada.Lovelace@example.com");
    EXPECT_EQ(run(*make("{template: \"{{{a}}}\"}"), "x", Row({{"a", std::nullopt}})), "{}");
}

TEST(Json, RewritesSelectedLeavesOnly) {
    auto json = make("{json: {\"$.contacts[*].email\": {fake: email}, \"$.name\": {fake: full_name}, \"$.ssn\": null}}");
    auto email = make("{fake: email}");
    auto out = run(*json, R"({"name": "Ann Real", "ssn": {"n": "123"}, "age": 41, "contacts": [{"email": "a@x.example", "kind": "home"}, {"email": "b@y.example"}]})");
    auto expected_a = run(*email, "a@x.example");
    EXPECT_NE(out.find("\"email\":\"" + expected_a + "\""), std::string::npos) << out;
    EXPECT_NE(out.find("\"kind\":\"home\""), std::string::npos) << out;
    EXPECT_NE(out.find("\"ssn\":null"), std::string::npos) << out;
    EXPECT_NE(out.find("\"age\":41"), std::string::npos) << out;
    EXPECT_EQ(out.find("Ann Real"), std::string::npos) << out;
    EXPECT_EQ(out.find("a@x.example"), std::string::npos) << out;
    EXPECT_EQ(out.rfind("{\"name\"", 0), 0u) << out;  // key order kept
    EXPECT_THROW(json->apply(std::string("{not json"), Row()), Error);
}

TEST(Json, NumbersKeepTheirSourceText) {
    auto json = make("{json: {\"$.email\": {fake: email}, \"$.n[0]\": {noise: {range: 1}}}}");
    auto out = run(*json, R"({"price": 1.10, "big": 123456789012345678901234, "small": 1e-300, "int": -7, "n": [2.50], "t": true})");
    EXPECT_NE(out.find("\"price\":1.10,\"big\":123456789012345678901234,\"small\":1e-300,\"int\":-7,\"n\":["),
              std::string::npos) << out;
    auto noisy = out.substr(out.find("\"n\":[") + 5);
    EXPECT_EQ(noisy.find('.'), 1u) << out;  // 2.50 moved within ±1, still with two decimals
    EXPECT_EQ(noisy.substr(4), "],\"t\":true}") << out;
}

TEST(Json, BracketKeysIndexesAndNumbers) {
    auto json = make("{json: {\"$[\\\"a b\\\"][1]\": {noise: {range: 1}}}}");
    auto out = run(*json, R"({"a b": [10, 20, 30]})");
    EXPECT_EQ(out.rfind("{\"a b\":[10,", 0), 0u) << out;
    EXPECT_EQ(out.substr(out.size() - 5), ",30]}") << out;
}

TEST(Array, AppliesTheRuleToEachElementAndRequotes) {
    auto array = make("{array: {mask: {keep_first: 1}}}");
    EXPECT_EQ(run(*array, "{alpha,\"b c\",NULL,\"\"}"), "{a****,b**,NULL,\"\"}");
    EXPECT_EQ(run(*array, "{{ab,cd},{ef,gh}}"), "{{a*,c*},{e*,g*}}");
    EXPECT_EQ(run(*array, "[0:1]={ab,cd}"), "[0:1]={a*,c*}");
    EXPECT_EQ(run(*array, "{}"), "{}");
    EXPECT_EQ(run(*make("{array: {fixed: \"x y\"}}"), "{a}"), "{\"x y\"}");
    EXPECT_EQ(run(*make("{array: {fixed: \"NULL\"}}"), "{a}"), "{\"NULL\"}");
    EXPECT_EQ(run(*make("{array: {fixed: \"q\\\"\\\\\"}}"), "{a}"), "{\"q\\\"\\\\\"}");
    EXPECT_EQ(run(*make("{array: keep}"), "{\"a\\\\b\",\"NULL\"}"), "{\"a\\\\b\",\"NULL\"}");
    EXPECT_THROW(array->apply(std::string("{unclosed"), Row()), Error);
}

// Property: `{array: keep}` gives back any array literal written the way array_out writes it, over
// generated elements full of the characters that force quoting.
TEST(Array, KeepIsIdentityOnGeneratedLiterals) {
    auto keep = make("{array: keep}");
    const std::string alphabet = "ab ,{}\"\\\tNUL\xc3\xa9x";
    std::uint64_t state = 12345;
    auto next = [&state]() {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return state >> 33;
    };
    auto element = [&]() {
        if (next() % 7 == 0) return std::string("NULL");
        std::string value;
        const auto length = next() % 6;
        for (std::uint64_t char_idx = 0; char_idx < length; ++char_idx) value += alphabet[next() % alphabet.size()];
        if (value == "\xc3" || (!value.empty() && static_cast<unsigned char>(value.back()) == 0xc3)) value += "\xa9";
        bool quote = value.empty() || value == "NULL" || value.find_first_of(" ,{}\"\\\t") != std::string::npos;
        for (const char* word : {"null", "Null", "NULL"}) quote = quote || value == word;
        if (!quote) return value;
        std::string quoted = "\"";
        for (char c : value) {
            if (c == '"' || c == '\\') quoted += '\\';
            quoted += c;
        }
        return quoted + "\"";
    };
    for (int literal_idx = 0; literal_idx < 2000; ++literal_idx) {
        std::string literal = "{";
        const auto count = next() % 5;
        for (std::uint64_t element_idx = 0; element_idx < count; ++element_idx) {
            if (element_idx) literal += ',';
            if (literal_idx % 3 == 0) literal += "{" + element() + "," + element() + "}";
            else literal += element();
        }
        literal += "}";
        EXPECT_EQ(run(*keep, literal), literal);
    }
}

TEST(Hash, UuidFormPermutesUuidsAndHashesOtherText) {
    auto uuid = make("{hash: uuid}");
    auto out = run(*uuid, "123e4567-e89b-12d3-a456-426614174000");
    EXPECT_EQ(out.size(), 36u);
    EXPECT_EQ(out[8], '-');
    EXPECT_NE(out, "123e4567-e89b-12d3-a456-426614174000");
    EXPECT_EQ(run(*uuid, "not a uuid").size(), 36u);
    auto hex = make("{hash: {form: hex, length: 16}}");
    EXPECT_EQ(run(*hex, "anything").size(), 16u);
    EXPECT_FALSE(hex->injective());
}

}  // namespace
}  // namespace understudy::anonymizer
