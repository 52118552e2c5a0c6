// The source schema as one pg_dump archive, restored in two sections around the rows.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "understudy/orchestrator/schema/private_temp_file.hpp"
#include "understudy/pg/conninfo.hpp"

namespace understudy::orchestrator {

/// The two halves of a schema: what rows need before they arrive, and what is cheaper built after.
enum class SchemaSection { pre_data, post_data };

/// The source schema as a pg_dump custom-format archive (schema only, no owners, no privileges, no
/// user mappings or subscriptions: see never_copied.hpp), taken
/// inside the run's exported snapshot, in a PrivateTempFile: unnamed, so that a run killed with
/// SIGKILL leaves no archive behind; pg_dump and pg_restore reach it as /dev/fd/N.
class SchemaArchive {
public:
    /// Runs pg_dump against `source` inside the exported snapshot `snapshot_id`; throws Error(source).
    static SchemaArchive dump(const pg::ConnInfo& source, const std::string& snapshot_id,
                              const std::vector<std::string>& schemas /* empty: all */);
    /// pg_restore of one section into target: pre-data before rows (tables, types, functions,
    /// sequences), post-data after (indexes, constraints incl. FKs, triggers, rules) with `jobs` workers.
    /// Schemas the target already has (empty ones, such as Heroku's heroku_ext) are not created again.
    void restore(const pg::ConnInfo& target, SchemaSection section, int jobs) const;
    /// `pg_restore --list` of one section: one line per object (see parse_archive_listing).
    std::string listing(SchemaSection section) const;
    /// pg_restore of exactly these listing lines of `section` (a `--use-list`), in their order, or
    /// with `jobs` workers in dependency order; nothing when `entries` is empty.
    void restore_listed(const pg::ConnInfo& target, SchemaSection section, const std::vector<std::string>& entries,
                        int jobs) const;
    /// The section as plain SQL text (pg_restore -f -), for writing SQL dump files later.
    std::string sql(SchemaSection section) const;
    /// The path children open the archive by ("/dev/fd/N" unless the named fallback was needed);
    /// it is gone with this object.
    const std::string& path() const { return m_file.path(); }
    /// The archive file itself.
    const PrivateTempFile& file() const { return m_file; }

private:
    SchemaArchive(PrivateTempFile file, PrivateTempFile contents_file)
        : m_file(std::move(file)), m_contents_file(std::move(contents_file)) {}
    /// The pg_restore argument that holds every reader to m_contents (`--use-list=…`).
    std::string contents_argument() const;
    /// The descriptors a pg_restore child needs: the archive's and the contents file's.
    std::vector<int> inherited_fds() const;
    /// A `--use-list` file leaving out CREATE SCHEMA for schemas the target already has, or
    /// nothing when nothing needs leaving out.
    std::optional<PrivateTempFile> list_without_existing_schemas(const pg::ConnInfo& target) const;
    PrivateTempFile m_file;
    /// The archive's table of contents without what is never copied (never_copied.hpp): user
    /// mappings, subscriptions. Every restore, listing and SQL text of the archive is read through it.
    std::string m_contents;
    PrivateTempFile m_contents_file;

    /// pg_dump --schema leaves out every foreign server (servers belong to no schema), so a dumped
    /// foreign table would not restore. The servers (and wrappers not from an extension) that the
    /// dumped foreign tables use, from a second archive of the global objects taken in the same
    /// snapshot; never their user mappings.
    struct ForeignServers {
        PrivateTempFile archive;
        std::vector<std::string> entries;  ///< its `pg_restore --list` lines to restore
    };
    std::optional<ForeignServers> m_servers;
    /// Fills m_servers when the foreign tables of `schemas` use servers (see ForeignServers).
    void dump_foreign_servers(const pg::ConnInfo& source, const std::string& snapshot_id,
                              const std::vector<std::string>& schemas);
    /// The pre-data entries (never-copied ones left out) split for a restore with m_servers:
    /// schemas and extensions (which the servers' wrappers come from) first, everything else after.
    /// Schemas in `skipped_schemas` are not created.
    std::pair<std::vector<std::string>, std::vector<std::string>> split_around_servers(
        const std::set<std::string>& skipped_schemas) const;
};

}  // namespace understudy::orchestrator
