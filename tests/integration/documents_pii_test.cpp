// End to end: personal data inside documents, arrays and free text. `init` suggests json path rules,
// `{array: …}` and `scrub` with what it found and how often; `check` and `subset` refuse a kept
// jsonb column holding emails (exit 12) unless `kept_pii: warn`; a settings column raises no alarm;
// and a copy made with the starter config as it is holds none of the PII-shaped originals.
#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <set>
#include <thread>

#include "db_checks.hpp"
#include "postgres_binaries.hpp"
#include "temp_file.hpp"
#include "test_cluster.hpp"

namespace understudy::testing {
namespace {

constexpr const char* k_source = "documents_source";
constexpr const char* k_secret = "a documents-test secret of some length";

// 200 users: 150 with a recovery email, 100 with a contact (name and email) inside an array;
// settings are flags only. 300 comments: every third holds an email, every fifth a phone number.
constexpr const char* k_schema = R"sql(
CREATE TABLE public.users (
    id         bigint PRIMARY KEY,
    email      text NOT NULL UNIQUE,
    profile    jsonb,
    settings   jsonb NOT NULL,
    aliases    text[],
    created_at timestamptz NOT NULL
);
CREATE TABLE public.comments (
    id         bigint PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES public.users,
    body       text NOT NULL
);
CREATE TABLE public.audit_events (
    id      bigint PRIMARY KEY,
    payload jsonb NOT NULL
);
INSERT INTO public.users
SELECT g, 'owner' || g || '@corp.example',
       jsonb_strip_nulls(jsonb_build_object(
           'recovery_email', CASE WHEN g % 4 <> 0 THEN 'rescue' || g || '@corp.example' END,
           'twitter', '@handle' || g,
           'contacts', CASE WHEN g % 2 = 0 THEN jsonb_build_array(jsonb_build_object(
                           'name', 'Contact Person' || g, 'email', 'friend' || g || '@mail.example')) END)),
       jsonb_build_object('theme', CASE WHEN g % 2 = 0 THEN 'dark' ELSE 'light' END, 'beta', g % 3 = 0,
                          'notifications', jsonb_build_object('email', true, 'digest', 'weekly'),
                          'locale', 'en-US', 'version', '2.4.1'),
       CASE WHEN g % 5 = 0 THEN ARRAY['alias' || g || '@mail.example'] ELSE ARRAY['nick' || g] END,
       timestamptz '2024-01-01' + g * interval '1 hour'
  FROM generate_series(1, 200) g;
INSERT INTO public.comments
SELECT g, 1 + g % 200,
       CASE WHEN g % 3 = 0 THEN 'please write to author' || g || '@corp.example about it'
            WHEN g % 5 = 0 THEN 'call me on +44 20 7946 ' || lpad(g::text, 4, '0') || ' after six'
            ELSE 'looks good to me, merged in ' || g END
  FROM generate_series(1, 300) g;
INSERT INTO public.audit_events
SELECT g, jsonb_build_object('action', 'login', 'actor', jsonb_build_object('email', 'actor' || g || '@corp.example'),
                             'ip', '10.9.' || (g / 200) || '.' || (g % 200 + 1))
  FROM generate_series(1, 100) g;
ANALYZE;
)sql";

class DocumentsPii : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        auto& servers = fixture_servers();
        servers.primary.drop_database(k_source);
        servers.primary.create_database(k_source);
        servers.primary.execute(k_source, k_schema);
        servers.standby.wait_for_replay_of(servers.primary);
    }

    static CommandResult check(const std::string& config_text) {
        TempFile config(config_text);
        return run_understudy({"check", "--source", fixture_servers().standby.url(k_source), "--config", config.path()});
    }

    static CommandResult subset(const std::string& target, const std::string& config_path) {
        auto& servers = fixture_servers();
        servers.primary.drop_database(target);
        servers.primary.create_database(target);
        return run_understudy({"subset", "--source", servers.standby.url(k_source), "--target",
                               servers.primary.url(target), "--config", config_path, "--fraction", "1"},
                              {{"UNDERSTUDY_SECRET", k_secret}});
    }

    static std::string init_config() {
        auto init = run_understudy({"init", "--source", fixture_servers().standby.url(k_source)});
        EXPECT_EQ(init.exit_code, 0) << init.err;
        return init.out;
    }
};

