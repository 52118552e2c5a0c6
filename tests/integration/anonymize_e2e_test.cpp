// End to end: `understudy subset` with anonymization rules, from the standby, checked with SQL: no
// original PII value survives, joins on pseudonyms hold, runs are byte-identical per secret, and
// every kind of bad input stops the run before anything is written.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "db_checks.hpp"
#include "postgres_binaries.hpp"
#include "temp_file.hpp"
#include "test_cluster.hpp"

namespace understudy::testing {
namespace {

constexpr const char* k_source = "pii_source";
constexpr const char* k_secret = "an integration-test secret of some length";

// Distinctive, synthetic PII: none of these can come out of a fake dictionary by chance.
constexpr const char* k_schema = R"sql(
CREATE TABLE public.users (
    id            bigserial PRIMARY KEY,
    email         text NOT NULL UNIQUE,
    first_name    text NOT NULL,
    last_name     text NOT NULL,
    phone         text,
    profile       jsonb,
    last_login_ip inet,
    notes         text,
    nicknames     text[],
    created_at    timestamptz NOT NULL
);
CREATE TABLE public.orders (
    id             bigserial PRIMARY KEY,
    user_id        bigint NOT NULL REFERENCES public.users,
    customer_email text NOT NULL,
    total_cents    integer NOT NULL,
    placed_at      timestamptz NOT NULL
);
INSERT INTO public.users (email, first_name, last_name, phone, profile, last_login_ip, notes, nicknames, created_at)
SELECT 'person' || g || '@corp.example', 'Fnq' || g || 'x', 'Lnq' || g || 'y',
       CASE WHEN g % 5 = 0 THEN NULL ELSE '+44 20 7946 ' || lpad(g::text, 4, '0') END,
       jsonb_build_object('contacts', jsonb_build_array(jsonb_build_object('email', 'friend' || g || '@mail.example')),
                          'theme', 'dark'),
       ('10.1.' || (g / 250) || '.' || (g % 250 + 1))::inet,
       'private note ' || g || E'\twith a tab',
       ARRAY['nickq' || g, 'aliasq' || g],
       timestamptz '2024-01-01' + g * interval '1 hour'
  FROM generate_series(1, 2000) g;
INSERT INTO public.orders (user_id, customer_email, total_cents, placed_at)
SELECT u.id, u.email, 100 + g % 900, timestamptz '2024-06-01' + g * interval '1 minute'
  FROM generate_series(1, 8000) g JOIN public.users u ON u.id = 1 + g % 2000;
ANALYZE;
)sql";

constexpr const char* k_rules = R"yaml(
anonymize:
  default: fail
  tables:
    public.users:
      email: {fake: email, unique: true}
      first_name: {fake: first_name}
      last_name: {fake: last_name}
      phone: {mask: {keep_last: 2}}
      profile: {json: {"$.contacts[*].email": {fake: email}}}
      last_login_ip: {fake: ipv4}
      notes: null
      nicknames: {array: {fake: username}}
    public.orders:
      customer_email: {fake: email}
keep: [public.users.id, public.users.created_at, public.orders.id, public.orders.user_id,
       public.orders.total_cents, public.orders.placed_at]
)yaml";

class AnonymizedSubset : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        auto& servers = fixture_servers();
        servers.primary.drop_database(k_source);
        servers.primary.create_database(k_source);
        servers.primary.execute(k_source, k_schema);
        servers.standby.wait_for_replay_of(servers.primary);
        s_rules = std::make_unique<TempFile>(k_rules);
    }
    static void TearDownTestSuite() { s_rules.reset(); }

    /// Runs a subset of the standby's pii_source into a fresh `target` database.
    static CommandResult subset(const std::string& target, const std::string& config, const std::string& secret,
                                std::vector<std::string> extra = {}) {
        auto& servers = fixture_servers();
        servers.primary.drop_database(target);
        servers.primary.create_database(target);
        std::vector<std::string> args = {"subset",   "--source", servers.standby.url(k_source),
                                         "--target", servers.primary.url(target), "--config", config,
                                         "--fraction", "0.5", "--seed", "3"};
        args.insert(args.end(), extra.begin(), extra.end());
        std::map<std::string, std::string> env;
        if (!secret.empty()) env["UNDERSTUDY_SECRET"] = secret;
        return run_understudy(args, env);
    }

    static std::string data_dump(const std::string& database) {
        auto& servers = fixture_servers();
        auto result = run_process({postgres_bin_dir() + "/pg_dump", "--data-only", "--no-owner", "-d",
                                   servers.primary.conninfo(database).keyword_string()});
        EXPECT_EQ(result.exit_code, 0) << result.err;
        std::string out;
        std::size_t start = 0;
        while (start < result.out.size()) {
            auto end = result.out.find('\n', start);
            if (end == std::string::npos) end = result.out.size();
            auto line = result.out.substr(start, end - start);
            if (line.rfind("\\restrict", 0) != 0 && line.rfind("\\unrestrict", 0) != 0) out += line + "\n";
            start = end + 1;
        }
        return out;
    }

    static std::string table_count(const std::string& database) {
        return fixture_servers().primary.query_value(
            database, "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                      "WHERE c.relkind IN ('r', 'p') AND n.nspname = 'public'");
    }

    static std::unique_ptr<TempFile> s_rules;
};
std::unique_ptr<TempFile> AnonymizedSubset::s_rules;

