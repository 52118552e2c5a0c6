// `understudy plan`'s access paths: per table how each query reaches its rows, and the missing indexes.
#include <algorithm>
#include <string>
#include <vector>

#include "understudy/subsetter/text_table.hpp"
#include "understudy/subsetter/access_paths.hpp"

namespace understudy::subsetter {

std::string format_access_paths(const AccessPlan& access_plan) {
    const std::vector<std::string> headers = {"table", "access", "path", "estimate", "rows read"};
    const std::vector<bool> right_aligned = {false, false, false, true, true};
    std::vector<std::vector<std::string>> rows;
    for (const auto& entry : access_plan.tables) {
        for (const auto& access : entry.accesses) {
            rows.push_back({entry.table.display(), access.description(),
                            std::string(access_path_name(access.path)) +
                                (access.planner_prefers_scan ? " (planner's choice)" : ""),
                            access.planner_rows < 0 ? "-" : std::to_string(access.planner_rows),
                            std::to_string(access.expected_rows_read)});
        }
    }
    // "estimate" is the planner's row estimate of the access's query: per looked-up value for a
    // lookup, the whole result otherwise.
    std::string out = "access paths:\n";
    out += format_text_table(headers, right_aligned, rows, "  ");
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
