// pg_dump of the source schema inside the run's snapshot, and pg_restore of its pre- and post-data sections.
#include "understudy/orchestrator/schema/schema_clone.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <vector>

#include "understudy/pg/query_session.hpp"
#include "understudy/pg/result.hpp"

#include "understudy/error.hpp"
#include "understudy/orchestrator/schema/archive_listing.hpp"
#include "understudy/orchestrator/schema/never_copied.hpp"
#include "understudy/orchestrator/schema/subprocess.hpp"
#include "understudy/pg/session.hpp"
#include "understudy/pg/sql_text.hpp"
#include "understudy/pg/user_schemas.hpp"
#include "understudy/sql/orchestrator_sql.hpp"

namespace understudy::orchestrator {
namespace {

const char* section_name(SchemaSection section) {
    return section == SchemaSection::pre_data ? "pre-data" : "post-data";
}

/// The line of a pg_dump/pg_restore stderr that says what went wrong: the first one reporting an
/// error (later lines are "Command was: ..." and follow-on failures), without the program prefix.
std::string first_error_line(const std::string& stderr_text, const std::string& program, int exit_code) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < stderr_text.size()) {
        std::size_t end = stderr_text.find('\n', start);
        if (end == std::string::npos) end = stderr_text.size();
        std::string line = stderr_text.substr(start, end - start);
        if (!line.empty()) lines.push_back(line);
        start = end + 1;
    }
    std::string chosen;
    for (const auto& line : lines) {
        if (line.find("error:") != std::string::npos || line.find("ERROR:") != std::string::npos ||
            line.find("FATAL:") != std::string::npos) {
            chosen = line;
            break;
        }
    }
    if (chosen.empty() && !lines.empty()) chosen = lines.front();
    if (chosen.empty()) return "exit status " + std::to_string(exit_code);
    for (const std::string& prefix : {program + ": error: ", program + ": "}) {
        if (chosen.rfind(prefix, 0) == 0) {
            chosen.erase(0, prefix.size());
            break;
        }
    }
    // libpq's "ERROR:  " inside pg_restore's "could not execute query: ..." adds nothing to "failed".
    for (const std::string severity : {"ERROR:  ", "FATAL:  "}) {
        for (auto position = chosen.find(severity); position != std::string::npos; position = chosen.find(severity)) {
            chosen.erase(position, severity.size());
        }
    }
    while (!chosen.empty() && (chosen.back() == ' ' || chosen.back() == '.' || chosen.back() == '\r'))
        chosen.pop_back();
    return pg::redact_secrets(chosen);
}

/// What to do about the failures a user can fix, recognised in the child's stderr.
std::string hint_for(const std::string& stderr_text) {
    if (stderr_text.find("server version mismatch") != std::string::npos) {
        // pg_dump refuses a server newer than itself.
        return "set UNDERSTUDY_PG_BIN to the bin folder of a pg_dump at least as new as the source server";
    }
    if (stderr_text.find("conflict with recovery") != std::string::npos) {
        return "enable hot_standby_feedback on the follower, or raise max_standby_streaming_delay";
    }
    if (stderr_text.find("out of shared memory") != std::string::npos) {
        // pg_dump locks every table it dumps inside one transaction.
        return "raise max_locks_per_transaction on that server: every table is locked at once";
    }
    if (stderr_text.find("permission denied to create extension") != std::string::npos ||
        stderr_text.find("must be superuser") != std::string::npos) {
        return "the target user must be allowed to create every object of the source schema (extensions "
               "included); use a superuser or the database owner";
    }
    return {};
}

/// The "detail:" line pg_dump prints after a version mismatch names both versions; it is worth showing.
std::string version_detail(const std::string& stderr_text, const std::string& program) {
    const std::string marker = program + ": detail: ";
    auto start = stderr_text.find(marker);
    if (start == std::string::npos || stderr_text.find("server version mismatch") == std::string::npos) return {};
    start += marker.size();
    return " (" + stderr_text.substr(start, stderr_text.find('\n', start) - start) + ")";
}

