// The checks a built database passes before promotion; every failure names objects, never row values.
#include "understudy/orchestrator/guards/verification.hpp"

#include "guards/verification_leaks.hpp"
#include "guards/verification_references.hpp"
#include "transfer/parallel_workers.hpp"

#include <algorithm>
#include <atomic>
#include <functional>
#include <future>
#include <mutex>
#include <thread>
#include <cctype>
#include <map>
#include <optional>
#include <set>
#include <sstream>


#include "understudy/anonymizer/coverage.hpp"
#include "understudy/error.hpp"
#include "understudy/orchestrator/guards/anonymization_guard.hpp"
#include "understudy/orchestrator/schema/subprocess.hpp"
#include "understudy/orchestrator/transfer/finishing_statements.hpp"
#include "understudy/pg/session.hpp"
#include "understudy/pg/query_session.hpp"
#include "understudy/pg/snapshot_connection.hpp"
#include "understudy/pg/sql_text.hpp"
#include "understudy/pg/user_schemas.hpp"
#include "understudy/sql/orchestrator_sql.hpp"
#include "understudy/orchestrator/schema/sql_template.hpp"

namespace understudy::orchestrator {
namespace {

// How many failures the error message lists before "and N more" (the report has them all).
constexpr std::size_t k_failures_in_message = 5;


std::string quoted_name(const std::string& text) {
    return "\"" + text + "\"";
}

/// The table scans of the checks (row counts, foreign keys), each one query returning one count,
/// spread over `jobs` sessions that import the snapshot of `tx`, so every scan sees the same state;
/// biggest tables first.
class ScanPool {
public:
    /// Called with the count the scan's query returned.
    using OnCount = std::function<void(long long)>;

    void add(std::int64_t weight, std::string query, OnCount on_count) {
        m_scans.push_back({weight, std::move(query), std::move(on_count)});
    }

