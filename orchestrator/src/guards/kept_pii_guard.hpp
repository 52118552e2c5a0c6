// Kept columns are checked too: personal data sampled in a kept text, json or array column.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "understudy/anonymizer/pii_in_documents.hpp"
#include "understudy/anonymizer/rules.hpp"
#include "understudy/pg/transaction.hpp"
#include "understudy/subsetter/catalog.hpp"
#include "understudy/subsetter/subset_plan.hpp"

namespace understudy::orchestrator {

/// One kind of personal data in one kept column's sample.
struct KeptPii {
    std::string column;  ///< `public.audit_events.payload`, as the configuration spells it
    anonymizer::DocumentFinding finding;
    std::size_t sampled_rows = 0;
};

/// `email-shaped in 3 of 10 sampled rows at $.email`: the kind, the share and the place, never a value.
std::string describe_kept_pii(const KeptPii& kept);

/// Samples (column_sample.hpp) every text, json and text-array column that the copied tables of
/// `plan` (every table without one) keep as it is: listed in `keep:`, under a `keep` rule, or
/// without a rule under `default: keep`; and json columns at the paths their `json` rule does not
/// name (the rule keeps the rest of the document). Returns the PII-shaped findings (whole values and text
/// inside strings; not key names), sorted by column. Nothing without rules or with kept_pii off.
std::vector<KeptPii> find_kept_pii(pg::Transaction& source, const anonymizer::RuleSet& rules,
                                   const subsetter::Catalog& catalog, const subsetter::SubsetPlan* plan);

/// Applies `rules.kept_pii_policy()` to `found`: with fail, Error(unclassified_columns) naming the
/// first column, its kind and share (the others in the hint); with warn, one warning line each.
std::vector<std::string> enforce_kept_pii(const anonymizer::RuleSet& rules, const std::vector<KeptPii>& found);

}  // namespace understudy::orchestrator
