// End to end: `understudy subset` with `scrub` on free text, jsonb and an array, from the standby,
// checked with SQL: no original address or phone is left, each address in a comment became its
// writer's pseudonym in users.email, and the rest of the text (tabs, newlines, backslashes) is intact.
#include <gtest/gtest.h>

#include "db_checks.hpp"
#include "temp_file.hpp"
#include "test_cluster.hpp"

namespace understudy::testing {
namespace {

constexpr const char* k_source = "scrub_source";
constexpr const char* k_target = "scrub_target";
constexpr const char* k_secret = "an integration-test secret for scrub";

constexpr const char* k_schema = R"sql(
CREATE TABLE public.users (
    id    bigserial PRIMARY KEY,
    email text NOT NULL UNIQUE
);
CREATE TABLE public.comments (
    id       bigserial PRIMARY KEY,
    user_id  bigint NOT NULL REFERENCES public.users,
    body     text,
    metadata jsonb,
    tags     text[]
);
INSERT INTO public.users (email) SELECT 'writer' || g || '@corp.example' FROM generate_series(1, 200) g;
INSERT INTO public.comments (user_id, body, metadata, tags)
SELECT u.id,
       CASE WHEN g % 10 = 0 THEN NULL
            ELSE E'Hi,\tplease write to ' || u.email || E'\nor call +44 20 7946 ' || lpad(g::text, 4, '0') ||
                 ' about order #' || g || E' (v2.14.3, 2024-03-05). Back\\slash stays.' END,
       jsonb_build_object('cc', 'cc' || g || '@corp.example', 'n', g),
       ARRAY['from ' || u.email, 'plain']
  FROM generate_series(1, 1000) g JOIN public.users u ON u.id = 1 + g % 200;
ANALYZE;
)sql";

constexpr const char* k_rules = R"yaml(
anonymize:
  default: fail
  tables:
    public.users:
      email: {fake: email, unique: true}
    public.comments:
      body: {scrub: all}
      metadata: {json: {"$": scrub}}
      tags: {array: {scrub: [email]}}
keep: [public.users.id, public.comments.id, public.comments.user_id]
)yaml";

TEST(ScrubSubset, AddressesInTextBecomeTheWritersPseudonymAndTheRestIsKept) {
    auto& servers = fixture_servers();
    servers.primary.drop_database(k_source);
    servers.primary.create_database(k_source);
    servers.primary.execute(k_source, k_schema);
    servers.standby.wait_for_replay_of(servers.primary);
    servers.primary.drop_database(k_target);
    servers.primary.create_database(k_target);
    TempFile rules(k_rules);
    auto result = run_understudy({"subset", "--source", servers.standby.url(k_source), "--target",
                                  servers.primary.url(k_target), "--config", rules.path(), "--fraction", "1"},
                                 {{"UNDERSTUDY_SECRET", k_secret}});
    ASSERT_EQ(result.exit_code, 0) << result.err;

    const auto value = [&](const std::string& sql) { return servers.primary.query_value(k_target, sql); };
    EXPECT_EQ(value("SELECT count(*) FROM public.comments"), "1000");
    EXPECT_EQ(value("SELECT count(*) FROM public.comments WHERE body IS NULL"), "100");
    // No original address or phone anywhere in a comment's row (text, jsonb and array alike).
    EXPECT_EQ(value("SELECT count(*) FROM public.comments t WHERE strpos(t::text, 'corp.example') > 0 "
                    "OR strpos(t::text, '7946') > 0"),
              "0");
    // Each body holds its writer's pseudonym (users.email under {fake: email}), a fake phone, and
    // every other byte as it was: the tab, the newline, the order number, the version, the date, the
    // backslash.
    const std::string tail = "' (v2.14.3, 2024-03-05). Back' || chr(92) || 'slash stays.'";
    EXPECT_EQ(value("SELECT count(*) FROM public.comments c JOIN public.users u ON u.id = c.user_id "
                    "WHERE c.body IS NOT NULL AND NOT (starts_with(c.body, 'Hi,' || chr(9) || 'please write to ' || "
                    "u.email || chr(10) || 'or call +1 555 ') AND strpos(c.body, ' about order #') > 0 AND "
                    "right(c.body, length(" + tail + ")) = " + tail + ")"),
              "0");
    EXPECT_EQ(value("SELECT count(*) FROM public.comments WHERE body IS NOT NULL"), "900");
    EXPECT_EQ(value("SELECT count(*) FROM public.users WHERE email LIKE '%@example.___'"), "200");
    // The array's address is the same pseudonym; the other element is kept.
    EXPECT_EQ(value("SELECT count(*) FROM public.comments c JOIN public.users u ON u.id = c.user_id "
                    "WHERE c.tags <> ARRAY['from ' || u.email, 'plain']"),
              "0");
    // jsonb: the address replaced, the number kept.
    EXPECT_EQ(value("SELECT count(*) FROM public.comments WHERE metadata->>'cc' NOT LIKE '%@example.___' "
                    "OR (metadata->>'n')::int NOT BETWEEN 1 AND 1000"),
              "0");
}

}  // namespace
}  // namespace understudy::testing
