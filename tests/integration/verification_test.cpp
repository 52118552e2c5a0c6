// verification_test: verify_database on a real anonymized copy (from the hot standby into the primary)
// passes, and each injected problem (FK violations, a dropped index, a manifest off by one, a sequence
// set back, a new unclassified column, a leaked original value) is reported alone; and the sync guards
// against the real primary and standby (read-only source, follower lag, replica, protect: entries).
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>

#include <nlohmann/json.hpp>
#include <pqxx/nontransaction>

#include "db_checks.hpp"
#include "test_cluster.hpp"
#include "understudy/error.hpp"
#include "understudy/orchestrator/schema/schema_clone.hpp"
#include "understudy/orchestrator/guards/sync_guards.hpp"
#include "understudy/orchestrator/guards/verification.hpp"
#include "understudy/pg/session.hpp"
#include "understudy/subsetter/catalog.hpp"

namespace understudy::testing {
namespace {

constexpr const char* k_source = "verify_source";
constexpr const char* k_built = "verify_built";
constexpr const char* k_secret = "a verification-test secret of some length";

// Small, but with what each check must handle: a composite FK, an FK from a partitioned table, NULLs
// in a composite key (MATCH SIMPLE), identity, serial and bigserial sequences, a plain index.
constexpr const char* k_schema = R"sql(
CREATE TABLE public.users (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email      text NOT NULL UNIQUE,
    login      text NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE TABLE public.orders (
    id          bigserial PRIMARY KEY,
    user_id     bigint NOT NULL REFERENCES public.users,
    total_cents int NOT NULL
);
CREATE INDEX orders_user_id_idx ON public.orders (user_id);
CREATE TABLE public.invoices (account_id int, number int, PRIMARY KEY (account_id, number));
CREATE TABLE public.invoice_lines (
    id serial PRIMARY KEY, account_id int, number int, amount int NOT NULL,
    FOREIGN KEY (account_id, number) REFERENCES public.invoices
);
CREATE TABLE public.events (
    id bigint NOT NULL, created date NOT NULL, user_id bigint REFERENCES public.users, PRIMARY KEY (id, created)
) PARTITION BY RANGE (created);
CREATE TABLE public.events_2024 PARTITION OF public.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE public.events_2025 PARTITION OF public.events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
INSERT INTO public.users (email, login, created_at)
SELECT 'verifyq' || g || '@corp.example', 'loginq' || g, timestamptz '2024-01-01' + g * interval '1 hour'
  FROM generate_series(1, 300) g;
INSERT INTO public.orders (user_id, total_cents) SELECT 1 + g % 300, g FROM generate_series(1, 900) g;
INSERT INTO public.invoices SELECT g % 10, g FROM generate_series(1, 100) g;
INSERT INTO public.invoice_lines (account_id, number, amount) SELECT g % 10, g, g FROM generate_series(1, 100) g;
INSERT INTO public.invoice_lines (account_id, number, amount) SELECT 99, NULL, 1 FROM generate_series(1, 5);
INSERT INTO public.events SELECT g, date '2024-06-01' + g, 1 + g % 300 FROM generate_series(1, 400) g;
ANALYZE;
)sql";

constexpr const char* k_rules = R"yaml(
anonymize:
  default: fail
  tables:
    public.users:
      email: {fake: email, unique: true}
      login: {fake: username}
keep: [public.users.id, public.users.created_at, public.orders, public.invoices, public.invoice_lines,
       public.events]
)yaml";

std::string write_temp_file(const std::string& text) {
    char name[] = "/tmp/understudy-verify-XXXXXX";
    int fd = mkstemp(name);
    close(fd);
    std::ofstream(name) << text;
    return name;
}

/// Every failure line, for assertion messages.
std::string listed(const std::vector<std::string>& failures) {
    std::string out;
    for (const auto& failure : failures) out += "\n  " + failure;
    return out;
}

class Verification : public ::testing::Test {
protected:
    /// Loads the source on the primary, copies it anonymized from the standby into k_built, and keeps
    /// what the caller of verify_database has at that point: the schema archive, the manifest and samples.
    static void SetUpTestSuite() {
        auto& servers = fixture_servers();
        servers.primary.drop_database(k_source);
        servers.primary.create_database(k_source);
        servers.primary.execute(k_source, k_schema);
        servers.standby.wait_for_replay_of(servers.primary);
        s_rules_path = write_temp_file(k_rules);

        servers.primary.drop_database(k_built);
        servers.primary.create_database(k_built);
        const std::string report_path = s_rules_path + ".report.json";
        auto run = run_understudy(
            {"subset", "--source", servers.standby.url(k_source), "--target", servers.primary.url(k_built), "--config",
             s_rules_path, "--fraction", "1", "--report", report_path},
            {{"UNDERSTUDY_SECRET", k_secret}});
        ASSERT_EQ(run.exit_code, 0) << run.err;
        const nlohmann::json report = read_json(report_path);
        for (const auto& entry : report.at("tables")) {
            s_manifest[entry["table"].get<std::string>()] = entry["copied_rows"].get<std::uint64_t>();
        }
        std::remove(report_path.c_str());

        s_rule_set = std::make_unique<anonymizer::RuleSet>(anonymizer::RuleSet::load_file(s_rules_path));
        pg::SourceSnapshot snapshot(servers.standby.conninfo(k_source));
        s_archive = std::make_unique<orchestrator::SchemaArchive>(
            orchestrator::SchemaArchive::dump(snapshot.conninfo(), snapshot.id(), {}));
        auto catalog = subsetter::load_catalog(snapshot.transaction());
        s_samples = orchestrator::sample_original_values(snapshot.transaction(), catalog, *s_rule_set);
    }