[[noreturn]] void fail(ExitCode code, const std::string& side, const std::string& program,
                       const ProcessResult& result) {
    throw Error(code,
                side + ": " + program + " failed: " + first_error_line(result.stderr_text, program, result.exit_code) +
                    version_detail(result.stderr_text, program),
                hint_for(result.stderr_text));
}

/// pg_dump's --schema takes a pattern: unquoted, `Billing Dept` would be folded to lower case and
/// `*`, `?` and `.` would be wildcards. Inside double quotes every character is itself (a double
/// quote doubled), so the schema named exactly `name` is the one dumped.
std::string schema_pattern(const std::string& name) {
    std::string pattern = "\"";
    for (char c : name) {
        if (c == '"') pattern += '"';
        pattern += c;
    }
    return pattern + "\"";
}

/// What a pg_restore that reads the archive only (--list, --file=-) prints; throws Error(io).
std::string pg_restore_output(const std::vector<std::string>& argv, const std::vector<int>& inherited) {
    ProcessResult result = run_process(argv, {}, {}, inherited);
    if (result.exit_code != 0) {
        throw Error(ExitCode::io,
                    "pg_restore failed: " + first_error_line(result.stderr_text, "pg_restore", result.exit_code));
    }
    return result.stdout_text;
}

/// A `--use-list` file holding `entries` (pg_restore --list lines).
PrivateTempFile use_list_file(const std::vector<std::string>& entries) {
    std::string lines;
    for (const auto& entry : entries) lines += entry + "\n";
    PrivateTempFile list("understudy-restore-list");
    list.write(lines);
    return list;
}

/// Non-system schemas that already exist in the target (Heroku creates `heroku_ext` in every
/// database; a user may have made one by hand). Empty schemas do not make a target "not empty".
std::set<std::string> existing_schemas(const pg::ConnInfo& target) {
    auto connection = pg::connect(target, pg::Side::target);
    return pg::with_context(pg::Side::target, "could not list the target's schemas", [&] {
        pg::Transaction tx = connection->autocommit();
        std::set<std::string> names;
        for (const auto& row :
             tx.exec(std::string("SELECT n.nspname FROM pg_namespace n WHERE ") + pg::k_user_schema_filter)) {
            names.insert(row[0].c_str());
        }
        return names;
    });
}

/// True for a `pg_restore -l` line `12; 2615 16385 SCHEMA - name owner` naming one of `schemas`.
bool creates_one_of(const std::string& line, const std::set<std::string>& schemas) {
    static const std::string k_marker = " SCHEMA - ";
    auto marker = line.find(k_marker);
    if (marker == std::string::npos || line.find(';') > marker) return false;
    std::string rest = line.substr(marker + k_marker.size());
    for (const auto& schema : schemas) {
        // The owner follows the name; a role name never holds a space in what pg_restore prints here.
        if (rest.rfind(schema + " ", 0) == 0 && rest.find(' ', schema.size() + 1) == std::string::npos) return true;
        if (rest == schema) return true;
    }
    return false;
}

/// True when `object` (ArchiveEntry::object) is `prefix` followed by one of `names` and the owner.
bool names_one_of(const std::string& object, const std::string& prefix, const std::set<std::string>& names) {
    if (object.rfind(prefix, 0) != 0) return false;
    const std::string rest = object.substr(prefix.size());
    for (const auto& name : names) {
        if (rest.rfind(name + " ", 0) == 0 && rest.find(' ', name.size() + 1) == std::string::npos) return true;
    }
    return false;
}

