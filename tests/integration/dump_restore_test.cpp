// End to end: `understudy dump` from the standby restores with plain psql (and with `understudy
// restore`, gzipped) into exactly what `subset` with the same seed builds, and restore refuses a
// non-empty target.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <zlib.h>

#include "db_checks.hpp"
#include "postgres_binaries.hpp"
#include "test_cluster.hpp"

namespace understudy::testing {
namespace {

constexpr const char* k_password = "dump-test-pw-7f3a";  // trust auth ignores it; it must not leak anywhere

const std::vector<std::string> k_subset_args = {"--logarithmic", "0.5", "--force", "users:1", "--seed", "7"};

/// The text without pg_dump's `\restrict <random key>` lines, which differ on every run.
std::string without_restrict_keys(const std::string& text) {
    std::istringstream lines(text);
    std::string out;
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind("\\restrict ", 0) == 0 || line.rfind("\\unrestrict ", 0) == 0) continue;
        out += line + "\n";
    }
    return out;
}

/// The normalized `pg_dump --data-only` of a database (rows, sequence positions), for comparing two.
std::string data_dump(const std::string& database) {
    auto& servers = fixture_servers();
    auto result = run_process({postgres_bin_dir() + "/pg_dump", "--data-only", "--no-owner", "-d",
                               servers.primary.conninfo(database).keyword_string()});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return without_restrict_keys(result.out);
}

std::string read_gzip(const std::string& path) {
    std::string text;
    gzFile file = gzopen(path.c_str(), "rb");
    if (!file) return text;
    char buffer[65536];
    for (int count; (count = gzread(file, buffer, sizeof buffer)) > 0;) text.append(buffer, static_cast<std::size_t>(count));
    gzclose(file);
    return text;
}

std::string read_file(const std::string& path) {
    std::ifstream stream(path, std::ios::binary);
    std::ostringstream text;
    text << stream.rdbuf();
    return text.str();
}

class DumpRestore : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        auto& servers = fixture_servers();
        s_dir = servers.primary.data_dir() + "/../dump-test";
        std::filesystem::create_directories(s_dir);
        const std::string source =
            servers.standby.conninfo(k_fixture_database).with("password", k_password).keyword_string();

        // The reference: subset with the same seed into its own database.
        servers.primary.drop_database("dump_reference");
        servers.primary.create_database("dump_reference");
        std::vector<std::string> args = {"subset", "--source", source, "--target", servers.primary.url("dump_reference")};
        args.insert(args.end(), k_subset_args.begin(), k_subset_args.end());
        s_subset = run_understudy(args);

        for (const char* name : {"plain.sql", "packed.sql.gz"}) {
            std::vector<std::string> dump_args = {"dump", "--source", source, "--out", s_dir + "/" + name,
                                                  "--report", s_dir + "/" + name + ".json"};
            dump_args.insert(dump_args.end(), k_subset_args.begin(), k_subset_args.end());
            s_dumps.push_back(run_understudy(dump_args));
        }

        // Restored without understudy, as a laptop would.
        servers.primary.drop_database("dump_psql");
        servers.primary.create_database("dump_psql");
        s_psql = run_process({postgres_bin_dir() + "/psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction",
                              "-d", servers.primary.conninfo("dump_psql").keyword_string(), "-f", s_dir + "/plain.sql"});

        servers.primary.drop_database("dump_restored");
        servers.primary.create_database("dump_restored");
        s_restore = run_understudy({"restore", s_dir + "/packed.sql.gz", "--target",
                                    servers.primary.conninfo("dump_restored").with("password", k_password).keyword_string()});
    }
    static void TearDownTestSuite() {
        std::filesystem::remove_all(s_dir);
        auto& servers = fixture_servers();
        for (const char* name : {"dump_reference", "dump_psql", "dump_restored", "dump_refused"})
            servers.primary.drop_database(name);
    }

    static void expect_same_data(const std::string& database) {
        auto& servers = fixture_servers();
        const auto reference = servers.primary.conninfo("dump_reference");
        const auto restored = servers.primary.conninfo(database);
        EXPECT_EQ(table_counts(restored), table_counts(reference));
        for (const char* table : {"public.users", "public.orders", "public.line_items"})
            EXPECT_EQ(row_keys(restored, table, "id"), row_keys(reference, table, "id")) << table;
        EXPECT_TRUE(data_dump(database) == data_dump("dump_reference"))
            << "pg_dump --data-only of " << database << " differs from the subset's";
    }

    static std::string s_dir;
    static CommandResult s_subset;
    static std::vector<CommandResult> s_dumps;
    static CommandResult s_psql;
    static CommandResult s_restore;
};
std::string DumpRestore::s_dir;
CommandResult DumpRestore::s_subset;
std::vector<CommandResult> DumpRestore::s_dumps;
CommandResult DumpRestore::s_psql;
CommandResult DumpRestore::s_restore;

