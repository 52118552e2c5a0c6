// The anonymization rules of understudy.yml: which column gets which transformer.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "understudy/anonymizer/secret.hpp"
#include "understudy/anonymizer/transformer.hpp"

namespace YAML {
class Node;
}

namespace understudy::anonymizer {

/// How the configuration spells a table (`schema.table`, display form) or one of its columns:
/// `public.users.email`, or SQL-quoted when a part holds a dot or a double quote
/// (`"public"."odd.name"."quo""te"`), which `keep:` entries and table keys both accept.
std::string config_name(const std::string& table, const std::string& column = {});

/// What a column with no rule and not listed in `keep` gets.
enum class DefaultPolicy { fail, keep };

/// What `anonymize.kept_pii` does with personal data found in a sampled kept column: stop the run
/// (exit 12), warn, or not sample at all. Default: fail with `default: fail`, warn with `default: keep`.
enum class KeptPiiPolicy { fail, warn, off };

/// One `column: {rule}` entry, as written.
struct ColumnRule {
    std::string table;        ///< `schema.table`
    std::string column;
    std::string kind;         ///< keep, null, fixed, hash, fake, mask, noise, date_shift, template, json, array, scrub
    bool unique = false;      ///< `unique: true` was given
    std::string origin;       ///< `file:line:column`, for messages
    std::string description;  ///< what the transformer's describe() says
};

/// The parsed `anonymize:` and `keep:` sections. Parsing validates shapes and options; binding to a
/// secret makes the transformers.
class RuleSet {
public:
    /// Reads `anonymize:`/`keep:` from the config file at `path`. An absent section gives an empty
    /// rule set with default keep (no anonymization configured). Errors: ConfigError naming file,
    /// line and column (`understudy.yml:7:14: unknown fake kind "emali"`).
    static RuleSet load_file(const std::string& path);
    /// The same from an already parsed document.
    static RuleSet from_yaml(const YAML::Node& root, const std::string& path);

    /// True when the file has an `anonymize:` section (then the fail-closed guard applies).
    bool configured() const;
    DefaultPolicy default_policy() const;
    /// `anonymize.kept_pii`, or its default; off without an `anonymize:` section.
    KeptPiiPolicy kept_pii_policy() const;
    /// Every rule, sorted by (table, column).
    const std::vector<ColumnRule>& rules() const;
    /// The rule for a column, or nullptr.
    const ColumnRule* find(const std::string& table, const std::string& column) const;
    /// The paths of the column's `json` rule as written, or none (no rule, another kind).
    std::vector<std::string> json_rule_paths(const std::string& table, const std::string& column) const;
    /// Listed in `keep:` (`schema.table.column`; a table name alone keeps every column of it).
    bool kept(const std::string& table, const std::string& column) const;
    /// The transformer for a rule, keyed with `secret`. Throws ConfigError naming the rule's origin.
    std::unique_ptr<Transformer> make_transformer(const ColumnRule& rule, const Secret& secret) const;

    RuleSet();
    ~RuleSet();
    RuleSet(RuleSet&&) noexcept;
    RuleSet& operator=(RuleSet&&) noexcept;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace understudy::anonymizer
