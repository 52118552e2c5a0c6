// End to end against the "strange production" fixture (issue 8, the command line's items): anonymize
// refuses archives and fails closed in a psql pipe (9), leaf partitions get their parent's rules (10),
// check refuses rules that would fail only after the copy (12), init/check on odd names and the
// report written on failure (17). Fixtures: tests/fixtures/strange/70_…, 71_…, 72_….
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "db_checks.hpp"
#include "postgres_binaries.hpp"
#include "process.hpp"
#include "strange_fixture.hpp"
#include "temp_file.hpp"
#include "test_cluster.hpp"

namespace understudy::testing {
namespace {

constexpr const char* k_secret = "strange-cli integration secret, long enough";
// Every original email of 70_partitioned_pii.sql ends in this domain; its names start so.
constexpr const char* k_pii_domain = "@strange-cli-pii.example";
constexpr const char* k_pii_name = "Signup Person";

/// Runs a bash pipeline with `set -o pipefail`; the variables are passed through the environment so
/// that socket paths and URLs need no shell quoting.
CommandResult run_pipeline(const std::string& script, std::map<std::string, std::string> env) {
    env["PGBIN"] = postgres_bin_dir();
    env["UNDERSTUDY"] = UNDERSTUDY_BINARY;
    env["UNDERSTUDY_SECRET"] = k_secret;
    ProcessOptions options;
    options.env = std::move(env);
    return run_process({"bash", "-c", "set -o pipefail\n" + script}, options);
}

std::string source_keywords() {
    return fixture_servers().standby.conninfo(k_strange_database).keyword_string();
}

std::string fresh_target(const std::string& name) {
    auto& servers = fixture_servers();
    servers.primary.drop_database(name);
    servers.primary.create_database(name);
    return name;
}

std::size_t count_of(const std::string& text, const std::string& needle) {
    std::size_t count = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++count;
    return count;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream stream(text);
    for (std::string line; std::getline(stream, line);) lines.push_back(line);
    return lines;
}

// Rules for the whole strange_cli schema, with the partitioned table's rules on the parent only.
const char* const k_parent_rules = R"(anonymize:
  default: fail
  kept_pii: warn  # strange_cli.accounts is kept whole, contact_email included: these tests are about leaves
  tables:
    strange_cli.signups:
      email: {fake: email}
      full_name: {fake: full_name}
keep:
  - strange_cli.signups.id
  - strange_cli.customers
  - strange_cli.accounts
  - strange_cli.readings
  - strange_cli.devices
  - strange_cli.device_logs
)";

class StrangeCli : public ::testing::Test {
protected:
    static void SetUpTestSuite() { ensure_strange_database(); }
};

// Item 9: a custom-format archive used to pass through unchanged, raw PII included, exit 0.
TEST_F(StrangeCli, AnonymizeRefusesACustomFormatDumpAndWritesNoPii) {
    TempFile rules(k_parent_rules);
    auto result = run_pipeline(R"("$PGBIN/pg_dump" -Fc -d "$SRC" | "$UNDERSTUDY" anonymize --config "$RULES")",
                               {{"SRC", source_keywords()}, {"RULES", rules.path()}});
    EXPECT_EQ(result.exit_code, 15) << result.err;
    EXPECT_EQ(result.out.find(k_pii_domain), std::string::npos);
    EXPECT_EQ(result.out.find("PGDMP"), std::string::npos);
    EXPECT_EQ(result.out.find("@example.org"), std::string::npos);  // 00_base.sql's users
    EXPECT_EQ(result.out,
              "DO $understudy$ BEGIN RAISE EXCEPTION USING MESSAGE = 'understudy anonymize failed: the input is a "
              "pg_dump custom-format archive (pg_dump -Fc), not a plain SQL dump: its table data cannot be "
              "anonymized'; END $understudy$;\n");
    const auto err = lines_of(result.err);
    ASSERT_EQ(err.size(), 2u) << result.err;
    EXPECT_EQ(err[0],
              "error: the input is a pg_dump custom-format archive (pg_dump -Fc), not a plain SQL dump: its "
              "table data cannot be anonymized");
    EXPECT_EQ(err[1].rfind("HINT: convert it with pg_restore: pg_restore -f - dump.custom | understudy anonymize", 0),
              0u)
        << err[1];

    // gzip, the other common form: refused too.
    result = run_pipeline(R"("$PGBIN/pg_dump" -d "$SRC" | gzip -c | "$UNDERSTUDY" anonymize --config "$RULES")",
                          {{"SRC", source_keywords()}, {"RULES", rules.path()}});
    EXPECT_EQ(result.exit_code, 15) << result.err;
    EXPECT_NE(result.err.find("error: the input is gzip-compressed, not a plain SQL dump"), std::string::npos)
        << result.err;
    EXPECT_EQ(result.out.find(k_pii_domain), std::string::npos);
}

// Item 9: a plain dump whose rules fail in the middle of a COPY block, piped into
// `psql -1 -v ON_ERROR_STOP=1`, leaves the target as it was (before: the rows so far committed).
TEST_F(StrangeCli, AnonymizeFailingMidStreamLeavesThePsqlTargetEmpty) {
    TempFile rules(R"(anonymize:
  default: keep
  tables:
    strange_cli.readings:
      reading: {noise: {range: 5}}
)");
    const std::string target = fresh_target("strange_cli_midstream");
    auto result = run_pipeline(
        R"("$PGBIN/pg_dump" -n strange_cli --no-owner --no-privileges -d "$SRC" \
             | "$UNDERSTUDY" anonymize --config "$RULES" \
             | "$PGBIN/psql" -X -q -1 -v ON_ERROR_STOP=1 -d "$DST" >/dev/null)",
        {{"SRC", source_keywords()},
         {"RULES", rules.path()},
         {"DST", fixture_servers().primary.conninfo(target).keyword_string()}});
    EXPECT_NE(result.exit_code, 0);
    // understudy's error names the table, column and line, not the value; psql stops on the trailer.
    EXPECT_NE(result.err.find("table \"strange_cli.readings\" column \"reading\""), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("understudy anonymize failed: line "), std::string::npos) << result.err;
    EXPECT_EQ(result.err.find("n/a"), std::string::npos) << result.err;
    // Nothing of the dump stayed: not the schema, not the tables loaded before the failure.
    EXPECT_EQ(fixture_servers().primary.query_value(target,
                                                    "SELECT count(*) FROM pg_namespace WHERE nspname = 'strange_cli'"),
              "0");
    fixture_servers().primary.drop_database(target);
}

// Item 10: a plain pg_dump (default options, so rows under each leaf's name) with rules on the
// partitioned table only and default: fail: every leaf is anonymized, exit 0.
TEST_F(StrangeCli, AnonymizeAppliesTheParentsRulesToLeafPartitions) {
    TempFile rules(k_parent_rules);
    const std::string target = fresh_target("strange_cli_partitions");
    auto result = run_pipeline(
        R"("$PGBIN/pg_dump" -n strange_cli --no-owner --no-privileges -d "$SRC" > "$DUMP.raw"
"$UNDERSTUDY" anonymize --config "$RULES" < "$DUMP.raw" > "$DUMP"
status=$?
cat "$DUMP"
"$PGBIN/psql" -X -q -1 -v ON_ERROR_STOP=1 -d "$DST" -f "$DUMP" >/dev/null || exit 99
rm -f "$DUMP" "$DUMP.raw"
exit $status)",
        {{"SRC", source_keywords()},
         {"RULES", rules.path()},
         {"DUMP", rules.path() + ".sql"},
         {"DST", fixture_servers().primary.conninfo(target).keyword_string()}});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    // The dump holds the leaves' rows under their own names (three leaves, two levels).
    EXPECT_NE(result.out.find("COPY strange_cli.signups_low_a (id, email, full_name) FROM stdin;"), std::string::npos);
    EXPECT_NE(result.out.find("COPY strange_cli.\"signups low b\" (id, email, full_name) FROM stdin;"),
              std::string::npos);
    EXPECT_NE(result.out.find("COPY strange_cli.signups_high (id, email, full_name) FROM stdin;"), std::string::npos);
    EXPECT_EQ(result.out.find(k_pii_domain), std::string::npos);
    EXPECT_EQ(result.out.find(k_pii_name), std::string::npos);
    EXPECT_EQ(result.err.find("warning"), std::string::npos) << result.err;  // the parent's rules matched
    auto& primary = fixture_servers().primary;
    EXPECT_EQ(primary.query_value(target, "SELECT count(*) FROM strange_cli.signups"), "150");
    EXPECT_EQ(primary.query_value(target,
                                  "SELECT count(*) FROM strange_cli.signups WHERE email LIKE '%strange-cli-pii%' "
                                  "OR full_name LIKE 'Signup Person%'"),
              "0");
    EXPECT_EQ(primary.query_value(target, "SELECT count(DISTINCT email) FROM strange_cli.signups"), "150");
    primary.drop_database(target);
}