/// Everything but audit_events.payload covered; payload kept.
std::string payload_kept(const std::string& kept_pii) {
    return "anonymize:\n  default: fail\n" + kept_pii +
           "  tables:\n"
           "    public.users:\n"
           "      email: {fake: email, unique: true}\n"
           "      profile: null\n"
           "      aliases: null\n"
           "    public.comments:\n"
           "      body: {scrub: [email, phone]}\n"
           "keep: [public.users.id, public.users.settings, public.users.created_at, public.comments.id,\n"
           "       public.comments.user_id, public.audit_events.id, public.audit_events.payload]\n";
}

TEST_F(DocumentsPii, InitSuggestsPathRulesArrayRulesAndScrub) {
    const std::string config = init_config();
    EXPECT_NE(config.find("    public.audit_events:\n"
                          "      payload:  # jsonb; personal data inside 100 sampled documents\n"
                          "        json:\n"
                          "          \"$.actor.email\": {fake: email}  # email-shaped in 100 of 100 sampled rows\n"
                          "          \"$.ip\": {fake: ipv4}  # ipv4-shaped in 100 of 100 sampled rows\n"),
              std::string::npos)
        << config;
    EXPECT_NE(config.find("    public.comments:\n"
                          "      body: {scrub: [email, phone]}  # email-shaped text inside strings in 100 of 300 "
                          "sampled rows; phone-shaped text inside strings in 40 of 300 sampled rows\n"),
              std::string::npos)
        << config;
    EXPECT_NE(config.find("      aliases: {array: {fake: email}}  # email-shaped in 40 of 200 sampled rows\n"),
              std::string::npos)
        << config;
    EXPECT_NE(config.find("      profile:  # jsonb; personal data inside 200 sampled documents\n"
                          "        json:\n"
                          "          \"$.contacts[*].email\": {fake: email}  # email-shaped in 100 of 200 sampled rows\n"
                          "          \"$.contacts[*].name\": {fake: full_name}  # full_name by its key in 100 of 200 "
                          "sampled rows\n"
                          "          \"$.recovery_email\": {fake: email}  # email-shaped in 150 of 200 sampled rows\n"),
              std::string::npos)
        << config;
    // Flags and settings are kept, and the check that follows raises no alarm on them.
    EXPECT_NE(config.find("  - public.users.settings  # jsonb\n"), std::string::npos) << config;
}

TEST_F(DocumentsPii, CheckRefusesAKeptJsonbColumnHoldingEmails) {
    auto refused = check(payload_kept(""));
    EXPECT_EQ(refused.exit_code, 12) << refused.out << refused.err;
    EXPECT_NE(refused.err.find("kept column public.audit_events.payload holds personal data: email-shaped in 100 of "
                               "100 sampled rows at $.actor.email"),
              std::string::npos)
        << refused.err;
    EXPECT_EQ(refused.err.find("actor1@corp.example"), std::string::npos) << "a finding never prints a value";

    auto warned = check(payload_kept("  kept_pii: warn\n"));
    EXPECT_EQ(warned.exit_code, 0) << warned.err;
    EXPECT_NE(warned.out.find("public.audit_events.payload  [kept, but email-shaped in 100 of 100 sampled rows at "
                              "$.actor.email: the run will warn]"),
              std::string::npos)
        << warned.out;
}

