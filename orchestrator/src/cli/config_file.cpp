// Loading understudy.yml with yaml-cpp; every error names the file, line and column.
#include "understudy/orchestrator/cli/config_file.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <regex>
#include <set>

#include "understudy/error.hpp"
#include "understudy/orchestrator/transfer/table_ranges.hpp"
#include "understudy/yaml_location.hpp"

namespace understudy::orchestrator {
namespace {

using subsetter::QualifiedName;

class FileContext : public YamlLocation {
public:
    using YamlLocation::YamlLocation;

    void only_keys(const YAML::Node& map, const std::set<std::string>& allowed, const std::string& context) const {
        if (!map.IsMap()) fail(map, context + " must be a mapping");
        for (const auto& entry : map) {
            auto key = entry.first.as<std::string>();
            if (!allowed.count(key)) fail(entry.first, "unknown key \"" + key + "\" in " + context);
        }
    }

    template <typename T>
    T scalar(const YAML::Node& node, const std::string& what) const {
        if (!node.IsScalar()) fail(node, what + " must be a single value");
        try {
            return node.as<T>();
        } catch (const YAML::Exception&) {
            fail(node, "invalid value for " + what);
        }
    }

    std::string string_with_env(const YAML::Node& node, const std::string& what) const {
        auto text = scalar<std::string>(node, what);
        static const std::regex variable(R"(\$\{([A-Za-z_][A-Za-z0-9_]*)\})");
        std::string out;
        auto begin = std::sregex_iterator(text.begin(), text.end(), variable);
        std::size_t last = 0;
        for (auto match = begin; match != std::sregex_iterator(); ++match) {
            out.append(text, last, static_cast<std::size_t>(match->position()) - last);
            const char* value = std::getenv((*match)[1].str().c_str());
            if (!value) fail(node, what + " uses ${" + (*match)[1].str() + "}, which is not set");
            out += value;
            last = static_cast<std::size_t>(match->position() + match->length());
        }
        out.append(text, last, std::string::npos);
        return out;
    }

};

subsetter::TableOverride parse_override(const FileContext& file, const YAML::Node& node, const std::string& table) {
    subsetter::TableOverride override_value;
    override_value.origin = file.where(node);
    const std::string context = "table \"" + table + "\"";
    if (node.IsScalar()) {
        auto word = node.as<std::string>();
        if (word == "all") override_value.policy = subsetter::TablePolicy::all;
        else if (word == "none") override_value.policy = subsetter::TablePolicy::none;
        else file.fail(node, context + ": expected all, none, or a mapping with rows, percent or where");
        return override_value;
    }
    file.only_keys(node, {"rows", "percent", "where"}, context);
    if (node.size() != 1) file.fail(node, context + ": give exactly one of rows, percent, where");
    if (node["rows"]) {
        auto rows = file.scalar<std::int64_t>(node["rows"], context + " rows");
        if (rows < 0) file.fail(node["rows"], context + ": rows must be >= 0");
        override_value.rows = rows;
    } else if (node["percent"]) {
        auto percent = file.scalar<double>(node["percent"], context + " percent");
        if (!(percent >= 0 && percent <= 100)) file.fail(node["percent"], context + ": percent must be within 0..100");
        override_value.percent = percent;
    } else {
        override_value.where = file.scalar<std::string>(node["where"], context + " where");
    }
    return override_value;
}

subsetter::ForeignKey parse_reference(const FileContext& file, const YAML::Node& node, std::size_t index) {
    const std::string context = "foreign_keys entry " + std::to_string(index + 1);
    file.only_keys(node, {"from", "to", "name"}, context);
    if (!node["from"] || !node["to"]) file.fail(node, context + " needs from and to");
    subsetter::ForeignKey key;
    auto [child, child_columns] = parse_table_columns(file.scalar<std::string>(node["from"], context + " from"),
                                                      file.where(node["from"]));
    auto [parent, parent_columns] = parse_table_columns(file.scalar<std::string>(node["to"], context + " to"),
                                                        file.where(node["to"]));
    if (child_columns.empty()) file.fail(node["from"], context + ": from must name columns: table(col, ...)");
    if (!parent_columns.empty() && parent_columns.size() != child_columns.size())
        file.fail(node["to"], context + ": from and to name different numbers of columns");
    key.child = child;
    key.child_columns = child_columns;
    key.parent = parent;
    key.parent_columns = parent_columns;
    key.origin = subsetter::ReferenceOrigin::declared;
    key.name = node["name"] ? file.scalar<std::string>(node["name"], context + " name")
                            : "declared:" + child.display() + "(" + child_columns.front() + ")";
    key.reason = "declared at " + file.where(node);
    return key;
}

subsetter::PolymorphicReference parse_polymorphic(const FileContext& file, const YAML::Node& node, std::size_t index) {
    const std::string context = "polymorphic entry " + std::to_string(index + 1);
    file.only_keys(node, {"table", "type_column", "id_column", "types"}, context);
    for (const char* required : {"table", "type_column", "id_column", "types"}) {
        if (!node[required]) file.fail(node, context + " needs " + required);
    }
    subsetter::PolymorphicReference reference;
    reference.table = QualifiedName::parse(file.scalar<std::string>(node["table"], context + " table"));
    reference.type_column = file.scalar<std::string>(node["type_column"], context + " type_column");
    reference.id_column = file.scalar<std::string>(node["id_column"], context + " id_column");
    reference.origin = file.where(node);
    if (!node["types"].IsMap() || node["types"].size() == 0)
        file.fail(node["types"], context + ": types must map type values to tables");
    for (const auto& entry : node["types"]) {
        reference.types[entry.first.as<std::string>()] =
            QualifiedName::parse(file.scalar<std::string>(entry.second, context + " types"));
    }
    return reference;
}

void parse_subset(const FileContext& file, const YAML::Node& subset, ConfigFile& config) {
    file.only_keys(subset,
                   {"logarithmic", "fraction", "seed", "children", "sampling", "jobs", "schemas", "force",
                    "infer_foreign_keys", "rails_app", "tables", "foreign_keys", "polymorphic", "not_references",
                    "references"},
                   "subset");
    if (subset["logarithmic"] && subset["fraction"]) file.fail(subset["fraction"], "give logarithmic or fraction, not both");
    for (const char* mode : {"logarithmic", "fraction"}) {
        if (!subset[mode]) continue;
        auto factor = file.scalar<double>(subset[mode], std::string("subset ") + mode);
        if (!(factor > 0 && factor <= 1)) file.fail(subset[mode], std::string(mode) + " must be within (0, 1]");
        config.sizing = subsetter::Sizing{std::string(mode) == "logarithmic" ? subsetter::SizingMode::logarithmic
                                                                             : subsetter::SizingMode::fraction,
                                          factor};
    }
    if (subset["seed"]) config.seed = file.scalar<std::uint64_t>(subset["seed"], "subset seed");
    if (subset["children"]) {
        config.children = file.scalar<int>(subset["children"], "subset children");
        if (*config.children < 0) file.fail(subset["children"], "children must be >= 0");
    }
    if (subset["sampling"]) {
        auto mode = file.scalar<std::string>(subset["sampling"], "subset sampling");
        if (mode == "probe") config.sampling = subsetter::SamplingMode::probe;
        else if (mode == "exact") config.sampling = subsetter::SamplingMode::exact;
        else file.fail(subset["sampling"], "sampling must be probe or exact");
    }
    if (subset["jobs"]) {
        config.jobs = file.scalar<int>(subset["jobs"], "subset jobs");
        if (*config.jobs < 1) file.fail(subset["jobs"], "jobs must be >= 1");
    }
    if (subset["infer_foreign_keys"]) {
        auto mode = file.scalar<std::string>(subset["infer_foreign_keys"], "infer_foreign_keys");
        if (mode == "rails") config.inference = subsetter::ReferenceInference::rails;
        else if (mode == "none") config.inference = subsetter::ReferenceInference::none;
        else file.fail(subset["infer_foreign_keys"], "infer_foreign_keys must be rails or none");
    }
    if (subset["rails_app"]) config.rails_app = file.scalar<std::string>(subset["rails_app"], "rails_app");
    auto sequence = [&](const char* key) {
        const auto& node = subset[key];
        if (node && !node.IsSequence()) file.fail(node, std::string(key) + " must be a list");
        return node;
    };
    if (auto schemas = sequence("schemas")) {
        for (const auto& schema : schemas) config.schemas.push_back(file.scalar<std::string>(schema, "schemas"));
    }
    if (auto force = sequence("force")) {
        for (const auto& entry : force) {
            try {
                config.forced.push_back(subsetter::ForcedRow::parse(file.scalar<std::string>(entry, "force")));
            } catch (const Error& error) {
                file.fail(entry, error.what());
            }
        }
    }
    if (const auto& tables = subset["tables"]) {
        if (!tables.IsMap()) file.fail(tables, "tables must be a mapping of table names");
        for (const auto& entry : tables) {
            auto name = entry.first.as<std::string>();
            auto table = QualifiedName::parse(name);
            if (config.overrides.count(table)) file.fail(entry.first, "table \"" + name + "\" is listed twice");
            config.overrides[table] = parse_override(file, entry.second, name);
        }
    }
    if (auto references = sequence("foreign_keys")) {
        for (std::size_t index = 0; index < references.size(); ++index)
            config.declared_references.push_back(parse_reference(file, references[index], index));
    }
    if (auto polymorphic = sequence("polymorphic")) {
        for (std::size_t index = 0; index < polymorphic.size(); ++index)
            config.polymorphic.push_back(parse_polymorphic(file, polymorphic[index], index));
    }
    if (auto columns = sequence("not_references")) {
        for (const auto& entry : columns) {
            auto column = file.scalar<std::string>(entry, "not_references");
            if (std::count(column.begin(), column.end(), '.') < 1)
                file.fail(entry, "not_references entry \"" + column + "\" must be schema.table.column");
            config.not_references.push_back(column);
        }
    }
    if (subset["references"]) {
        auto mode = file.scalar<std::string>(subset["references"], "references");
        if (mode == "strict") config.strict_references = true;
        else if (mode != "warn") file.fail(subset["references"], "references must be strict or warn");
    }
}

/// A duration of the file in seconds (see parse_duration_seconds).
double parse_duration(const FileContext& file, const YAML::Node& node, const std::string& what) {
    auto seconds = parse_duration_seconds(file.scalar<std::string>(node, what));
    if (!seconds) file.fail(node, what + " must be a duration such as 300, \"5 min\" or \"1h\"");
    return *seconds;
}

SyncConfig parse_sync(const FileContext& file, const YAML::Node& node) {
    file.only_keys(node, {"backend", "full", "keep", "max_lag", "allow_primary_source", "protect", "heroku",
                          "split_tables_larger_than", "max_snapshot_age"}, "sync");
    SyncConfig sync;
    if (node["backend"]) {
        sync.backend = file.scalar<std::string>(node["backend"], "sync backend");
        if (sync.backend != "postgres" && sync.backend != "heroku" && sync.backend != "none")
            file.fail(node["backend"], "sync backend must be postgres, heroku or none");
    }
    if (node["full"]) sync.full = file.scalar<bool>(node["full"], "sync full");
    if (node["keep"]) {
        sync.keep = file.scalar<int>(node["keep"], "sync keep");
        if (sync.keep < 0) file.fail(node["keep"], "keep must be >= 0");
    }
    if (node["max_lag"]) sync.max_lag_seconds = parse_duration(file, node["max_lag"], "max_lag");
    if (node["max_snapshot_age"])
        sync.max_snapshot_age_seconds = parse_duration(file, node["max_snapshot_age"], "max_snapshot_age");
    if (node["split_tables_larger_than"]) {
        auto bytes = parse_byte_size(file.scalar<std::string>(node["split_tables_larger_than"], "split_tables_larger_than"));
        if (!bytes) file.fail(node["split_tables_larger_than"], "split_tables_larger_than must be a size like 1GB or 200MB");
        sync.split_tables_larger_than = *bytes;
    }
    if (node["allow_primary_source"])
        sync.allow_primary_source = file.scalar<bool>(node["allow_primary_source"], "allow_primary_source");
    if (const auto& protect = node["protect"]) {
        if (!protect.IsSequence()) file.fail(protect, "protect must be a list");
        for (const auto& entry : protect) sync.protect.push_back(file.string_with_env(entry, "protect"));
    }
    if (const auto& heroku = node["heroku"]) {
        file.only_keys(heroku, {"app", "plan", "attachment"}, "sync heroku");
        if (heroku["app"]) sync.heroku_app = file.string_with_env(heroku["app"], "heroku app");
        if (heroku["plan"]) sync.heroku_plan = file.string_with_env(heroku["plan"], "heroku plan");
        if (heroku["attachment"]) sync.heroku_attachment = file.scalar<std::string>(heroku["attachment"], "heroku attachment");
    }
    if (sync.backend == "heroku" && sync.heroku_app.empty()) file.fail(node, "sync backend heroku needs heroku: {app: NAME}");
    return sync;
}

}  // namespace

std::pair<QualifiedName, std::vector<std::string>> parse_table_columns(const std::string& text,
                                                                       const std::string& origin) {
    static const std::regex shape(R"(^\s*([^()\s]+)\s*(?:\(([^()]*)\))?\s*$)");
    std::smatch match;
    if (!std::regex_match(text, match, shape))
        throw ConfigError(origin + ": expected schema.table(column, ...), got \"" + text + "\"");
    std::vector<std::string> columns;
    std::string list = match[2].str();
    std::size_t start = 0;
    while (match[2].matched && start <= list.size()) {
        auto comma = list.find(',', start);
        auto column = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        column.erase(0, column.find_first_not_of(" \t"));
        column.erase(column.find_last_not_of(" \t") + 1);
        if (column.empty()) throw ConfigError(origin + ": empty column name in \"" + text + "\"");
        columns.push_back(column);
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return {QualifiedName::parse(match[1].str()), columns};
}

ConfigFile load_config_file(const std::string& path) {
    std::ifstream stream(path);
    // A file that cannot be opened is a local file problem (15, like a report that cannot be
    // written), not a bad configuration (3): the README's exit-code table says so.
    if (!stream)
        throw Error(ExitCode::io, "cannot read the configuration file \"" + path + "\": " + std::strerror(errno));
    FileContext file(path);
    YAML::Node root;
    try {
        root = YAML::Load(stream);
    } catch (const YAML::Exception& error) {
        throw ConfigError(path + ":" + std::to_string(error.mark.line + 1) + ":" +
                          std::to_string(error.mark.column + 1) + ": " + error.msg);
    }
    ConfigFile config;
    config.path = path;
    if (root.IsNull()) return config;
    // anonymize and keep belong to the anonymizer; promotion settings to the sync pipeline.
    file.only_keys(root, {"source", "target", "subset", "anonymize", "keep", "sync", "protect"}, "the configuration file");
    if (root["source"]) config.source = file.string_with_env(root["source"], "source");
    if (root["target"]) config.target = file.string_with_env(root["target"], "target");
    if (root["subset"] && !root["subset"].IsNull()) parse_subset(file, root["subset"], config);
    if (root["sync"] && !root["sync"].IsNull()) config.sync = parse_sync(file, root["sync"]);
    if (const auto& protect = root["protect"]; protect && !protect.IsNull()) {
        if (!protect.IsSequence()) file.fail(protect, "protect must be a list");
        for (const auto& entry : protect) config.protect.push_back(file.string_with_env(entry, "protect"));
    }
    return config;
}

std::vector<std::string> all_protected(const ConfigFile& config) {
    std::vector<std::string> protect = config.protect;
    if (config.sync) protect.insert(protect.end(), config.sync->protect.begin(), config.sync->protect.end());
    return protect;
}

std::optional<double> parse_duration_seconds(const std::string& text) {
    static const std::regex shape(R"(^\s*([0-9]+(?:\.[0-9]+)?)\s*(s|sec|seconds?|m|min|minutes?|h|hours?)?\s*$)");
    std::smatch match;
    if (!std::regex_match(text, match, shape)) return std::nullopt;
    double value = std::stod(match[1].str());
    const std::string unit = match[2].str();
    if (!unit.empty() && unit[0] == 'm') value *= 60;
    if (!unit.empty() && unit[0] == 'h') value *= 3600;
    return value;
}

}  // namespace understudy::orchestrator
