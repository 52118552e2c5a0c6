// Verification's reference checks: which references of a built database need an anti-join, the
// queries for them, and what the report says about each.
#pragma once

#include <string>
#include <vector>

#include "understudy/pg/transaction.hpp"

#include "understudy/orchestrator/guards/verification.hpp"
#include "understudy/subsetter/catalog.hpp"

namespace understudy::orchestrator {

/// One reference to check for rows without a parent: a foreign key constraint, or a declared,
/// model or inferred reference, which no constraint backs.
struct ReferenceCheck {
    std::string name;          ///< the constraint, or the reference's generated name
    std::string kind;          ///< "foreign key", "declared reference", "model reference", "inferred reference"
    std::string origin;        ///< "constraint", "declared", "model", "inferred" (the report's word)
    std::string child;         ///< schema.table, for messages
    std::string parent;        ///< schema.table, for messages
    std::string orphan_count;  ///< the query counting the child's rows without a parent (the anti-join)
    long long orphans = 0;
    /// False for NOT VALID constraints and for references without one: the source does not promise
    /// that its rows have parents, so orphans the source has too are warnings, not failures.
    bool validated = true;
    /// A constraint the server validated when it was added, whose triggers check every later write
    /// of an ordinary session (verified_foreign_keys.sql).
    bool enforced = false;
    /// Set by verification: the constraint proves the rows, no anti-join ran.
    bool by_constraint = false;
    /// For unvalidated ones: the orphans' keys as text with their row counts (`SELECT k1::text, ..., count(*)`).
    std::string orphan_keys;
    /// For unvalidated ones: `SELECT count(*) FROM (VALUES %s) k(...) WHERE EXISTS (parent row)`, run on
    /// the source with the orphans' keys in place of %s, typed like the parent's columns.
    std::string parent_exists_prefix;
    std::string parent_exists_suffix;
    long long subset_orphans = 0;  ///< orphans whose parent exists in the source: the copy lost it
};

/// Every FK constraint of the built database, once each (verified_foreign_keys.sql says which).
std::vector<ReferenceCheck> constraint_checks(pg::Transaction& tx);

/// The references among `references` that no constraint backs (declared, model, inferred), on
/// the tables of `built` (the built database's catalog); those naming a table or column it lacks
/// are left to the schema comparison.
std::vector<ReferenceCheck> unconstrained_reference_checks(const subsetter::Catalog& built,
                                                          const std::vector<subsetter::ForeignKey>& references);

/// Counts in `check.subset_orphans` the orphans of an unvalidated reference whose parent key does
/// exist in the source (in the run's snapshot): those the copy lost. Keys stay in memory a batch
/// at a time (a cursor on the built database), never printed.
void count_subset_orphans(pg::Transaction& built_tx, pg::Transaction& source_tx,
                          ReferenceCheck& check);

/// Adds each check's failure or warning lines to `result`, and the report's `foreign_keys`
/// (counts, and per reference whether the constraint or an anti-join checked it),
/// `not_valid_orphans` and `unconstrained_orphans`.
void report_references(const std::vector<ReferenceCheck>& checks, bool source_checked, VerificationResult& result);

}  // namespace understudy::orchestrator
