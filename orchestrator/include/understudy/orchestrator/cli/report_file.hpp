// Writing files the user asked for (the JSON report, a starter config) atomically.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace understudy::orchestrator {

/// Writes `report` to `path` through a temp file, fsync and rename, so a reader never sees half a
/// report. Throws Error(io) naming the path.
void write_report_file(const std::string& path, const nlohmann::json& report);

/// Refuses, before any work, a report path that could not be written at the end: its directory is
/// missing or not writable, or the path is a directory. Creates and removes `path`.tmp to find out.
/// Throws Error(io) naming the path.
void check_report_path(const std::string& path);

/// Writes `text` to `path` the same atomic way (for `init --out`).
void write_text_file(const std::string& path, const std::string& text);

}  // namespace understudy::orchestrator
