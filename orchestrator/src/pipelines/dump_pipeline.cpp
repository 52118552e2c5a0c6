// The dump pipeline: the subset's guards, plan and selection, written as one plain SQL file.
#include "understudy/orchestrator/pipelines/dump_pipeline.hpp"

#include <chrono>
#include <map>
#include <optional>
#include <set>

#include <pqxx/result>

#include "transfer/dump_file.hpp"
#include "guards/row_security_guard.hpp"
#include "pipelines/source_model.hpp"
#include "pipelines/unindexed_references.hpp"
#include "pipelines/unresolved_reference_check.hpp"

#include "understudy/anonymizer/secret.hpp"
#include "understudy/anonymizer/table_rewriter.hpp"
#include "understudy/orchestrator/transfer/copy_statement.hpp"
#include "understudy/orchestrator/transfer/large_objects.hpp"
#include "understudy/orchestrator/schema/schema_clone.hpp"
#include "understudy/orchestrator/transfer/sequence_reset.hpp"
#include "understudy/pg/copy_connection.hpp"
#include "understudy/pg/database_error.hpp"
#include "understudy/pg/session.hpp"
#include "understudy/pg/session_settings.hpp"
#include "understudy/pg/sql_text.hpp"
#include "understudy/subsetter/selection.hpp"

