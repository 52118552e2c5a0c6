// leak_scan_test: verification's leak scan looks beyond each rule-covered column. An email of
// users.email copied verbatim into a kept jsonb column or typed into a kept comment fails `sync`
// (exit 11, nothing promoted, the columns named and never the value); replacing that jsonb path
// lets it through; short or common originals ('Ann', 'US', 'active', 'London') found in free text
// never alarm, because only PII-shaped originals are searched outside their column.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "db_checks.hpp"
#include "temp_file.hpp"
#include "test_cluster.hpp"

namespace understudy::testing {
namespace {

constexpr const char* k_source = "leak_scan_source";
constexpr const char* k_live = "leak_scan_live";
constexpr const char* k_secret = "a leak-scan-test secret of some length";

// users.email is replaced; users.nickname is nulled (its originals are sampled too, and are short
// or common words); audit_events.payload holds each user's address verbatim; one comment's body
// quotes an address in a sentence; every comment's title mentions the nicknames. 50 users: the
// leak scan samples 50 originals a column, so every address is one of them.
constexpr const char* k_schema = R"sql(
CREATE TABLE public.users (
    id       bigint PRIMARY KEY,
    email    text NOT NULL,
    nickname text,
    country  text NOT NULL,
    status   text NOT NULL
);
CREATE TABLE public.audit_events (
    id      bigint PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES public.users,
    payload jsonb NOT NULL
);
CREATE TABLE public.comments (
    id      bigint PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES public.users,
    title   text NOT NULL,
    body    text,
    tags    text[] NOT NULL
);
INSERT INTO public.users
SELECT g, 'leakq' || g || '.person@mail.example', (ARRAY['Ann', 'US', 'active', 'London', 'Annabelle'])[1 + g % 5],
       'US', 'active'
  FROM generate_series(1, 50) g;
INSERT INTO public.audit_events
SELECT g, 1 + g % 50, jsonb_build_object('action', 'login', 'actor', u.email, 'ip', '10.0.0.1')
  FROM generate_series(1, 600) g JOIN public.users u ON u.id = 1 + g % 50;
INSERT INTO public.comments
SELECT g, 1 + g % 50, 'Ann from London was active in the US; Annabelle too (ticket 123456)', 'looks good',
       ARRAY['US', 'active']
  FROM generate_series(1, 300) g;
UPDATE public.comments SET body = 'please write to leakq7.person@mail.example, thanks' WHERE id = 42;
ANALYZE;
)sql";

/// The sync config: users' email replaced and nickname nulled, `more_rules` (tables under
/// anonymize.tables), and `keep` for everything else.
std::string rules_with(const std::string& more_rules, const std::string& keep) {
    return "sync: {backend: postgres, full: true, keep: 1}\n"
           "anonymize:\n"
           "  default: fail\n"
           "  kept_pii: off\n"  // about the scan after the copy: the kept-column check would refuse first
           "  tables:\n"
           "    public.users:\n"
           "      email: {fake: email, unique: true}\n"
           "      nickname: null\n" +
           more_rules + "keep: [public.users.id, public.users.country, public.users.status, " + keep + "]\n";
}

/// audit_events and comments kept whole.
const std::string k_rules_leaking = rules_with("", "public.audit_events, public.comments");

/// The same, with the address inside the payload replaced.
const std::string k_rules_payload_replaced =
    rules_with("    public.audit_events:\n      payload: {json: {\"$.actor\": {fake: email}}}\n",
               "public.audit_events.id, public.audit_events.user_id, public.comments");

/// And with the comments' body nulled too.
const std::string k_rules_replaced =
    rules_with("    public.audit_events:\n      payload: {json: {\"$.actor\": {fake: email}}}\n"
               "    public.comments:\n      body: null\n",
               "public.audit_events.id, public.audit_events.user_id, public.comments.id, public.comments.user_id, "
               "public.comments.title, public.comments.tags");

class LeakScan : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        auto& servers = fixture_servers();
        servers.primary.drop_database(k_source);
        servers.primary.create_database(k_source);
        servers.primary.execute(k_source, k_schema);
        servers.standby.wait_for_replay_of(servers.primary);
    }
    static void TearDownTestSuite() {
        auto& servers = fixture_servers();
        for (const auto& name : servers.primary.databases_like(std::string(k_live) + "%"))
            servers.primary.drop_database(name);
        servers.primary.drop_database(k_source);
    }

    /// A fresh live database holding only a marker, so that a promotion would show.
    void SetUp() override {
        auto& servers = fixture_servers();
        for (const auto& name : servers.primary.databases_like(std::string(k_live) + "%"))
            servers.primary.drop_database(name);
        servers.primary.create_database(k_live);
        servers.primary.execute(k_live, "CREATE TABLE marker (what text); INSERT INTO marker VALUES ('live')");
    }

    static CommandResult sync_with(const std::string& rules, const std::string& report_path) {
        TempFile config(rules);
        auto& servers = fixture_servers();
        return run_understudy({"sync", "--source", servers.standby.url(k_source), "--target",
                               servers.primary.url(k_live), "--config", config.path(), "--report", report_path},
                              {{"UNDERSTUDY_SECRET", k_secret}});
    }

    static bool live_untouched() {
        return fixture_servers().primary.query_value(k_live, "SELECT to_regclass('public.marker') IS NOT NULL") == "t";
    }
};

