// `plan` runs subset's selection read-only, so that what it shows is what subset then copies.
#include "pipelines/plan_selection.hpp"

#include <chrono>
#include <optional>

#include "understudy/error.hpp"
#include "understudy/orchestrator/pipelines/table_summary.hpp"
#include "understudy/orchestrator/transfer/progress.hpp"
#include "understudy/pg/database_error.hpp"
#include "understudy/subsetter/selection.hpp"

namespace understudy::orchestrator {
namespace {

/// The selection on a session of its own inside the run's snapshot: a query the server refuses
/// (a broken `where:`, a role that row-level security filters) ends only that session's
/// transaction, so the rest of `plan` (references, access paths, anonymization) still runs.
std::optional<subsetter::Selection> try_select(pg::SourceSnapshot& snapshot, const SourceModel& model,
                                               const subsetter::SubsetSettings& settings, std::string& failure) {
    pg::SnapshotSession session(snapshot.conninfo(), snapshot.id());
    try {
        return subsetter::select_rows(session.transaction(), model.catalog, model.plan, settings);
    } catch (const Error& error) {
        if (const auto* database = dynamic_cast<const pg::DatabaseError*>(&error); database && database->is_session_lost())
            throw;
        failure = error.what();
        return std::nullopt;
    }
}

}  // namespace

std::string describe_selection(pg::SourceSnapshot& snapshot, const SourceModel& model,
                               const subsetter::SubsetSettings& settings) {
    const auto start = std::chrono::steady_clock::now();
    std::string failure;
    const auto selection = try_select(snapshot, model, settings, failure);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    nlohmann::json tables = nlohmann::json::array();
    std::int64_t selected_rows = 0;
    int selected_tables = 0;
    int whole_tables = 0;
    for (const auto& table_plan : model.plan.tables) {
        const subsetter::TableSelection* chosen = selection ? selection->find(table_plan.table) : nullptr;
        tables.push_back(table_report(table_plan, chosen));
        if (!chosen || chosen->mode == subsetter::SelectionMode::none) continue;
        if (chosen->row_count() < 0) {
            ++whole_tables;
        } else if (chosen->row_count() > 0) {
            selected_rows += chosen->row_count();
            ++selected_tables;
        }
    }
    std::string out = format_table_summary(tables);
    if (!selection) return out + "selection failed, so the table shows targets only: " + failure + "\n";
    out += "selected " + format_count(selected_rows) + " rows in " + std::to_string(selected_tables) + " tables";
    if (whole_tables > 0) out += ", and " + std::to_string(whole_tables) + " tables whole";
    out += "; the selection read " + format_count(selection->rows_read) + " rows of the source in " +
           seconds_text(seconds) + " s\n";
    if (auto closure = format_closure(tables); !closure.empty()) out += "\n" + closure;
    return out;
}

}  // namespace understudy::orchestrator
