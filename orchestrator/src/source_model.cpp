// Reading the source model inside the snapshot.
#include "source_model.hpp"

namespace understudy::orchestrator {

SourceModel read_source_model(pg::SourceSnapshot& snapshot, const subsetter::SubsetSettings& settings) {
    auto catalog = subsetter::load_catalog(snapshot.transaction(), settings.catalog_filter);
    auto plan = subsetter::make_plan(snapshot.transaction(), catalog, settings);
    return {std::move(catalog), std::move(plan)};
}

}  // namespace understudy::orchestrator