// Item 10 on the whole strange database, pg_dump with no option at all: whatever else the database
// holds, the leaves' rows leave anonymized (default: keep, so only the parent's rules matter).
TEST_F(StrangeCli, AnonymizeOfTheWholeDatabaseLeavesNoPartitionPii) {
    TempFile rules(R"(anonymize:
  default: keep
  tables:
    strange_cli.signups:
      email: {fake: email}
      full_name: {fake: full_name}
)");
    auto result = run_pipeline(R"("$PGBIN/pg_dump" -d "$SRC" | "$UNDERSTUDY" anonymize --config "$RULES")",
                               {{"SRC", source_keywords()}, {"RULES", rules.path()}});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(count_of(result.out, "COPY strange_cli."), 8u);  // 3 leaves and 5 plain tables
    EXPECT_EQ(result.out.find(k_pii_domain), std::string::npos);
    EXPECT_EQ(result.out.find(k_pii_name), std::string::npos);
    EXPECT_EQ(result.err.find("warning"), std::string::npos) << result.err;
}

// Item 10 through subset: rules on the parent only (what init lists) cover every leaf, and check agrees.
TEST_F(StrangeCli, SubsetAndCheckApplyTheParentsRulesToLeafPartitions) {
    TempFile rules(k_parent_rules);
    auto& servers = fixture_servers();
    auto check = run_understudy({"check", "--source", servers.standby.url(k_strange_database), "--schema",
                                 "strange_cli", "--config", rules.path()});
    EXPECT_EQ(check.exit_code, 0) << check.err;
    const std::string target = fresh_target("strange_cli_partition_subset");
    auto result = run_understudy(
        {"subset", "--source", servers.standby.url(k_strange_database), "--target", servers.primary.url(target),
         "--schema", "strange_cli", "--config", rules.path(), "--full-table", "strange_cli.signups"},
        {{"UNDERSTUDY_SECRET", k_secret}});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(servers.primary.query_value(target, "SELECT count(*) FROM strange_cli.signups"), "150");
    EXPECT_EQ(servers.primary.query_value(target,
                                          "SELECT count(*) FROM strange_cli.signups WHERE email LIKE "
                                          "'%strange-cli-pii%' OR full_name LIKE 'Signup Person%'"),
              "0");
    servers.primary.drop_database(target);
}

