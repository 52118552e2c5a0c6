// `understudy anonymize`: a plain pg_dump stream in, the same stream out with its COPY blocks rewritten.
#include "understudy/anonymizer/dump_filter.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "understudy/anonymizer/table_rewriter.hpp"
#include "understudy/error.hpp"

namespace understudy::anonymizer {
namespace {

constexpr std::size_t k_read_chunk = 1 << 20;
constexpr std::size_t k_flush_at = 1 << 20;

std::string quoted(std::string_view name) { return "\"" + std::string(name) + "\""; }

/// Whole lines (newline included; the last one may lack it) from a stream, with their numbers.
class LineReader {
public:
    explicit LineReader(std::istream& in) : m_in(in) {}

    /// The next line, or nullopt at the end. The view lives until the next call.
    std::optional<std::string_view> next() {
        for (;;) {
            const std::size_t newline = m_buffer.find('\n', m_scan);
            if (newline != std::string::npos) return take(newline + 1);
            m_scan = m_buffer.size();
            if (!fill()) {
                if (m_start == m_buffer.size()) return std::nullopt;
                return take(m_buffer.size());
            }
        }
    }

    /// The first bytes of the input (up to one read), without consuming them: for recognizing
    /// formats that are not a plain SQL dump before anything is written.
    std::string_view head() {
        if (m_buffer.empty() && m_line == 0) fill();
        return m_buffer;
    }

    std::uint64_t line_number() const { return m_line; }
    std::uint64_t bytes_read() const { return m_bytes; }

private:
    std::string_view take(std::size_t end) {
        const std::string_view line(m_buffer.data() + m_start, end - m_start);
        m_start = end;
        m_scan = end;
        ++m_line;
        return line;
    }

    bool fill() {
        // Drop the lines already handed out before growing the buffer.
        m_buffer.erase(0, m_start);
        m_scan -= m_start;
        m_start = 0;
        const std::size_t old_size = m_buffer.size();
        m_buffer.resize(old_size + k_read_chunk);
        m_in.read(m_buffer.data() + old_size, static_cast<std::streamsize>(k_read_chunk));
        const auto got = static_cast<std::size_t>(m_in.gcount());
        m_buffer.resize(old_size + got);
        m_bytes += got;
        if (got == 0 && m_in.bad())
            throw Error(ExitCode::io, "could not read the dump from standard input",
                        "a directory-format dump (pg_dump -Fd) is read by pg_restore: pg_restore -f - DIR | "
                        "understudy anonymize --config understudy.yml | psql -1 -v ON_ERROR_STOP=1 …");
        return got > 0;
    }

    std::istream& m_in;
    std::string m_buffer;
    std::size_t m_start = 0;  ///< first byte not yet handed out
    std::size_t m_scan = 0;   ///< where to resume looking for a newline
    std::uint64_t m_line = 0;
    std::uint64_t m_bytes = 0;
};

/// `COPY schema.table (col, ...) FROM stdin;` as pg_dump writes it.
struct CopyHeader {
    std::string table;  ///< `schema.table`, unquoted, as rules name it
    std::vector<std::string> columns;
};

/// A minimal reader of pg_dump's identifiers: `"quoted ""x"""` or a bare word.
class HeaderParser {
public:
    explicit HeaderParser(std::string_view text) : m_text(text) {}

    bool skip(std::string_view literal) {
        if (m_text.substr(m_pos, literal.size()) != literal) return false;
        m_pos += literal.size();
        return true;
    }
    void skip_spaces() {
        while (m_pos < m_text.size() && m_text[m_pos] == ' ') ++m_pos;
    }
    bool at_end() const { return m_pos == m_text.size(); }
    char peek() const { return m_pos < m_text.size() ? m_text[m_pos] : '\0'; }

