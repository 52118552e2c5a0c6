// Finding personal data inside sampled documents and text: JSON leaves, array elements, free text.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "understudy/anonymizer/coverage.hpp"

namespace understudy::anonymizer {

/// How a column's sampled values are searched: JSON documents (json, jsonb, and text arrays sampled
/// as JSON by `to_json`), free text, or not at all.
enum class DocumentShape { none, json, text_array, text };

/// The shape a column's values are searched as, by its type.
DocumentShape document_shape(const ColumnShape& column);

/// What says a value is personal data.
enum class Evidence {
    whole_value,  ///< the leaf is PII-shaped as a whole (an email, a card passing Luhn)
    inside_text,  ///< PII-shaped text inside a longer string
    key_name,     ///< the JSON key names personal data (`first_name`, `$.contacts[*].name`)
};

/// One kind of personal data at one place of a column, and in how many sampled rows.
struct DocumentFinding {
    std::string path;  ///< `$.contacts[*].email`; `$[*]` for an array's elements; `$` for a text value
    std::string kind;  ///< email, phone, ipv4, ipv6, credit_card, iban, national_id; by key also
                       ///< first_name, last_name, full_name, username, company, street, city, postcode,
                       ///< birth_date, password, secret, device_id
    Evidence evidence = Evidence::whole_value;
    std::size_t rows = 0;  ///< sampled rows holding it at least once
};

/// Everything found in one column's sample.
struct DocumentFindings {
    std::size_t sampled_rows = 0;            ///< non-null sampled values
    std::vector<DocumentFinding> findings;   ///< sorted by path, kind, evidence
};

/// Searches `values` (one per sampled row, NULLs left out; JSON text for json columns and arrays)
/// for personal data. A value that is not valid JSON in a JSON column is searched as text.
DocumentFindings find_pii_in_documents(const ColumnShape& column, const std::vector<std::string>& values);

/// Whether a `json` rule at `rule_path` rewrites the strings at `finding_path` (a path as
/// DocumentFinding writes it): the rule's path selects that place or a node above it. `*` covers
/// any key or element; an index covers one element only, so not `[*]`.
bool json_path_covers(std::string_view rule_path, std::string_view finding_path);

/// `email-shaped in 312 of 1000 sampled rows`, `under key "first_name" in 40 of 1000 sampled rows`.
std::string describe_finding(const DocumentFinding& finding, std::size_t sampled_rows);

}  // namespace understudy::anonymizer
