// Where a YAML node stands in its file, for config errors of the form `file:line:column: message`.
#pragma once

#include <string>
#include <utility>

#include <yaml-cpp/yaml.h>

#include "understudy/error.hpp"

namespace understudy {

/// Names positions in one YAML file; both config readers (subset settings, anonymization rules)
/// report through it, so every config error looks the same.
class YamlLocation {
public:
    explicit YamlLocation(std::string path) : m_path(std::move(path)) {}

    /// `path:line:column` of `node` (1-based), or the path alone when the node has no mark.
    std::string where(const YAML::Node& node) const {
        const auto mark = node.Mark();
        if (mark.is_null()) return m_path;
        return m_path + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
    }

    /// Throws ConfigError(`where(node): message`).
    [[noreturn]] void fail(const YAML::Node& node, const std::string& message) const {
        throw ConfigError(where(node) + ": " + message);
    }

    const std::string& path() const { return m_path; }

private:
    std::string m_path;
};

}  // namespace understudy