/// `check --schema strange_cli` with `rules` (an anonymize section over 71_constrained_columns.sql).
CommandResult check_constrained(const TempFile& rules) {
    return run_understudy({"check", "--source", fixture_servers().standby.url(k_strange_database), "--schema",
                           "strange_cli", "--config", rules.path()});
}

std::string constrained_rules(const std::string& columns_yaml, const std::string& extra = {}) {
    return "anonymize:\n  default: keep\n  tables:\n" + columns_yaml + extra;
}

// Item 12: each configuration below used to pass check, then fail after the whole copy.
TEST_F(StrangeCli, CheckRefusesAFakeEmailLongerThanItsVarchar) {
    TempFile rules(constrained_rules("    strange_cli.accounts:\n      contact_email: {fake: email}\n"));
    auto result = check_constrained(rules);
    EXPECT_EQ(result.exit_code, 3) << result.err;
    const auto err = lines_of(result.err);
    ASSERT_EQ(err.size(), 1u) << result.err;
    EXPECT_EQ(err[0], "error: " + rules.path() +
                          ":5:22: column \"strange_cli\".\"accounts\".\"contact_email\": fake email writes at least "
                          "45 characters, longer than the character varying(12) column holds");
}

TEST_F(StrangeCli, CheckRefusesAHashLongerThanItsVarchar) {
    TempFile rules(constrained_rules("    strange_cli.accounts:\n      pin_code: hash\n"));
    auto result = check_constrained(rules);
    EXPECT_EQ(result.exit_code, 3) << result.err;
    EXPECT_EQ(result.err, "error: " + rules.path() +
                              ":5:17: column \"strange_cli\".\"accounts\".\"pin_code\": hash hex writes at least 32 "
                              "characters, longer than the character varying(8) column holds\n");
}

TEST_F(StrangeCli, CheckRefusesNoiseOnMoney) {
    TempFile rules(constrained_rules("    strange_cli.accounts:\n      balance: {noise: {range: 5}}\n"));
    auto result = check_constrained(rules);
    EXPECT_EQ(result.exit_code, 3) << result.err;
    EXPECT_EQ(result.err, "error: " + rules.path() +
                              ":5:16: column \"strange_cli\".\"accounts\".\"balance\": noise range 5 does not fit a "
                              "money column (type money)\n");
}