TEST_F(LeakScan, EmailCopiedIntoAKeptJsonbColumnFailsVerification) {
    TempFile report("");
    auto result = sync_with(k_rules_leaking, report.path());
    ASSERT_EQ(result.exit_code, 11) << result.out << result.err;
    // Both places the addresses went, each with the column they were sampled from.
    EXPECT_NE(result.err.find("column \"public.audit_events.payload\" holds "), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("sampled original values of \"public.users.email\""), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("column \"public.comments.body\" holds 1 of "), std::string::npos) << result.err;
    // Never the value, nor a nickname: the common words are not what failed.
    EXPECT_EQ(result.err.find("@mail.example"), std::string::npos) << result.err;
    EXPECT_EQ(result.out.find("@mail.example"), std::string::npos) << result.out;
    EXPECT_EQ(result.err.find("public.users.nickname"), std::string::npos) << result.err;
    // Nothing promoted: live is the database it was.
    EXPECT_TRUE(live_untouched());
}

TEST_F(LeakScan, ReplacingWhatHeldTheAddressesLetsTheSyncThrough) {
    TempFile report("");
    auto result = sync_with(k_rules_payload_replaced, report.path());
    ASSERT_EQ(result.exit_code, 11) << result.out << result.err;
    // The payload is clean now; the comment quoting an address still is not.
    EXPECT_EQ(result.err.find("public.audit_events.payload"), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("column \"public.comments.body\" holds 1 of "), std::string::npos) << result.err;
    EXPECT_TRUE(live_untouched());

    // With the body nulled as well, the copy is clean and promoted, though 'US' and 'active' (nulled
    // nicknames) are whole values of users.country, users.status and comments.tags, and every
    // nickname is in every comment's title.
    auto clean = sync_with(k_rules_replaced, report.path());
    ASSERT_EQ(clean.exit_code, 0) << clean.out << clean.err;
    EXPECT_FALSE(live_untouched());
    EXPECT_EQ(fixture_servers().primary.query_value(
                  k_live, "SELECT count(*) FROM public.audit_events WHERE payload->>'actor' LIKE '%@mail.example'"),
              "0");

    const nlohmann::json written = read_json(report.path());
    const auto& scan = written.at("verification").at("leak_scan");
    EXPECT_EQ(scan.at("failed"), 0);
    // The 50 sampled addresses searched elsewhere, in users' four text columns, audit_events'
    // payload and comments' title, body and tags, every row (the tables are small).
    EXPECT_EQ(scan.at("elsewhere").at("originals"), 50);
    EXPECT_EQ(scan.at("elsewhere").at("columns"), 8);
    EXPECT_EQ(scan.at("elsewhere").at("rows"), 950);
    EXPECT_EQ(scan.at("elsewhere").at("tables_whole"), 3);

    // The human summary: verification in a few lines, and "all" for tables copied whole.
    EXPECT_NE(clean.out.find("verification passed:"), std::string::npos) << clean.out;
    EXPECT_NE(clean.out.find("50 PII-shaped ones searched in 8 text/json/array columns of 3 tables"),
              std::string::npos)
        << clean.out;
    EXPECT_EQ(clean.out.find(" -1 "), std::string::npos) << clean.out;
    EXPECT_NE(clean.out.find(" all "), std::string::npos) << clean.out;
}

TEST_F(LeakScan, ShortOrCommonOriginalsInFreeTextDoNotAlarm) {
    TempFile report("");
    auto result = sync_with(k_rules_leaking, report.path());
    ASSERT_EQ(result.exit_code, 11) << result.err;
    // Every comment's title holds the nulled nicknames ('Ann', 'US', 'active', 'London',
    // 'Annabelle') and 'US'/'active' are whole values of users.country/status and comments.tags:
    // they are sampled (null replaces every value) but none of them is searched outside nickname,
    // so the failures are the payload and the one quoted address, and none names those columns.
    EXPECT_NE(result.err.find("column \"public.comments.body\" holds 1 of 50 sampled original values of "
                              "\"public.users.email\""),
              std::string::npos)
        << result.err;
    EXPECT_EQ(result.err.find("public.comments.title"), std::string::npos) << result.err;
    EXPECT_EQ(result.err.find("public.comments.tags"), std::string::npos) << result.err;
    EXPECT_EQ(result.err.find("public.users.country"), std::string::npos) << result.err;
    EXPECT_EQ(result.err.find("public.users.status"), std::string::npos) << result.err;
    EXPECT_EQ(result.err.find("public.users.nickname"), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("2 problems"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace understudy::testing