    std::optional<std::string> identifier() {
        std::string name;
        if (peek() == '"') {
            ++m_pos;
            for (;;) {
                if (m_pos >= m_text.size()) return std::nullopt;
                const char c = m_text[m_pos++];
                if (c != '"') {
                    name += c;
                } else if (peek() == '"') {
                    name += '"';
                    ++m_pos;
                } else {
                    return name;
                }
            }
        }
        while (m_pos < m_text.size() && std::string_view(" .,()\";\t").find(m_text[m_pos]) == std::string_view::npos) {
            name += m_text[m_pos++];
        }
        if (name.empty()) return std::nullopt;
        return name;
    }

private:
    std::string_view m_text;
    std::size_t m_pos = 0;
};

std::string_view without_line_end(std::string_view line) {
    if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
}

std::optional<CopyHeader> parse_copy_header(std::string_view line) {
    HeaderParser parser(without_line_end(line));
    if (!parser.skip("COPY ")) return std::nullopt;
    CopyHeader header;
    auto first = parser.identifier();
    if (!first) return std::nullopt;
    if (parser.skip(".")) {
        auto second = parser.identifier();
        if (!second) return std::nullopt;
        header.table = *first + "." + *second;
    } else {
        // pg_dump has qualified every name since search_path became '' in its output; a hand-made
        // dump without a schema means the default one.
        header.table = "public." + *first;
    }
    parser.skip_spaces();
    if (parser.skip("(")) {
        for (;;) {
            parser.skip_spaces();
            auto column = parser.identifier();
            if (!column) return std::nullopt;
            header.columns.push_back(std::move(*column));
            parser.skip_spaces();
            if (parser.skip(")")) break;
            if (!parser.skip(",")) return std::nullopt;
        }
        parser.skip_spaces();
    }
    if (!parser.skip("FROM stdin;")) return std::nullopt;
    parser.skip_spaces();
    if (!parser.at_end()) return std::nullopt;
    return header;
}

/// A table name as pg_dump writes it (`schema.name`, either part maybe quoted), unquoted; an
/// unqualified name is in public, as parse_copy_header reads it.
std::optional<std::string> parse_table_name(HeaderParser& parser) {
    auto first = parser.identifier();
    if (!first) return std::nullopt;
    if (!parser.skip(".")) return "public." + *first;
    auto second = parser.identifier();
    if (!second) return std::nullopt;
    return *first + "." + *second;
}

/// A leaf and its parent, from the statements pg_dump writes before any data:
/// `ALTER TABLE ONLY parent ATTACH PARTITION leaf FOR VALUES …;` (PostgreSQL 11+ dumps) or
/// `CREATE TABLE leaf PARTITION OF parent …` (PostgreSQL 10 dumps, and hand-written ones).
std::optional<std::pair<std::string, std::string>> parse_partition_link(std::string_view line) {
    HeaderParser parser(without_line_end(line));
    if (parser.skip("ALTER TABLE ")) {
        parser.skip("ONLY ");
        auto parent = parse_table_name(parser);
        if (!parent || !parser.skip(" ATTACH PARTITION ")) return std::nullopt;
        auto leaf = parse_table_name(parser);
        if (!leaf) return std::nullopt;
        return std::make_pair(*leaf, *parent);
    }
    if (!parser.skip("CREATE ")) return std::nullopt;
    parser.skip("UNLOGGED ");
    if (!parser.skip("TABLE ")) return std::nullopt;
    auto leaf = parse_table_name(parser);
    if (!leaf || !parser.skip(" PARTITION OF ")) return std::nullopt;
    auto parent = parse_table_name(parser);
    if (!parent) return std::nullopt;
    return std::make_pair(*leaf, *parent);
}

bool is_identifier_byte(char c) {
    const auto byte = static_cast<unsigned char>(c);
    return std::isalnum(byte) || c == '_' || c == '$' || byte >= 0x80;
}

/// Just enough SQL lexing to know whether a line starts a new statement: a `COPY` inside a function
/// body, a string or a comment is not a COPY block.
class StatementTracker {
public:
    /// True when the next line begins a statement (not inside one, a string or a comment).
    bool at_statement_start() const {
        return !m_in_statement && m_quote == 0 && m_comment_depth == 0 && !m_dollar_tag;
    }