TEST_F(DumpRestore, DumpsSucceedFromTheStandby) {
    ASSERT_EQ(s_subset.exit_code, 0) << s_subset.err;
    for (const auto& dump : s_dumps) ASSERT_EQ(dump.exit_code, 0) << dump.err;
    std::ifstream report_stream(s_dir + "/plain.sql.json");
    auto report = nlohmann::json::parse(report_stream);
    EXPECT_TRUE(report["source_in_recovery"].get<bool>());
    EXPECT_GT(report["totals"]["rows"].get<std::int64_t>(), 0);
}

TEST_F(DumpRestore, PsqlRestoresTheSameDataAsSubset) {
    ASSERT_EQ(s_dumps.at(0).exit_code, 0) << s_dumps.at(0).err;
    ASSERT_EQ(s_psql.exit_code, 0) << s_psql.err;
    expect_same_data("dump_psql");
}

TEST_F(DumpRestore, PsqlRestoreIsIntactWithTheSourceSchema) {
    ASSERT_EQ(s_psql.exit_code, 0) << s_psql.err;
    auto& servers = fixture_servers();
    const auto restored = servers.primary.conninfo("dump_psql");
    auto violations = fk_violations(restored);
    EXPECT_TRUE(violations.empty()) << ::testing::PrintToString(violations);
    auto behind = sequences_behind(restored);
    EXPECT_TRUE(behind.empty()) << ::testing::PrintToString(behind);
    EXPECT_EQ(normalized_schema_dump(restored), normalized_schema_dump(servers.standby.conninfo(k_fixture_database)));
    EXPECT_EQ(servers.primary.query_value("dump_psql", "SELECT count(*) FROM public.users WHERE id = 1"), "1");
}

TEST_F(DumpRestore, GzipFileHoldsTheSameText) {
    ASSERT_EQ(s_dumps.at(0).exit_code, 0) << s_dumps.at(0).err;
    ASSERT_EQ(s_dumps.at(1).exit_code, 0) << s_dumps.at(1).err;
    // Two runs with the same seed write the same file, but for pg_dump's random \restrict keys.
    const auto plain = without_restrict_keys(read_file(s_dir + "/plain.sql"));
    const auto unpacked = without_restrict_keys(read_gzip(s_dir + "/packed.sql.gz"));
    EXPECT_GT(plain.size(), 1000u);
    EXPECT_TRUE(unpacked == plain) << "the .gz file's text differs from the plain file's (" << unpacked.size()
                                   << " and " << plain.size() << " bytes)";
}

TEST_F(DumpRestore, RestoreOfGzipGivesTheSameData) {
    ASSERT_EQ(s_restore.exit_code, 0) << s_restore.err;
    expect_same_data("dump_restored");
    auto violations = fk_violations(fixture_servers().primary.conninfo("dump_restored"));
    EXPECT_TRUE(violations.empty()) << ::testing::PrintToString(violations);
}

TEST_F(DumpRestore, RestoreRefusesNonEmptyTargetUnlessReplace) {
    ASSERT_EQ(s_dumps.at(0).exit_code, 0) << s_dumps.at(0).err;
    auto& servers = fixture_servers();
    servers.primary.drop_database("dump_refused");
    servers.primary.create_database("dump_refused");
    servers.primary.execute("dump_refused", "CREATE TABLE public.precious (id int); INSERT INTO public.precious VALUES (1)");
    const std::string file = s_dir + "/plain.sql";
    auto refused = run_understudy({"restore", file, "--target", servers.primary.url("dump_refused")});
    EXPECT_EQ(refused.exit_code, 6) << refused.err;
    EXPECT_NE(refused.err.find("not empty"), std::string::npos) << refused.err;
    EXPECT_EQ(servers.primary.query_value("dump_refused", "SELECT count(*) FROM public.precious"), "1");

    auto replaced = run_understudy({"restore", file, "--target", servers.primary.url("dump_refused"), "--replace"});
    ASSERT_EQ(replaced.exit_code, 0) << replaced.err;
    EXPECT_EQ(servers.primary.query_value("dump_refused", "SELECT to_regclass('public.precious') IS NULL"), "t");
    EXPECT_EQ(table_counts(servers.primary.conninfo("dump_refused")),
              table_counts(servers.primary.conninfo("dump_reference")));
}

