// The subset pipeline: one snapshot on the source, every step in order, a report at the end.
#include "understudy/orchestrator/pipelines/subset_pipeline.hpp"

#include <chrono>
#include <cstdio>
#include <functional>
#include <future>
#include <optional>
#include <set>

#include "understudy/pg/query_session.hpp"

#include "pipelines/source_model.hpp"
#include "schema/table_index_builder.hpp"

#include "understudy/anonymizer/secret.hpp"
#include "understudy/orchestrator/transfer/large_objects.hpp"
#include "understudy/orchestrator/schema/post_data_split.hpp"
#include "understudy/orchestrator/schema/schema_clone.hpp"
#include "understudy/orchestrator/transfer/finishing_statements.hpp"
#include "understudy/orchestrator/guards/follower_preflight.hpp"
#include "understudy/orchestrator/guards/sync_guards.hpp"
#include "understudy/orchestrator/transfer/table_transfer.hpp"
#include "understudy/orchestrator/transfer/target_analyze.hpp"
#include "understudy/orchestrator/guards/target_guard.hpp"
#include "understudy/orchestrator/pipelines/table_summary.hpp"
#include "understudy/pg/session.hpp"
#include "understudy/test_pause.hpp"
#include "understudy/subsetter/catalog.hpp"
#include "understudy/subsetter/selection.hpp"
#include "understudy/subsetter/subset_plan.hpp"

namespace understudy::orchestrator {
namespace {

using Clock = std::chrono::steady_clock;

/// Times the phases of a run into the report.
class PhaseClock {
public:
    explicit PhaseClock(nlohmann::json& phases) : m_phases(phases), m_run_start(Clock::now()) {}

    template <typename Body>
    auto run(const char* phase, Progress& progress, const std::string& label, Body&& body) -> decltype(body()) {
        progress.phase(label);
        auto start = Clock::now();
        struct Record {
            nlohmann::json& phases;
            const char* phase;
            Clock::time_point start;
            ~Record() { phases[phase] = std::chrono::duration<double>(Clock::now() - start).count(); }
        } record{m_phases, phase, start};
        return body();
    }

