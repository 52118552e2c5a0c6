// Verification before promotion: what a freshly built database must satisfy before it replaces the live one.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include "understudy/pg/transaction.hpp"

#include "understudy/anonymizer/rules.hpp"
#include "understudy/orchestrator/schema/schema_clone.hpp"
#include "understudy/pg/conninfo.hpp"
#include "understudy/subsetter/catalog.hpp"

namespace understudy::orchestrator {

/// The built database's per-table write counters (the server's statistics: rows inserted, updated
/// and deleted) when the run that built it had finished writing. What the load proved, it proved
/// for the tables nobody has written to since.
struct BuildMark {
    std::map<std::string, std::int64_t> writes;  ///< "schema.relation" (leaf partitions each) -> counter
};

/// Reads the mark of `built`: call it when the run's own writes there are over. Nullopt when the
/// server does not count writes (track_counts off): verification then scans everything.
std::optional<BuildMark> mark_built_database(const pg::ConnInfo& built);

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
    pg::Transaction* source_transaction = nullptr;
    /// Set by the run that loaded `built` (pre-data, COPY, post-data), taken when it was done. For
    /// each table not written since: a foreign key constraint the server validated when post-data
    /// added it (and whose triggers are on) is not scanned again, and its row count is the copy's
    /// (the manifest) instead of a count(*). Without it every reference is anti-joined and every
    /// table counted.
    std::optional<BuildMark> build_mark;
    /// References that no constraint backs (declared in the config, read from Rails models,
    /// inferred from names): each is anti-joined like a NOT VALID foreign key. Constraint ones
    /// here are ignored (the built database's own constraints are read from it).
    std::vector<subsetter::ForeignKey> references;
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
/// (every FK, composite too, MATCH SIMPLE, NOT VALID ones included, each once, and every reference
/// without a constraint; with the source's transaction, orphans of NOT VALID and unconstrained ones
/// that the source has too are warnings instead; with a build mark, validated constraints of
/// untouched tables are taken as proof), row counts equal to the manifest, every sequence ahead of
/// its column, schema identical to the source's, no unclassified column in a table with rows, no
/// original sample value left in its column, and no PII-shaped one (an email, a phone number...) in
/// any other text, json or array column (each table's first rows; see verification_leaks.hpp).
/// Throws DatabaseError/Error only when a check cannot run at all.
VerificationResult verify_database(const VerificationInput& input);

/// Reads up to `per_column` distinct non-empty values of each column a replacing rule covers
/// (null, hash, fake, template, mask, array), in the source snapshot's transaction, for the leak scan.
/// Rules that keep or perturb values (keep, fixed, noise, date_shift, json) are left out: a match
/// there is expected, not a leak.
std::map<std::string, std::vector<std::string>> sample_original_values(pg::Transaction& source_tx,
                                                                       const subsetter::Catalog& catalog,
                                                                       const anonymizer::RuleSet& rules,
                                                                       int per_column = 50);

/// Throws Error(verify_failed) for `database` listing the result's failures; the hint says the new
/// database is kept for inspection.
[[noreturn]] void throw_verify_failed(const std::string& database, const VerificationResult& result);

}  // namespace understudy::orchestrator