TEST_F(StrangeCli, CheckRefusesARuleOnAKeyThatItsForeignKeyLacks) {
    TempFile rules(constrained_rules("    strange_cli.customers:\n      code: hash\n"));
    auto result = check_constrained(rules);
    EXPECT_EQ(result.exit_code, 3) << result.err;
    EXPECT_EQ(result.err, "error: " + rules.path() +
                              ":5:13: column \"strange_cli\".\"customers\".\"code\": hash hex is not the rule "
                              "of \"strange_cli\".\"accounts\".\"customer_code\" (no rule, copied as it is), which "
                              "references it through foreign key \"accounts_customer_code_fkey\": give both the "
                              "same rule\n");
    // subset runs the same guard before it reads a row: exit 3, the target untouched.
    const std::string target = fresh_target("strange_cli_guarded");
    auto subset =
        run_understudy({"subset", "--source", fixture_servers().standby.url(k_strange_database), "--target",
                        fixture_servers().primary.url(target), "--schema", "strange_cli", "--config", rules.path()},
                       {{"UNDERSTUDY_SECRET", k_secret}});
    EXPECT_EQ(subset.exit_code, 3) << subset.err;
    EXPECT_NE(subset.err.find("accounts_customer_code_fkey"), std::string::npos) << subset.err;
    EXPECT_EQ(fixture_servers().primary.query_value(target,
                                                    "SELECT count(*) FROM pg_namespace WHERE nspname = 'strange_cli'"),
              "0");
    fixture_servers().primary.drop_database(target);
}

TEST_F(StrangeCli, CheckRefusesARuleOnAKeyThatADeclaredReferenceLacks) {
    TempFile rules(
        constrained_rules("    strange_cli.customers:\n      code: hash\n"
                          "    strange_cli.accounts:\n      customer_code: hash\n",
                          "subset:\n  foreign_keys:\n    - {from: \"strange_cli.readings(reading)\", to: "
                          "\"strange_cli.customers(code)\"}\n"));
    auto result = check_constrained(rules);
    EXPECT_EQ(result.exit_code, 3) << result.err;
    EXPECT_NE(result.err.find("\"strange_cli\".\"customers\".\"code\": hash hex is not the rule of "
                              "\"strange_cli\".\"readings\".\"reading\" (no rule, copied as it is), which references "
                              "it through declared reference"),
              std::string::npos)
        << result.err;
}

TEST_F(StrangeCli, CheckRefusesARuleOnAKeyThatAnInferredReferenceLacks) {
    TempFile rules(constrained_rules("    strange_cli.devices:\n      id: {hash: uuid}\n"));
    auto result = run_understudy({"check", "--source", fixture_servers().standby.url(k_strange_database), "--schema",
                                  "strange_cli", "--infer-foreign-keys", "rails", "--config", rules.path()});
    EXPECT_EQ(result.exit_code, 3) << result.err;
    EXPECT_NE(result.err.find("error: " + rules.path() +
                              ":5:11: column \"strange_cli\".\"devices\".\"id\": hash uuid is not the rule of "
                              "\"strange_cli\".\"device_logs\".\"device_id\" (no rule, copied as it is), which "
                              "references it through inferred reference"),
              std::string::npos)
        << result.err;
    // The same hash on both sides passes.
    TempFile both(
        constrained_rules("    strange_cli.devices:\n      id: {hash: uuid}\n"
                          "    strange_cli.device_logs:\n      device_id: {hash: uuid}\n"));
    result = run_understudy({"check", "--source", fixture_servers().standby.url(k_strange_database), "--schema",
                             "strange_cli", "--infer-foreign-keys", "rails", "--config", both.path()});
    EXPECT_EQ(result.exit_code, 0) << result.err;
}

TEST_F(StrangeCli, CheckPassesRulesThatFit) {
    TempFile rules(
        constrained_rules("    strange_cli.customers:\n      code: hash\n      name: {fake: company}\n"
                          "    strange_cli.accounts:\n      customer_code: hash\n"
                          "      contact_email: {mask: {keep_first: 1}}\n      pin_code: {hash: {length: 8}}\n"
                          "      balance: {fixed: \"0\"}\n"));
    auto result = check_constrained(rules);
    EXPECT_EQ(result.exit_code, 0) << result.err;
    EXPECT_NE(result.out.find("every copied column is covered"), std::string::npos) << result.out;
}

