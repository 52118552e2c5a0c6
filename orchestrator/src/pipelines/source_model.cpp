// Reading the source model inside the snapshot.
#include "pipelines/source_model.hpp"

#include <memory>

#include "guards/kept_pii_guard.hpp"
#include "guards/row_security_guard.hpp"
#include "pipelines/unindexed_references.hpp"
#include "pipelines/unresolved_reference_check.hpp"

#include "understudy/orchestrator/guards/anonymization_guard.hpp"

namespace understudy::orchestrator {

SourceModel read_source_model(pg::SourceSnapshot& snapshot, const subsetter::SubsetSettings& settings) {
    auto catalog = subsetter::load_catalog(snapshot.transaction(), settings.catalog_filter);
    auto plan = subsetter::make_plan(snapshot.transaction(), catalog, settings);
    return {std::move(catalog), std::move(plan)};
}

subsetter::Selection select_rows_in_snapshot(pg::SourceSnapshot& snapshot, const SourceModel& model,
                                             const subsetter::SubsetSettings& settings, int sessions,
                                             Progress& progress) {
    // The more sessions, the more lookups of a step run at once; each is one more connection to
    // the follower for the few seconds the selection takes.
    std::vector<std::unique_ptr<pg::SnapshotSession>> helpers;
    std::vector<pg::Transaction*> parallel;
    for (int session_idx = 1; session_idx < sessions; ++session_idx) {
        helpers.push_back(std::make_unique<pg::SnapshotSession>(snapshot.conninfo(), snapshot.id()));
        parallel.push_back(&helpers.back()->transaction());
    }
    return subsetter::select_rows(snapshot.transaction(), model.catalog, model.plan, settings,
                                  [&](const std::string& message) { progress.note(message); }, parallel);
}

std::optional<anonymizer::Secret> guard_anonymization(const anonymizer::RuleSet& rules, const SourceModel& model) {
    if (!rules.configured()) return std::nullopt;
    enforce_coverage(rules, model.catalog, &model.plan);
    return anonymizer::Secret::from_environment();
}

GuardedModel open_guarded_model(pg::SourceSnapshot& snapshot, const subsetter::SubsetSettings& settings,
                                const anonymizer::RuleSet& rules, Progress& progress, nlohmann::json& report) {
    GuardedModel guarded{read_source_model(snapshot, settings), std::nullopt};
    const SourceModel& model = guarded.model;
    // Row-level security that filters our role would copy fewer rows without a word.
    check_rows_readable(snapshot.transaction(), model.catalog, model.plan);
    // The fail-closed guard and the secret come before any row is read, let alone written.
    guarded.secret = guard_anonymization(rules, model);
    report["anonymized"] = guarded.secret.has_value();
    // Kept columns are sampled once, here: PII in one stops the run (kept_pii: fail) or is said.
    const auto kept_pii = find_kept_pii(snapshot.transaction(), rules, model.catalog, &model.plan);
    const auto kept_pii_warnings = enforce_kept_pii(rules, kept_pii);
    report["kept_pii"] = nlohmann::json::array();
    for (const auto& kept : kept_pii) report["kept_pii"].push_back(kept.column + ": " + describe_kept_pii(kept));
    // After the guards: a run that is refused shows its one error line, not a warning first.
    check_unresolved_references(snapshot.transaction(), model, settings, progress, report);
    warn_unindexed_references(snapshot.transaction(), model, settings, progress, report);
    // What `plan` lists under warnings (a model naming a missing table, a type value naming none)
    // must not go unseen by a run that only copies.
    for (const auto& warning : model.plan.warnings) progress.warn(warning);
    for (const auto& warning : kept_pii_warnings) progress.warn(warning);
    return guarded;
}

SelectedRows select_copy_jobs(pg::SourceSnapshot& snapshot, const SourceModel& model,
                              const subsetter::SubsetSettings& settings, int sessions, Progress& progress,
                              nlohmann::json& report, bool split_partitions) {
    SelectedRows selected{select_rows_in_snapshot(snapshot, model, settings, sessions, progress), {}};
    report["selection_rounds"] = selected.selection.rounds;
    report["selection"]["rows_read"] = selected.selection.rows_read;
    selected.jobs = make_copy_jobs(model.catalog, model.plan, selected.selection, split_partitions);
    return selected;
}

std::vector<TableCopyJob> split_copy_jobs(pg::SourceSnapshot& snapshot, const std::vector<TableCopyJob>& jobs,
                                          TableSplitting splitting) {
    splitting.tid_range_scans = snapshot.identity().server_version >= 140000;
    if (splitting.workers < 2 || !splitting.tid_range_scans) return jobs;
    return split_large_tables(jobs, read_relation_sizes(snapshot.transaction(), jobs), splitting);
}

std::vector<TableCopyJob> make_copy_jobs(const subsetter::Catalog& catalog, const subsetter::SubsetPlan& plan,
                                         const subsetter::Selection& selection, bool split_partitions) {
    std::vector<TableCopyJob> jobs;
    for (const auto& table_plan : plan.tables) {
        const auto* table = catalog.find(table_plan.table);
        const auto* chosen = selection.find(table_plan.table);
        if (!table || !chosen || chosen->mode == subsetter::SelectionMode::none) continue;
        if (split_partitions && chosen->mode == subsetter::SelectionMode::all && table->partitioned &&
            !table->partitions.empty() && !table->foreign_partitions) {
            for (const auto& leaf : table->partitions) {
                TableCopyJob job;
                job.table = table;
                job.whole_table = true;
                job.partition = leaf;
                job.expected_rows = table->estimated_rows / static_cast<std::int64_t>(table->partitions.size());
                jobs.push_back(std::move(job));
            }
            continue;
        }
        TableCopyJob job;
        job.table = table;
        job.whole_table = chosen->mode == subsetter::SelectionMode::all && !table->partitioned;
        if (!job.whole_table) job.selects = chosen->select_statements(*table);
        if (!job.whole_table && job.selects.empty()) continue;
        job.expected_rows = chosen->row_count() >= 0 ? chosen->row_count() : table->estimated_rows;
        jobs.push_back(std::move(job));
    }
    return jobs;
}

}  // namespace understudy::orchestrator
