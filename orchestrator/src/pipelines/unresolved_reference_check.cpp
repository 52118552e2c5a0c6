// A subset whose references are only guessed at says so before it writes anything.
#include "pipelines/unresolved_reference_check.hpp"

#include <algorithm>

#include "understudy/error.hpp"
#include "understudy/subsetter/unresolved_references.hpp"

namespace understudy::orchestrator {

void check_unresolved_references(pg::Transaction& tx, const SourceModel& model,
                                 const subsetter::SubsetSettings& settings, Progress& progress, nlohmann::json& report) {
    nlohmann::json entries = nlohmann::json::array();
    const bool full_copy = std::all_of(model.plan.tables.begin(), model.plan.tables.end(), [](const auto& table) {
        return table.policy != subsetter::TablePolicy::sample;
    });
    if (full_copy) {
        report["unresolved_references"] = entries;
        return;
    }
    auto unresolved = subsetter::find_unresolved_references(tx, model.catalog, model.plan, settings);
    for (const auto& entry : unresolved) {
        nlohmann::json candidates = nlohmann::json::array();
        for (const auto& candidate : entry.candidates)
            candidates.push_back({{"table", candidate.table.display()}, {"contained", candidate.contained}});
        entries.push_back({{"column", entry.display()},
                           {"sampled", entry.sampled},
                           {"rows_sampled", entry.rows_sampled},
                           {"candidates", candidates}});
        if (!entry.probe_error.empty()) entries.back()["probe_error"] = entry.probe_error;
    }
    report["unresolved_references"] = entries;
    if (unresolved.empty()) return;
    if (settings.strict_references) throw Error(ExitCode::plan_refused, subsetter::unresolved_error(unresolved));
    progress.warn(subsetter::unresolved_warning(unresolved));
}

}  // namespace understudy::orchestrator
