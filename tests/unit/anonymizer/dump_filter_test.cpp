// Unit tests of `understudy anonymize`'s dump filter: pass-through outside COPY blocks, `\.`, quoted
// COPY headers, the fail-closed guard (no output of a refused block) and a golden real pg_dump file.
#include <gtest/gtest.h>

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "understudy/anonymizer/dump_filter.hpp"
#include "understudy/error.hpp"

namespace understudy::anonymizer {
namespace {

const std::filesystem::path k_golden_dir = std::filesystem::path(UNDERSTUDY_TEST_DATA_DIR) / "golden";

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

const Secret& test_secret() {
    static const Secret secret = Secret::from_text("dump-filter-unit-test-secret", "test");
    return secret;
}

RuleSet rules_from(const std::string& yaml) { return RuleSet::from_yaml(YAML::Load(yaml), "rules.yaml"); }

struct Filtered {
    std::string output;
    DumpFilterStats stats;
};

Filtered filter(const std::string& dump, const RuleSet& rules) {
    std::istringstream in(dump);
    std::ostringstream out;
    Filtered result;
    result.stats = filter_dump(in, out, rules, test_secret());
    result.output = out.str();
    return result;
}

/// Runs the filter expecting an Error; returns it with what was written before it.
struct Refused {
    ExitCode code = ExitCode::ok;
    std::string message;
    std::string hint;
    std::string output;
};

Refused refuse(const std::string& dump, const RuleSet& rules) {
    std::istringstream in(dump);
    std::ostringstream out;
    Refused refused;
    try {
        filter_dump(in, out, rules, test_secret());
        ADD_FAILURE() << "the filter accepted the dump";
    } catch (const Error& error) {
        refused.code = error.code();
        refused.message = error.what();
        refused.hint = error.hint();
    }
    refused.output = out.str();
    return refused;
}

const char* const k_users_rules = R"(
anonymize:
  default: fail
  tables:
    public.users:
      email: {fixed: "x@example.org"}
keep: [public.users.id]
)";

TEST(DumpFilter, PassesEverythingOutsideCopyBlocksThrough) {
    const std::string dump =
        "--\n-- PostgreSQL database dump\n--\n\\restrict abc\nSET client_encoding = 'UTF8';\n"
        "CREATE FUNCTION f() RETURNS text LANGUAGE sql AS $body$\n"
        "COPY public.users (id, email) FROM stdin;\n"  // inside a dollar quote: not a block
        "$body$;\n"
        "COMMENT ON TABLE t IS 'x\n"
        "COPY public.users (id, email) FROM stdin;\n"  // inside a string
        "';\n"
        "/* a comment\n"
        "COPY public.users (id, email) FROM stdin;\n"  // inside a comment
        "*/\n"
        "SELECT 1\n"
        "COPY public.users (id, email) FROM stdin;\n"  // in the middle of a statement
        ";\n"
        "CREATE RULE r AS ON UPDATE TO t DO INSTEAD\n"
        "INSERT INTO t2 VALUES (1);\n"  // part of a statement, not a row

        "\\unrestrict abc\n"
        "no newline at the end";
    const Filtered result = filter(dump, rules_from(k_users_rules));
    EXPECT_EQ(result.output, dump);
    EXPECT_EQ(result.stats.tables, 0u);
    EXPECT_EQ(result.stats.rows, 0u);
    EXPECT_EQ(result.stats.bytes_in, dump.size());
    EXPECT_EQ(result.stats.unmatched_tables, std::vector<std::string>{"public.users"});
}

TEST(DumpFilter, RewritesRowsUpToTheEndMarker) {
    const std::string dump =
        "SET x = 1;\n"
        "COPY public.users (id, email) FROM stdin;\n"
        "1\ta@example.org\n"
        "2\t\\N\n"
        "3\tback\\\\.\n"  // an escaped backslash then a dot: data, not the end marker
        "\\.\n"
        "\n"
        "SELECT 1;\n";
    const Filtered result = filter(dump, rules_from(k_users_rules));
    EXPECT_EQ(result.output,
              "SET x = 1;\n"
              "COPY public.users (id, email) FROM stdin;\n"
              "1\tx@example.org\n"
              "2\t\\N\n"
              "3\tx@example.org\n"
              "\\.\n"
              "\n"
              "SELECT 1;\n");
    EXPECT_EQ(result.stats.tables, 1u);
    EXPECT_EQ(result.stats.rows, 3u);
}

TEST(DumpFilter, EndMarkerAtEndOfFileAndCrLf) {
    EXPECT_EQ(filter("COPY public.users (id, email) FROM stdin;\n1\ta\n\\.", rules_from(k_users_rules)).output,
              "COPY public.users (id, email) FROM stdin;\n1\tx@example.org\n\\.");
    EXPECT_EQ(filter("COPY public.users (id, email) FROM stdin;\r\n1\ta\r\n\\.\r\n", rules_from(k_users_rules)).output,
              "COPY public.users (id, email) FROM stdin;\r\n1\tx@example.org\r\n\\.\r\n");
}

TEST(DumpFilter, RowWithAnEscapedNewlineGoesOnInTheNextLine) {
    const Filtered result = filter("COPY public.users (id, email) FROM stdin;\n7\ta\\\nb\n\\.\n", rules_from(k_users_rules));
    EXPECT_EQ(result.output, "COPY public.users (id, email) FROM stdin;\n7\tx@example.org\n\\.\n");
    EXPECT_EQ(result.stats.rows, 1u);
}

TEST(DumpFilter, QuotedSchemaTableAndColumns) {
    const RuleSet rules = rules_from(R"(
anonymize:
  tables:
    My Schema.Odd "Name":
      Col A: {fixed: "new"}
keep: [My Schema.Odd "Name".b]
)");
    const std::string dump =
        "COPY \"My Schema\".\"Odd \"\"Name\"\"\" (\"Col A\", b) FROM stdin;\n"
        "old\tkept\n"
        "\\.\n";
    EXPECT_EQ(filter(dump, rules).output,
              "COPY \"My Schema\".\"Odd \"\"Name\"\"\" (\"Col A\", b) FROM stdin;\n"
              "new\tkept\n"
              "\\.\n");
}

TEST(DumpFilter, TableWithoutColumnsOrRulesPassesThrough) {
    const RuleSet rules = rules_from("anonymize:\n  default: keep\n");
    const std::string dump =
        "COPY public.no_columns  FROM stdin;\n\n\n\\.\n"
        "COPY public.other (a, b) FROM stdin;\nx\\ty\t\\N\n\\.\n";
    const Filtered result = filter(dump, rules);
    EXPECT_EQ(result.output, dump);
    EXPECT_EQ(result.stats.tables, 2u);
    EXPECT_EQ(result.stats.rows, 3u);
    EXPECT_TRUE(result.stats.unmatched_tables.empty());
}

TEST(DumpFilter, ReportsTablesWithRulesButNoData) {
    // Under default keep a misspelt table name would copy the real table as it is: the caller warns.
    const RuleSet rules = rules_from(R"(
anonymize:
  default: keep
  tables:
    public.user:
      email: {fake: email}
    public.zz:
      a: null
      b: null
)");
    const Filtered result = filter("COPY public.users (id, email) FROM stdin;\n1\ta@example.org\n\\.\n", rules);
    EXPECT_EQ(result.output, "COPY public.users (id, email) FROM stdin;\n1\ta@example.org\n\\.\n");
    EXPECT_EQ(result.stats.unmatched_tables, (std::vector<std::string>{"public.user", "public.zz"}));
}

TEST(DumpFilter, UnclassifiedColumnsStopBeforeTheBlock) {
    const std::string dump =
        "SET x = 1;\n"
        "COPY public.users (id, email) FROM stdin;\n"
        "1\ta@example.org\n"
        "\\.\n"
        "COPY public.accounts (id, iban, owner) FROM stdin;\n"
        "1\tDE89370400440532013000\tAda\n"
        "\\.\n";
    const Refused refused = refuse(dump, rules_from(k_users_rules));
    EXPECT_EQ(refused.code, ExitCode::unclassified_columns);
    EXPECT_EQ(refused.message,
              "line 5: table \"public.accounts\" column \"id\" has no anonymization rule and is not kept "
              "(2 more columns of this table)");
    EXPECT_NE(refused.hint.find("public.accounts.iban"), std::string::npos) << refused.hint;
    EXPECT_NE(refused.hint.find("public.accounts.owner"), std::string::npos) << refused.hint;
    // Everything before the refused block, none of it, then the statement that stops psql.
    EXPECT_EQ(refused.output,
              "SET x = 1;\n"
              "COPY public.users (id, email) FROM stdin;\n"
              "1\tx@example.org\n"
              "\\.\n" +
                  failure_trailer(refused.message, false));
    EXPECT_EQ(refused.message.find("DE89"), std::string::npos);
}

TEST(DumpFilter, RuleOnAColumnTheBlockLacks) {
    const RuleSet rules = rules_from(R"(
anonymize:
  tables:
    public.users:
      emali: {fake: email}
keep: [public.users]
)");
    const Refused refused = refuse("COPY public.users (id, email) FROM stdin;\n1\ta\n\\.\n", rules);
    EXPECT_EQ(refused.code, ExitCode::config);
    EXPECT_NE(refused.message.find("has no column \"emali\""), std::string::npos) << refused.message;
    EXPECT_NE(refused.message.find("line 1 of the dump"), std::string::npos) << refused.message;
    EXPECT_EQ(refused.output, failure_trailer(refused.message, false));
}

TEST(DumpFilter, MalformedInput) {
    const RuleSet rules = rules_from(k_users_rules);
    Refused refused = refuse("COPY public.users (id, email) FROM stdin;\n1\ta\n", rules);
    EXPECT_EQ(refused.code, ExitCode::io);
    EXPECT_NE(refused.message.find("ends inside the COPY block of table \"public.users\""), std::string::npos)
        << refused.message;

    refused = refuse("COPY public.users (id, email) FROM stdin;\n1\ta\tsurplus\n\\.\n", rules);
    EXPECT_EQ(refused.code, ExitCode::io);
    EXPECT_EQ(refused.message.rfind("line 2: ", 0), 0u) << refused.message;
    EXPECT_EQ(refused.message.find("surplus"), std::string::npos) << refused.message;

    refused = refuse("COPY public.users (id, email) FROM stdin WITH (FORMAT csv);\n1,a\n\\.\n", rules);
    EXPECT_EQ(refused.code, ExitCode::io);
    EXPECT_NE(refused.message.find("COPY statement not understood"), std::string::npos) << refused.message;

    refused = refuse("SET x = 1;\nINSERT INTO public.users (id, email) VALUES (1, 'a@example.org');\n", rules);
    EXPECT_EQ(refused.code, ExitCode::config);
    EXPECT_EQ(refused.message.rfind("line 2: the dump holds rows as INSERT statements", 0), 0u) << refused.message;
    EXPECT_EQ(refused.output, "SET x = 1;\n" + failure_trailer(refused.message, false));

    refused = refuse("SET client_encoding = 'SJIS';\n", rules);
    EXPECT_EQ(refused.code, ExitCode::config);
    EXPECT_NE(refused.message.find("\"SJIS\""), std::string::npos) << refused.message;
}

TEST(DumpFilter, RefusesArchivesAndCompressedInputBeforeWritingAnything) {
    const RuleSet rules = rules_from(k_users_rules);
    // The custom format's header, then data that a pass-through would have copied raw.
    Refused refused = refuse(std::string("PGDMP\x01\x0e\x00\x04\x08\x01\x01", 12) + "a@example.org\n", rules);
    EXPECT_EQ(refused.code, ExitCode::io);
    EXPECT_EQ(refused.message,
              "the input is a pg_dump custom-format archive (pg_dump -Fc), not a plain SQL dump: its table data "
              "cannot be anonymized");
    EXPECT_EQ(refused.hint.rfind("convert it with pg_restore: pg_restore -f - dump.custom | understudy anonymize", 0),
              0u)
        << refused.hint;
    EXPECT_NE(refused.hint.find("psql -1 -v ON_ERROR_STOP=1"), std::string::npos) << refused.hint;
    EXPECT_EQ(refused.output, failure_trailer(refused.message, false));
    EXPECT_EQ(refused.output.find("a@example.org"), std::string::npos);

    refused = refuse(std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00", 8) + "a@example.org", rules);
    EXPECT_EQ(refused.message, "the input is gzip-compressed, not a plain SQL dump");
    EXPECT_EQ(refused.hint.rfind("decompress it first: gunzip -c dump.sql.gz | understudy anonymize", 0), 0u);

    refused = refuse(std::string("\x28\xb5\x2f\xfd\x00", 5), rules);
    EXPECT_NE(refused.message.find("compressed (zstd"), std::string::npos) << refused.message;

    std::string tar(1024, '\0');
    tar.replace(0, 8, "toc.dat\0");
    tar.replace(257, 6, "ustar\0");
    refused = refuse(tar, rules);
    EXPECT_EQ(refused.message, "the input is a tar archive (pg_dump -Ft), not a plain SQL dump");

    refused = refuse(std::string("SET x = 1;\n\0\x01", 13), rules);
    EXPECT_EQ(refused.message, "the input is binary data, not a plain SQL dump");
    EXPECT_EQ(refused.output, failure_trailer(refused.message, false));

    EXPECT_FALSE(refuse_input("--\n-- PostgreSQL database dump\n").has_value());
    EXPECT_FALSE(refuse_input("").has_value());
}

TEST(DumpFilter, FailureInsideACopyBlockEndsItThenRaises) {
    const RuleSet rules = rules_from(R"(
anonymize:
  tables:
    public.users:
      score: {noise: {range: 5}}
keep: [public.users.id]
)");
    const Refused refused = refuse(
        "COPY public.users (id, score) FROM stdin;\n1\t10\n2\tnot-a-number\n3\t12\n\\.\nSELECT 1;\n", rules);
    EXPECT_EQ(refused.message.rfind("line 3: ", 0), 0u) << refused.message;
    EXPECT_EQ(refused.message.find("not-a-number"), std::string::npos) << refused.message;
    // The first row, rewritten; the open block ended; then the failing statement; nothing after.
    const std::string prefix = "COPY public.users (id, score) FROM stdin;\n1\t";
    ASSERT_EQ(refused.output.rfind(prefix, 0), 0u) << refused.output;
    const std::size_t end_of_row = refused.output.find('\n', prefix.size());
    EXPECT_EQ(refused.output.substr(end_of_row + 1), "\\.\n" + failure_trailer(refused.message, false));
    EXPECT_EQ(refused.output.find("not-a-number"), std::string::npos);
    EXPECT_EQ(refused.output.find("SELECT 1"), std::string::npos);
}

TEST(DumpFilter, FailureTrailerIsOneStatementThatRaises) {
    EXPECT_EQ(failure_trailer("line 3: table \"public.users\" column \"score\": it's bad", false),
              "DO $understudy$ BEGIN RAISE EXCEPTION USING MESSAGE = 'understudy anonymize failed: line 3: table "
              "\"public.users\" column \"score\": it''s bad'; END $understudy$;\n");
    // Open COPY block first, a line ended first; no newline, backslash or dollar reaches the SQL.
    EXPECT_EQ(failure_trailer("a\nb\\c$d", true, true),
              "\n\\.\nDO $understudy$ BEGIN RAISE EXCEPTION USING MESSAGE = 'understudy anonymize failed: a b c d'; "
              "END $understudy$;\n");
}

TEST(DumpFilter, LeafPartitionsGetTheirNearestAncestorsRules) {
    // pg_dump's plain output without --load-via-partition-root: rows under each leaf's name.
    const RuleSet rules = rules_from(R"(
anonymize:
  default: fail
  tables:
    public.events:
      email: {fixed: "x@example.org"}
    public.events_2024_q1:
      email: {fixed: "own@example.org"}
keep: [public.events.id, public.events_2024_q1.id]
)");
    const std::string dump =
        "CREATE TABLE public.events (id bigint, email text) PARTITION BY RANGE (id);\n"
        "CREATE TABLE public.events_2024 (id bigint, email text) PARTITION BY RANGE (id);\n"
        "CREATE TABLE public.\"events 2024-02\" (id bigint, email text);\n"
        "CREATE TABLE public.events_2024_q1 (id bigint, email text);\n"
        "CREATE TABLE public.events_old PARTITION OF public.events\nFOR VALUES FROM (0) TO (10);\n"
        "ALTER TABLE ONLY public.events ATTACH PARTITION public.events_2024 FOR VALUES FROM (10) TO (100);\n"
        "ALTER TABLE ONLY public.events_2024 ATTACH PARTITION public.\"events 2024-02\" FOR VALUES FROM (10) TO (20);\n"
        "ALTER TABLE ONLY public.events_2024 ATTACH PARTITION public.events_2024_q1 FOR VALUES FROM (20) TO (30);\n"
        "COPY public.\"events 2024-02\" (id, email) FROM stdin;\n11\ta@example.org\n\\.\n"
        "COPY public.events_2024_q1 (id, email) FROM stdin;\n21\tb@example.org\n\\.\n"
        "COPY public.events_old (id, email) FROM stdin;\n1\tc@example.org\n\\.\n";
    const Filtered result = filter(dump, rules);
    EXPECT_EQ(result.output.find("a@example.org"), std::string::npos);
    EXPECT_EQ(result.output.find("b@example.org"), std::string::npos);
    EXPECT_EQ(result.output.find("c@example.org"), std::string::npos);
    EXPECT_NE(result.output.find("11\tx@example.org\n"), std::string::npos) << result.output;  // two levels up
    EXPECT_NE(result.output.find("21\town@example.org\n"), std::string::npos) << result.output;  // its own
    EXPECT_NE(result.output.find("1\tx@example.org\n"), std::string::npos) << result.output;  // PARTITION OF
    EXPECT_TRUE(result.stats.unmatched_tables.empty());

    // Without the tree, a leaf is a table of its own: default fail stops it.
    const std::string no_tree = "COPY public.events_2024_q2 (id, email) FROM stdin;\n31\td@example.org\n\\.\n";
    const Refused refused = refuse(no_tree, rules);
    EXPECT_EQ(refused.code, ExitCode::unclassified_columns);
    EXPECT_EQ(refused.output.find("d@example.org"), std::string::npos);
}

TEST(DumpFilter, GoldenPgDump) {
    // tests/golden/dump/input.sql is pg_dump 15's plain output of a small database (see rules.yaml).
    const std::filesystem::path dir = k_golden_dir / "dump";
    std::string secret_text = read_file(k_golden_dir / "SECRET");
    while (!secret_text.empty() && secret_text.back() == '\n') secret_text.pop_back();
    const Secret secret = Secret::from_text(secret_text, "tests/golden/SECRET");
    const RuleSet rules = RuleSet::load_file((dir / "rules.yaml").string());
    std::ifstream in(dir / "input.sql", std::ios::binary);
    std::ostringstream out;
    const DumpFilterStats stats = filter_dump(in, out, rules, secret);
    EXPECT_EQ(stats.tables, 4u);
    EXPECT_EQ(stats.rows, 11u);
    EXPECT_TRUE(stats.unmatched_tables.empty());
    if (std::getenv("UNDERSTUDY_GOLDEN_UPDATE") != nullptr) {
        std::ofstream(dir / "expected.sql", std::ios::binary) << out.str();
        return;
    }
    EXPECT_EQ(out.str(), read_file(dir / "expected.sql"));
}

}  // namespace
}  // namespace understudy::anonymizer