TEST_F(DocumentsPii, AJsonRuleKeepsWhatItsPathsDoNotName) {
    // Every column covered, but profile's rule names only the contacts' emails: the recovery email
    // is kept with the rest of the document, and the check says where.
    auto refused = check(
        "anonymize:\n  default: fail\n  tables:\n"
        "    public.users:\n"
        "      email: {fake: email, unique: true}\n"
        "      profile: {json: {\"$.contacts[*]\": {scrub: [email]}}}\n"
        "      aliases: {array: {scrub: [email]}}\n"
        "    public.comments:\n      body: {scrub: [email, phone]}\n"
        "    public.audit_events:\n      payload: {json: {\"$.actor.email\": {fake: email}, \"$.ip\": {fake: ipv4}}}\n"
        "keep: [public.users.id, public.users.settings, public.users.created_at, public.comments.id,\n"
        "       public.comments.user_id, public.audit_events.id]\n");
    EXPECT_EQ(refused.exit_code, 12) << refused.out << refused.err;
    EXPECT_NE(refused.err.find("kept column public.users.profile holds personal data: email-shaped in 150 of 200 "
                               "sampled rows at $.recovery_email\n"),
              std::string::npos)
        << refused.err;
    EXPECT_EQ(refused.err.find("$.contacts"), std::string::npos) << refused.err;
    EXPECT_EQ(refused.err.find("audit_events"), std::string::npos) << refused.err;
}

TEST_F(DocumentsPii, PlanListsKeptPiiNextToTheCoverage) {
    TempFile config(payload_kept(""));
    auto plan = run_understudy({"plan", "--source", fixture_servers().standby.url(k_source), "--config", config.path()});
    EXPECT_EQ(plan.exit_code, 0) << plan.err;
    EXPECT_NE(plan.out.find("  public.audit_events.payload  [kept, but email-shaped in 100 of 100 sampled rows at "
                            "$.actor.email: the run will refuse]\n"),
              std::string::npos)
        << plan.out;
    EXPECT_EQ(plan.out.find("public.users.settings  [kept"), std::string::npos) << plan.out;
}

TEST_F(DocumentsPii, SubsetRefusesBeforeCopyingAndWarnsWhenAskedTo) {
    TempFile refused_config(payload_kept(""));
    auto refused = subset("documents_refused", refused_config.path());
    EXPECT_EQ(refused.exit_code, 12) << refused.err;
    EXPECT_NE(refused.err.find("public.audit_events.payload"), std::string::npos) << refused.err;
    EXPECT_EQ(fixture_servers().primary.query_value(
                  "documents_refused", "SELECT count(*) FROM pg_class WHERE relname = 'audit_events'"),
              "0")
        << "nothing is written when the guard refuses";

    TempFile warned_config(payload_kept("  kept_pii: warn\n"));
    auto warned = subset("documents_warned", warned_config.path());
    EXPECT_EQ(warned.exit_code, 0) << warned.err;
    EXPECT_NE(warned.err.find("kept column public.audit_events.payload holds personal data: ipv4-shaped in 100 of 100 "
                              "sampled rows at $.ip (kept_pii: warn)"),
              std::string::npos)
        << warned.err;
}

