// The dump pipeline: the subset pipeline with a file sink, written as one plain SQL file.
#include "understudy/orchestrator/pipelines/dump_pipeline.hpp"

#include <chrono>
#include <optional>

#include "pipelines/source_model.hpp"
#include "transfer/dump_file.hpp"

#include "understudy/anonymizer/secret.hpp"
#include "understudy/orchestrator/guards/follower_preflight.hpp"
#include "understudy/orchestrator/schema/schema_clone.hpp"
#include "understudy/orchestrator/transfer/finishing_statements.hpp"
#include "understudy/orchestrator/transfer/large_objects.hpp"
#include "understudy/orchestrator/transfer/table_copy.hpp"
#include "understudy/pg/session.hpp"
#include "understudy/pg/session_settings.hpp"
#include "understudy/pg/snapshot_connection.hpp"
#include "understudy/pg/sql_text.hpp"

namespace understudy::orchestrator {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

}  // namespace

nlohmann::json run_dump(const DumpRequest& request, Progress& progress) {
    const auto run_start = Clock::now();
    nlohmann::json report;
    report["command"] = "dump";
    report["source"] = request.source.redacted();
    report["out"] = request.out_path;
    report["seed"] = request.settings.seed;
    report["children"] = request.settings.children;

    // The same opening as subset: nothing is read row by row before the guards passed.
    if (auto follower = preflight_follower(request.source, progress); !follower.is_null()) report["follower"] = follower;
    pg::SourceSnapshot snapshot(request.source);
    report["source_in_recovery"] = snapshot.identity().in_recovery;
    progress.phase("reading the catalog");
    auto guarded = open_guarded_model(snapshot, request.settings, request.rules, progress, report);
    const SourceModel& model = guarded.model;
    const std::optional<anonymizer::Secret>& secret = guarded.secret;

    auto sequence_values = read_sequence_values(snapshot.transaction(), model.catalog);
    const auto sequence_positions = sequence_position_statements(snapshot.transaction(), model.catalog, sequence_values);
    const auto matview_order = materialized_view_refresh_order(snapshot.transaction(), model.catalog);

    progress.phase("dumping the schema");
    auto archive = SchemaArchive::dump(request.source, snapshot.id(), request.settings.catalog_filter.schemas);
    progress.phase("selecting rows");
    // Two sessions, like subset's default --jobs: a laptop's dump should not cost the follower more.
    const auto selected = select_copy_jobs(snapshot, model, request.settings, 2, progress, report, false);
    const auto& jobs = selected.jobs;

    DumpFileWriter file(request.out_path);
    file.write("-- understudy dump of database " + pg::quote_ident(snapshot.identity().database) +
               ": restore into an empty database with `psql -X -1 -v ON_ERROR_STOP=1 -f FILE` or `understudy restore`\n\n");
    // The rows were written under the pinned session settings; the restoring session reads them under the same.
    file.write(pg::dump_file_settings_sql() + "\n");
    file.write(archive.sql(SchemaSection::pre_data));

    progress.phase("writing rows");
    // The file declares the source's encoding (pg_restore's SET client_encoding), so the rows are
    // written in it too, whatever the client's locale says.
    auto source = pg::open_in_snapshot(
        {snapshot.conninfo(), snapshot.id(), snapshot.identity().encoding, pg::Side::source});
    auto sink = dump_file_sink(file);
    std::optional<RowRewriting> rewriting;
    if (secret) rewriting.emplace(RowRewriting{request.rules, *secret});
    nlohmann::json tables = nlohmann::json::array();
    std::uint64_t total_rows = 0;
    std::uint64_t total_bytes = 0;
    for (const auto& job : jobs) {
        const auto table_start = Clock::now();
        // No retry here, unlike subset: rows already written cannot be taken back out of the
        // stream; a failed run leaves no file, and a rerun reads the same rows.
        auto copied = copy_table(*source, *sink, job, rewriting ? &*rewriting : nullptr, false, progress);
        progress.table_done(copied.table, copied.rows, copied.bytes, seconds_since(table_start));
        tables.push_back({{"table", copied.table},
                          {"rows", copied.rows},
                          {"bytes", copied.bytes},
                          {"seconds", seconds_since(table_start)}});
        total_rows += copied.rows;
        total_bytes += copied.bytes;
    }
    source->execute("COMMIT", "could not end the source transaction");

    // Large objects after the rows that point at them, with the same oids, read in the snapshot.
    progress.phase("writing large objects");
    auto large_objects = large_objects_to_copy(snapshot.transaction(), jobs, secret ? &request.rules : nullptr,
                                               copies_whole_database(model.catalog, model.plan, request.settings));
    if (!large_objects.empty()) file.write("\n-- large objects the rows point at\n");
    auto large_object_totals = write_large_objects_sql(snapshot.transaction(), large_objects,
                                                       [&](const std::string& text) { file.write(text); });
    report["large_objects"] = {{"count", large_object_totals.count}, {"bytes", large_object_totals.bytes}};

    progress.phase("writing indexes and constraints");
    file.write("\n");
    file.write(archive.sql(SchemaSection::post_data));

    // Sequences, then matviews (their queries may call nextval()), then statistics, as subset does.
    file.write("\n-- sequences: at least where the source was, and past every restored value\n");
    for (const auto& statement : sequence_positions) file.write(statement);
    if (!matview_order.empty()) file.write("\n");
    for (const auto& view : matview_order) file.write(refresh_statement(view));
    file.write("\nANALYZE;\n");
    file.commit();
    progress.finish();

    report["tables"] = tables;
    report["totals"] = {{"tables", tables.size()}, {"rows", total_rows}, {"bytes", total_bytes},
                        {"file_bytes", file.bytes_written()}};
    report["seconds"] = seconds_since(run_start);
    return report;
}

}  // namespace understudy::orchestrator
