// `understudy plan`'s access paths: per table how each query reaches its rows, and the missing indexes.
#include <algorithm>
#include <string>
#include <vector>

#include "understudy/subsetter/access_paths.hpp"

namespace understudy::subsetter {

std::string format_access_paths(const AccessPlan& access_plan) {
    const std::vector<std::string> headers = {"table", "access", "path", "estimate", "rows read"};
    const std::vector<bool> right_aligned = {false, false, false, true, true};
    std::vector<std::vector<std::string>> rows;
    for (const auto& entry : access_plan.tables) {
        for (const auto& access : entry.accesses) {
            rows.push_back({entry.table.display(), access.description(), std::string(access_path_name(access.path)) + (access.planner_prefers_scan ? " (planner's choice)" : ""),
                            access.planner_rows < 0 ? "-" : std::to_string(access.planner_rows),
                            std::to_string(access.expected_rows_read)});
        }
    }
    std::vector<std::size_t> widths(headers.size());
    for (std::size_t column_idx = 0; column_idx < headers.size(); ++column_idx) {
        widths[column_idx] = headers[column_idx].size();
        for (const auto& row : rows) widths[column_idx] = std::max(widths[column_idx], row[column_idx].size());
    }
    auto format_row = [&](const std::vector<std::string>& cells) {
        std::string line;
        for (std::size_t column_idx = 0; column_idx < cells.size(); ++column_idx) {
            const std::string& cell = cells[column_idx];
            const std::string padding(widths[column_idx] - cell.size(), ' ');
            line += "  ";
            line += right_aligned[column_idx] ? padding + cell : cell + padding;
        }
        while (!line.empty() && line.back() == ' ') line.pop_back();
        return line + "\n";
    };

    // "estimate" is the planner's row estimate of the access's query: per looked-up value for a
    // lookup, the whole result otherwise.
    std::string out = "access paths:\n";
    out += format_row(headers);
    for (const auto& row : rows) out += format_row(row);
    out += "expected rows read: " + std::to_string(access_plan.expected_rows_read) + "\n";
    std::string refused;
    for (const auto& entry : access_plan.tables) {
        for (const auto& access : entry.accesses) {
            if (!access.explain_error.empty())
                refused += "  " + entry.table.display() + " " + access.description() + ": " + access.explain_error + "\n";
        }
    }
    if (!refused.empty()) out += "\nnot explained (the path shown is the rules'):\n" + refused;
    if (!access_plan.unindexed.empty()) {
        out += "\nunindexed references (each lookup through one reads the whole table):\n";
        for (const auto& reference : access_plan.unindexed)
            out += "  " + reference.reference + ": " + reference.create_index + "\n";
    }
    return out;
}

}  // namespace understudy::subsetter
