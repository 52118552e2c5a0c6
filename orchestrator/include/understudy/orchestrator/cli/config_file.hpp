// understudy.yml: what a run reads from its configuration file (the command line wins over it).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "understudy/orchestrator/pipelines/sync_settings.hpp"
#include "understudy/subsetter/subset_settings.hpp"

namespace understudy::orchestrator {

/// The subset part of the configuration file. Unset values are left to the command line, the
/// environment and the defaults; lists and maps add to what the command line gives.
struct ConfigFile {
    std::string path;
    std::optional<std::string> source;      ///< `${VAR}` in the file is expanded from the environment
    std::optional<std::string> target;
    std::optional<subsetter::Sizing> sizing;
    std::optional<std::uint64_t> seed;
    std::optional<int> children;
    std::optional<subsetter::SamplingMode> sampling;
    std::optional<int> jobs;
    std::optional<subsetter::ReferenceInference> inference;
    std::optional<std::string> rails_app;   ///< `subset: {rails_app: DIR}`, relative to the working directory
    std::vector<std::string> schemas;
    std::vector<subsetter::ForcedRow> forced;
    std::map<subsetter::QualifiedName, subsetter::TableOverride> overrides;
    std::vector<subsetter::ForeignKey> declared_references;
    std::vector<subsetter::PolymorphicReference> polymorphic;
    std::vector<std::string> not_references;   ///< `not_references:` `schema.table.column`s
    bool strict_references = false;            ///< `references: strict`
    std::optional<SyncConfig> sync;
    /// Top-level `protect:`: servers no command ever writes (subset, restore, sync, rollback), as
    /// `sync: protect:` entries are; see all_protected().
    std::vector<std::string> protect;
};

/// Every protect: entry of the file: the top-level list and the sync: section's, for every
/// command that writes a database.
std::vector<std::string> all_protected(const ConfigFile& config);

/// Reads and validates the file's shape (not yet against a catalog). Errors are ConfigErrors of
/// one line naming file, line and column: `understudy.yml:12:5: unknown key "rowz" in table "public.users"`.
ConfigFile load_config_file(const std::string& path);

/// `300`, `"300s"`, `"5 min"`, `"2h"` in seconds; empty for anything else. Shared by the file's
/// durations (max_lag, max_snapshot_age) and --max-snapshot-age.
std::optional<double> parse_duration_seconds(const std::string& text);

/// Parses `schema.table(col1, col2)` (a reference end in the config); `origin` prefixes errors.
std::pair<subsetter::QualifiedName, std::vector<std::string>> parse_table_columns(const std::string& text,
                                                                                  const std::string& origin);

}  // namespace understudy::orchestrator