TEST_F(DumpRestore, FailedRestoreKeepsNothing) {
    ASSERT_EQ(s_dumps.at(0).exit_code, 0) << s_dumps.at(0).err;
    auto& servers = fixture_servers();
    // The dump with its last statement broken: psql stops there and the one transaction rolls back.
    const std::string broken = s_dir + "/broken.sql";
    std::ofstream(broken, std::ios::binary) << read_file(s_dir + "/plain.sql") << "SELECT no_such_function();\n";
    servers.primary.drop_database("dump_refused");
    servers.primary.create_database("dump_refused");
    auto failed = run_understudy({"restore", broken, "--target", servers.primary.url("dump_refused")});
    EXPECT_EQ(failed.exit_code, 5) << failed.err;
    EXPECT_NE(failed.err.find("no_such_function"), std::string::npos) << failed.err;
    EXPECT_EQ(servers.primary.query_value("dump_refused", "SELECT to_regclass('public.users') IS NULL"), "t");
}

TEST_F(DumpRestore, NoPasswordInFilesOrOutput) {
    for (const auto& dump : s_dumps) {
        ASSERT_EQ(dump.exit_code, 0) << dump.err;
        EXPECT_EQ(dump.out.find(k_password), std::string::npos);
        EXPECT_EQ(dump.err.find(k_password), std::string::npos);
    }
    EXPECT_EQ(read_file(s_dir + "/plain.sql").find(k_password), std::string::npos);
    EXPECT_EQ(read_gzip(s_dir + "/packed.sql.gz").find(k_password), std::string::npos);
    EXPECT_EQ(read_file(s_dir + "/plain.sql.json").find(k_password), std::string::npos);
    EXPECT_EQ(s_restore.out.find(k_password), std::string::npos);
    EXPECT_EQ(s_restore.err.find(k_password), std::string::npos);
}

TEST_F(DumpRestore, MissingDumpFileIsAUsageError) {
    auto result = run_understudy({"restore", s_dir + "/absent.sql", "--target", fixture_servers().primary.url("postgres")});
    EXPECT_EQ(result.exit_code, 2) << result.err;
}

TEST(DumpAnonymized, RowsAreRewrittenAndTheGuardFailsClosed) {
    auto& servers = fixture_servers();
    servers.primary.drop_database("dump_pii");
    servers.primary.create_database("dump_pii");
    servers.primary.execute("dump_pii", R"sql(
CREATE TABLE public.people (id bigserial PRIMARY KEY, email text NOT NULL UNIQUE, note text);
INSERT INTO public.people (email, note)
SELECT 'secretperson' || g || '@corp.example', 'private note ' || g FROM generate_series(1, 50) g;
)sql");
    servers.standby.wait_for_replay_of(servers.primary);
    const std::string dir = servers.primary.data_dir() + "/../dump-pii-test";
    std::filesystem::create_directories(dir);
    const std::string config = dir + "/understudy.yml";
    std::ofstream(config) << "anonymize:\n  default: fail\n  tables:\n    public.people:\n"
                             "      email: {fake: email, unique: true}\n      note: null\nkeep: [public.people.id]\n";
    const std::string out = dir + "/pii.sql.gz";
    const std::vector<std::string> args = {"dump", "--source", servers.standby.url("dump_pii"), "--config", config,
                                           "--full-table", "public.people", "--out", out};

    auto refused = run_understudy(args, {{"UNDERSTUDY_SECRET", ""}});
    EXPECT_NE(refused.exit_code, 0) << "a dump with rules but no secret must stop";
    EXPECT_FALSE(std::filesystem::exists(out)) << "a failed dump leaves no file";

    auto dumped = run_understudy(args, {{"UNDERSTUDY_SECRET", "a dump-test secret of some length"}});
    ASSERT_EQ(dumped.exit_code, 0) << dumped.err;
    const auto text = read_gzip(out);
    EXPECT_NE(text.find("COPY \"public\".\"people\""), std::string::npos);
    EXPECT_EQ(text.find("secretperson"), std::string::npos);
    EXPECT_EQ(text.find("private note"), std::string::npos);

    servers.primary.drop_database("dump_pii_restored");
    servers.primary.create_database("dump_pii_restored");
    auto restored = run_understudy({"restore", out, "--target", servers.primary.url("dump_pii_restored")});
    ASSERT_EQ(restored.exit_code, 0) << restored.err;
    EXPECT_EQ(servers.primary.query_value("dump_pii_restored", "SELECT count(DISTINCT email) FROM public.people"), "50");
    EXPECT_EQ(servers.primary.query_value("dump_pii_restored", "SELECT count(note) FROM public.people"), "0");

    std::filesystem::remove_all(dir);
    servers.primary.drop_database("dump_pii");
    servers.primary.drop_database("dump_pii_restored");
}

}  // namespace
}  // namespace understudy::testing