    void run(const pg::ConnInfo& built, pg::Transaction& tx, int jobs) {
        std::stable_sort(m_scans.begin(), m_scans.end(),
                         [](const Scan& left, const Scan& right) { return left.weight > right.weight; });
        const std::string snapshot =
            worker_count(jobs, m_scans.size()) > 1 ? tx.exec1("SELECT pg_export_snapshot()")[0].c_str() : "";
        run_workers(jobs, m_scans.size(), [&](int worker, WorkQueue& queue) {
            if (worker == 0) {  // the caller's own connection and snapshot
                for (std::size_t index = 0; queue.take(index);)
                    m_scans[index].on_count(tx.exec1(m_scans[index].query)[0].as<long long>());
                return;
            }
            // The same session kind as every worker reading inside a snapshot; this one is the built
            // database's own (a scan of the copy, not of the source), so errors name the target.
            auto session = pg::open_in_snapshot({built, snapshot, "", pg::Side::target});
            for (std::size_t index = 0; queue.take(index);) {
                const auto& scan = m_scans[index];
                scan.on_count(std::stoll(session->query_value(scan.query, "could not verify the built database")));
            }
        });
    }

private:
    struct Scan {
        std::int64_t weight;
        std::string query;
        OnCount on_count;
    };
    std::vector<Scan> m_scans;
};

/// The write counters of every user table of the database `tx` reads (table_write_counters.sql).
BuildMark read_write_counters(pg::Transaction& tx) {
    BuildMark mark;
    for (const auto& row : tx.exec(std::string(sql::k_table_write_counters)))
        mark.writes[row[0].c_str()] = row[1].as<std::int64_t>();
    return mark;
}

/// The catalog tables (display names) written since `mark`: the counters of the table or of one of
/// its leaf partitions differ now, or the relation appeared or went away.
std::set<std::string> tables_written_since(pg::Transaction& tx, const subsetter::Catalog& catalog,
                                           const BuildMark& mark) {
    const BuildMark now = read_write_counters(tx);
    std::set<std::string> changed;
    for (const auto& [relation, writes] : now.writes) {
        auto before = mark.writes.find(relation);
        if (before == mark.writes.end() || before->second != writes) changed.insert(relation);
    }
    for (const auto& [relation, writes] : mark.writes) {
        if (now.writes.count(relation) == 0) changed.insert(relation);
    }
    std::set<std::string> written;
    for (const auto& table : catalog.tables) {
        bool touched = changed.count(table.name.display()) > 0;
        for (const auto& leaf : table.partitions) touched = touched || changed.count(leaf.display()) > 0;
        if (touched) written.insert(table.name.display());
    }
    return written;
}

/// The query counting a catalog table's rows as COPY moved them: a partitioned table with its
/// partitions, any other table without its INHERITS children (they are tables of their own).
std::string row_count_query(const subsetter::Table& table) {
    return "SELECT count(*) FROM " + std::string(table.partitioned ? "" : "ONLY ") + table.name.quoted();
}

void check_row_counts(const std::map<std::string, std::uint64_t>& counts,
                      const std::map<std::string, std::uint64_t>& manifest, VerificationResult& result) {
    std::size_t failed = 0;
    auto fail = [&](std::string line) {
        ++failed;
        result.failures.push_back(std::move(line));
    };
    for (const auto& [table, expected] : manifest) {
        auto found = counts.find(table);
        if (found == counts.end()) {
            fail("table " + quoted_name(table) + " of the copy's manifest is missing");
        } else if (found->second != expected) {
            fail("table " + quoted_name(table) + " has " + std::to_string(found->second) + " rows, the copy wrote " +
                 std::to_string(expected));
        }
    }
    for (const auto& [table, rows] : counts) {
        if (rows > 0 && !manifest.count(table)) {
            fail("table " + quoted_name(table) + " has " + std::to_string(rows) +
                 " rows, the copy's manifest has none");
        }
    }
    result.checks["row_counts"] = {{"tables", manifest.size()}, {"failed", failed}};
}

/// A sequence is behind when its next nextval() would return a value its column already holds:
/// next = last_value + increment once called, last_value before; compared with max (ascending) or
/// min (descending). Only integer columns (or domains over them) can hold what it hands out.
void check_sequences(pg::Transaction& tx, const subsetter::Catalog& catalog, VerificationResult& result) {
    std::size_t checked = 0;
    std::size_t failed = 0;
    const auto settings = read_sequence_settings(tx, catalog, pg::Side::target);
    for (std::size_t sequence_idx = 0; sequence_idx < catalog.sequences.size(); ++sequence_idx) {
        const auto& sequence = catalog.sequences[sequence_idx];
        if (!settings[sequence_idx].feeds_integer_column) continue;
        ++checked;
        const std::string column = pg::quote_ident(sequence.column);
        const std::string table = sequence.table->quoted();
        const std::string name = sequence.name.quoted();
        const std::string name_literal = pg::quote_literal(name);
        const bool behind = tx.exec1(sql_with(sql::k_sequence_behind, {{"column", column},
                                                                       {"table", table},
                                                                       {"sequence", name},
                                                                       {"sequence_literal", name_literal}}))[0]
                                .as<bool>();
        if (!behind) continue;
        ++failed;
        result.failures.push_back("sequence " + quoted_name(sequence.name.display()) + " is behind its column " +
                                  quoted_name(sequence.table->display() + "." + sequence.column) +
                                  ": its next value is already used");
    }
    result.checks["sequences"] = {{"checked", checked}, {"failed", failed}};
}

/// One object of a plain schema dump: the header pg_dump writes before it, and its statements.
struct DumpEntry {
    std::string type;  ///< "TABLE", "INDEX", "FK CONSTRAINT", ...
    std::string name;  ///< schema.name as the header gives them (`table constraint` for constraints)
    std::string text;  ///< the statements, without comments and blank lines
};

/// Splits plain pg_dump output into its objects by the `-- Name: x; Type: T; Schema: s; Owner: -`
/// header pg_dump writes before each one, adding them to `entries`. Left out: what precedes the
/// first header, comment, blank, \restrict and \unrestrict lines (random keys), and session settings
/// (`SET default_tablespace = ''` and the like, which pg_dump writes before an entry only when the
/// setting changes, so they depend on what came before in that output, not on the object).
void parse_schema_dump(const std::string& dump, std::map<std::string, DumpEntry>& entries,
                       std::map<std::string, int>& seen) {
    DumpEntry* current = nullptr;
    std::istringstream lines(dump);
    for (std::string line; std::getline(lines, line);) {
        static const std::string k_header = "-- Name: ";
        if (line.rfind(k_header, 0) == 0) {
            DumpEntry entry;
            auto type_at = line.find("; Type: ");
            auto schema_at = line.find("; Schema: ");
            auto owner_at = line.find("; Owner: ");
            if (type_at == std::string::npos || schema_at == std::string::npos) continue;
            entry.type = line.substr(type_at + 8, schema_at - type_at - 8);
            std::string schema = line.substr(
                schema_at + 10, owner_at == std::string::npos ? std::string::npos : owner_at - schema_at - 10);
            std::string name = line.substr(k_header.size(), type_at - k_header.size());
            entry.name = schema == "-" ? name : schema + "." + name;
            // The same header twice (rare: objects without a schema-unique name) stays two objects.
            std::string key = entry.type + " " + entry.name;
            if (int count = ++seen[key]; count > 1) key += " #" + std::to_string(count);
            current = &entries.emplace(key, std::move(entry)).first->second;
            continue;
        }
        if (!current || line.empty() || line.rfind("--", 0) == 0 || line.rfind("\\restrict", 0) == 0 ||
            line.rfind("\\unrestrict", 0) == 0 || line.rfind("SET ", 0) == 0 ||
            line.rfind("SELECT pg_catalog.set_config(", 0) == 0)
            continue;
        current->text += line;
        current->text += '\n';
    }
}

/// The objects of one or more plain dumps (each parsed on its own: a header never spans two).
std::map<std::string, DumpEntry> parse_schema_dumps(const std::vector<std::string>& dumps) {
    std::map<std::string, DumpEntry> entries;
    std::map<std::string, int> seen;
    for (const auto& dump : dumps) parse_schema_dump(dump, entries, seen);
    return entries;
}

std::string lowercase(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

/// The built database's schema, dumped as the source's was (schema only, no owners, no privileges).
std::string dump_built_schema(const pg::ConnInfo& built) {
    ProcessResult dumped = run_process({find_pg_program("pg_dump"), "--schema-only", "--no-owner", "--no-privileges",
                                        "--dbname=" + pg_program_conninfo(built, "pg_dump")},
                                       pg_program_environment(built));
    if (dumped.exit_code != 0) {
        auto first_line = dumped.stderr_text.substr(0, dumped.stderr_text.find('\n'));
        throw Error(ExitCode::target, "target: pg_dump failed while verifying: " + pg::redact_secrets(first_line));
    }
    return dumped.stdout_text;
}

/// Compares the built database's schema with the source archive object by object. Both sides are
/// pg_dump's own text for the same objects (plain output and pg_restore of the archive print an
/// entry through the same code), so equal schemas give equal entries byte for byte; comparing per
/// object rather than the whole text ignores only the order and the preamble, and names what differs.
/// An extra empty schema in the built database is allowed (Heroku creates heroku_ext everywhere);
/// anything inside it would show as an extra object of its own.
void check_schema(const pg::ConnInfo& built, const SchemaArchive& source_schema, VerificationResult& result) {
    auto expected =
        parse_schema_dumps({source_schema.sql(SchemaSection::pre_data), source_schema.sql(SchemaSection::post_data)});
    auto actual = parse_schema_dumps({dump_built_schema(built)});
    std::size_t failed = 0;
    auto describe = [](const DumpEntry& entry) { return lowercase(entry.type) + " " + quoted_name(entry.name); };
    for (const auto& [key, entry] : expected) {
        auto found = actual.find(key);
        if (found == actual.end()) {
            ++failed;
            result.failures.push_back("schema differs from the source: " + describe(entry) + " is missing");
        } else if (found->second.text != entry.text) {
            ++failed;
            result.failures.push_back("schema differs from the source: " + describe(entry) + " is defined differently");
        }
    }
    for (const auto& [key, entry] : actual) {
        if (expected.count(key) || entry.type == "SCHEMA") continue;
        ++failed;
        result.failures.push_back("schema differs from the source: " + describe(entry) + " is not in the source");
    }
    result.checks["schema"] = {{"objects", expected.size()}, {"failed", failed}};
}

/// The anonymization guard on the built database: a column that reached a table with rows without a
/// rule means the rules and the copied schema disagree.
void check_coverage(const anonymizer::RuleSet& rules, const subsetter::Catalog& catalog,
                    const std::map<std::string, std::uint64_t>& counts, VerificationResult& result) {
    auto report = anonymizer::check_coverage(rules, table_shapes(catalog));
    std::size_t failed = 0;
    for (const auto& column : report.unclassified) {
        // Only tables holding rows can leak; a table created empty needs no rules (as in the run).
        bool has_rows = false;
        for (const auto& [table, rows] : counts) {
            if (rows > 0 && column.size() > table.size() && column.compare(0, table.size() + 1, table + ".") == 0)
                has_rows = true;
        }
        if (!has_rows) continue;
        ++failed;
        result.failures.push_back("column " + quoted_name(column) + " has no anonymization rule");
    }
    for (const auto& error : report.errors) {
        ++failed;
        result.failures.push_back("anonymization rules: " + error);
    }
    result.checks["coverage"] = {{"tables", catalog.tables.size()}, {"failed", failed}};
}

/// True for the rules whose output never equals a realistic original by chance: a match means the
/// rule was not applied. Names, cities and the like come from small word lists and collide with
/// real values; mask keeps short values; json and array may leave a value without a match whole.
bool replaces_every_value(const anonymizer::ColumnRule& rule) {
    if (rule.kind == "null" || rule.kind == "hash" || rule.kind == "template") return true;
    if (rule.kind != "fake") return false;
    for (const char* kind :
         {"fake email", "fake username", "fake url", "fake phone", "fake credit_card", "fake iban", "fake ipv6"}) {
        const std::string prefix = kind;
        if (rule.description.rfind(prefix, 0) == 0 &&
            (rule.description.size() == prefix.size() || rule.description[prefix.size()] == ' '))
            return true;
    }
    return false;
}

}  // namespace

std::optional<BuildMark> mark_built_database(const pg::ConnInfo& built) {
    auto connection = pg::connect(built, pg::Side::target);
    return pg::with_context(pg::Side::target, "could not read the built database's write counters",
                            [&]() -> std::optional<BuildMark> {
                                auto tx = connection->autocommit();
                                // Without track_counts no write moves a counter: nothing could be trusted.
                                if (!tx.exec1("SELECT current_setting('track_counts')::bool")[0].as<bool>())
                                    return std::nullopt;
                                return read_write_counters(tx);
                            });
}

VerificationResult verify_database(const VerificationInput& input) {
    VerificationResult result;
    // The schema comparison is pg_dump and pg_restore in child processes: it runs alongside the scans.
    VerificationResult schema_result;
    std::future<void> schema_check;
    if (input.source_schema)
        schema_check = std::async(std::launch::async, [&] { check_schema(input.built, *input.source_schema, schema_result); });
    try {
        auto connection = pg::connect(input.built, pg::Side::target);
        pg::with_context(pg::Side::target, "could not verify the built database", [&] {
            // One snapshot for every query, shared by the scan connections: the checks agree.
            auto tx = connection->begin_repeatable_read_only();
            const subsetter::Catalog catalog = subsetter::load_catalog(tx);
            auto references = constraint_checks(tx);
            for (auto& check : unconstrained_reference_checks(catalog, input.references))
                references.push_back(std::move(check));
            // With the run's build mark, what the load proved stands for every table nobody wrote
            // to since; without it, nothing is taken on trust.
            std::optional<std::set<std::string>> written;
            if (input.build_mark) written = tables_written_since(tx, catalog, *input.build_mark);
            auto untouched = [&](const std::string& table) { return written && written->count(table) == 0; };
            std::vector<std::optional<std::uint64_t>> table_rows(catalog.tables.size());
            std::map<std::string, std::int64_t> estimated_rows;
            std::size_t from_copy = 0;
            ScanPool scans;
            for (std::size_t index = 0; index < catalog.tables.size(); ++index) {
                const auto& table = catalog.tables[index];
                const std::string name = table.name.display();
                estimated_rows[name] = table.estimated_rows;
                // The copy's count is what its COPY committed; a table outside the manifest
                // (created empty) is still counted: a row there is what only a scan can see.
                auto copied = input.manifest.find(name);
                if (copied != input.manifest.end() && untouched(name)) {
                    table_rows[index] = copied->second;
                    ++from_copy;
                    continue;
                }
                scans.add(table.estimated_rows, row_count_query(table), [&table_rows, index](long long rows) {
                    table_rows[index] = static_cast<std::uint64_t>(rows);
                });
            }
            for (auto& check : references) {
                // The server checked every row when post-data added the constraint, and its triggers
                // every row written since in an ordinary session; a write we did not make (replica
                // mode skips the triggers) shows in the tables' counters and brings the scan back.
                if (check.enforced && untouched(check.child) && untouched(check.parent)) {
                    check.by_constraint = true;
                    continue;
                }
                auto size = estimated_rows.find(check.child);
                scans.add(size == estimated_rows.end() ? 0 : size->second, check.orphan_count,
                          [&check](long long orphans) { check.orphans = orphans; });
            }
            scans.run(input.built, tx, input.jobs);
            if (input.source_transaction) {
                for (auto& check : references) {
                    if (!check.validated && check.orphans > 0)
                        count_subset_orphans(tx, *input.source_transaction, check);
                }
            }
            std::map<std::string, std::uint64_t> counts;
            for (std::size_t index = 0; index < catalog.tables.size(); ++index)
                counts[catalog.tables[index].name.display()] = table_rows[index].value_or(0);
            report_references(references, input.source_transaction != nullptr, result);
            check_row_counts(counts, input.manifest, result);
            result.checks["row_counts"]["from_copy"] = from_copy;
            result.checks["row_counts"]["counted"] = catalog.tables.size() - from_copy;
            check_sequences(tx, catalog, result);
            if (input.rules && input.rules->configured()) check_coverage(*input.rules, catalog, counts, result);
            check_leaks(tx, catalog, input.original_samples, counts, result);
        });
    } catch (...) {
        if (schema_check.valid()) schema_check.wait();
        throw;
    }
    if (schema_check.valid()) {
        schema_check.get();
        result.failures.insert(result.failures.end(), schema_result.failures.begin(), schema_result.failures.end());
        result.checks.update(schema_result.checks);
    }
    result.checks["ok"] = result.ok();
    result.checks["failures"] = result.failures;
    return result;
}

std::map<std::string, std::vector<std::string>> sample_original_values(pg::Transaction& source_tx,
                                                                       const subsetter::Catalog& catalog,
                                                                       const anonymizer::RuleSet& rules,
                                                                       int per_column) {
    std::map<std::string, std::vector<std::string>> samples;
    if (!rules.configured() || per_column <= 0) return samples;
    for (const auto& rule : rules.rules()) {
        if (!replaces_every_value(rule)) continue;
        const subsetter::Table* table = catalog.find(subsetter::QualifiedName::parse(rule.table));
        // An unlogged table read on a follower is copied empty: nothing of it to sample.
        if (!table || !table->find_column(rule.column) || table->unreadable) continue;
        const std::string column = pg::quote_ident(rule.column);
        const std::string relation = (table->partitioned ? "" : "ONLY ") + table->name.quoted();
        // The first rows in physical order, not a sort: a sort would read the whole table on the
        // follower for each column. Empty strings are left out: many rules keep them empty.
        auto rows =
            pg::with_context(pg::Side::source, "could not sample " + quoted_name(rule.table + "." + rule.column), [&] {
                return source_tx.exec("SELECT DISTINCT v FROM (SELECT " + column + "::text AS v FROM " + relation +
                                      " WHERE " + column + " IS NOT NULL LIMIT " + std::to_string(per_column * 4) +
                                      ") s WHERE v <> '' LIMIT " + std::to_string(per_column));
            });
        auto& values = samples[table->name.display() + "." + rule.column];
        for (const auto& row : rows) values.emplace_back(row[0].c_str());
        std::sort(values.begin(), values.end());
    }
    return samples;
}

void throw_verify_failed(const std::string& database, const VerificationResult& result) {
    std::string message = "verification failed for " + quoted_name(database) + ": " +
                          std::to_string(result.failures.size()) + " problem" +
                          (result.failures.size() == 1 ? "" : "s") + ": ";
    for (std::size_t index = 0; index < result.failures.size() && index < k_failures_in_message; ++index) {
        message += (index == 0 ? "" : "; ") + result.failures[index];
    }
    if (result.failures.size() > k_failures_in_message) {
        message += "; and " + std::to_string(result.failures.size() - k_failures_in_message) + " more (see the report)";
    }
    throw Error(ExitCode::verify_failed, message,
                "the new database is kept for inspection: " + quoted_name(database) + "; the live one is unchanged");
}

}  // namespace understudy::orchestrator
