// End to end against the "strange production" fixture (tests/fixtures/strange, issue 8): the plain
// subset from the standby still holds whatever odd features the other strange_* tests add, and no
// command prints, reports or writes a password or secret, whether it succeeds or fails.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "db_checks.hpp"
#include "strange_fixture.hpp"
#include "test_cluster.hpp"

namespace understudy::testing {
namespace {

namespace fs = std::filesystem;

// Trust authentication ignores it, so it only has to stay out of every output.
constexpr const char* k_url_password = "url-pw-secret-5521";
constexpr const char* k_anonymizer_secret = "strange-production anonymizer secret 0b7e";
// Prefixes of the credentials the fixture hides in user mappings and subscriptions.
constexpr const char* k_fixture_credentials[] = {"fdw-secret", "sub-secret"};

TEST(StrangeProduction, SubsetFromTheStandbyIsReferentiallyIntact) {
    ensure_strange_database();
    auto& servers = fixture_servers();
    const std::string target = "strange_plain_subset";
    servers.primary.drop_database(target);
    servers.primary.create_database(target);
    auto result = run_understudy({"subset", "--source", servers.standby.url(k_strange_database), "--target",
                                  servers.primary.url(target), "--force", "users:1"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    // NOT VALID foreign keys may keep the orphans the source has (23_not_valid.sql); see strange_objects_test.
    auto violations = fk_violations(servers.primary.conninfo(target), /*include_not_valid=*/false);
    EXPECT_TRUE(violations.empty()) << ::testing::PrintToString(violations);
    EXPECT_EQ(servers.primary.query_value(target, "SELECT count(*) FROM public.users WHERE id = 1"), "1");
    servers.primary.drop_database(target);
}

std::string read_text(const fs::path& path) {
    std::ifstream stream(path, std::ios::binary);
    std::ostringstream text;
    text << stream.rdbuf();
    return text.str();
}

/// `url` with the test password put in as the user's password.
std::string with_password(const std::string& url) {
    const std::string scheme = "postgresql://";
    std::string out = url;
    out.insert(out.find('@'), std::string(":") + k_url_password);
    EXPECT_EQ(out.rfind(scheme, 0), 0u) << url;
    return out;
}

/// Every way a secret can leak from one command: its stdout and stderr, and the files it wrote.
struct Outputs {
    std::vector<std::pair<std::string, std::string>> texts;  // (what, text)
    void add(const std::string& what, const CommandResult& result) {
        texts.emplace_back(what + " stdout", result.out);
        texts.emplace_back(what + " stderr", result.err);
    }
    void add_file(const std::string& what, const fs::path& path) {
        if (fs::exists(path)) texts.emplace_back(what, read_text(path));
    }
};

TEST(StrangeProduction, NoOutputReportOrFileHoldsAPasswordOrSecret) {
    ensure_strange_database();
    auto& servers = fixture_servers();
    const fs::path dir = fs::path(servers.primary.data_dir()).parent_path() / "secrets-test";
    fs::remove_all(dir);
    fs::create_directories(dir);
    const std::string source = with_password(servers.standby.url(k_strange_database));
    const std::string live = "strange_secrets_live";
    const std::string subset_target = "strange_secrets_subset";
    for (const auto& name : {live, subset_target, live + "_understudy_new", live + "_prev_1"})
        servers.primary.drop_database(name);
    servers.primary.create_database(live);
    servers.primary.create_database(subset_target);
    const std::map<std::string, std::string> env{{"UNDERSTUDY_SECRET", k_anonymizer_secret}};
    Outputs outputs;

    auto init = run_understudy({"init", "--source", source, "--out", (dir / "understudy.yml").string()}, env);
    outputs.add("init", init);
    outputs.add_file("init config", dir / "understudy.yml");
    ASSERT_EQ(init.exit_code, 0) << init.err;
    {
        std::ofstream config(dir / "understudy.yml", std::ios::app);
        config << "\nsync:\n  backend: postgres\n  full: true\n  keep: 1\n";
    }
    const std::string config = (dir / "understudy.yml").string();

    struct Step {
        std::string what;
        std::vector<std::string> args;
        bool must_succeed;
    };
    const std::vector<Step> steps = {
        {"plan", {"plan", "--source", source, "--config", config}, true},
        {"graph", {"graph", "--source", source}, true},
        {"check", {"check", "--source", source, "--config", config}, true},
        {"subset", {"subset", "--source", source, "--target", with_password(servers.primary.url(subset_target)),
                    "--config", config, "--report", (dir / "subset.json").string()}, true},
        {"dump", {"dump", "--source", source, "--config", config, "--out", (dir / "dump.sql").string(),
                  "--report", (dir / "dump.json").string()}, true},
        {"sync", {"sync", "--source", source, "--target", with_password(servers.primary.url(live)), "--config",
                  config, "--report", (dir / "sync.json").string()}, true},
        // Failures quote connection strings in their messages: they must be redacted too.
        {"subset into a missing database",
         {"subset", "--source", source, "--target", with_password(servers.primary.url("no_such_database")),
          "--config", config, "--report", (dir / "failed.json").string()}, false},
        {"subset from a missing database",
         {"subset", "--source", with_password(servers.standby.url("no_such_database")), "--target",
          with_password(servers.primary.url(subset_target)), "--replace"}, false},
    };
    for (const auto& step : steps) {
        auto result = run_understudy(step.args, env);
        outputs.add(step.what, result);
        if (step.must_succeed) {
            EXPECT_EQ(result.exit_code, 0) << step.what << ": " << result.err;
        } else {
            EXPECT_NE(result.exit_code, 0) << step.what;
        }
    }
    for (const char* written : {"subset.json", "dump.json", "sync.json", "dump.sql"}) {
        EXPECT_TRUE(fs::exists(dir / written)) << written << " was not written";
        outputs.add_file(written, dir / written);
    }
    // A failed run writes its report too, redacted like everything else.
    ASSERT_TRUE(fs::exists(dir / "failed.json")) << "a failed run wrote no report";
    const auto failed = nlohmann::json::parse(read_text(dir / "failed.json"));
    EXPECT_FALSE(failed.value("ok", true));
    EXPECT_EQ(failed.value("exit_code", 0), 5);
    outputs.add_file("failed.json", dir / "failed.json");

    std::vector<std::string> secrets{k_url_password, k_anonymizer_secret};
    for (const char* credential : k_fixture_credentials) secrets.emplace_back(credential);
    for (const auto& [what, text] : outputs.texts) {
        for (const auto& secret : secrets) {
            EXPECT_EQ(text.find(secret), std::string::npos) << what << " holds \"" << secret << "\"";
        }
    }
    // The copies themselves carry no credential of production either.
    for (const auto& database : {subset_target, live}) {
        auto schema = normalized_schema_dump(servers.primary.conninfo(database));
        for (const char* credential : k_fixture_credentials)
            EXPECT_EQ(schema.find(credential), std::string::npos) << database << " holds \"" << credential << "\"";
        EXPECT_EQ(servers.primary.query_value(database, "SELECT count(*) FROM pg_catalog.pg_user_mappings"), "0")
            << database;
    }
    EXPECT_EQ(servers.primary.query_value("postgres", "SELECT count(*) FROM pg_catalog.pg_subscription s JOIN "
                                                      "pg_catalog.pg_database d ON d.oid = s.subdbid WHERE d.datname "
                                                      "LIKE 'strange\\_secrets%'"),
              "0");

    for (const auto& name : {live, subset_target, live + "_understudy_new", live + "_prev_1"})
        servers.primary.drop_database(name);
    fs::remove_all(dir);
}

}  // namespace
}  // namespace understudy::testing