namespace understudy::orchestrator {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::uint64_t k_progress_every_rows = 8192;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

/// How a sequence is restored: its source position, and whether the column it feeds can push it further.
struct SequenceShape {
    bool ascending = true;
    bool feeds_integer_column = false;
};

SequenceShape read_sequence_shape(pqxx::transaction_base& tx, const subsetter::Sequence& sequence) {
    // OWNED BY accepts any column; only an integer one (or a domain over one) holds values the
    // sequence handed out, and only such a column can be compared with its position.
    std::string feeds_integer_column = "false";
    if (sequence.table && !sequence.column.empty()) {
        feeds_integer_column =
            "(SELECT coalesce(nullif(t.typbasetype, 0), t.oid) IN ('int2'::regtype, 'int4'::regtype, "
            "'int8'::regtype) FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid WHERE a.attrelid = " +
            pg::quote_literal(sequence.table->quoted()) + "::regclass AND a.attname = " +
            pg::quote_literal(sequence.column) + " AND NOT a.attisdropped)";
    }
    auto row = pg::with_context(pg::Side::source, "could not read sequence \"" + sequence.name.display() + "\"", [&] {
        return tx.exec1("SELECT seqincrement > 0, coalesce(" + feeds_integer_column +
                        ", false) FROM pg_sequence WHERE seqrelid = " + pg::quote_literal(sequence.name.quoted()) +
                        "::regclass");
    });
    return {row[0].as<bool>(), row[1].as<bool>()};
}

/// The statement that puts one sequence where reset_sequences() would: at the greater of its
/// source position and the largest value in the restored column (the smaller for a descending
/// one). It is computed when the file is restored, over exactly the rows the file holds.
std::string setval_statement(const subsetter::Sequence& sequence, const SequenceValue& value,
                             const SequenceShape& shape) {
    const std::string regclass = pg::quote_literal(sequence.name.quoted()) + "::regclass";
    const std::string position = std::to_string(value.last_value);
    const std::string plain_setval =
        "pg_catalog.setval(" + regclass + ", " + position + ", " + (value.is_called ? "true" : "false") + ")";
    if (!shape.feeds_integer_column) return "SELECT " + plain_setval + ";\n";
    // setval(v, true) makes the next nextval() return v + increment: a used value at or beyond the
    // position becomes the new position, marked as called.
    return std::string("SELECT CASE WHEN used IS NOT NULL AND used ") + (shape.ascending ? ">=" : "<=") + " " +
           position + " THEN pg_catalog.setval(" + regclass + ", used, true) ELSE " + plain_setval + " END FROM (SELECT " +
           (shape.ascending ? "max(" : "min(") + pg::quote_ident(sequence.column) + ")::bigint AS used FROM " +
           sequence.table->quoted() + ") AS restored;\n";
}

/// The populated materialized views in an order that refreshes each after every matview it reads
/// (directly or through plain views), else by name.
std::vector<subsetter::QualifiedName> refresh_order(pqxx::transaction_base& tx, const subsetter::Catalog& catalog) {
    const auto& views = catalog.materialized_views;
    if (views.empty()) return {};
    std::string oids;
    for (const auto& view : views) {
        if (!oids.empty()) oids += ", ";
        oids += pg::quote_literal(view.quoted()) + "::regclass";
    }
    // Every relation a matview's query reads, following plain views down to what they read.
    const std::string query =
        "WITH RECURSIVE reads(matview, relation) AS ("
        " SELECT r.ev_class, d.refobjid FROM pg_rewrite r JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass"
        " AND d.objid = r.oid AND d.refclassid = 'pg_class'::regclass AND d.refobjid <> r.ev_class"
        " WHERE r.ev_class IN (" + oids + ")"
        " UNION"
        " SELECT reads.matview, d.refobjid FROM reads JOIN pg_class c ON c.oid = reads.relation AND c.relkind = 'v'"
        " JOIN pg_rewrite r ON r.ev_class = c.oid JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass"
        " AND d.objid = r.oid AND d.refclassid = 'pg_class'::regclass AND d.refobjid <> r.ev_class)"
        " SELECT mn.nspname, m.relname, rn.nspname, rc.relname FROM reads"
        " JOIN pg_class m ON m.oid = reads.matview JOIN pg_namespace mn ON mn.oid = m.relnamespace"
        " JOIN pg_class rc ON rc.oid = reads.relation AND rc.relkind = 'm' JOIN pg_namespace rn ON rn.oid = rc.relnamespace";
    auto rows = pg::with_context(pg::Side::source, "could not read the materialized views' dependencies",
                                 [&] { return tx.exec(query); });
    std::map<subsetter::QualifiedName, std::set<subsetter::QualifiedName>> reads;
    const std::set<subsetter::QualifiedName> populated(views.begin(), views.end());
    for (const auto& row : rows) {
        subsetter::QualifiedName reader{row[0].c_str(), row[1].c_str()};
        subsetter::QualifiedName read{row[2].c_str(), row[3].c_str()};
        if (populated.count(read) && !(reader == read)) reads[reader].insert(read);
    }
    // Rounds by name: each round takes every view whose inputs are all refreshed already.
    std::vector<subsetter::QualifiedName> order;
    std::set<subsetter::QualifiedName> done;
    while (order.size() < views.size()) {
        std::size_t before = order.size();
        std::vector<subsetter::QualifiedName> ready;
        for (const auto& view : views) {
            if (done.count(view)) continue;
            bool inputs_done = true;
            for (const auto& input : reads[view]) inputs_done = inputs_done && done.count(input) > 0;
            if (inputs_done) ready.push_back(view);
        }
        for (const auto& view : ready) {
            done.insert(view);
            order.push_back(view);
        }
        if (order.size() == before) {
            // A cycle cannot exist between matviews; should the query miss something, keep the name order.
            for (const auto& view : views)
                if (!done.count(view)) order.push_back(view);
        }
    }
    return order;
}

/// Opens a source connection inside the run's snapshot, converting COPY text to `encoding`.
std::unique_ptr<pg::CopyConnection> snapshot_connection(const pg::SourceSnapshot& snapshot) {
    auto connection = std::make_unique<pg::CopyConnection>(snapshot.conninfo(), pg::Side::source);
    // The file declares the source's encoding (pg_restore's SET client_encoding), so the rows are
    // written in it too, whatever the client's locale says.
    if (!snapshot.identity().encoding.empty())
        connection->execute("SET client_encoding = " + pg::quote_literal(snapshot.identity().encoding),
                            "could not set the client encoding");
    // SET TRANSACTION SNAPSHOT must be the transaction's first statement; REPEATABLE READ keeps the
    // imported snapshot for every later statement.
    connection->execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET TRANSACTION SNAPSHOT " +
                            pg::quote_literal(snapshot.id()) + "; SET LOCAL synchronize_seqscans = off",
                        "could not import the run's snapshot");
    return connection;
}

}  // namespace