    void feed(std::string_view line) {
        std::size_t pos = 0;
        const std::size_t size = line.size();
        while (pos < size) {
            if (m_dollar_tag) {
                const std::size_t end = line.find(*m_dollar_tag, pos);
                if (end == std::string_view::npos) return;
                pos = end + m_dollar_tag->size();
                m_dollar_tag.reset();
                continue;
            }
            const char c = line[pos];
            const char next = pos + 1 < size ? line[pos + 1] : '\0';
            if (m_comment_depth > 0) {
                if (c == '*' && next == '/') {
                    --m_comment_depth;
                    pos += 2;
                } else if (c == '/' && next == '*') {
                    ++m_comment_depth;
                    pos += 2;
                } else {
                    ++pos;
                }
                continue;
            }
            if (m_quote == '\'') {
                if (c == '\\' && m_escape_string) {
                    pos += 2;
                    continue;
                }
                if (c == '\'') m_quote = 0;  // a doubled '' reopens on the next byte
                ++pos;
                continue;
            }
            if (m_quote == '"') {
                if (c == '"') m_quote = 0;
                ++pos;
                continue;
            }
            if (c == '-' && next == '-') return;
            if (c == '/' && next == '*') {
                ++m_comment_depth;
                pos += 2;
                continue;
            }
            if (c == '\'') {
                m_escape_string = pos > 0 && (line[pos - 1] == 'E' || line[pos - 1] == 'e') &&
                                  (pos < 2 || !is_identifier_byte(line[pos - 2]));
                m_quote = c;
                m_in_statement = true;
                ++pos;
                continue;
            }
            if (c == '"') {
                m_quote = c;
                m_in_statement = true;
                ++pos;
                continue;
            }
            if (c == '$' && (pos == 0 || !is_identifier_byte(line[pos - 1]))) {
                std::size_t end = pos + 1;
                while (end < size && is_identifier_byte(line[end]) && line[end] != '$') ++end;
                const bool tag_ok = end < size && line[end] == '$' &&
                                    (end == pos + 1 || !std::isdigit(static_cast<unsigned char>(line[pos + 1])));
                if (tag_ok) {
                    m_dollar_tag = std::string(line.substr(pos, end + 1 - pos));
                    m_in_statement = true;
                    pos = end + 1;
                    continue;
                }
            }
            if (c == ';') {
                m_in_statement = false;
            } else if (!std::isspace(static_cast<unsigned char>(c))) {
                m_in_statement = true;
            }
            ++pos;
        }
    }

private:
    bool m_in_statement = false;
    char m_quote = 0;
    bool m_escape_string = false;
    int m_comment_depth = 0;
    std::optional<std::string> m_dollar_tag;
};

// Encodings whose multibyte characters may contain the bytes of `\`, so that the codec would need
// to know character boundaries (PostgreSQL's client-only encodings and their aliases).
bool embeds_ascii(std::string name) {
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::toupper(c); });
    name.erase(std::remove_if(name.begin(), name.end(), [](char c) { return c == '_' || c == '-'; }), name.end());
    static const std::array<std::string_view, 13> k_names = {
        "SJIS", "SHIFTJIS", "MSKANJI", "WIN932", "SHIFTJIS2004", "BIG5", "WIN950", "GBK", "WIN936",
        "UHC", "WIN949", "GB18030", "JOHAB"};
    return std::find(k_names.begin(), k_names.end(), name) != k_names.end();
}

/// The encoding named by a `SET client_encoding = 'X';` line, if it is one.
std::optional<std::string> client_encoding(std::string_view line) {
    constexpr std::string_view prefix = "SET client_encoding = '";
    if (line.substr(0, prefix.size()) != prefix) return std::nullopt;
    const std::size_t end = line.find('\'', prefix.size());
    if (end == std::string_view::npos) return std::nullopt;
    return std::string(line.substr(prefix.size(), end - prefix.size()));
}

/// True when the line ends in a newline that a backslash escapes: the row goes on in the next line.
bool ends_with_escaped_newline(std::string_view line) {
    if (line.empty() || line.back() != '\n') return false;
    std::size_t backslashes = 0;
    for (std::size_t pos = line.size() - 1; pos > 0 && line[pos - 1] == '\\'; --pos) ++backslashes;
    return backslashes % 2 == 1;
}

bool is_end_of_data(std::string_view line) { return without_line_end(line) == "\\."; }

class DumpFilter {
public:
    DumpFilter(std::istream& in, std::ostream& out, const RuleSet& rules, const Secret& secret)
        : m_reader(in), m_out(out), m_rules(rules), m_secret(secret) {}

    DumpFilterStats run() {
        try {
            return filter();
        } catch (const Error& error) {
            end_with_failure(error.what());
            throw;
        } catch (const std::exception& error) {
            end_with_failure(std::string("internal error: ") + error.what());
            throw;
        }
    }

private:
    /// Whatever went wrong, the output ends with a statement that fails: `psql -v ON_ERROR_STOP=1`
    /// stops there and `psql -1` rolls back all that came before, so a broken run never loads.
    void end_with_failure(const std::string& message) {
        try {
            flush();
        } catch (const Error&) {
            // The failure may be the output itself; still try to write the trailer below.
        }
        m_out.clear();
        const std::string trailer = failure_trailer(message, m_inside_copy, m_last_byte != '\n' && m_written);
        m_out.write(trailer.data(), static_cast<std::streamsize>(trailer.size()));
        m_out.flush();
    }