    double total_seconds() const { return std::chrono::duration<double>(Clock::now() - m_run_start).count(); }

private:
    nlohmann::json& m_phases;
    Clock::time_point m_run_start;
};

std::string sizing_name(const subsetter::Sizing& sizing) {
    char text[64];
    std::snprintf(text, sizeof text, "%s %g",
                  sizing.mode == subsetter::SizingMode::logarithmic ? "logarithmic" : "fraction", sizing.factor);
    return text;
}

nlohmann::json load_target(const SubsetRequest& request, pg::SourceSnapshot& snapshot,
                           const pg::ServerIdentity& target_identity, const SourceModel& model,
                           const anonymizer::Secret* secret, nlohmann::json& report, PhaseClock& clock,
                           Progress& progress, bool clear_first, const SnapshotAgeLimit& age_limit,
                           const std::function<void()>& loaded);

/// Each copied table's rows and bytes per second of copy time. A table copied in several jobs
/// (leaf partitions) adds up their seconds, so its rate is one worker's, comparable across tables.
void add_copy_rates(nlohmann::json& tables) {
    for (auto& entry : tables) {
        const double seconds = entry.value("seconds", 0.0);
        if (!entry.contains("copied_rows") || seconds <= 0) continue;
        entry["rows_per_second"] = entry["copied_rows"].get<double>() / seconds;
        entry["bytes_per_second"] = entry["bytes"].get<double>() / seconds;
    }
}

/// "started 2026-12-03T05:06:07Z from host:port/dbname": what the partial-copy mark says (no user, no password).
std::string partial_copy_description(pg::QuerySession& target, const pg::ConnInfo& source) {
    const std::string started = pg::with_context(pg::Side::target, "could not read the target's clock", [&] {
        auto tx = target.autocommit();
        return std::string(tx.exec1("SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')")[0].c_str());
    });
    return "started " + started + " from " + source.get("host").value_or("") + ":" + source.get("port").value_or("5432") +
           "/" + source.get("dbname").value_or("");
}

}  // namespace

nlohmann::json run_subset(const SubsetRequest& request, Progress& progress) {
    nlohmann::json report;
    report["command"] = "subset";
    report["source"] = request.source.redacted();
    report["target"] = request.target.redacted();
    report["sizing"] = sizing_name(request.settings.sizing);
    report["seed"] = request.settings.seed;
    report["children"] = request.settings.children;
    report["dry_run"] = request.dry_run;
    nlohmann::json& phases = report["phases"];
    PhaseClock clock(phases);

    // Guards first: nothing is written before every one of them passed. What a follower source
    // will do to a long read is said before the snapshot that the read holds is taken.
    if (auto follower = preflight_follower(request.source, progress); !follower.is_null()) report["follower"] = follower;
    pg::SourceSnapshot snapshot(request.source);
    const SnapshotAgeLimit age_limit(request.max_snapshot_age_seconds);
    auto target_connection = pg::connect(request.target, pg::Side::target);
    auto target_identity = pg::read_identity(*target_connection, pg::Side::target);
    check_not_protected(request.target, target_identity, request.protect);
    check_target_is_not_source(snapshot.identity(), target_identity);
    check_target_writable(target_identity);
    std::optional<std::string> partial_copy;
    if (!request.replace && !request.dry_run) partial_copy = check_target_empty(*target_connection);
    if (partial_copy) {
        progress.warn("target database \"" + target_identity.database + "\" holds an unfinished copy left by an " +
                      "interrupted run (\"" + *partial_copy + "\"): rebuilding it");
        end_leftover_sessions(*target_connection);
    }
    report["source_in_recovery"] = snapshot.identity().in_recovery;

    auto guarded = clock.run("plan", progress, "reading the catalog", [&] {
        return open_guarded_model(snapshot, request.settings, request.rules, progress, report);
    });
    const SourceModel& model = guarded.model;
    const std::optional<anonymizer::Secret>& secret = guarded.secret;
    if (request.dry_run) {
        auto selected = clock.run("selection", progress, "selecting rows", [&] {
            return select_copy_jobs(snapshot, model, request.settings, request.jobs, progress, report, false);
        });
        const auto& selection = selected.selection;
        nlohmann::json tables = nlohmann::json::array();
        for (const auto& table_plan : model.plan.tables)
            tables.push_back(table_report(table_plan, selection.find(table_plan.table)));
        report["tables"] = tables;
        report["seconds"] = clock.total_seconds();
        return report;
    }

    // From here on the target is written. It was empty (or --replace was given), so if the run fails
    // it is emptied again: a rerun then starts clean instead of meeting "target is not empty".
    // The target is marked before the first write and the mark is removed when the copy is
    // complete: a run killed in between (a Heroku postdeploy timeout) leaves a target that the
    // next run recognizes as its own and rebuilds without --replace.
    std::optional<std::string> previous_comment;
    bool marked = false;
    try {
        previous_comment = mark_partial_copy(*target_connection, partial_copy_description(*target_connection, request.source));
        marked = true;
    } catch (const pg::DatabaseError& error) {
        if (error.sqlstate() != "42501") throw;
        progress.warn("cannot mark target database \"" + target_identity.database +
                      "\" as a copy in progress (only its owner can comment on it): if this run is interrupted, "
                      "rerun with --replace");
    }
    try {
        // The mark goes as soon as the copy is complete, before after_load: the checks there read
        // the target as its users will, with its database settings (even a read-only default).
        return load_target(request, snapshot, target_identity, model, secret ? &*secret : nullptr, report, clock,
                           progress, request.replace || partial_copy.has_value(), age_limit, [&] {
                               if (marked)
                                   clear_partial_copy_mark(*pg::connect(request.target, pg::Side::target),
                                                           previous_comment);
                           });
    } catch (const TargetBusy&) {
        // --replace could not clear the target: another session holds a lock there, and emptying
        // it now would wait on the same session.
        throw;
    } catch (...) {
        if (request.empty_target_on_failure) {
            try {
                auto cleanup = pg::connect(request.target, pg::Side::target);
                clear_target(*cleanup);
                if (marked) clear_partial_copy_mark(*cleanup, previous_comment);
            } catch (...) {
                // The original failure is what the user needs to see; the target may be unreachable.
            }
        }
        throw;
    }
}

namespace {

nlohmann::json load_target(const SubsetRequest& request, pg::SourceSnapshot& snapshot,
                           const pg::ServerIdentity& target_identity, const SourceModel& model,
                           const anonymizer::Secret* secret, nlohmann::json& report, PhaseClock& clock,
                           Progress& progress, bool clear_first, const SnapshotAgeLimit& age_limit,
                           const std::function<void()>& loaded) {
    // Sequence values are read in the snapshot, like everything else of the source.
    auto sequence_values = read_sequence_values(snapshot.transaction(), model.catalog);
    const auto sequence_positions = sequence_position_statements(snapshot.transaction(), model.catalog, sequence_values);
    const auto matview_order = materialized_view_refresh_order(snapshot.transaction(), model.catalog);

    // The schema work (pg_dump, pre-data restore) runs on its own thread while the key selection
    // runs on the source: they share nothing but the snapshot id, and on two cores this hides
    // most of pg_dump and pg_restore behind the selection.
    struct SchemaStep {
        std::optional<SchemaArchive> archive;
        double dump_seconds = 0;
        double pre_data_seconds = 0;
    };
    auto schema_step = std::async(std::launch::async, [&] {
        SchemaStep step;
        auto start = Clock::now();
        step.archive = SchemaArchive::dump(request.source, snapshot.id(), request.settings.catalog_filter.schemas);
        step.dump_seconds = std::chrono::duration<double>(Clock::now() - start).count();
        start = Clock::now();
        if (clear_first) {
            auto connection = pg::connect(request.target, pg::Side::target);
            clear_target(*connection);
        }
        step.archive->restore(request.target, SchemaSection::pre_data, 1);
        test_pause_point("subset:pre_data_restored");
        step.pre_data_seconds = std::chrono::duration<double>(Clock::now() - start).count();
        return step;
    });
    auto selected = clock.run("selection", progress, "selecting rows", [&] {
        return select_copy_jobs(snapshot, model, request.settings, request.jobs, progress, report,
                                /*split_partitions=*/true);
    });
    const auto& selection = selected.selection;
    const auto jobs = split_copy_jobs(snapshot, selected.jobs, {request.split_tables_larger_than, request.jobs});
    std::set<std::string> split_tables;  // loaded in ranges, without FREEZE: frozen in the analyze phase
    for (const auto& job : jobs) {
        if (job.pages) split_tables.insert(job.table->name.display());
    }
    auto schema = clock.run("schema_wait", progress, "creating tables", [&] { return schema_step.get(); });
    report["phases"]["schema_dump"] = schema.dump_seconds;
    report["phases"]["pre_data"] = schema.pre_data_seconds;
    const SchemaArchive& archive = *schema.archive;

    nlohmann::json tables = nlohmann::json::array();
    std::map<std::string, std::size_t> table_index;
    for (const auto& table_plan : model.plan.tables) {
        table_index[table_plan.table.display()] = tables.size();
        tables.push_back(table_report(table_plan, selection.find(table_plan.table)));
    }

    // Each table's own indexes and keys are built as soon as its rows are in, while the next tables
    // copy; what needs several tables (foreign keys) or none of the loaded ones waits for post-data.
    auto post_data = split_post_data(parse_archive_listing(archive.listing(SchemaSection::post_data)),
                                     read_table_of_object(snapshot.transaction()));
    // Plain tables are analyzed as soon as they are indexed; a partitioned table is analyzed after
    // the copy, as a whole (ANALYZE of the root samples across its leaves).
    std::map<std::string, std::string> analyze_early;
    for (const auto& job : jobs) {
        if (!job.table->partitioned && !job.pages) analyze_early[job.table->name.display()] = job.table->name.quoted();
    }
    WorkSlots budget(request.jobs);  // copy jobs and index builds together: at most --jobs at once
    TableIndexBuilder index_builder(archive, request.target, std::move(post_data.per_table), std::move(analyze_early),
                                   request.jobs, budget);
    std::map<std::string, std::vector<std::string>> leaves_of;
    for (const auto& table : model.catalog.tables) {
        for (const auto& leaf : table.partitions) leaves_of[table.name.display()].push_back(leaf.display());
    }
    auto copied = clock.run("copy", progress, "copying rows", [&] {
        std::optional<RowRewriting> rewriting;
        if (secret) rewriting.emplace(RowRewriting{request.rules, *secret});
        const bool same_major = snapshot.identity().server_version / 10000 == target_identity.server_version / 10000;
        return transfer_tables({request.source, snapshot.id(), target_identity.encoding, same_major, &age_limit},
                               request.target, jobs,
                               request.jobs, progress, rewriting ? &*rewriting : nullptr,
                               [&](const std::string& loaded) {
                                   index_builder.table_loaded(loaded);
                                   // A partitioned table loaded through its root has loaded its leaves.
                                   auto partitioned = leaves_of.find(loaded);
                                   if (partitioned == leaves_of.end()) return;
                                   for (const auto& leaf : partitioned->second) index_builder.table_loaded(leaf);
                               },
                               &budget);
    });
    std::uint64_t total_rows = 0;
    std::uint64_t total_bytes = 0;
    std::set<std::string> copied_tables;
    for (const auto& result : copied) {
        // The leaves of a partitioned table copied leaf by leaf add up to one entry.
        auto& entry = tables[table_index.at(result.table)];
        const bool first = copied_tables.insert(result.table).second;
        entry["copied_rows"] = (first ? 0 : entry["copied_rows"].get<std::uint64_t>()) + result.rows;
        entry["bytes"] = (first ? 0 : entry["bytes"].get<std::uint64_t>()) + result.bytes;
        entry["seconds"] = (first ? 0.0 : entry["seconds"].get<double>()) + result.seconds;
        entry["attempts"] = std::max(first ? 0 : entry["attempts"].get<int>(), result.attempts);
        entry["format"] = result.binary ? "binary" : "text";
        if (result.ranges) entry["ranges"] = result.ranges;
        total_rows += result.rows;
        total_bytes += result.bytes;
    }
    add_copy_rates(tables);

    clock.run("large_objects", progress, "copying large objects", [&] {
        // The rows' oid columns point at large objects, which pg_dump --schema-only leaves out.
        auto oids = large_objects_to_copy(snapshot.transaction(), jobs, secret ? &request.rules : nullptr,
                                          copies_whole_database(model.catalog, model.plan, request.settings));
        LargeObjectTotals totals;
        if (!oids.empty()) {
            auto connection = pg::connect(request.target, pg::Side::target);
            totals = copy_large_objects(snapshot.transaction(), oids, *connection);
        }
        report["large_objects"] = {{"count", totals.count}, {"bytes", totals.bytes}};
    });
    test_pause_point("subset:copied");
    age_limit.check("building indexes and constraints");
    clock.run("post_data", progress, "building indexes and constraints", [&] {
        // Indexes of tables that loaded no rows come first: foreign keys need their parents' keys.
        std::vector<std::string> rest = index_builder.finish();
        rest.insert(rest.end(), post_data.rest.begin(), post_data.rest.end());
        archive.restore_listed(request.target, SchemaSection::post_data, rest, request.jobs);
    });
    report["phases"]["indexes_during_copy"] = index_builder.busy_seconds();
    test_pause_point("subset:post_data_restored");
    auto target_connection = pg::connect(request.target, pg::Side::target);
    clock.run("sequences", progress, "setting sequences", [&] {
        set_sequence_positions(*target_connection, sequence_positions);
        refresh_materialized_views(*target_connection, matview_order);
    });
    clock.run("analyze", progress, "analyzing", [&] {
        // Each table once (a partitioned one has a job per leaf), unless analyzed during the copy.
        std::vector<const subsetter::Table*> loaded;
        std::set<std::string> seen = index_builder.analyzed();
        for (const auto& job : jobs) {
            if (seen.insert(job.table->name.display()).second) loaded.push_back(job.table);
        }
        analyze_tables(request.target, loaded, request.jobs, split_tables);
    });
    test_pause_point("subset:analyzed");
    report["tables"] = tables;
    report["totals"] = {{"tables", copied_tables.size()}, {"rows", total_rows}, {"bytes", total_bytes}};
    // Checked while the target still carries its partial-copy mark: a run stopped here leaves a copy
    // the next run rebuilds, not one that looks finished.
    if (request.after_load) age_limit.check("verifying");
    loaded();
    if (request.after_load) {
        clock.run("verify", progress, "verifying", [&] {
            request.after_load(LoadedRun{snapshot.transaction(), model.catalog, archive, report, model.plan});
        });
    }
    progress.finish();
    report["seconds"] = clock.total_seconds();
    return report;
}

}  // namespace

std::string summarize_report(const nlohmann::json& report) {
    std::string out = format_table_summary(report.value("tables", nlohmann::json::array()));
    char line[256];
    if (report.contains("totals")) {
        const auto& totals = report["totals"];
        std::snprintf(line, sizeof line, "%s rows (%s) in %llu tables, %.2f s\n",
                      format_count(totals["rows"].get<std::int64_t>()).c_str(),
                      format_bytes(totals["bytes"].get<double>()).c_str(),
                      static_cast<unsigned long long>(totals["tables"].get<std::uint64_t>()),
                      report["seconds"].get<double>());
        out += line;
    } else if (report.value("dry_run", false)) {
        out += "dry run: nothing was written\n";
    }
    return out;
}

}  // namespace understudy::orchestrator