    static void TearDownTestSuite() {
        s_archive.reset();
        s_rule_set.reset();
        std::remove(s_rules_path.c_str());
    }

    /// A copy of the built database to break (CREATE DATABASE ... TEMPLATE copies it as it is).
    static pg::ConnInfo copy_of_built(const std::string& name) {
        auto& servers = fixture_servers();
        servers.primary.drop_database(name);
        servers.primary.execute("postgres", "CREATE DATABASE " + name + " TEMPLATE " + k_built);
        return servers.primary.conninfo(name);
    }

    static orchestrator::VerificationInput input_for(const pg::ConnInfo& built) {
        orchestrator::VerificationInput input;
        input.built = built;
        input.source_schema = s_archive.get();
        input.manifest = s_manifest;
        input.rules = s_rule_set.get();
        input.original_samples = s_samples;
        input.jobs = 2;  // the scans spread over two connections sharing one snapshot
        return input;
    }

    static std::string s_rules_path;
    static std::unique_ptr<anonymizer::RuleSet> s_rule_set;
    static std::unique_ptr<orchestrator::SchemaArchive> s_archive;
    static std::map<std::string, std::uint64_t> s_manifest;
    static std::map<std::string, std::vector<std::string>> s_samples;
};
std::string Verification::s_rules_path;
std::unique_ptr<anonymizer::RuleSet> Verification::s_rule_set;
std::unique_ptr<orchestrator::SchemaArchive> Verification::s_archive;
std::map<std::string, std::uint64_t> Verification::s_manifest;
std::map<std::string, std::vector<std::string>> Verification::s_samples;

TEST_F(Verification, TheCopyAsBuiltPasses) {
    ASSERT_EQ(s_manifest.size(), 5u);
    EXPECT_EQ(s_manifest["public.users"], 300u);
    // Only the columns whose rules replace every value are sampled: fake email; fake username too.
    ASSERT_EQ(s_samples.size(), 2u);
    EXPECT_EQ(s_samples["public.users.email"].size(), 50u);

    auto result = orchestrator::verify_database(input_for(fixture_servers().primary.conninfo(k_built)));
    EXPECT_TRUE(result.ok()) << listed(result.failures);
    EXPECT_EQ(result.checks["foreign_keys"]["checked"], 3);
    EXPECT_EQ(result.checks["sequences"]["checked"], 3);
    EXPECT_GT(result.checks["schema"]["objects"].get<int>(), 10);
    EXPECT_EQ(result.checks["leak_scan"]["columns"], 2);
    EXPECT_TRUE(result.checks["ok"].get<bool>());
}

TEST_F(Verification, ForeignKeyViolationsEachReportedOnce) {
    auto built = copy_of_built("verify_fk");
    // Replica mode skips the FK triggers, as a faulty load would: the schema stays as it was.
    fixture_servers().primary.execute(
        "verify_fk",
        "SET session_replication_role = replica; "
        "UPDATE public.orders SET user_id = 1000000 WHERE id = (SELECT min(id) FROM public.orders); "
        "UPDATE public.invoice_lines SET number = 100000 WHERE id = (SELECT min(id) FROM public.invoice_lines "
        "WHERE number IS NOT NULL); "
        "UPDATE public.events SET user_id = 1000000 WHERE id IN (5, 6, 7)");
    auto result = orchestrator::verify_database(input_for(built));
    ASSERT_EQ(result.failures.size(), 3u) << listed(result.failures);
    EXPECT_EQ(result.failures[0],
              "foreign key \"events_user_id_fkey\" on \"public.events\" is violated by 3 rows without a row in "
              "\"public.users\"");
    EXPECT_EQ(result.failures[1],
              "foreign key \"invoice_lines_account_id_number_fkey\" on \"public.invoice_lines\" is violated by 1 row "
              "without a row in \"public.invoices\"");
    EXPECT_EQ(result.failures[2],
              "foreign key \"orders_user_id_fkey\" on \"public.orders\" is violated by 1 row without a row in "
              "\"public.users\"");
    EXPECT_EQ(result.checks["foreign_keys"]["failed"], 3);
    // One connection finds exactly what two found.
    auto serial_input = input_for(built);
    serial_input.jobs = 1;
    EXPECT_EQ(orchestrator::verify_database(serial_input).checks, result.checks);
    fixture_servers().primary.drop_database("verify_fk");
}

TEST_F(Verification, NotValidForeignKeyIsCheckedToo) {
    auto built = copy_of_built("verify_not_valid");
    fixture_servers().primary.execute("verify_not_valid",
                                      "ALTER TABLE public.orders DROP CONSTRAINT orders_user_id_fkey; "
                                      "UPDATE public.orders SET user_id = 1000000 WHERE id = 1; "
                                      "ALTER TABLE public.orders ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY "
                                      "(user_id) REFERENCES public.users NOT VALID");
    auto result = orchestrator::verify_database(input_for(built));
    // The violation, and the schema dump that now says NOT VALID.
    ASSERT_EQ(result.failures.size(), 2u) << listed(result.failures);
    EXPECT_EQ(result.failures[0].rfind("foreign key \"orders_user_id_fkey\" on \"public.orders\"", 0), 0u);
    EXPECT_EQ(result.failures[1],
              "schema differs from the source: fk constraint \"public.orders orders_user_id_fkey\" is defined "
              "differently");
    fixture_servers().primary.drop_database("verify_not_valid");
}

TEST_F(Verification, MissingIndex) {
    auto built = copy_of_built("verify_index");
    fixture_servers().primary.execute("verify_index", "DROP INDEX public.orders_user_id_idx");
    auto result = orchestrator::verify_database(input_for(built));
    ASSERT_EQ(result.failures.size(), 1u) << listed(result.failures);
    EXPECT_EQ(result.failures[0], "schema differs from the source: index \"public.orders_user_id_idx\" is missing");
    EXPECT_EQ(result.checks["schema"]["failed"], 1);
    fixture_servers().primary.drop_database("verify_index");
}

TEST_F(Verification, ManifestOffByOne) {
    auto input = input_for(fixture_servers().primary.conninfo(k_built));
    input.manifest["public.orders"] += 1;
    auto result = orchestrator::verify_database(input);
    ASSERT_EQ(result.failures.size(), 1u) << listed(result.failures);
    EXPECT_EQ(result.failures[0], "table \"public.orders\" has 900 rows, the copy wrote 901");
}

TEST_F(Verification, SequenceSetBack) {
    auto built = copy_of_built("verify_sequence");
    fixture_servers().primary.execute("verify_sequence", "SELECT setval('public.orders_id_seq', 899)");
    auto result = orchestrator::verify_database(input_for(built));
    ASSERT_EQ(result.failures.size(), 1u) << listed(result.failures);
    EXPECT_EQ(result.failures[0],
              "sequence \"public.orders_id_seq\" is behind its column \"public.orders.id\": its next value is already "
              "used");
    fixture_servers().primary.drop_database("verify_sequence");
}

TEST_F(Verification, NewUnclassifiedColumn) {
    auto built = copy_of_built("verify_column");
    fixture_servers().primary.execute("verify_column", "ALTER TABLE public.users ADD COLUMN phone text");
    auto result = orchestrator::verify_database(input_for(built));
    // A new column is both: a table unlike the source's, and a column no rule covers.
    ASSERT_EQ(result.failures.size(), 2u) << listed(result.failures);
    EXPECT_EQ(result.failures[0], "column \"public.users.phone\" has no anonymization rule");
    EXPECT_EQ(result.failures[1], "schema differs from the source: table \"public.users\" is defined differently");
    fixture_servers().primary.drop_database("verify_column");
}

TEST_F(Verification, LeakedOriginalValueNamesColumnNotValue) {
    auto built = copy_of_built("verify_leak");
    const std::string original = s_samples["public.users.email"].front();
    fixture_servers().primary.execute("verify_leak", "UPDATE public.users SET email = '" + original +
                                                         "' WHERE id = (SELECT max(id) FROM public.users)");
    auto result = orchestrator::verify_database(input_for(built));
    ASSERT_EQ(result.failures.size(), 1u) << listed(result.failures);
    EXPECT_EQ(result.failures[0], "column \"public.users.email\" still holds 1 of 50 sampled original values");
    try {
        orchestrator::throw_verify_failed("verify_leak", result);
        FAIL() << "throw_verify_failed returned";
    } catch (const Error& error) {
        EXPECT_EQ(error.code(), ExitCode::verify_failed);
        EXPECT_EQ(std::string(error.what()).find(original), std::string::npos);
        EXPECT_EQ(result.checks.dump().find(original), std::string::npos);
    }
    fixture_servers().primary.drop_database("verify_leak");
}

/// The sync guards on the real servers: identities as read from a primary and its hot standby.
class SyncGuards : public ::testing::Test {
protected:
    static ExitCode code_of(const std::function<void()>& body) {
        try {
            body();
            return ExitCode::ok;
        } catch (const Error& error) {
            return error.code();
        }
    }
};

TEST_F(SyncGuards, IdentitiesAndReadOnlySource) {
    auto& servers = fixture_servers();
    auto standby = pg::connect(servers.standby.conninfo(k_fixture_database), pg::Side::source);
    auto primary = pg::connect(servers.primary.conninfo(k_fixture_database), pg::Side::source);
    auto standby_identity = pg::read_identity(*standby, pg::Side::source);
    auto primary_identity = pg::read_identity(*primary, pg::Side::source);
    EXPECT_TRUE(standby_identity.in_recovery);
    EXPECT_GE(standby_identity.timeline, 1u);
    EXPECT_EQ(standby_identity.timeline, primary_identity.timeline);
    EXPECT_EQ(standby_identity.host, servers.standby.socket_dir());
    EXPECT_EQ(standby_identity.port, std::to_string(servers.standby.port()));
    EXPECT_EQ(primary_identity.port, std::to_string(servers.primary.port()));

    EXPECT_EQ(code_of([&] { orchestrator::check_source_read_only(primary_identity, false); }),
              ExitCode::source_not_read_only);
    EXPECT_EQ(code_of([&] { orchestrator::check_source_read_only(primary_identity, true); }), ExitCode::ok);
    EXPECT_EQ(code_of([&] { orchestrator::check_source_read_only(standby_identity, false); }), ExitCode::ok);

    // The primary's database of the same name is the standby's source: the same history.
    EXPECT_EQ(code_of([&] { orchestrator::check_not_replica_of_source(standby_identity, primary_identity); }),
              ExitCode::target_is_source);
    auto other = pg::connect(servers.primary.conninfo("postgres"), pg::Side::target);
    auto other_identity = pg::read_identity(*other, pg::Side::target);
    EXPECT_EQ(code_of([&] { orchestrator::check_not_replica_of_source(standby_identity, other_identity); }),
              ExitCode::ok);

    const auto target = servers.primary.conninfo("postgres");
    const std::string address = servers.primary.socket_dir() + ":" + std::to_string(servers.primary.port());
    EXPECT_EQ(code_of([&] { orchestrator::check_not_protected(target, other_identity, {address}); }),
              ExitCode::protected_target);
    EXPECT_EQ(code_of([&] { orchestrator::check_not_protected(target, other_identity, {address + "/postgres"}); }),
              ExitCode::protected_target);
    EXPECT_EQ(
        code_of([&] { orchestrator::check_not_protected(target, other_identity, {other_identity.system_identifier}); }),
        ExitCode::protected_target);
    EXPECT_EQ(code_of([&] { orchestrator::check_not_protected(target, other_identity, {address + "/fixture"}); }),
              ExitCode::ok);
}

TEST_F(SyncGuards, FollowerLag) {
    auto& servers = fixture_servers();
    // A commit on the primary, replayed: the standby's last replayed commit is seconds old at most.
    servers.primary.execute("postgres",
                            "CREATE TABLE IF NOT EXISTS lag_probe (n int); INSERT INTO lag_probe VALUES (1)");
    servers.standby.wait_for_replay_of(servers.primary);
    auto standby = pg::connect(servers.standby.conninfo(k_fixture_database), pg::Side::source);
    EXPECT_EQ(code_of([&] { orchestrator::check_follower_lag(*standby, 3600); }), ExitCode::ok);
    // The lag is measured from that commit to now, so it is never exactly 0: a max_lag of 0 always
    // refuses (deterministic, unlike waiting for the lag to pass a threshold while autovacuum may commit).
    EXPECT_EQ(code_of([&] { orchestrator::check_follower_lag(*standby, 0); }), ExitCode::follower_lag);
    // A primary has no lag to check.
    auto primary = pg::connect(servers.primary.conninfo(k_fixture_database), pg::Side::source);
    EXPECT_EQ(code_of([&] { orchestrator::check_follower_lag(*primary, 0); }), ExitCode::ok);
    servers.primary.execute("postgres", "DROP TABLE lag_probe");
}

}  // namespace
}  // namespace understudy::testing
