// A parsed rule before it is keyed: what rules.cpp builds from YAML and turns into a Transformer.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "transformers/builders.hpp"

namespace understudy::anonymizer {

/// One rule as written, options validated, not yet bound to a secret.
struct RuleSpec {
    std::string kind;                 ///< keep, null, fixed, hash, fake, mask, noise, date_shift, template, json, array, scrub
    std::string origin;               ///< file:line:column
    bool unique = false;
    std::string pseudonym_class;      ///< hash, fake, noise, date_shift: the class its keys are drawn in
    Value fixed_value;
    bool replace_nulls = false;
    HashForm hash_form = HashForm::hex;
    std::size_t hash_length = 0;
    FakeKind fake_kind = FakeKind::email;
    ScrubKinds scrub_kinds = ScrubKinds::all();
    std::size_t keep_first = 0;
    std::size_t keep_last = 0;
    std::string mask_char = "*";
    NoiseRange range;
    std::string entity;
    std::string pattern;
    std::vector<std::pair<std::string, RuleSpec>> json_paths;  ///< path text and its rule
    std::vector<RuleSpec> element;                             ///< array: exactly one
};

/// The transformer a spec describes, keyed with `secret`.
std::unique_ptr<Transformer> build_transformer(const RuleSpec& spec, const Secret& secret);

/// A secret that only validates rules and describes them; never used for output.
const Secret& validation_secret();

}  // namespace understudy::anonymizer
