// The table of sizes and the closure's reasons, shared by `plan` (before) and `subset`/`sync` (after).
#include "understudy/orchestrator/pipelines/table_summary.hpp"

#include <cstdint>
#include <vector>

#include "understudy/orchestrator/transfer/progress.hpp"
#include "understudy/subsetter/text_table.hpp"

namespace understudy::orchestrator {
namespace {

const char* policy_name(subsetter::TablePolicy policy) {
    switch (policy) {
        case subsetter::TablePolicy::all: return "all";
        case subsetter::TablePolicy::none: return "none";
        case subsetter::TablePolicy::sample: break;
    }
    return "sample";
}

/// A count of the entry, "-" when absent or unknown (negative).
std::string count_cell(const nlohmann::json& entry, const char* key) {
    if (!entry.contains(key)) return "-";
    const auto value = entry[key].get<std::int64_t>();
    return value < 0 ? "-" : format_count(value);
}

/// Seeds and added rows mean something only for a sampled table chosen by key.
bool chosen_by_key(const nlohmann::json& entry) {
    return entry.contains("selected_rows") && entry.value("policy", "") == "sample" && !entry.value("keyless", false);
}

}  // namespace

nlohmann::json table_report(const subsetter::TablePlan& table_plan, const subsetter::TableSelection* chosen) {
    nlohmann::json entry;
    entry["table"] = table_plan.table.display();
    entry["policy"] = policy_name(table_plan.policy);
    entry["sizing"] = table_plan.sizing;
    entry["estimated_rows"] = table_plan.estimated_rows;
    entry["target_rows"] = table_plan.target_rows;
    entry["keyless"] = table_plan.keyless;
    if (chosen) {
        entry["selected_rows"] = chosen->row_count();
        entry["seed_rows"] = chosen->seed_rows;
        entry["forced_rows"] = chosen->forced_rows;
        entry["parent_rows"] = chosen->parent_rows;
        entry["child_rows"] = chosen->child_rows;
        entry["rows_read"] = chosen->rows_read;
        nlohmann::json closure = nlohmann::json::array();
        for (const auto& added : chosen->closure)
            closure.push_back(
                {{"reference", added.reference}, {"as", added.parents ? "parents" : "children"}, {"rows", added.rows}});
        entry["closure"] = closure;
    }
    return entry;
}

std::string format_table_summary(const nlohmann::json& tables) {
    bool copied = false;
    for (const auto& entry : tables) copied = copied || entry.contains("copied_rows");
    std::vector<std::string> headers = {"table", "sizing", "estimate", "target", "seeds", "added", "selected"};
    std::vector<bool> right_aligned = {false, false, true, true, true, true, true};
    if (copied) {
        headers.insert(headers.end(), {"copied", "bytes"});
        right_aligned.insert(right_aligned.end(), {true, true});
    }
    std::vector<std::vector<std::string>> rows;
    for (const auto& entry : tables) {
        const bool by_key = chosen_by_key(entry);
        std::string added = "-";
        if (by_key) {
            added = format_count(entry["forced_rows"].get<std::int64_t>() + entry["parent_rows"].get<std::int64_t>() +
                                 entry["child_rows"].get<std::int64_t>());
        }
        std::string selected = count_cell(entry, "selected_rows");
        // A table copied whole is not counted before the copy: its row count is "all".
        if (entry.contains("selected_rows") && entry["selected_rows"].get<std::int64_t>() < 0) selected = "all";
        std::vector<std::string> row = {entry["table"].get<std::string>(),
                                        entry.value("sizing", entry.value("policy", "")),
                                        count_cell(entry, "estimated_rows"),
                                        count_cell(entry, "target_rows"),
                                        by_key ? count_cell(entry, "seed_rows") : "-",
                                        added,
                                        selected};
        if (copied) {
            row.push_back(count_cell(entry, "copied_rows"));
            row.push_back(entry.contains("bytes") ? format_bytes(entry["bytes"].get<double>()) : "-");
        }
        rows.push_back(std::move(row));
    }
    return subsetter::format_text_table(headers, right_aligned, rows);
}

std::string format_closure(const nlohmann::json& tables) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& entry : tables) {
        if (!chosen_by_key(entry)) continue;
        const std::string table = entry["table"].get<std::string>();
        for (const auto& added : entry.value("closure", nlohmann::json::array())) {
            rows.push_back({table, format_count(added["rows"].get<std::int64_t>()),
                            added["as"].get<std::string>() + " via " + added["reference"].get<std::string>()});
        }
        if (const auto forced = entry["forced_rows"].get<std::int64_t>(); forced > 0)
            rows.push_back({table, format_count(forced), "forced (--force)"});
    }
    if (rows.empty()) return "";
    return "rows added beyond the seeds, by what pulled them in:\n" +
           subsetter::format_text_table({"table", "added", "why"}, {false, true, false}, rows);
}

}  // namespace understudy::orchestrator