nlohmann::json run_dump(const DumpRequest& request, Progress& progress) {
    const auto run_start = Clock::now();
    nlohmann::json report;
    report["command"] = "dump";
    report["source"] = request.source.redacted();
    report["out"] = request.out_path;
    report["seed"] = request.settings.seed;
    report["children"] = request.settings.children;

    // The same guards and model as subset: nothing is read row by row before they passed.
    pg::SourceSnapshot snapshot(request.source);
    report["source_in_recovery"] = snapshot.identity().in_recovery;
    progress.phase("reading the catalog");
    auto model = read_source_model(snapshot, request.settings);
    check_rows_readable(snapshot.transaction(), model.catalog, model.plan);
    std::optional<anonymizer::Secret> secret = guard_anonymization(request.rules, model);
    report["anonymized"] = secret.has_value();
    // After the guards: a run that is refused shows its one error line, not a warning first.
    check_unresolved_references(snapshot.transaction(), model, request.settings, progress, report);
    warn_unindexed_references(snapshot.transaction(), model, request.settings, progress, report);
    // What `plan` lists under warnings (a model naming a missing table, a type value naming none)
    // must not go unseen by a run that only copies.
    for (const auto& warning : model.plan.warnings) progress.warn(warning);

    auto sequence_values = read_sequence_values(snapshot.transaction(), model.catalog);
    std::map<subsetter::QualifiedName, SequenceShape> sequence_shapes;
    for (const auto& sequence : model.catalog.sequences)
        sequence_shapes[sequence.name] = read_sequence_shape(snapshot.transaction(), sequence);
    auto matviews = refresh_order(snapshot.transaction(), model.catalog);

    progress.phase("dumping the schema");
    auto archive = SchemaArchive::dump(request.source, snapshot.id(), request.settings.catalog_filter.schemas);
    progress.phase("selecting rows");
    // Two sessions, like subset's default --jobs: a laptop's dump should not cost the follower more.
    auto selection = select_rows_in_snapshot(snapshot, model, request.settings, 2, progress);
    report["selection_rounds"] = selection.rounds;
    report["selection"]["rows_read"] = selection.rows_read;
    auto jobs = make_copy_jobs(model.catalog, model.plan, selection);

    DumpFileWriter file(request.out_path);
    file.write("-- understudy dump of database " + pg::quote_ident(snapshot.identity().database) +
               ": restore into an empty database with `psql -X -1 -v ON_ERROR_STOP=1 -f FILE` or `understudy restore`\n\n");
    // The rows were written under the pinned session settings; the restoring session reads them under the same.
    file.write(pg::dump_file_settings_sql() + "\n");
    file.write(archive.sql(SchemaSection::pre_data));

    progress.phase("writing rows");
    auto source = snapshot_connection(snapshot);
    nlohmann::json tables = nlohmann::json::array();
    std::uint64_t total_rows = 0;
    std::uint64_t total_bytes = 0;
    std::string rewritten;
    for (const auto& job : jobs) {
        const auto& table = *job.table;
        const std::string name = table.name.display();
        const auto table_start = Clock::now();
        std::optional<anonymizer::TableRewriter> rewriter;
        if (secret) {
            rewriter.emplace(request.rules, *secret, name, table.copy_columns());
            if (rewriter->passthrough()) rewriter.reset();
        }
        // psql reads the rows of `COPY ... FROM STDIN` from the script itself, up to `\.`.
        file.write("\n" + copy_in_statement(table, false) + ";\n");
        std::uint64_t rows = 0;
        std::uint64_t bytes = 0;
        std::uint64_t since_report = 0;
        auto write_row = [&](std::string_view row) {
            if (rewriter) {
                rewritten.clear();
                rewriter->rewrite(row, rewritten);
                file.write(rewritten);
            } else {
                file.write(row);
            }
            ++rows;
            bytes += row.size();
            if (++since_report == k_progress_every_rows) {
                since_report = 0;
                progress.table_running(name, rows, bytes);
            }
        };
        // No retry here, unlike subset: rows already written cannot be taken back out of the
        // stream; a failed run leaves no file, and a rerun reads the same rows.
        const std::string action = "could not copy " + table.name.quoted();
        if (job.whole_table) {
            source->copy_out(copy_out_statement(table, {}), action, write_row);
        } else {
            for (const auto& select : job.selects) source->copy_out(copy_out_statement(table, select), action, write_row);
        }
        file.write("\\.\n");
        progress.table_done(name, rows, bytes);
        tables.push_back({{"table", name}, {"rows", rows}, {"bytes", bytes}, {"seconds", seconds_since(table_start)}});
        total_rows += rows;
        total_bytes += bytes;
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
    std::map<subsetter::QualifiedName, const SequenceValue*> source_values;
    for (const auto& value : sequence_values) source_values[value.sequence] = &value;
    file.write("\n-- sequences: at least where the source was, and past every restored value\n");
    for (const auto& sequence : model.catalog.sequences) {
        auto found = source_values.find(sequence.name);
        if (found == source_values.end()) continue;
        file.write(setval_statement(sequence, *found->second, sequence_shapes.at(sequence.name)));
    }
    if (!matviews.empty()) file.write("\n");
    for (const auto& view : matviews) file.write("REFRESH MATERIALIZED VIEW " + view.quoted() + ";\n");
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
