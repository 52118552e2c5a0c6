// Writing the run's JSON report where --report says, atomically.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace understudy::orchestrator {

/// Writes `report` to `path` through a temp file, fsync and rename, so a reader never sees half a
/// report. Throws Error(io) naming the path.
void write_report_file(const std::string& path, const nlohmann::json& report);

}  // namespace understudy::orchestrator
