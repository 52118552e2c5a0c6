// verification_once_test: "never check twice". A sync's verification takes the foreign keys that
// post-data added (validated by the server) as proof and runs no anti-join for them, while NOT VALID
// keys and references without a constraint (declared in the config) are still anti-joined; the
// copy's row counts stand for the tables nobody wrote to after the load; a write after the load
// (replica mode, disabled triggers) brings the scans back; the report has per-table copy rates.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "db_checks.hpp"
#include "temp_file.hpp"
#include "test_cluster.hpp"
#include "understudy/orchestrator/guards/verification.hpp"
#include "understudy/pg/session.hpp"
#include "understudy/subsetter/catalog.hpp"

namespace understudy::testing {
namespace {

constexpr const char* k_source = "verify_once_source";
constexpr const char* k_live = "verify_once_live";

// Three validated foreign keys would be proven by their constraints; one NOT VALID key with an
// orphan in the source; one reference that only the config declares, with an orphan in the source.
// No sequences: nothing but a check of its own reads public.orders (a child only).
constexpr const char* k_schema = R"sql(
CREATE TABLE public.accounts (id bigint PRIMARY KEY, name text NOT NULL);
CREATE TABLE public.users (id bigint PRIMARY KEY, account_id bigint NOT NULL REFERENCES public.accounts,
                           email text NOT NULL);
CREATE TABLE public.orders (id bigint PRIMARY KEY, user_id bigint NOT NULL REFERENCES public.users,
                            total_cents int NOT NULL);
CREATE TABLE public.legacy_visits (id bigint PRIMARY KEY, user_id bigint);
CREATE TABLE public.notes (id bigint PRIMARY KEY, author_id bigint, body text);
INSERT INTO public.accounts SELECT g, 'account ' || g FROM generate_series(1, 10) g;
INSERT INTO public.users SELECT g, 1 + g % 10, 'user' || g || '@example.com' FROM generate_series(1, 210) g;
INSERT INTO public.orders SELECT g, 1 + g % 200, g FROM generate_series(1, 2000) g;
INSERT INTO public.legacy_visits SELECT g, 1 + g % 200 FROM generate_series(1, 100) g;
INSERT INTO public.legacy_visits VALUES (101, 999999);
ALTER TABLE public.legacy_visits ADD CONSTRAINT legacy_visits_user_id_fkey FOREIGN KEY (user_id)
    REFERENCES public.users NOT VALID;
INSERT INTO public.notes SELECT g, 1 + g % 200, 'note ' || g FROM generate_series(1, 50) g;
INSERT INTO public.notes VALUES (51, 888888, 'its author left long ago');
ANALYZE;
)sql";

constexpr const char* k_config = R"yaml(
sync: {backend: postgres, full: true, keep: 1}
subset:
  foreign_keys:
    - {from: "public.notes(author_id)", to: "public.users(id)", name: notes_author}
)yaml";

/// The report's entry for reference `name`.
nlohmann::json reference_named(const nlohmann::json& checks, const std::string& name) {
    for (const auto& reference : checks.at("foreign_keys").at("references")) {
        if (reference.at("name") == name) return reference;
    }
    return nullptr;
}

std::string listed(const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& line : lines) out += "\n  " + line;
    return out;
}

class VerificationOnce : public ::testing::Test {
protected:
    /// One sync of the source into k_live; its report and stderr are what the tests read, and the
    /// promoted copy is what the direct checks copy and break.
    static void SetUpTestSuite() {
        auto& servers = fixture_servers();
        for (const auto& name : servers.primary.databases_like(std::string(k_live) + "%"))
            servers.primary.drop_database(name);
        servers.primary.drop_database(k_source);
        servers.primary.create_database(k_source);
        servers.primary.execute(k_source, k_schema);
        servers.primary.create_database(k_live);
        servers.standby.wait_for_replay_of(servers.primary);
        s_config = std::make_unique<TempFile>(k_config);
        const std::string report_path = s_config->path() + ".report.json";
        s_run = run_understudy({"sync", "--source", servers.standby.url(k_source), "--target",
                                servers.primary.url(k_live), "--config", s_config->path(), "--report", report_path});
        ASSERT_EQ(s_run.exit_code, 0) << s_run.err;
        s_report = read_json(report_path);
        std::remove(report_path.c_str());
        for (const auto& entry : s_report.at("tables"))
            s_manifest[entry["table"].get<std::string>()] = entry["copied_rows"].get<std::uint64_t>();
    }

    static void TearDownTestSuite() {
        s_config.reset();
        auto& servers = fixture_servers();
        for (const auto& name : servers.primary.databases_like(std::string(k_live) + "%"))
            servers.primary.drop_database(name);
        servers.primary.drop_database(k_source);
    }

    /// A copy of the synced database to break (CREATE DATABASE ... TEMPLATE copies it as it is).
    static pg::ConnInfo copy_of_live(const std::string& name) {
        auto& servers = fixture_servers();
        servers.primary.drop_database(name);
        servers.primary.execute("postgres", "CREATE DATABASE " + name + " TEMPLATE " + k_live);
        return servers.primary.conninfo(name);
    }