TEST_F(DocumentsPii, StarterConfigAsItIsLeavesNoSampledOriginalInTheCopy) {
    TempFile config(init_config());
    auto accepted = run_understudy({"check", "--source", fixture_servers().standby.url(k_source), "--config", config.path()});
    ASSERT_EQ(accepted.exit_code, 0) << accepted.err << accepted.out;
    auto copied = subset("documents_copy", config.path());
    ASSERT_EQ(copied.exit_code, 0) << copied.err;

    // The PII-shaped originals of every text and json column of the source, found by SQL.
    auto& servers = fixture_servers();
    const std::string originals_sql =
        "SELECT string_agg(DISTINCT m[1], E'\\n') FROM ("
        "  SELECT regexp_matches(r::text, '([A-Za-z0-9._+-]+@[A-Za-z0-9.-]+\\.example|\\+44 20 7946 [0-9]{4}|"
        "10\\.9\\.[0-9]+\\.[0-9]+)', 'g') AS m"
        "    FROM (SELECT u::text AS r FROM public.users u UNION ALL SELECT c::text FROM public.comments c"
        "          UNION ALL SELECT a::text FROM public.audit_events a) rows(r)) found";
    const std::string originals = servers.standby.query_value(k_source, originals_sql);
    std::set<std::string> values;
    for (std::size_t start = 0; start < originals.size();) {
        auto end = originals.find('\n', start);
        if (end == std::string::npos) end = originals.size();
        values.insert(originals.substr(start, end - start));
        start = end + 1;
    }
    ASSERT_GT(values.size(), 700u) << "the fixture's emails, phones and addresses";

    // Every text and json column of the target, as text, in one string.
    const std::string copy_sql =
        "SELECT string_agg(r, E'\\n') FROM (SELECT u::text AS r FROM public.users u UNION ALL "
        "SELECT c::text FROM public.comments c UNION ALL SELECT a::text FROM public.audit_events a) rows";
    const std::string copy = servers.primary.query_value("documents_copy", copy_sql);
    ASSERT_GT(copy.size(), 10000u);
    std::size_t survivors = 0;
    std::string first;
    for (const auto& value : values) {
        if (copy.find(value) != std::string::npos) {
            if (survivors++ == 0) first = value;
        }
    }
    EXPECT_EQ(survivors, 0u) << "first survivor: " << first;
    // The copy still reads like the source: comments keep their words around the pseudonyms.
    EXPECT_EQ(servers.primary.query_value("documents_copy",
                                          "SELECT count(*) FROM public.comments WHERE body LIKE 'please write to %'"),
              "100");
}

// The check's cost follows the sample, not the table: on a 300,000-row table (about 2,000 pages)
// it reads at most k_sample_rows rows and a small share of the pages, counted by the standby itself.
TEST(DocumentsPiiCost, KeptColumnSampleReadsAFewPagesOfALargeTable) {
    constexpr const char* k_big = "documents_big";
    auto& servers = fixture_servers();
    servers.primary.drop_database(k_big);
    servers.primary.create_database(k_big);
    servers.primary.execute(k_big, "CREATE TABLE public.notes (id bigint PRIMARY KEY, body text NOT NULL);"
                                   "INSERT INTO public.notes SELECT g, 'note number ' || g || ' about nothing much'"
                                   "  FROM generate_series(1, 300000) g; ANALYZE;");
    servers.standby.wait_for_replay_of(servers.primary);
    const std::string reads_sql =
        "SELECT coalesce(s.seq_tup_read, 0) || ' ' || coalesce(io.heap_blks_read + io.heap_blks_hit, 0) || ' ' ||"
        "       pg_relation_size('public.notes') / current_setting('block_size')::int"
        "  FROM pg_stat_user_tables s JOIN pg_statio_user_tables io USING (relid) WHERE s.relname = 'notes'";
    auto reads = [&] {
        long long rows = 0, blocks = 0, pages = 0;
        std::sscanf(servers.standby.query_value(k_big, reads_sql).c_str(), "%lld %lld %lld", &rows, &blocks, &pages);
        return std::array<long long, 3>{rows, blocks, pages};
    };
    const auto before = reads();
    TempFile config("anonymize:\n  default: keep\n");
    auto check = run_understudy({"check", "--source", servers.standby.url(k_big), "--config", config.path()});
    ASSERT_EQ(check.exit_code, 0) << check.err;
    // The checking session's counters reach the shared statistics when it ends; give them a moment.
    auto after = reads();
    for (int attempt = 0; attempt < 50 && after[0] == before[0]; ++attempt) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        after = reads();
    }
    EXPECT_GT(after[0], before[0]) << "the sample was read on the standby";
    EXPECT_LE(after[0] - before[0], 1000) << "rows read by the kept-column sample";
    EXPECT_LT((after[1] - before[1]) * 10, after[2]) << "pages touched, of " << after[2];
}

}  // namespace
}  // namespace understudy::testing
