// The nightly refresh: one lock, guards before any write, build, verify, then the swap.
#include "understudy/orchestrator/pipelines/sync_pipeline.hpp"

#include <chrono>
#include <tuple>
#include <thread>

#include "understudy/pg/query_session.hpp"

#include "understudy/error.hpp"
#include "understudy/orchestrator/promotion/heroku_backend.hpp"
#include "understudy/orchestrator/promotion/postgres_backend.hpp"
#include "understudy/orchestrator/pipelines/subset_pipeline.hpp"
#include "understudy/orchestrator/guards/sync_guards.hpp"
#include "understudy/orchestrator/guards/target_guard.hpp"
#include "understudy/orchestrator/guards/verification.hpp"
#include "understudy/pg/session.hpp"
#include "understudy/test_pause.hpp"

namespace understudy::orchestrator {
namespace {

/// A session-level advisory lock on the target server, held for the whole run: a second sync of
/// the same live database waits or stops with `locked`. A crashed run's lock dies with its session.
class SyncLock {
public:
    SyncLock(const pg::ConnInfo& server, const std::string& key, bool wait) {
        m_connection = pg::connect(server, pg::Side::target);
        pg::with_context(pg::Side::target, "could not take the sync lock", [&] {
            auto tx = m_connection->autocommit();
            const std::string lock_key = "hashtextextended(" + tx.quote("understudy sync " + key) + ", 0)";
            if (wait) {
                tx.exec1("SELECT pg_advisory_lock(" + lock_key + ")");
                return;
            }
            if (!tx.exec1("SELECT pg_try_advisory_lock(" + lock_key + ")")[0].as<bool>())
                throw Error(ExitCode::locked, "another understudy sync of \"" + key + "\" is running",
                            "wait for it, or rerun with --wait");
        });
    }

private:
    std::unique_ptr<pg::QuerySession> m_connection;
};

/// Where the lock lives: the server's maintenance database for postgres (promotion terminates the
/// live database's sessions), the target itself otherwise.
pg::ConnInfo lock_server(const PromotionBackend& backend, const pg::ConnInfo& live) {
    if (backend.name() != "postgres") return live;
    return live.with("dbname", live.get("dbname").value_or("") == "postgres" ? "template1" : "postgres");
}

/// The live database's identity, with its Heroku add-on: on Heroku the add-on is what a `protect:`
/// entry names, and the server cannot tell us.
pg::ServerIdentity identity_of_live(PromotionBackend& backend, const pg::ConnInfo& live) {
    auto connection = pg::connect(live, pg::Side::target);
    auto identity = pg::read_identity(*connection, pg::Side::target);
    std::tie(identity.addon, identity.addon_id) = backend.live_addon();
    return identity;
}

/// One Error for a failure after the promotion: "the new copy is live (<what was promoted>), but
/// <the failure>", with the failure's exit code (internal for a non-understudy exception).
[[noreturn]] void rethrow_after_promotion(const std::string& promoted, const std::exception& failure) {
    const auto* error = dynamic_cast<const Error*>(&failure);
    throw Error(error ? error->code() : ExitCode::internal,
                "the new copy is live (" + promoted + "), but the sync did not finish: " + failure.what(),
                "live is the new, verified copy: do not roll back because of this; once the cause is fixed, the next "
                "sync drops the old copies it no longer keeps");
}

}  // namespace

std::unique_ptr<PromotionBackend> make_backend(const SyncConfig& sync, const pg::ConnInfo& target) {
    if (sync.backend == "postgres") return make_postgres_backend(target);
    if (sync.backend == "none") return make_none_backend(target);
    HerokuSettings settings;
    settings.app = sync.heroku_app;
    if (!sync.heroku_plan.empty()) settings.plan = sync.heroku_plan;
    settings.attachment = sync.heroku_attachment;
    return std::make_unique<HerokuBackend>(settings, HerokuApi(HerokuApiSettings::from_environment()));
}

nlohmann::json run_sync(SyncRequest request, Progress& progress) {
    auto backend = make_backend(request.sync, request.target);
    const pg::ConnInfo live = backend->live_database();
    const std::string live_name = live.get("dbname").value_or("");

    // Guards, in order, before anything is written anywhere.
    progress.phase("checking guards");
    SyncLock lock(lock_server(*backend, live), live.get("host").value_or("") + "/" + live_name, request.wait_for_lock);
    {
        auto source_connection = pg::connect(request.source, pg::Side::source);
        auto source_identity = pg::read_identity(*source_connection, pg::Side::source);
        check_source_read_only(source_identity, request.sync.allow_primary_source);
        if (request.sync.max_lag_seconds) check_follower_lag(*source_connection, *request.sync.max_lag_seconds);
        const auto live_identity = identity_of_live(*backend, live);
        check_not_protected(live, live_identity, request.sync.protect);
        check_not_replica_of_source(source_identity, live_identity);
        check_target_is_not_source(source_identity, live_identity);
    }

    test_pause_point("sync:guards_passed");
    progress.phase("preparing the new database");
    const pg::ConnInfo built = backend->prepare_new_database();
    {
        // The new database is created by us; still check it is not the source or protected.
        auto built_connection = pg::connect(built, pg::Side::target);
        auto built_identity = pg::read_identity(*built_connection, pg::Side::target);
        std::tie(built_identity.addon, built_identity.addon_id) = backend->new_addon();
        check_not_protected(built, built_identity, request.sync.protect);
        check_target_writable(built_identity);
    }
    test_pause_point("sync:new_database_created");

    SubsetRequest subset;
    subset.source = request.source;
    subset.target = built;
    subset.settings = request.settings;
    if (request.sync.full) {
        // A full copy: every table whole, no keys held (per-table overrides still apply).
        subset.settings.default_policy = subsetter::TablePolicy::all;
    }
    subset.jobs = request.jobs;
    subset.split_tables_larger_than = request.sync.split_tables_larger_than;
    subset.max_snapshot_age_seconds = request.sync.max_snapshot_age_seconds;
    subset.replace = backend->name() != "none";  // a reused leftover (heroku) may hold a half-built copy
    subset.rules = std::move(request.rules);
    subset.empty_target_on_failure = backend->name() == "none";
    nlohmann::json verification;
    const anonymizer::RuleSet& rules = subset.rules;
    subset.after_load = [&](const LoadedRun& run) {
        VerificationInput input;
        input.built = built;
        input.source_schema = &run.schema;
        for (const auto& table : run.report["tables"]) {
            if (table.contains("copied_rows"))
                input.manifest[table["table"].get<std::string>()] = table["copied_rows"].get<std::uint64_t>();
        }
        input.rules = &rules;
        input.jobs = request.jobs;
        // Live's owner, privileges and settings, before verification reads the copy as the app will.
        backend->give_live_properties();
        if (rules.configured()) input.original_samples = sample_original_values(run.source_transaction, run.catalog, rules);
        // This run is the only writer of `built` so far: what its load proved (constraints the server
        // validated, the copy's row counts) stands for every table nobody writes to from here on.
        input.build_mark = mark_built_database(built);
        input.references = run.plan.graph.references();
        test_pause_point("sync:verifying");
        input.source_transaction = &run.source_transaction;
        auto result = verify_database(input);
        verification = result.checks;
        for (const auto& warning : result.warnings) progress.warn(warning);
        if (!result.ok()) throw_verify_failed(built.get("dbname").value_or(""), result);
    };
    nlohmann::json report = run_subset(std::move(subset), progress);
    report["command"] = "sync";
    report["backend"] = backend->name();
    report["built"] = built.redacted();
    report["verification"] = verification;

    test_pause_point("sync:verified");
    progress.phase("promoting");
    const std::string promoted = backend->promote();
    report["promoted"] = promoted;
    try {
        test_pause_point("sync:promoted");
        report["dropped"] = backend->drop_old(request.sync.keep);
        report["kept"] = request.sync.keep;
    } catch (const std::exception& failure) {
        // The swap has committed: whatever fails now, the new copy is what applications use. The
        // one line says so first, with what is kept, so that nobody rolls back a good copy or
        // reruns thinking live is untouched.
        rethrow_after_promotion(promoted, failure);
    }
    progress.finish();
    return report;
}

std::string summarize_verification(const nlohmann::json& verification) {
    if (!verification.is_object() || verification.empty()) return "";
    auto count = [&](const char* check, const char* key) {
        const auto found = verification.find(check);
        if (found == verification.end() || !found->contains(key)) return std::string("0");
        return std::to_string((*found)[key].get<std::int64_t>());
    };
    std::string out = std::string("verification ") + (verification.value("ok", false) ? "passed" : "failed") + ":\n";
    out += "  foreign keys  " + count("foreign_keys", "checked") + " checked: " +
           count("foreign_keys", "by_constraint") + " by their constraint, " + count("foreign_keys", "by_anti_join") +
           " by anti-join\n";
    out += "  row counts    " + count("row_counts", "tables") + " tables: " + count("row_counts", "from_copy") +
           " from the copy, " + count("row_counts", "counted") + " counted\n";
    out += "  sequences     " + count("sequences", "checked") + " checked\n";
    if (verification.contains("schema")) out += "  schema        " + count("schema", "objects") + " objects as in the source\n";
    if (verification.contains("leak_scan") && count("leak_scan", "values") == "0") {
        out += "  leak scan     nothing to search: no rule that replaces every value sampled an original\n";
    } else if (verification.contains("leak_scan")) {
        const auto& leaks = verification["leak_scan"];
        out += "  leak scan     " + count("leak_scan", "values") + " sampled originals gone from their " +
               count("leak_scan", "columns") + " columns";
        if (leaks.contains("elsewhere")) {
            const auto& elsewhere = leaks["elsewhere"];
            const auto number = [&](const char* key) { return std::to_string(elsewhere.value(key, std::int64_t{0})); };
            out += "\n                " + number("originals") + " PII-shaped ones searched in " + number("columns") +
                   " text/json/array columns of " + number("tables") + " tables (" + number("rows") + " rows: " +
                   number("tables_whole") + " tables whole, the others their first " + number("rows_per_table") + ")";
        }
        out += "\n";
    }
    return out;
}

std::string run_rollback(const SyncConfig& sync, const pg::ConnInfo& target) {
    auto backend = make_backend(sync, target);
    const pg::ConnInfo live = backend->live_database();
    SyncLock lock(lock_server(*backend, live), live.get("host").value_or("") + "/" + live.get("dbname").value_or(""), false);
    {
        // A rollback renames (postgres) or re-attaches (heroku) the live database: a write like any other.
        check_not_protected(live, identity_of_live(*backend, live), sync.protect);
    }
    return backend->rollback();
}

}  // namespace understudy::orchestrator
