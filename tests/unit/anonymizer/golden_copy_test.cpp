// Golden tests of the table rewriter: every tests/golden/<case>/ with rules.yaml and input.copy must
// give expected.copy byte for byte, keyed with tests/golden/SECRET. A change here changes pseudonyms.
//
// input.copy and expected.copy start with the block's header as pg_dump writes it
// (`COPY public.users (id, email) FROM stdin;`), which names the table and the columns; the rows follow.
// To regenerate after an intended change: UNDERSTUDY_GOLDEN_UPDATE=1 unit_tests --gtest_filter='GoldenCopy*'
// and read the diff before committing it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "understudy/anonymizer/rules.hpp"
#include "understudy/anonymizer/secret.hpp"
#include "understudy/anonymizer/table_rewriter.hpp"

namespace understudy::anonymizer {
namespace {

const std::filesystem::path k_golden_dir = std::filesystem::path(UNDERSTUDY_TEST_DATA_DIR) / "golden";

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

Secret golden_secret() {
    std::string text = read_file(k_golden_dir / "SECRET");
    while (!text.empty() && text.back() == '\n') text.pop_back();
    return Secret::from_text(text, "tests/golden/SECRET");
}

// `COPY schema.table (a, "B c") FROM stdin;` split into the table and its columns.
void parse_header(const std::string& header, std::string& table, std::vector<std::string>& columns) {
    const std::size_t open = header.find(" (");
    ASSERT_EQ(header.rfind("COPY ", 0), 0u) << header;
    ASSERT_NE(open, std::string::npos) << header;
    table = header.substr(5, open - 5);
    const std::size_t close = header.rfind(") FROM stdin;");
    ASSERT_NE(close, std::string::npos) << header;
    std::string list = header.substr(open + 2, close - open - 2);
    std::size_t pos = 0;
    while (pos <= list.size()) {
        std::string name;
        if (list[pos] == '"') {
            for (++pos; pos < list.size(); ++pos) {
                if (list[pos] == '"' && pos + 1 < list.size() && list[pos + 1] == '"') {
                    name += '"';
                    ++pos;
                } else if (list[pos] == '"') {
                    ++pos;
                    break;
                } else {
                    name += list[pos];
                }
            }
        } else {
            const std::size_t end = std::min(list.find(',', pos), list.size());
            name = list.substr(pos, end - pos);
            pos = end;
        }
        columns.push_back(name);
        pos += 2;  // ", "
    }
}

std::vector<std::filesystem::path> golden_cases() {
    std::vector<std::filesystem::path> cases;
    for (const auto& entry : std::filesystem::directory_iterator(k_golden_dir)) {
        if (entry.is_directory() && std::filesystem::exists(entry.path() / "input.copy")) cases.push_back(entry.path());
    }
    std::sort(cases.begin(), cases.end());
    return cases;
}

std::string rewrite_case(const std::filesystem::path& dir, const Secret& secret) {
    const RuleSet rules = RuleSet::load_file((dir / "rules.yaml").string());
    const std::string input = read_file(dir / "input.copy");
    const std::size_t header_end = input.find('\n');
    std::string table;
    std::vector<std::string> columns;
    parse_header(input.substr(0, header_end), table, columns);
    TableRewriter rewriter(rules, secret, table, columns);
    std::string output = input.substr(0, header_end + 1);
    std::size_t pos = header_end + 1;
    while (pos < input.size()) {
        std::size_t end = input.find('\n', pos);
        end = end == std::string::npos ? input.size() : end + 1;
        rewriter.rewrite(std::string_view(input).substr(pos, end - pos), output);
        pos = end;
    }
    return output;
}

TEST(GoldenCopy, EveryCaseMatchesByteForByte) {
    const Secret secret = golden_secret();
    const auto cases = golden_cases();
    ASSERT_FALSE(cases.empty()) << "no golden cases under " << k_golden_dir;
    const bool update = std::getenv("UNDERSTUDY_GOLDEN_UPDATE") != nullptr;
    for (const auto& dir : cases) {
        SCOPED_TRACE(dir.filename().string());
        const std::string output = rewrite_case(dir, secret);
        if (update) {
            std::ofstream(dir / "expected.copy", std::ios::binary) << output;
            continue;
        }
        EXPECT_EQ(output, read_file(dir / "expected.copy"));
    }
}

TEST(GoldenCopy, RewritingIsIndependentOfRowOrderAndRun) {
    // The same rows in reverse order give the same output rows in reverse order: a row's pseudonyms
    // depend on its values only, not on what came before it.
    const Secret secret = golden_secret();
    for (const auto& dir : golden_cases()) {
        SCOPED_TRACE(dir.filename().string());
        const RuleSet rules = RuleSet::load_file((dir / "rules.yaml").string());
        const std::string input = read_file(dir / "input.copy");
        const std::string expected = rewrite_case(dir, secret);
        std::vector<std::string> rows;
        std::istringstream lines(input);
        std::string line;
        std::getline(lines, line);
        std::string table;
        std::vector<std::string> columns;
        parse_header(line, table, columns);
        while (std::getline(lines, line)) rows.push_back(line + "\n");
        TableRewriter rewriter(rules, secret, table, columns);
        std::vector<std::string> reversed_out;
        for (auto row = rows.rbegin(); row != rows.rend(); ++row) {
            std::string out;
            rewriter.rewrite(*row, out);
            reversed_out.insert(reversed_out.begin(), out);
        }
        std::string joined = expected.substr(0, expected.find('\n') + 1);
        for (const auto& out : reversed_out) joined += out;
        EXPECT_EQ(joined, expected);
    }
}

TEST(GoldenCopy, JoinsHoldAcrossTables) {
    // users.email (unique) and orders.customer_email (plain) are both `fake email`: the same address
    // must become the same fake in both, or joins on the address break.
    const Secret secret = golden_secret();
    auto field = [](const std::string& copy, std::size_t row_idx, std::size_t column_idx) {
        std::istringstream lines(copy);
        std::string line;
        for (std::size_t skip = 0; skip <= row_idx; ++skip) std::getline(lines, line);  // header first
        std::getline(lines, line);
        std::istringstream fields(line);
        std::string value;
        for (std::size_t skip = 0; skip <= column_idx; ++skip) std::getline(fields, value, '\t');
        return value;
    };
    const std::string users = rewrite_case(k_golden_dir / "users", secret);
    const std::string orders = rewrite_case(k_golden_dir / "orders", secret);
    ASSERT_EQ(field(read_file(k_golden_dir / "users" / "input.copy"), 0, 2), "ada@example.org");
    ASSERT_EQ(field(read_file(k_golden_dir / "orders" / "input.copy"), 0, 2), "ada@example.org");
    EXPECT_EQ(field(users, 0, 2), field(orders, 0, 2));
    EXPECT_NE(field(users, 0, 2), "ada@example.org");
    ASSERT_EQ(field(read_file(k_golden_dir / "users" / "input.copy"), 4, 2), "odd\\\\back@example.org");
    ASSERT_EQ(field(read_file(k_golden_dir / "orders" / "input.copy"), 5, 2), "odd\\\\back@example.org");
    EXPECT_EQ(field(users, 4, 2), field(orders, 5, 2));
}

}  // namespace
}  // namespace understudy::anonymizer
