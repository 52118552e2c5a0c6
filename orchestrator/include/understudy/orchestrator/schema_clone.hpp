// The source schema as one pg_dump archive, restored in two sections around the rows.
#pragma once

#include <string>
#include <vector>

#include "understudy/pg/conninfo.hpp"

namespace understudy::orchestrator {

/// The two halves of a schema: what rows need before they arrive, and what is cheaper built after.
enum class SchemaSection { pre_data, post_data };

/// The source schema as a pg_dump custom-format archive (schema only, no owners, no privileges), taken
/// inside the run's exported snapshot, in a private temp file removed on destruction.
class SchemaArchive {
public:
    /// Runs pg_dump against `source` inside the exported snapshot `snapshot_id`; throws Error(source).
    static SchemaArchive dump(const pg::ConnInfo& source, const std::string& snapshot_id,
                              const std::vector<std::string>& schemas /* empty: all */);
    /// pg_restore of one section into target: pre-data before rows (tables, types, functions,
    /// sequences), post-data after (indexes, constraints incl. FKs, triggers, rules) with `jobs` workers.
    /// Schemas the target already has (empty ones, such as Heroku's heroku_ext) are not created again.
    void restore(const pg::ConnInfo& target, SchemaSection section, int jobs) const;
    /// The section as plain SQL text (pg_restore -f -), for writing SQL dump files later.
    std::string sql(SchemaSection section) const;
    /// The archive file (for diagnostics; it is removed with this object).
    const std::string& path() const { return m_path; }

    SchemaArchive(SchemaArchive&& other) noexcept;
    SchemaArchive& operator=(SchemaArchive&& other) noexcept;
    SchemaArchive(const SchemaArchive&) = delete;
    SchemaArchive& operator=(const SchemaArchive&) = delete;
    ~SchemaArchive();

private:
    explicit SchemaArchive(std::string path) : m_path(std::move(path)) {}
    /// A `--use-list` file leaving out CREATE SCHEMA for schemas the target already has, or
    /// empty when nothing needs leaving out.
    std::string list_without_existing_schemas(const pg::ConnInfo& target) const;
    std::string m_path;  // empty once moved from
};

}  // namespace understudy::orchestrator
