// Constructors of every transformer family; the rules parser is their only caller outside tests.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "understudy/anonymizer/pii_spans.hpp"
#include "understudy/anonymizer/secret.hpp"
#include "understudy/anonymizer/transformer.hpp"

namespace understudy::anonymizer {

/// keep: the value as it is.
std::unique_ptr<Transformer> make_keep_transformer();
/// null: always NULL.
std::unique_ptr<Transformer> make_null_transformer();
/// fixed: always `value`; NULL stays NULL unless `replace_nulls`.
std::unique_ptr<Transformer> make_fixed_transformer(Value value, bool replace_nulls);

/// The two shapes of `hash`.
enum class HashForm { hex, uuid };
/// hash: hex of the keyed permutation (injective), cut to `length` hex digits when non-zero (then not
/// injective); uuid: a keyed 128-bit permutation of a uuid input, a keyed 128-bit hash of any other.
std::unique_ptr<Transformer> make_hash_transformer(const Secret& secret, std::string pseudonym_class, HashForm form,
                                                   std::size_t length);

/// What `fake` can make.
enum class FakeKind {
    first_name, last_name, full_name, email, username, phone, street, city, postcode, country, company,
    ipv4, ipv6, url, credit_card, iban
};
/// The kind named `name` in a rule, or nullopt.
std::optional<FakeKind> parse_fake_kind(std::string_view name);
/// The name of a kind, as written in rules and used as its default pseudonym class.
const char* fake_kind_name(FakeKind kind);
/// Every kind's name, comma separated, for error messages.
std::string fake_kind_names();
/// Kinds with an injective (`unique: true`) construction.
bool fake_kind_can_be_unique(FakeKind kind);
/// fake: a plausible value of `kind` chosen by the keyed hash of the input.
std::unique_ptr<Transformer> make_fake_transformer(const Secret& secret, FakeKind kind, bool unique,
                                                   std::string pseudonym_class);

/// scrub: free text kept as it is except each substring of `kinds` (find_pii_spans), which becomes
/// what `{fake: <kind>}` with its default class gives that substring.
std::unique_ptr<Transformer> make_scrub_transformer(const Secret& secret, ScrubKinds kinds);

/// mask: keep the first/last characters (UTF-8 aware), replace the others with `mask_char`.
std::unique_ptr<Transformer> make_mask_transformer(std::size_t keep_first, std::size_t keep_last,
                                                   std::string mask_char);

/// A noise or shift amount: a number for numeric columns or a duration for temporal ones.
struct NoiseRange {
    bool temporal = false;
    double amount = 0;                 ///< numeric: the value moves within ±amount
    std::int64_t seconds = 0;          ///< temporal: the value moves within ±seconds
    std::string text;                  ///< as written, for describe()
};
/// noise: the value plus a deterministic offset within the range, chosen by the keyed hash of the value.
std::unique_ptr<Transformer> make_noise_transformer(const Secret& secret, NoiseRange range,
                                                    std::string pseudonym_class);

/// date_shift: dates and timestamps move by one offset per entity (whole days when max >= 1 day), so
/// intervals between one entity's rows are kept; without an entity column one offset for everything.
std::unique_ptr<Transformer> make_date_shift_transformer(const Secret& secret, NoiseRange max, std::string entity,
                                                         std::string pseudonym_class);

/// template: `{column}` placeholders replaced by the row's (new) values; `{{` and `}}` are braces.
/// Throws std::invalid_argument with a message when the pattern is malformed.
std::unique_ptr<Transformer> make_template_transformer(std::string_view pattern);

/// One step of a JSON path.
struct JsonPathStep {
    enum class Kind { key, index, wildcard } kind = Kind::key;
    std::string key;
    std::size_t index = 0;
};
/// Parses `$`, `.key`, `["key"]`, `[n]`, `[*]`, `.*`; throws std::invalid_argument naming the problem.
std::vector<JsonPathStep> parse_json_path(std::string_view path);
/// json: the inner rules applied to the string, number and null leaves the paths select.
std::unique_ptr<Transformer> make_json_transformer(
    std::vector<std::pair<std::vector<JsonPathStep>, std::unique_ptr<Transformer>>> paths, std::string description);

/// array: the inner rule applied to each element of a PostgreSQL array literal, any dimensions.
std::unique_ptr<Transformer> make_array_transformer(std::unique_ptr<Transformer> element);
/// The element rule of an array transformer, or nullptr for any other transformer.
const Transformer* array_element_transformer(const Transformer& transformer);

}  // namespace understudy::anonymizer
