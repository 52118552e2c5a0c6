// `*_id` columns nothing declares: listed, and their likely parents ranked by a bounded probe.
#include "understudy/subsetter/unresolved_references.hpp"

#include <algorithm>
#include <iomanip>
#include <locale>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "understudy/pg/result.hpp"

#include "inflection.hpp"
#include "key_probes.hpp"
#include "rails_inference.hpp"
#include "understudy/error.hpp"
#include "understudy/join.hpp"
#include "understudy/pg/database_error.hpp"
#include "understudy/pg/sql_text.hpp"
#include "understudy/subsetter/btree_indexes.hpp"

namespace understudy::subsetter {
namespace {

const std::string k_id_suffix = "_id";
constexpr std::size_t k_sample_values = 100;
constexpr std::size_t k_max_candidates_tried = 20;
constexpr std::size_t k_candidates_kept = 3;
/// The block sample first aims at this many rows, then grows 4x while it finds fewer than
/// k_sample_values distinct values, up to k_max_sample_rows: a mostly-NULL column of a huge table
/// gets a smaller sample, never a full scan.
constexpr double k_first_sample_rows = 1000;
constexpr double k_max_sample_rows = 16000;

bool ends_with(const std::string& text, const std::string& suffix) {
    return text.size() > suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool is_integer_type(const std::string& type) { return type == "smallint" || type == "integer" || type == "bigint"; }

bool looks_like_reference(const Column& column) {
    return ends_with(column.name, k_id_suffix) && (is_integer_type(column.base_type) || column.base_type == "uuid");
}

std::string relation(const Table& table) { return (table.partitioned ? "" : "ONLY ") + table.name.quoted(); }

/// A key value, comparable across the candidates: integers as numbers, uuids as their (canonical,
/// lowercase) text, whose order is the server's.
struct KeyValue {
    bool integer = true;
    long long number = 0;
    std::string text;

    static std::optional<KeyValue> parse(const std::string& value, bool integer) {
        KeyValue key;
        key.integer = integer;
        key.text = value;
        if (integer) {
            try {
                key.number = std::stoll(value);
            } catch (const std::exception&) {
                return std::nullopt;
            }
        }
        return key;
    }
    bool operator<(const KeyValue& other) const { return integer ? number < other.number : text < other.text; }
    bool operator<=(const KeyValue& other) const { return !(other < *this); }
};

/// A candidate table's key range, read once per run (two descents of its key's index).
struct KeyRange {
    std::optional<KeyValue> min;
    std::optional<KeyValue> max;
};

/// The sampled values of one column, as text and as comparable keys.
struct ColumnSample {
    std::vector<std::string> values;
    std::vector<KeyValue> keys;
    std::int64_t rows_read = 0;
};

/// The smallest and largest non-NULL value of `column` as text, through an index on it when there
/// is one (two descents). Not min()/max(): PostgreSQL before 18 has no min(uuid).
pg::Row value_range(pg::Transaction& tx, const Table& table, const std::string& column,
                      const std::string& action) {
    const std::string name = pg::quote_ident(column);
    const std::string from = " FROM " + relation(table) + " WHERE " + name + " IS NOT NULL ORDER BY " + name;
    return pg::with_context(pg::Side::source, action, [&] {
        // The alias matters: ORDER BY a bare name would pick the output column `"id"::text` and
        // sort text ("9999" > "10000") by reading the whole table.
        return tx.exec_params1("SELECT (SELECT " + name + "::text AS v" + from + " LIMIT 1), (SELECT " + name +
                               "::text AS v" + from + " DESC LIMIT 1)");
    });
}

std::vector<std::string> split_commas(const std::string& text) {
    std::vector<std::string> parts;
    std::string part;
    std::istringstream in(text);
    while (std::getline(in, part, ',')) {
        if (!part.empty()) parts.push_back(part);
    }
    return parts;
}

ColumnSample sample_column(pg::Transaction& tx, const Table& table, const Column& column) {
    // TABLESAMPLE SYSTEM reads whole blocks picked by a hash of their number and the REPEATABLE
    // seed: the same blocks on every run of the same physical table (a follower's blocks are the
    // primary's), and a larger percentage reads a superset of them. The distinct values are
    // picked by md5 of their text, not by value: the smallest ids would be in every table.
    const double rows = std::max<double>(1, static_cast<double>(table.estimated_rows));
    double target_rows = k_first_sample_rows;
    const std::string name = pg::quote_ident(column.name);
    ColumnSample sample;
    while (true) {
        const double percent = std::min(100.0, 100.0 * target_rows / rows);
        std::ostringstream percent_text;
        percent_text.imbue(std::locale::classic());
        percent_text << std::fixed << std::setprecision(6) << percent;
        // The LIMIT stops the sample scan early: a table far larger than its (stale) estimate
        // still gives at most k_max_sample_rows rows, never a scan of the whole table.
        const std::string query =
            "WITH sampled AS MATERIALIZED (SELECT " + name + " AS v FROM " + relation(table) + " TABLESAMPLE SYSTEM (" +
            percent_text.str() + ") REPEATABLE (0) LIMIT " + std::to_string(static_cast<long long>(k_max_sample_rows)) +
            ") SELECT (SELECT count(*) FROM sampled), array_to_string(ARRAY("
            "SELECT v::text FROM (SELECT DISTINCT v FROM sampled WHERE v IS NOT NULL) AS d ORDER BY md5(v::text) LIMIT " +
            std::to_string(k_sample_values) + "), ',')";
        auto row = pg::with_context(pg::Side::source,
                                    "could not sample " + table.name.quoted() + "." + name + " for its parents",
                                    [&] { return tx.exec_params1(query); });
        sample.rows_read += row[0].as<std::int64_t>();
        sample.values = split_commas(row[1].is_null() ? "" : row[1].c_str());
        if (sample.values.size() >= k_sample_values || percent >= 100.0 || target_rows >= k_max_sample_rows) break;
        target_rows = std::min(k_max_sample_rows, target_rows * 4);
    }
    return sample;
}

/// Tops up a short sample (a mostly-NULL column of a table larger than the block sample may read)
/// through an index that leads with the column: probes spread over the column's value range, each
/// one index descent to the next value, so a hundred descents instead of a scan. The block sample
/// comes first because it follows the rows: probes over the range of a column with one stray huge
/// value would all land on it.
void top_up_from_index(pg::Transaction& tx, const Table& table, const Column& column, ColumnSample& sample) {
    const auto domain = detail::probe_domain(column.base_type);
    if (!domain) return;
    const std::string name = pg::quote_ident(column.name);
    const std::string action = "could not sample " + table.name.quoted() + "." + name + " through its index";
    auto range = value_range(tx, table, column.name, action);
    if (range[0].is_null() || range[1].is_null()) return;
    const auto probes = detail::key_probes(*domain, range[0].c_str(), range[1].c_str(), 0, 0, k_sample_values);
    std::vector<std::string_view> elements(probes.begin(), probes.end());
    const std::string query =
        "SELECT array_to_string(ARRAY(SELECT DISTINCT found.v::text FROM unnest(" +
        pg::quote_literal(pg::array_literal(elements)) + "::" + column.base_type +
        "[]) AS probe(x) CROSS JOIN LATERAL (SELECT " + name + " AS v FROM " + relation(table) + " WHERE " + name +
        " >= probe.x ORDER BY " + name + " LIMIT 1) AS found), ',')";
    auto row = pg::with_context(pg::Side::source, action, [&] { return tx.exec_params1(query); });
    sample.rows_read += static_cast<std::int64_t>(probes.size());
    std::set<std::string> known(sample.values.begin(), sample.values.end());
    for (const auto& value : split_commas(row[0].is_null() ? "" : row[0].c_str())) {
        if (sample.values.size() >= k_sample_values) break;
        if (known.insert(value).second) sample.values.push_back(value);
    }
}

void parse_keys(const Column& column, ColumnSample& sample) {
    for (const auto& value : sample.values) {
        if (auto key = KeyValue::parse(value, is_integer_type(column.base_type))) sample.keys.push_back(*key);
    }
}

const KeyRange& key_range(pg::Transaction& tx, const Table& table, const Column& key,
                          std::map<QualifiedName, KeyRange>& ranges) {
    auto found = ranges.find(table.name);
    if (found != ranges.end()) return found->second;
    KeyRange range;
    const bool integer = is_integer_type(key.base_type);
    auto run = [&](const char* statement) {
        pg::with_context(pg::Side::source, "could not probe unresolved references", [&] { tx.exec0(statement); });
    };
    // A candidate the role cannot read (row-level security) is no candidate: its own savepoint
    // keeps the failure from costing the column's other candidates.
    run("SAVEPOINT understudy_key_range");
    try {
        auto row = value_range(tx, table, key.name, "could not read the key range of " + table.name.quoted());
        if (!row[0].is_null()) range.min = KeyValue::parse(row[0].c_str(), integer);
        if (!row[1].is_null()) range.max = KeyValue::parse(row[1].c_str(), integer);
        run("RELEASE SAVEPOINT understudy_key_range");
    } catch (const pg::DatabaseError& failure) {
        if (failure.is_session_lost()) throw;
        run("ROLLBACK TO SAVEPOINT understudy_key_range");
        run("RELEASE SAVEPOINT understudy_key_range");
    }
    return ranges.emplace(table.name, range).first->second;
}

/// What the candidate order before probing needs: how many sampled values fall in the key's range
/// (an upper bound of what the lookup can find) and how closely the range fits them.
struct Prospect {
    const Table* table = nullptr;
    const Column* key = nullptr;
    std::size_t in_range = 0;
    int name_likeness = 0;
    bool same_schema = false;
    double span = 0;  ///< max - min of an integer key; 0 for uuids
};

std::size_t count_contained(pg::Transaction& tx, const Table& candidate, const Column& key,
                            const Column& column, const std::vector<std::string>& values) {
    std::vector<std::string_view> elements(values.begin(), values.end());
    // `key = ANY(array)` with the array in the child column's type: a smallint or integer key
    // compared with bigint values still uses its btree index (one operator family), and a value
    // too large for the key's type is simply not found instead of failing the cast.
    const std::string query = "SELECT count(*) FROM " + relation(candidate) + " WHERE " + pg::quote_ident(key.name) +
                              " = ANY(" + pg::quote_literal(pg::array_literal(elements)) + "::" + column.base_type +
                              "[])";
    auto row = pg::with_context(pg::Side::source, "could not look up values in " + candidate.name.quoted(),
                                [&] { return tx.exec_params1(query); });
    return static_cast<std::size_t>(row[0].as<std::int64_t>());
}

std::string percent_text(std::size_t part, std::size_t whole) {
    if (whole == 0) return "0 %";
    return std::to_string((part * 100 + whole / 2) / whole) + " %";
}

}  // namespace

std::string ReferenceCandidate::display(std::size_t sampled) const {
    return table.display() + " " + percent_text(contained, sampled);
}

std::string UnresolvedReference::display() const { return table.display() + "." + column; }

int name_likeness(const std::string& column, const QualifiedName& table) {
    if (!ends_with(column, k_id_suffix)) return 0;
    const std::string stem = column.substr(0, column.size() - k_id_suffix.size());
    if (table.name == pluralize(stem)) return 2;
    // `parent_user_id`, `billing_account_id`: the last word names the table.
    const auto underscore_at = stem.rfind('_');
    if (underscore_at != std::string::npos && table.name == pluralize(stem.substr(underscore_at + 1))) return 1;
    // `author_id` -> `blog_authors`: a namespaced table.
    if (ends_with(table.name, "_" + pluralize(stem))) return 1;
    return 0;
}

void rank_candidates(std::vector<ReferenceCandidate>& candidates) {
    candidates.erase(std::remove_if(candidates.begin(), candidates.end(),
                                    [](const ReferenceCandidate& candidate) { return candidate.contained == 0; }),
                     candidates.end());
    // All candidates of one column saw the same sample, so counts compare as shares.
    std::sort(candidates.begin(), candidates.end(), [](const ReferenceCandidate& left, const ReferenceCandidate& right) {
        if (left.contained != right.contained) return left.contained > right.contained;
        if (left.name_likeness != right.name_likeness) return left.name_likeness > right.name_likeness;
        if (left.key_span != right.key_span) return left.key_span < right.key_span;
        return left.table < right.table;
    });
    if (candidates.size() > k_candidates_kept) candidates.resize(k_candidates_kept);
}

std::vector<UnresolvedReference> list_unresolved_columns(const Catalog& catalog, const SubsetPlan& plan,
                                                         const std::vector<std::string>& not_references) {
    std::set<std::pair<QualifiedName, std::string>> excluded;
    for (const auto& entry : not_references) {
        const auto dot = entry.rfind('.');
        const QualifiedName table = QualifiedName::parse(dot == std::string::npos ? "" : entry.substr(0, dot));
        const std::string column = dot == std::string::npos ? "" : entry.substr(dot + 1);
        const Table* found = dot == std::string::npos ? nullptr : catalog.find(table);
        if (!found || !found->find_column(column))
            throw Error(ExitCode::config, "not_references entry \"" + entry + "\" names no column: expected schema.table.column");
        excluded.insert({table, column});
    }
    std::set<std::pair<QualifiedName, std::string>> covered;
    for (const auto& reference : plan.graph.references()) {
        // Every column of a composite reference, and the `*_id` of a covered polymorphic pair (its
        // conditional references start from it), is explained.
        for (const auto& column : reference.child_columns) covered.insert({reference.child, column});
    }
    std::vector<UnresolvedReference> unresolved;
    for (const auto& table : catalog.tables) {
        if (table.unreadable) continue;
        // Rows of a table left empty point nowhere.
        const TablePlan* table_plan = plan.find(table.name);
        if (table_plan && table_plan->policy == TablePolicy::none) continue;
        for (const auto& column : table.columns) {
            if (!looks_like_reference(column)) continue;
            if (table.row_key() == std::vector<std::string>{column.name}) continue;
            if (covered.count({table.name, column.name}) || excluded.count({table.name, column.name})) continue;
            UnresolvedReference entry;
            entry.table = table.name;
            entry.column = column.name;
            unresolved.push_back(std::move(entry));
        }
    }
    return unresolved;
}

namespace {

/// Where a table's rows are not in this database (a foreign partition), a sample would read
/// another server: such tables are neither probed nor candidates.
bool probe_reads_locally(const Table& table) { return !table.unreadable && !table.foreign_partitions; }

/// Samples `entry`'s column and ranks its candidates (see find_unresolved_references).
void probe_column(pg::Transaction& tx, const Catalog& catalog, UnresolvedReference& entry,
                  std::map<QualifiedName, KeyRange>& ranges, std::optional<BtreeIndexes>& indexes) {
    const Table& table = *catalog.find(entry.table);
    const Column& column = *table.find_column(entry.column);
    auto sample = sample_column(tx, table, column);
    if (sample.values.size() < k_sample_values && sample.rows_read < table.estimated_rows) {
        if (!indexes) indexes = BtreeIndexes::load(tx);
        if (indexes->serves_lookup(table.name, {column.name})) top_up_from_index(tx, table, column, sample);
    }
    parse_keys(column, sample);
    entry.sampled = sample.values.size();
    entry.rows_sampled = sample.rows_read;
    if (sample.keys.empty()) return;
    const bool integer_values = sample.keys.front().integer;

    std::vector<Prospect> prospects;
    for (const auto& candidate : catalog.tables) {
        if (!probe_reads_locally(candidate) || candidate.row_key().size() != 1) continue;
        const Column* key = candidate.find_column(candidate.row_key().front());
        if (!key || !key_types_compatible(column, *key)) continue;
        const KeyRange& range = key_range(tx, candidate, *key, ranges);
        if (!range.min || !range.max || range.min->integer != integer_values) continue;
        Prospect prospect;
        prospect.table = &candidate;
        prospect.key = key;
        for (const auto& value : sample.keys) {
            if (*range.min <= value && value <= *range.max) ++prospect.in_range;
        }
        if (prospect.in_range == 0) continue;
        prospect.name_likeness = name_likeness(column.name, candidate.name);
        prospect.same_schema = candidate.name.schema == table.name.schema;
        // The tightest range around the sample first: a key from 1 to 50,000 is a likelier
        // home for values up to 49,990 than one running to 10 million.
        if (range.min->integer)
            prospect.span = static_cast<double>(range.max->number) - static_cast<double>(range.min->number);
        prospects.push_back(prospect);
    }
    std::sort(prospects.begin(), prospects.end(), [](const Prospect& left, const Prospect& right) {
        if (left.in_range != right.in_range) return left.in_range > right.in_range;
        if (left.name_likeness != right.name_likeness) return left.name_likeness > right.name_likeness;
        if (left.same_schema != right.same_schema) return left.same_schema;
        if (left.span != right.span) return left.span < right.span;
        return left.table->name < right.table->name;
    });
    if (prospects.size() > k_max_candidates_tried) prospects.resize(k_max_candidates_tried);

    for (const auto& prospect : prospects) {
        ReferenceCandidate candidate;
        candidate.table = prospect.table->name;
        candidate.key_column = prospect.key->name;
        candidate.name_likeness = prospect.name_likeness;
        candidate.key_span = prospect.span;
        candidate.contained = count_contained(tx, *prospect.table, *prospect.key, column, sample.values);
        entry.candidates.push_back(std::move(candidate));
    }
    rank_candidates(entry.candidates);
}

}  // namespace

std::vector<UnresolvedReference> find_unresolved_references(pg::Transaction& tx, const Catalog& catalog,
                                                            const SubsetPlan& plan, const SubsetSettings& settings) {
    auto unresolved = list_unresolved_columns(catalog, plan, settings.not_references);
    std::map<QualifiedName, KeyRange> ranges;
    std::optional<BtreeIndexes> indexes;  // read only when a sample comes up short
    auto run = [&](const char* statement) {
        pg::with_context(pg::Side::source, "could not probe unresolved references", [&] { tx.exec0(statement); });
    };
    for (auto& entry : unresolved) {
        if (!probe_reads_locally(*catalog.find(entry.table))) {
            entry.probe_error = "its rows are on another server (foreign partition)";
            continue;
        }
        // Behind a savepoint (allowed in a standby's read-only transaction): a read the server
        // refuses (row-level security that applies to the role) costs this column's ranking, not
        // the plan or the run; the column is still reported. The probe's queries go through
        // exec_params (extended protocol): a plain exec() aborts the whole transaction when a query fails.
        run("SAVEPOINT understudy_unresolved");
        try {
            probe_column(tx, catalog, entry, ranges, indexes);
            run("RELEASE SAVEPOINT understudy_unresolved");
        } catch (const pg::DatabaseError& failure) {
            if (failure.is_session_lost()) throw;
            run("ROLLBACK TO SAVEPOINT understudy_unresolved");
            run("RELEASE SAVEPOINT understudy_unresolved");
            entry.candidates.clear();
            entry.probe_error = failure.what();
        }
    }
    return unresolved;
}

std::string unresolved_warning(const std::vector<UnresolvedReference>& unresolved) {
    if (unresolved.empty()) return {};
    std::vector<std::string> names;
    for (const auto& entry : unresolved) names.push_back(entry.display());
    const bool one = unresolved.size() == 1;
    return std::to_string(unresolved.size()) + (one ? " column looks" : " columns look") +
           " like a reference that nothing declares, so the subset may hold rows whose parent is missing: " +
           join(names, ", ") + "; understudy plan ranks their likely parents (declare them under foreign_keys:, "
           "or list them under not_references:)";
}

std::string unresolved_error(const std::vector<UnresolvedReference>& unresolved) {
    std::vector<std::string> names;
    for (const auto& entry : unresolved) names.push_back(entry.display());
    return "--strict-references: " + std::to_string(unresolved.size()) +
           (unresolved.size() == 1 ? " column looks" : " columns look") +
           " like a reference that nothing declares: " + join(names, ", ") +
           "; declare them under foreign_keys: or not_references: (understudy plan ranks their likely parents)";
}

std::string format_unresolved_references(const std::vector<UnresolvedReference>& unresolved) {
    if (unresolved.empty()) return {};
    std::string out = "unresolved references (no constraint, declaration or convention says where they point):\n";
    for (const auto& entry : unresolved) {
        out += "  " + entry.display() + ": ";
        if (!entry.probe_error.empty()) {
            out += "not probed: " + entry.probe_error + "\n";
            continue;
        }
        if (entry.sampled == 0) {
            out += "no values to probe\n";
            continue;
        }
        if (entry.candidates.empty()) {
            out += "no table's key holds any of " + std::to_string(entry.sampled) + " sampled values\n";
            continue;
        }
        std::vector<std::string> shown;
        for (const auto& candidate : entry.candidates) shown.push_back(candidate.display(entry.sampled));
        out += join(shown, ", ") + " of " + std::to_string(entry.sampled) + " sampled values\n";
        const auto& best = entry.candidates.front();
        out += "    declare: {from: \"" + entry.table.display() + "(" + entry.column + ")\", to: \"" +
               best.table.display() + "(" + best.key_column + ")\"}\n";
    }
    return out;
}

}  // namespace understudy::subsetter