TEST_F(AnonymizedSubset, NoOriginalValueSurvivesAndJoinsHold) {
    auto result = subset("anon_a", s_rules->path(), k_secret);
    ASSERT_EQ(result.exit_code, 0) << result.err;
    auto& servers = fixture_servers();
    EXPECT_TRUE(fk_violations(servers.primary.conninfo("anon_a")).empty());
    EXPECT_NE(servers.primary.query_value("anon_a", "SELECT count(*) FROM public.users"), "0");

    // Every original value of every rule-covered column, searched for in every row of the target
    // (row text covers every column, jsonb and arrays included).
    std::string pii_values;
    for (const auto& row : servers.primary.query(k_source,
             "SELECT v FROM public.users, LATERAL (VALUES (email), (first_name), (last_name), (phone), "
             "(profile->'contacts'->0->>'email'), (host(last_login_ip)), (notes), (nicknames[1]), (nicknames[2])) AS x(v) "
             "WHERE v IS NOT NULL")) {
        pii_values += (pii_values.empty() ? "" : ",") + ("'" + row[0] + "'");
    }
    servers.primary.execute("anon_a", "CREATE TABLE pii_probe (v text); INSERT INTO pii_probe VALUES (" +
                                          [&] {
                                              std::string values;
                                              for (char c : pii_values) values += c == ',' ? std::string("),(") : std::string(1, c);
                                              return values;
                                          }() + ")");
    // A trigram index over the target's row texts makes the substring search cheap; strpos rechecks.
    servers.primary.execute("anon_a", "CREATE EXTENSION IF NOT EXISTS pg_trgm; "
                                      "CREATE TABLE row_text AS SELECT 'public.users' AS source, t::text AS r FROM public.users t "
                                      "UNION ALL SELECT 'public.orders', t::text FROM public.orders t; "
                                      "CREATE INDEX ON row_text USING gin (r gin_trgm_ops)");
    EXPECT_EQ(servers.primary.query_value("anon_a", "SELECT count(*) FROM pii_probe p WHERE EXISTS (SELECT 1 FROM row_text "
                                                    "WHERE r LIKE '%' || p.v || '%' AND strpos(r, p.v) > 0)"),
              "0")
        << "the target holds original PII values";
    EXPECT_GT(std::stoll(servers.primary.query_value("anon_a", "SELECT count(*) FROM pii_probe")), 15000);
    // The probe itself finds a planted original value (so the zero above means something).
    servers.primary.execute("anon_a", "INSERT INTO row_text VALUES ('planted', '(9,x,person7@corp.example,y)')");
    EXPECT_EQ(servers.primary.query_value("anon_a", "SELECT count(*) FROM pii_probe p WHERE EXISTS (SELECT 1 FROM row_text "
                                                    "WHERE r LIKE '%' || p.v || '%' AND strpos(r, p.v) > 0)"),
              "1");
    servers.primary.execute("anon_a", "DROP TABLE row_text; DROP EXTENSION pg_trgm");
    servers.primary.execute("anon_a", "DROP TABLE pii_probe");

    // The same email became the same pseudonym in both tables: the join on it still holds.
    EXPECT_EQ(servers.primary.query_value("anon_a", "SELECT count(*) FROM public.orders o JOIN public.users u "
                                                    "ON u.id = o.user_id WHERE o.customer_email <> u.email"),
              "0");
    EXPECT_EQ(servers.primary.query_value("anon_a", "SELECT count(*) = count(DISTINCT email) FROM public.users"), "t");
    // NULL stays NULL; masks keep their last two characters; json keeps its other keys.
    EXPECT_EQ(servers.primary.query_value("anon_a", "SELECT count(*) FROM public.users WHERE notes IS NOT NULL"), "0");
    EXPECT_EQ(servers.primary.query_value(
                  "anon_a", "SELECT count(*) FROM public.users WHERE phone IS NOT NULL AND right(phone, 2) <> "
                            "right('000' || (id)::text, 2)"),
              "0");
    EXPECT_EQ(servers.primary.query_value("anon_a", "SELECT count(*) FROM public.users WHERE profile->>'theme' <> 'dark'"),
              "0");
}