/// pg_restore of `entries` of `archive` into target, with `options` (one transaction, or --jobs);
/// throws Error(target).
void restore_entries(const PrivateTempFile& archive, const pg::ConnInfo& target, SchemaSection section,
                     const std::vector<std::string>& entries, const std::vector<std::string>& options) {
    if (entries.empty()) return;
    const PrivateTempFile list = use_list_file(entries);
    std::vector<std::string> argv{find_pg_program("pg_restore"), std::string("--section=") + section_name(section),
                                  "--no-owner", "--no-privileges", "--exit-on-error", "--use-list=" + list.path()};
    argv.insert(argv.end(), options.begin(), options.end());
    argv.push_back("--dbname=" + pg_program_conninfo(target, "pg_restore"));
    argv.push_back(archive.path());
    std::vector<int> inherited = archive.inherited_fds();
    for (int fd : list.inherited_fds()) inherited.push_back(fd);
    ProcessResult result = run_process(argv, pg_program_environment(target), {}, inherited);
    if (result.exit_code != 0) fail(ExitCode::target, "target", "pg_restore", result);
}

/// The plain SQL of `entries` of `archive`.
std::string sql_of_entries(const PrivateTempFile& archive, SchemaSection section,
                           const std::vector<std::string>& entries) {
    if (entries.empty()) return {};
    const PrivateTempFile list = use_list_file(entries);
    std::vector<int> inherited = archive.inherited_fds();
    for (int fd : list.inherited_fds()) inherited.push_back(fd);
    return pg_restore_output({find_pg_program("pg_restore"), std::string("--section=") + section_name(section),
                              "--no-owner", "--no-privileges", "--file=-", "--use-list=" + list.path(), archive.path()},
                             inherited);
}

}  // namespace

void SchemaArchive::dump_foreign_servers(const pg::ConnInfo& source, const std::string& snapshot_id,
                                         const std::vector<std::string>& schemas) {
    // The servers the foreign tables of the dumped schemas use, and their wrappers unless an
    // extension makes them (CREATE EXTENSION does, and the main archive has the extensions).
    std::set<std::string> servers;
    std::set<std::string> wrappers;
    {
        auto connection = pg::connect(source, pg::Side::source);
        pg::with_context(pg::Side::source, "could not list the foreign servers", [&] {
            pg::Transaction tx = connection->begin_repeatable_read_only();
            tx.exec0("SET TRANSACTION SNAPSHOT " + tx.quote(snapshot_id));
            std::vector<std::string_view> names(schemas.begin(), schemas.end());
            for (const auto& row : tx.exec_params(std::string(sql::k_foreign_servers_of_schemas), pg::array_literal(names))) {
                servers.insert(row[0].c_str());
                if (row[2].as<bool>()) wrappers.insert(row[1].c_str());
            }
        });
    }
    if (servers.empty()) return;
    PrivateTempFile file("understudy-schema-servers");
    // --exclude-schema alone keeps pg_dump's "everything" mode, global objects included; `*`
    // leaves every schema out, so only those remain.
    std::vector<std::string> argv{find_pg_program("pg_dump"), "--format=custom", "--schema-only", "--no-owner",
                                  "--no-privileges", "--no-subscriptions", "--snapshot=" + snapshot_id,
                                  "--exclude-schema=*", "--file=" + file.path(),
                                  "--dbname=" + pg_program_conninfo(source, "pg_dump")};
    ProcessResult result = run_process(argv, pg_program_environment(source), {}, file.inherited_fds());
    if (result.exit_code != 0) fail(ExitCode::source, "source", "pg_dump", result);
    const std::string listing = pg_restore_output({find_pg_program("pg_restore"), "--list", file.path()}, file.inherited_fds());
    std::vector<std::string> entries;
    for (const auto& entry : parse_archive_listing(without_never_copied(listing))) {
        if (names_one_of(entry.object, "FOREIGN DATA WRAPPER - ", wrappers) ||
            names_one_of(entry.object, "SERVER - ", servers))
            entries.push_back(entry.line);
    }
    m_servers = ForeignServers{std::move(file), std::move(entries)};
}