// Item 17: init writes keep: entries for a table "odd.name" and a column quo"te that check reads back.
TEST_F(StrangeCli, InitThenCheckPassesOnOddNames) {
    auto& servers = fixture_servers();
    TempFile config("");
    auto init = run_understudy({"init", "--source", servers.standby.url(k_strange_database), "--out", config.path()});
    ASSERT_EQ(init.exit_code, 0) << init.err;
    std::ifstream in(config.path());
    std::stringstream text;
    text << in.rdbuf();
    // YAML's double quotes around SQL's: "public"."odd.name"."quo""te".
    EXPECT_NE(text.str().find(R"(  - "\"public\".\"odd.name\".\"quo\"\"te\"")"), std::string::npos) << text.str();
    auto check =
        run_understudy({"check", "--source", servers.standby.url(k_strange_database), "--config", config.path()});
    EXPECT_EQ(check.exit_code, 0) << check.err << "\n" << text.str();
}

// Item 17: the report is written when the run fails too, and an unwritable path is refused first.
TEST_F(StrangeCli, ReportIsWrittenOnFailureAndAnUnwritablePathIsRefusedFirst) {
    auto& servers = fixture_servers();
    TempFile rules(constrained_rules("    strange_cli.accounts:\n      balance: {noise: {range: 5}}\n"));
    const std::string report_path = rules.path() + ".report.json";
    const std::string target = fresh_target("strange_cli_report");
    auto failed = run_understudy(
        {"subset", "--source", servers.standby.url(k_strange_database), "--target", servers.primary.url(target),
         "--schema", "strange_cli", "--config", rules.path(), "--report", report_path},
        {{"UNDERSTUDY_SECRET", k_secret}});
    EXPECT_EQ(failed.exit_code, 3) << failed.err;
    {
        std::ifstream in(report_path);
        ASSERT_TRUE(in.good()) << "no report at " << report_path;
        std::stringstream text;
        text << in.rdbuf();
        const std::string report = text.str();
        EXPECT_NE(report.find("\"command\": \"subset\""), std::string::npos) << report;
        EXPECT_NE(report.find("\"ok\": false"), std::string::npos) << report;
        EXPECT_NE(report.find("\"exit_code\": 3"), std::string::npos) << report;
        EXPECT_NE(report.find("noise range 5 does not fit a money column"), std::string::npos) << report;
        EXPECT_NE(report.find("\"hint\""), std::string::npos) << report;
        EXPECT_EQ(report.find(k_secret), std::string::npos) << report;
    }
    std::remove(report_path.c_str());

    // A good run says ok: true.
    TempFile good(constrained_rules("    strange_cli.readings:\n      reading: {fixed: \"0\"}\n"));
    auto succeeded = run_understudy(
        {"subset", "--source", servers.standby.url(k_strange_database), "--target", servers.primary.url(target),
         "--schema", "strange_cli", "--config", good.path(), "--report", report_path, "--replace"},
        {{"UNDERSTUDY_SECRET", k_secret}});
    EXPECT_EQ(succeeded.exit_code, 0) << succeeded.err;
    {
        std::ifstream in(report_path);
        std::stringstream text;
        text << in.rdbuf();
        EXPECT_NE(text.str().find("\"ok\": true"), std::string::npos) << text.str();
        EXPECT_NE(text.str().find("\"command\": \"subset\""), std::string::npos) << text.str();
    }
    std::remove(report_path.c_str());

    // An unwritable report path: exit 15 before any connection or write (the target stays empty).
    const std::string empty_target = fresh_target("strange_cli_report_refused");
    auto refused = run_understudy({"subset", "--source", servers.standby.url(k_strange_database), "--target",
                                   servers.primary.url(empty_target), "--schema", "strange_cli", "--report",
                                   "/nonexistent-strange-cli-dir/report.json"});
    EXPECT_EQ(refused.exit_code, 15) << refused.err;
    EXPECT_EQ(lines_of(refused.err).front(),
              "error: cannot write the report file \"/nonexistent-strange-cli-dir/report.json\": No such file or "
              "directory");
    EXPECT_EQ(
        servers.primary.query_value(empty_target, "SELECT count(*) FROM pg_namespace WHERE nspname = 'strange_cli'"),
        "0");
    servers.primary.drop_database(empty_target);
    servers.primary.drop_database(target);
}

}  // namespace
}  // namespace understudy::testing
