// Verification before promotion: what a freshly built database must satisfy before it replaces the live one.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <pqxx/transaction_base>

#include "understudy/anonymizer/rules.hpp"
#include "understudy/orchestrator/schema/schema_clone.hpp"
#include "understudy/pg/conninfo.hpp"
#include "understudy/subsetter/catalog.hpp"

namespace understudy::orchestrator {

/// What the built database must satisfy before it is promoted.
struct VerificationInput {
    pg::ConnInfo built;                             ///< the new database
    const SchemaArchive* source_schema = nullptr;   ///< the run's pg_dump archive (schema at the snapshot)
    std::map<std::string, std::uint64_t> manifest;  ///< "schema.table" -> rows copied (from the run's report)
    const anonymizer::RuleSet* rules = nullptr;     ///< may be null or unconfigured: no coverage check
    /// "schema.table.column" -> original values of rule-covered columns, read in the snapshot; never printed.
    std::map<std::string, std::vector<std::string>> original_samples;
    /// Connections the scans (row counts, foreign keys) are spread over, all in one snapshot.
    int jobs = 1;
    /// The run's snapshot transaction on the source, when there is one: an orphan of a NOT VALID
    /// foreign key whose parent key does not exist there either is reported as a warning, not a
    /// failure. Without it, every orphan fails.
    pqxx::transaction_base* source_transaction = nullptr;
};

/// Every problem found (one line each, naming tables, columns, constraints; never a row value) and,
/// per check, what was checked, for the run's report.
struct VerificationResult {
    std::vector<std::string> failures;
    /// What the operator should know but that does not stop promotion (orphans of NOT VALID
    /// foreign keys that the source has too); one line each, counts and names only.
    std::vector<std::string> warnings;
    nlohmann::json checks = nlohmann::json::object();

    /// True when no check failed.
    bool ok() const { return failures.empty(); }
};

/// Runs every check and collects all failures (it does not stop at the first): no FK violation
/// (every FK, composite too, MATCH SIMPLE, NOT VALID ones included, each once; with the source's
/// transaction, a NOT VALID one's orphans that the source has too are warnings instead), row counts equal to
/// the manifest, every sequence ahead of its column, schema identical to the source's, no
/// unclassified column in a table with rows, and no original sample value left in its column.
/// Throws DatabaseError/Error only when a check cannot run at all.
VerificationResult verify_database(const VerificationInput& input);

/// Reads up to `per_column` distinct non-empty values of each column a replacing rule covers
/// (null, hash, fake, template, mask, array), in the source snapshot's transaction, for the leak scan.
/// Rules that keep or perturb values (keep, fixed, noise, date_shift, json) are left out: a match
/// there is expected, not a leak.
std::map<std::string, std::vector<std::string>> sample_original_values(pqxx::transaction_base& source_tx,
                                                                       const subsetter::Catalog& catalog,
                                                                       const anonymizer::RuleSet& rules,
                                                                       int per_column = 50);

/// Throws Error(verify_failed) for `database` listing the result's failures; the hint says the new
/// database is kept for inspection.
[[noreturn]] void throw_verify_failed(const std::string& database, const VerificationResult& result);

}  // namespace understudy::orchestrator