std::pair<std::vector<std::string>, std::vector<std::string>> SchemaArchive::split_around_servers(
    const std::set<std::string>& skipped_schemas) const {
    std::vector<std::string> first;
    std::vector<std::string> rest;
    for (const auto& entry : parse_archive_listing(m_contents)) {
        const std::string& object = entry.object;
        if (creates_one_of(entry.line, skipped_schemas)) continue;
        const bool before_servers = object.rfind("SCHEMA - ", 0) == 0 || object.rfind("EXTENSION - ", 0) == 0 ||
                                    object.rfind("COMMENT - EXTENSION ", 0) == 0;
        (before_servers ? first : rest).push_back(entry.line);
    }
    return {std::move(first), std::move(rest)};
}

SchemaArchive SchemaArchive::dump(const pg::ConnInfo& source, const std::string& snapshot_id,
                                  const std::vector<std::string>& schemas) {
    SchemaArchive archive{PrivateTempFile("understudy-schema"), PrivateTempFile("understudy-schema-contents")};
    std::vector<std::string> argv{find_pg_program("pg_dump"),
                                  "--format=custom",
                                  "--schema-only",
                                  "--no-owner",
                                  "--no-privileges",
                                  // A subscription's conninfo holds a password, and a copied one
                                  // keeps the copy from being dropped (see never_copied.hpp).
                                  "--no-subscriptions",
                                  // The exported snapshot makes the schema exactly the one the rows
                                  // are read in; pg_dump imports it on a standby too.
                                  "--snapshot=" + snapshot_id,
                                  // pg_dump -Fc seeks back to write the table of contents:
                                  // /dev/fd/N reopens the inode, a regular file, not a pipe.
                                  "--file=" + archive.path()};
    for (const auto& schema : schemas) argv.push_back("--schema=" + schema_pattern(schema));
    if (!schemas.empty()) {
        // With --schema, pg_dump leaves out every extension; columns of type citext or defaults
        // calling gen_random_uuid() would then not restore. --extension=* puts them back.
        argv.push_back("--extension=*");
    }
    argv.push_back("--dbname=" + pg_program_conninfo(source, "pg_dump"));
    ProcessResult result = run_process(argv, pg_program_environment(source), {}, archive.m_file.inherited_fds());
    if (result.exit_code != 0) fail(ExitCode::source, "source", "pg_dump", result);
    // pg_dump has no option to leave out user mappings: the archive holds them, and every reader
    // of it (restores, listings, SQL text) goes through this table of contents, which does not.
    archive.m_contents = without_never_copied(
        pg_restore_output({find_pg_program("pg_restore"), "--list", archive.path()}, archive.m_file.inherited_fds()));
    archive.m_contents_file.write(archive.m_contents);
    if (!schemas.empty() && archive.m_contents.find(" FOREIGN TABLE ") != std::string::npos)
        archive.dump_foreign_servers(source, snapshot_id, schemas);
    return archive;
}

std::string SchemaArchive::contents_argument() const { return "--use-list=" + m_contents_file.path(); }

std::vector<int> SchemaArchive::inherited_fds() const {
    std::vector<int> fds = m_file.inherited_fds();
    for (int fd : m_contents_file.inherited_fds()) fds.push_back(fd);
    return fds;
}