    DumpFilterStats filter() {
        if (auto refusal = refuse_input(m_reader.head())) throw Error(ExitCode::io, refusal->message, refusal->hint);
        while (auto line = m_reader.next()) {
            if (m_sql.at_statement_start()) {
                if (auto link = parse_partition_link(*line)) m_parent_of[link->first] = link->second;
                if (auto header = parse_copy_header(*line)) {
                    copy_block(*line, *header);
                    continue;
                }
                if (line->substr(0, 5) == "COPY " && line->find("FROM stdin") != std::string_view::npos) {
                    fail(ExitCode::io, "line " + std::to_string(m_reader.line_number()) +
                                           ": COPY statement not understood (only pg_dump's plain "
                                           "`COPY name (columns) FROM stdin;` is)");
                }
                if (line->substr(0, 12) == "INSERT INTO ") {
                    // Rows as INSERT statements (pg_dump --inserts) would pass through unanonymized.
                    fail(ExitCode::config, "line " + std::to_string(m_reader.line_number()) +
                                               ": the dump holds rows as INSERT statements, which are not anonymized",
                         "dump without --inserts/--column-inserts (COPY is pg_dump's default)");
                }
                if (auto encoding = client_encoding(*line); encoding && embeds_ascii(*encoding)) {
                    fail(ExitCode::config, "line " + std::to_string(m_reader.line_number()) + ": client encoding " +
                                               quoted(*encoding) + " is not supported",
                         "its multibyte characters can hold backslash bytes; dump with pg_dump -E UTF8");
                }
                if (!line->empty() && line->front() == '\\') {  // a psql meta-command (\connect, \restrict)
                    emit(*line);
                    continue;
                }
            }
            m_sql.feed(*line);
            emit(*line);
        }
        flush();
        m_stats.bytes_in = m_reader.bytes_read();
        for (const ColumnRule& rule : m_rules.rules()) {  // sorted by table, so one entry per table
            if (m_seen_tables.count(rule.table) != 0) continue;
            if (m_stats.unmatched_tables.empty() || m_stats.unmatched_tables.back() != rule.table) {
                m_stats.unmatched_tables.push_back(rule.table);
            }
        }
        return m_stats;
    }

    /// True when the rules name this table: a rule or a keep entry for one of its columns.
    bool has_own_rules(const std::string& table, const std::vector<std::string>& columns) const {
        for (const ColumnRule& rule : m_rules.rules()) {
            if (rule.table == table) return true;
        }
        return std::any_of(columns.begin(), columns.end(),
                           [&](const std::string& column) { return m_rules.kept(table, column); });
    }

    /// The table whose rules a COPY block gets: its own, or else its nearest partitioned ancestor's.
    /// A plain pg_dump writes each leaf partition's rows under the leaf's name, while the rules (and
    /// `init`, and the catalog) name the partitioned table that the leaf's columns belong to.
    std::string rules_table(const std::string& table, const std::vector<std::string>& columns) const {
        if (has_own_rules(table, columns)) return table;
        std::string ancestor = table;
        for (std::size_t depth = 0; depth < 64; ++depth) {  // a bound, against a malformed cycle
            auto parent = m_parent_of.find(ancestor);
            if (parent == m_parent_of.end()) break;
            ancestor = parent->second;
            if (has_own_rules(ancestor, columns)) return ancestor;
        }
        return table;
    }

