// The fail-closed guard: every column to be copied has a rule or is kept, and rules fit their columns.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "understudy/anonymizer/rules.hpp"
#include "understudy/anonymizer/transformer.hpp"

namespace understudy::anonymizer {

/// A column as the guard needs it; the orchestrator fills these from the catalog (the anonymizer
/// itself knows nothing of databases).
struct ColumnShape {
    std::string name;
    std::string type;            ///< format_type(), e.g. `character varying(255)`, `jsonb`, `text[]`
    std::string type_category;   ///< pg_type.typcategory of the base type: S string, N numeric, D date/time, U user (json), A array, ...
    bool unique = false;         ///< part of a primary key or unique index (alone: single-column key)
    bool not_null = false;
};

/// A table to be copied.
struct TableShape {
    std::string name;            ///< `schema.table`
    std::vector<ColumnShape> columns;
};

/// One line of `plan`'s anonymization section.
struct RuleCheck {
    std::string table;
    std::string column;
    std::string description;
    bool unique_column = false;  ///< the column is under a unique index
    bool unique_safe = false;    ///< the rule is injective (or the column is not unique)
};

/// What the guard found. `ok()` when nothing blocks a run.
struct CoverageReport {
    std::vector<std::string> unclassified;   ///< `schema.table.column` with no rule and not kept
    std::vector<std::string> errors;         ///< one line each: unknown table/column, wrong type, non-injective rule on a unique column
    std::vector<RuleCheck> checks;

    bool ok() const { return unclassified.empty() && errors.empty(); }
    /// A one-line error for the first problem plus a count, and the full list for a HINT.
    std::string summary() const;
};

/// The n of `character varying(n)` / `character(n)` (format_type's spelling), or nullopt for any
/// other type (arrays of them included).
std::optional<std::size_t> character_limit(const std::string& type);

/// Why `transformer`'s output cannot go into a column of `type` (" writes at least 45 characters,
/// longer than the character varying(12) column holds"), or nullopt when it fits or the type has no
/// length limit. Checks the shortest output (every value fails) and, when it does not depend on the
/// input, the longest (some values fail).
std::optional<std::string> length_problem(const Transformer& transformer, const std::string& type);

/// Checks `rules` against `tables` before any row moves: coverage, types, and lengths (a rule whose
/// every output is longer than a varchar(n)/char(n) column).
CoverageReport check_coverage(const RuleSet& rules, const std::vector<TableShape>& tables);

/// A column that holds values of another: one column pair of a foreign key, declared reference or
/// inferred one (the orchestrator lists them from the plan's graph).
struct ReferencePair {
    std::string child_table;   ///< `schema.table`
    std::string child_column;
    std::string parent_table;
    std::string parent_column;
    std::string via;           ///< for messages: `foreign key "orders_customer_fkey"`
};

/// Adds an error to `report` for each pair whose two columns do not get the same rule (a rule on a
/// key but not on the columns that reference it, or different ones): the copy's references would
/// point at no row.
void check_reference_rules(const RuleSet& rules, const std::vector<ReferencePair>& references,
                           CoverageReport& report);

}  // namespace understudy::anonymizer
