// Guessing which columns hold personal data, for `understudy init`'s starter config.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "understudy/anonymizer/coverage.hpp"
#include "understudy/anonymizer/pii_in_documents.hpp"

namespace understudy::anonymizer {

/// A suggested rule and why.
struct Suggestion {
    std::string rule;     ///< YAML flow text: `{fake: email}`, `{mask: {keep_last: 2}}`, `null`
    std::string reason;   ///< `name "e_mail" looks like an email column`, `92% of sampled values are IBANs`
};

/// By the column's name (a dictionary of PII names in English, German, French, Spanish, Italian,
/// Dutch and Portuguese: email, phone, first/last/full name, street, city, postcode, birth date,
/// IP address, national ids, IBAN, card number, password/token/secret, notes/free text…).
std::optional<Suggestion> suggest_by_name(const ColumnShape& column);

/// By sampled values (text form): emails, phone numbers, IPv4/IPv6, card numbers passing Luhn,
/// IBANs passing mod-97, national ids (US SSN, UK NINO, FR INSEE …); a kind must match most samples.
std::optional<Suggestion> suggest_by_values(const ColumnShape& column, const std::vector<std::string>& samples);

/// A table with its sampled values per column (same order as columns; may be empty).
struct SampledTable {
    TableShape shape;
    std::vector<std::vector<std::string>> samples;
    /// What find_pii_in_documents found per column (same order as columns; may be empty).
    std::vector<DocumentFindings> documents;
};

/// The starter understudy.yml: every column listed, PII columns with their suggested rule and the
/// reason as a comment, the rest under `keep:`. A column that would be kept but holds personal data
/// inside its documents or text gets `json:` path rules, `{array: …}` or `{scrub: [kinds]}` with
/// what was found and how often. Deterministic (sorted) output.
std::string write_starter_config(const std::vector<SampledTable>& tables);

}  // namespace understudy::anonymizer