    void copy_block(std::string_view header_line, const CopyHeader& header) {
        const std::uint64_t header_number = m_reader.line_number();
        const std::string rules_name = rules_table(header.table, header.columns);
        check_columns(header, rules_name, header_number);
        emit(header_line);
        m_inside_copy = true;
        TableRewriter rewriter(m_rules, m_secret, rules_name, header.columns);
        ++m_stats.tables;
        m_seen_tables.insert(header.table);
        m_seen_tables.insert(rules_name);
        for (;;) {
            auto line = m_reader.next();
            if (!line) {
                fail(ExitCode::io, "line " + std::to_string(m_reader.line_number()) + ": the dump ends inside the "
                                       "COPY block of table " + quoted(header.table) + " (line " +
                                       std::to_string(header_number) + ")");
            }
            if (is_end_of_data(*line)) {
                emit(*line);
                m_inside_copy = false;
                return;
            }
            const std::uint64_t row_line = m_reader.line_number();
            std::string_view row = *line;
            if (ends_with_escaped_newline(row)) {
                // Rare: a row with a backslash-newline goes on in the next line; gather it.
                m_row.assign(row);
                while (ends_with_escaped_newline(m_row)) {
                    auto more = m_reader.next();
                    if (!more) break;
                    m_row.append(*more);
                }
                row = m_row;
            }
            ++m_stats.rows;
            try {
                rewriter.rewrite(row, m_buffer);
            } catch (const Error& error) {
                // A malformed row is bad input here, not an internal error as in a live copy.
                std::string message = "line " + std::to_string(row_line) + ": " + error.what();
                if (rules_name != header.table)
                    message += " (partition " + quoted(header.table) + ", rules of " + quoted(rules_name) + ")";
                fail(error.code() == ExitCode::internal ? ExitCode::io : error.code(), message, error.hint());
            }
            if (m_buffer.size() >= k_flush_at) flush();
        }
    }

    /// The fail-closed guard for one block, before any of it is written.
    void check_columns(const CopyHeader& header, const std::string& rules_name, std::uint64_t line_number) {
        std::vector<std::string> unclassified;
        for (const std::string& column : header.columns) {
            if (m_rules.find(rules_name, column) != nullptr) continue;
            if (m_rules.kept(rules_name, column)) continue;
            if (m_rules.default_policy() == DefaultPolicy::keep) continue;
            unclassified.push_back(column);
        }
        const std::string at = "line " + std::to_string(line_number) + ": ";
        if (!unclassified.empty()) {
            std::string message = at + "table " + quoted(header.table) + " column " + quoted(unclassified.front()) +
                                  " has no anonymization rule and is not kept";
            std::string hint = "add a rule or list under keep:";
            for (const std::string& column : unclassified) hint += " " + header.table + "." + column;
            if (unclassified.size() > 1) {
                message += " (" + std::to_string(unclassified.size() - 1) + " more column" +
                           (unclassified.size() > 2 ? "s" : "") + " of this table)";
            }
            fail(ExitCode::unclassified_columns, message, hint);
        }
        for (const ColumnRule& rule : m_rules.rules()) {
            if (rule.table != rules_name) continue;
            if (std::find(header.columns.begin(), header.columns.end(), rule.column) == header.columns.end()) {
                fail(ExitCode::config, rule.origin + ": table " + quoted(header.table) + " has no column " +
                                           quoted(rule.column) + " (COPY block at line " +
                                           std::to_string(line_number) + " of the dump)");
            }
        }
    }

    [[noreturn]] void fail(ExitCode code, std::string message, std::string hint = {}) {
        // What came before the bad part is complete and anonymized; let it out, nothing after.
        flush();
        throw Error(code, std::move(message), std::move(hint));
    }

    void emit(std::string_view text) {
        m_buffer.append(text);
        if (m_buffer.size() >= k_flush_at) flush();
    }

    void flush() {
        if (m_buffer.empty()) return;
        m_out.write(m_buffer.data(), static_cast<std::streamsize>(m_buffer.size()));
        m_last_byte = m_buffer.back();
        m_written = true;
        m_buffer.clear();
        if (!m_out) throw Error(ExitCode::io, "could not write the anonymized dump");
    }

    LineReader m_reader;
    std::ostream& m_out;
    const RuleSet& m_rules;
    const Secret& m_secret;
    StatementTracker m_sql;
    std::string m_buffer;
    std::string m_row;
    DumpFilterStats m_stats;
    std::set<std::string> m_seen_tables;
    std::map<std::string, std::string> m_parent_of;  ///< leaf partition -> its parent, from the dump
    bool m_inside_copy = false;                      ///< a COPY block's header is out, its `\.` is not
    bool m_written = false;
    char m_last_byte = '\n';
};

}  // namespace

DumpFilterStats filter_dump(std::istream& in, std::ostream& out, const RuleSet& rules, const Secret& secret) {
    return DumpFilter(in, out, rules, secret).run();
}

}  // namespace understudy::anonymizer
