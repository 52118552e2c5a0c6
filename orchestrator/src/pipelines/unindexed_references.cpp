// A source without the indexes the selection needs still works, only slower: the run says why.
#include "pipelines/unindexed_references.hpp"

#include "understudy/subsetter/access_paths.hpp"

namespace understudy::orchestrator {

void warn_unindexed_references(pg::Transaction& tx, const SourceModel& model,
                               const subsetter::SubsetSettings& settings, Progress& progress, nlohmann::json& report) {
    auto unindexed = subsetter::find_unindexed_references(tx, model.catalog, model.plan, settings);
    nlohmann::json entries = nlohmann::json::array();
    for (const auto& reference : unindexed)
        entries.push_back({{"reference", reference.reference}, {"create_index", reference.create_index}});
    report["unindexed_references"] = entries;
    if (!unindexed.empty()) progress.warn(subsetter::unindexed_warning(unindexed));
}

}  // namespace understudy::orchestrator