TEST_F(AnonymizedSubset, SameSecretSameBytesOtherSecretOtherBytes) {
    ASSERT_EQ(subset("anon_b", s_rules->path(), k_secret).exit_code, 0);
    ASSERT_EQ(subset("anon_c", s_rules->path(), k_secret).exit_code, 0);
    ASSERT_EQ(subset("anon_d", s_rules->path(), "a different secret, also long enough").exit_code, 0);
    auto first = data_dump("anon_b");
    EXPECT_GT(first.size(), 10000u);
    EXPECT_EQ(first, data_dump("anon_c"));
    EXPECT_NE(first, data_dump("anon_d"));
}

TEST_F(AnonymizedSubset, NewSourceColumnStopsTheRunWithItsName) {
    auto& servers = fixture_servers();
    servers.primary.execute(k_source, "ALTER TABLE public.users ADD COLUMN mobile_number text");
    servers.standby.wait_for_replay_of(servers.primary);
    auto result = subset("anon_e", s_rules->path(), k_secret);
    servers.primary.execute(k_source, "ALTER TABLE public.users DROP COLUMN mobile_number");
    servers.standby.wait_for_replay_of(servers.primary);
    EXPECT_EQ(result.exit_code, 12) << result.err;
    EXPECT_NE(result.err.find("\"public.users.mobile_number\""), std::string::npos) << result.err;
    EXPECT_EQ(table_count("anon_e"), "0") << "nothing is written when the guard refuses";

    auto check = run_understudy({"check", "--source", servers.standby.url(k_source), "--config", s_rules->path()});
    EXPECT_EQ(check.exit_code, 0) << check.err;
}

TEST_F(AnonymizedSubset, BadInputIsOneLineErrorAndNothingWritten) {
    struct Case {
        std::string config;
        std::string secret;
        int exit_code;
        std::string expected;
    };
    std::string rules = k_rules;
    auto replaced = [&](const std::string& from, const std::string& to) {
        std::string copy = rules;
        copy.replace(copy.find(from), from.size(), to);
        return copy;
    };
    std::vector<Case> cases = {
        {"anonymize:\n  tables: [\n", k_secret, 3, ":3:1: "},
        {replaced("first_name: {fake: first_name}", "first_nam: {fake: first_name}"), k_secret, 3, "first_nam"},
        {replaced("public.orders:", "public.orderz:"), k_secret, 3, "orderz"},
        {replaced("public.orders.total_cents,", ""), k_secret, 12, "public.orders.total_cents"},
        {rules, "", 3, "UNDERSTUDY_SECRET"},
        {rules, "short", 3, "UNDERSTUDY_SECRET"},
    };
    // A fake email on an integer column: the wrong type for the rule.
    std::string wrong_type = replaced("customer_email: {fake: email}",
                                      "customer_email: {fake: email}\n      total_cents: {fake: email}");
    const std::string kept_total = "public.orders.total_cents,";
    wrong_type.erase(wrong_type.find(kept_total), kept_total.size());
    cases.push_back({wrong_type, k_secret, 3, "total_cents"});

    for (const auto& bad : cases) {
        TempFile file(bad.config);
        auto result = subset("anon_bad", file.path(), bad.secret);
        EXPECT_EQ(result.exit_code, bad.exit_code) << bad.config << "\n" << result.err;
        EXPECT_EQ(result.err.rfind("error: ", 0), 0u) << result.err;
        auto first_line = result.err.substr(0, result.err.find('\n'));
        EXPECT_NE(first_line.find(bad.expected), std::string::npos) << result.err;
        EXPECT_EQ(result.err.find(k_secret), std::string::npos);
        EXPECT_EQ(table_count("anon_bad"), "0") << bad.config;
    }
}

}  // namespace
}  // namespace understudy::testing