    /// What the sync hands verify_database: the manifest, the declared reference, the build mark
    /// (taken now: whatever was written before counts as the load's own).
    static orchestrator::VerificationInput input_for(const pg::ConnInfo& built) {
        orchestrator::VerificationInput input;
        input.built = built;
        input.manifest = s_manifest;
        input.jobs = 2;
        subsetter::ForeignKey declared;
        declared.name = "notes_author";
        declared.child = {"public", "notes"};
        declared.child_columns = {"author_id"};
        declared.parent = {"public", "users"};
        declared.parent_columns = {"id"};
        declared.origin = subsetter::ReferenceOrigin::declared;
        input.references = {declared};
        input.build_mark = orchestrator::mark_built_database(built);
        return input;
    }

    /// Sequential and index scans of public.orders in `database`, as its statistics count them.
    static long long scans_of_orders(const std::string& database) {
        return std::stoll(fixture_servers().primary.query_value(
            database, "SELECT seq_scan + coalesce(idx_scan, 0) FROM pg_stat_user_tables "
                      "WHERE relid = 'public.orders'::regclass"));
    }

    /// Waits (up to 10 s) until the statistics of `database` show a write to public.orders: a
    /// session's counts reach them when it ends, a moment after its client has gone.
    static void wait_for_orders_write(const std::string& database) {
        for (int attempt = 0; attempt < 100; ++attempt) {
            const std::string updates = fixture_servers().primary.query_value(
                database, "SELECT n_tup_upd FROM pg_stat_user_tables WHERE relid = 'public.orders'::regclass");
            if (updates != "0") return;
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        FAIL() << "the update of public.orders never reached the statistics";
    }

    static std::unique_ptr<TempFile> s_config;
    static CommandResult s_run;
    static nlohmann::json s_report;
    static std::map<std::string, std::uint64_t> s_manifest;
};
std::unique_ptr<TempFile> VerificationOnce::s_config;
CommandResult VerificationOnce::s_run;
nlohmann::json VerificationOnce::s_report;
std::map<std::string, std::uint64_t> VerificationOnce::s_manifest;

TEST_F(VerificationOnce, SyncTakesValidatedConstraintsAsProofAndAntiJoinsTheRest) {
    const auto& checks = s_report.at("verification");
    ASSERT_TRUE(checks.at("ok").get<bool>()) << checks.dump();
    const auto& foreign_keys = checks.at("foreign_keys");
    EXPECT_EQ(foreign_keys.at("checked"), 4);
    EXPECT_EQ(foreign_keys.at("by_constraint"), 2);
    EXPECT_EQ(foreign_keys.at("by_anti_join"), 2);
    EXPECT_EQ(foreign_keys.at("failed"), 0);
    EXPECT_EQ(reference_named(checks, "users_account_id_fkey").value("checked_by", ""), "constraint");
    EXPECT_EQ(reference_named(checks, "orders_user_id_fkey").value("checked_by", ""), "constraint");
    // NOT VALID: the server never looked at the rows it skipped.
    const auto not_valid = reference_named(checks, "legacy_visits_user_id_fkey");
    EXPECT_EQ(not_valid.value("checked_by", ""), "anti-join");
    EXPECT_EQ(not_valid.value("origin", ""), "constraint");
    // Declared in the config, no constraint: only the anti-join can tell.
    const auto declared = reference_named(checks, "notes_author");
    EXPECT_EQ(declared.value("checked_by", ""), "anti-join");
    EXPECT_EQ(declared.value("origin", ""), "declared");
    // Both have an orphan, as the source does: warnings, each found by its anti-join.
    ASSERT_EQ(checks.at("not_valid_orphans").size(), 1u) << checks.dump();
    EXPECT_EQ(checks["not_valid_orphans"][0].at("rows"), 1);
    ASSERT_EQ(checks.at("unconstrained_orphans").size(), 1u) << checks.dump();
    EXPECT_EQ(checks["unconstrained_orphans"][0].at("reference"), "notes_author");
    EXPECT_EQ(checks["unconstrained_orphans"][0].at("rows"), 1);
    EXPECT_NE(s_run.err.find("declared reference \"notes_author\" on \"public.notes\" has no constraint: 1 row "
                             "without a row in \"public.users\", as in the source"),
              std::string::npos)
        << s_run.err;
    // Every table's count is the copy's: nothing wrote to the new database after the load.
    EXPECT_EQ(checks.at("row_counts").at("from_copy"), 5);
    EXPECT_EQ(checks.at("row_counts").at("counted"), 0);
}

TEST_F(VerificationOnce, ReportHasPerTableCopyRates) {
    ASSERT_EQ(s_report.at("tables").size(), 5u);
    for (const auto& entry : s_report.at("tables")) {
        ASSERT_GT(entry.at("copied_rows").get<std::uint64_t>(), 0u) << entry.dump();
        EXPECT_GT(entry.at("rows_per_second").get<double>(), 0) << entry.dump();
        EXPECT_GT(entry.at("bytes_per_second").get<double>(), 0) << entry.dump();
        EXPECT_NEAR(entry["rows_per_second"].get<double>() * entry.at("seconds").get<double>(),
                    entry["copied_rows"].get<double>(), 1e-6 * entry["copied_rows"].get<double>() + 1e-9);
    }
}

TEST_F(VerificationOnce, NoScanReadsATableItsConstraintsProve) {
    auto built = copy_of_live("verify_once_scans");
    pg::SourceSnapshot snapshot(fixture_servers().standby.conninfo(k_source));
    auto input = input_for(built);
    input.source_transaction = &snapshot.transaction();
    const long long before = scans_of_orders("verify_once_scans");
    auto result = orchestrator::verify_database(input);
    EXPECT_TRUE(result.ok()) << listed(result.failures);
    EXPECT_EQ(result.checks["foreign_keys"]["by_constraint"], 2);
    EXPECT_EQ(result.warnings.size(), 2u) << listed(result.warnings);
    // The verification sessions have ended: their scans are in the statistics a moment later.
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    EXPECT_EQ(scans_of_orders("verify_once_scans"), before) << "verification read public.orders";

    // Without the build mark every table is counted and every key anti-joined: the same
    // statistics see it, so the assertion above could fail.
    input.build_mark.reset();
    auto scanned = orchestrator::verify_database(input);
    EXPECT_TRUE(scanned.ok()) << listed(scanned.failures);
    EXPECT_EQ(scanned.checks["foreign_keys"]["by_constraint"], 0);
    EXPECT_EQ(scanned.checks["row_counts"]["counted"], 5);
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    EXPECT_GT(scans_of_orders("verify_once_scans"), before);
    fixture_servers().primary.drop_database("verify_once_scans");
}

TEST_F(VerificationOnce, OrphanOfAReferenceWithoutConstraintIsCaught) {
    auto built = copy_of_live("verify_once_declared");
    // As if the load itself had lost a parent that the source has: user 205 (no order, no visit).
    fixture_servers().primary.execute("verify_once_declared",
                                      "DELETE FROM public.users WHERE id = 205; "
                                      "INSERT INTO public.notes VALUES (1000, 205, 'its author was lost')");
    pg::SourceSnapshot snapshot(fixture_servers().standby.conninfo(k_source));
    auto input = input_for(built);  // the mark comes after those writes: they count as the load's
    input.manifest["public.users"] -= 1;
    input.manifest["public.notes"] += 1;
    input.source_transaction = &snapshot.transaction();
    auto result = orchestrator::verify_database(input);
    ASSERT_EQ(result.failures.size(), 1u) << listed(result.failures);
    EXPECT_EQ(result.failures[0],
              "declared reference \"notes_author\" on \"public.notes\" is violated by 1 row without a row in "
              "\"public.users\"");
    // The constraints still prove their keys: only the reference without one found it.
    EXPECT_EQ(result.checks["foreign_keys"]["by_constraint"], 2);
    EXPECT_EQ(reference_named(result.checks, "notes_author").value("checked_by", ""), "anti-join");
    fixture_servers().primary.drop_database("verify_once_declared");
}

TEST_F(VerificationOnce, WriteAfterTheLoadBringsTheScansBack) {
    auto built = copy_of_live("verify_once_written");
    auto input = input_for(built);
    // Replica mode skips the FK triggers: the constraint proves nothing about this row.
    fixture_servers().primary.execute("verify_once_written",
                                      "SET session_replication_role = replica; "
                                      "UPDATE public.orders SET user_id = 999999 WHERE id = 1");
    wait_for_orders_write("verify_once_written");
    auto result = orchestrator::verify_database(input);
    // Without the source to compare with, the NOT VALID and declared orphans fail as well.
    EXPECT_NE(std::find(result.failures.begin(), result.failures.end(),
                        "foreign key \"orders_user_id_fkey\" on \"public.orders\" is violated by 1 row without a row "
                        "in \"public.users\""),
              result.failures.end())
        << listed(result.failures);
    EXPECT_EQ(reference_named(result.checks, "orders_user_id_fkey").value("checked_by", ""), "anti-join");
    EXPECT_EQ(reference_named(result.checks, "users_account_id_fkey").value("checked_by", ""), "constraint");
    EXPECT_EQ(result.checks["row_counts"]["counted"], 1);  // public.orders
    fixture_servers().primary.drop_database("verify_once_written");
}

TEST_F(VerificationOnce, DisabledTriggersBringTheAntiJoinBack) {
    auto built = copy_of_live("verify_once_triggers");
    fixture_servers().primary.execute("verify_once_triggers", "ALTER TABLE public.orders DISABLE TRIGGER ALL");
    auto input = input_for(built);
    auto result = orchestrator::verify_database(input);
    EXPECT_EQ(reference_named(result.checks, "orders_user_id_fkey").value("checked_by", ""), "anti-join");
    EXPECT_EQ(reference_named(result.checks, "users_account_id_fkey").value("checked_by", ""), "constraint");
    EXPECT_EQ(result.checks["foreign_keys"]["by_constraint"], 1);
    fixture_servers().primary.drop_database("verify_once_triggers");
}

}  // namespace
}  // namespace understudy::testing