void SchemaArchive::restore(const pg::ConnInfo& target, SchemaSection section, int jobs) const {
    if (section == SchemaSection::pre_data && m_servers) {
        // The servers need their wrapper, which an extension usually creates, and the foreign
        // tables need the servers: three steps, each in one transaction. A failure in a later step
        // leaves the earlier steps' objects behind, as a failed post-data restore does.
        auto [first, rest] = split_around_servers(existing_schemas(target));
        restore_entries(m_file, target, section, first, {"--single-transaction"});
        restore_entries(m_servers->archive, target, section, m_servers->entries, {"--single-transaction"});
        restore_entries(m_file, target, section, rest, {"--single-transaction"});
        return;
    }
    std::vector<std::string> argv{find_pg_program("pg_restore"),
                                  std::string("--section=") + section_name(section),
                                  "--no-owner",
                                  "--no-privileges",
                                  "--exit-on-error"};
    if (section == SchemaSection::post_data && jobs > 1) {
        // Index builds and FK validation dominate post-data and run well in parallel.
        argv.push_back("--jobs=" + std::to_string(jobs));
    } else if (section == SchemaSection::pre_data) {
        // Pre-data is all quick DDL: one transaction leaves the target untouched when it fails.
        argv.push_back("--single-transaction");
    }
    std::vector<int> inherited = inherited_fds();
    std::optional<PrivateTempFile> skip_list;
    if (section == SchemaSection::pre_data) skip_list = list_without_existing_schemas(target);
    if (skip_list) {
        argv.push_back("--use-list=" + skip_list->path());
        for (int fd : skip_list->inherited_fds()) inherited.push_back(fd);
    } else {
        argv.push_back(contents_argument());
    }
    argv.push_back("--dbname=" + pg_program_conninfo(target, "pg_restore"));
    // pg_restore --jobs forks its workers, which reopen the archive by this path: they inherit the
    // descriptor from pg_restore.
    argv.push_back(path());
    ProcessResult result = run_process(argv, pg_program_environment(target), {}, inherited);
    if (result.exit_code != 0 && section == SchemaSection::pre_data &&
        result.stderr_text.find("out of shared memory") != std::string::npos) {
        // One transaction locks every object it creates; thousands of tables or partitions can
        // overflow the target's lock table (max_locks_per_transaction). The failed transaction
        // left nothing behind, so the same restore runs again statement by statement.
        argv.erase(std::find(argv.begin(), argv.end(), "--single-transaction"));
        result = run_process(argv, pg_program_environment(target), {}, inherited);
    }
    if (result.exit_code != 0) fail(ExitCode::target, "target", "pg_restore", result);
}

std::optional<PrivateTempFile> SchemaArchive::list_without_existing_schemas(const pg::ConnInfo& target) const {
    if (m_contents.find(" SCHEMA - ") == std::string::npos) return {};
    std::set<std::string> existing = existing_schemas(target);
    std::string kept;
    bool skipped = false;
    std::istringstream lines(m_contents);
    for (std::string line; std::getline(lines, line);) {
        // CREATE SCHEMA has no IF NOT EXISTS form in a dump: an existing schema would end the
        // restore with "already exists". What it holds is created as usual.
        if (creates_one_of(line, existing)) {
            skipped = true;
            continue;
        }
        kept += line + "\n";
    }
    if (!skipped) return std::nullopt;
    PrivateTempFile list("understudy-restore-list");
    list.write(kept);
    return list;
}

std::string SchemaArchive::listing(SchemaSection section) const {
    return pg_restore_output({find_pg_program("pg_restore"), "--list", std::string("--section=") + section_name(section),
                              contents_argument(), path()},
                             inherited_fds());
}

void SchemaArchive::restore_listed(const pg::ConnInfo& target, SchemaSection section,
                                   const std::vector<std::string>& entries, int jobs) const {
    std::vector<std::string> options;
    if (jobs > 1 && entries.size() > 1) options.push_back("--jobs=" + std::to_string(jobs));
    restore_entries(m_file, target, section, entries, options);
}

std::string SchemaArchive::sql(SchemaSection section) const {
    if (section == SchemaSection::pre_data) {
        // The text is run in an empty database, which has schema public already: `--schema
        // public` makes pg_dump write CREATE SCHEMA public, which would fail there.
        auto [first, rest] = split_around_servers({"public"});
        std::string text = sql_of_entries(m_file, section, first);
        if (m_servers) text += sql_of_entries(m_servers->archive, section, m_servers->entries);
        return text + sql_of_entries(m_file, section, rest);
    }
    return pg_restore_output({find_pg_program("pg_restore"), std::string("--section=") + section_name(section),
                              "--no-owner", "--no-privileges", "--file=-", contents_argument(), path()},
                             inherited_fds());
}

}  // namespace understudy::orchestrator
