// The key selection engine: seeds, forced rows, parent closure and bounded children, read-only.
#include "understudy/subsetter/selection.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include <pqxx/result>

#include "key_probes.hpp"
#include "selection_queries.hpp"
#include "selection_sql.hpp"
#include "understudy/error.hpp"
#include "understudy/join.hpp"
#include "understudy/pg/database_error.hpp"
#include "understudy/pg/sql_text.hpp"
#include "understudy/subsetter/btree_indexes.hpp"

namespace understudy::subsetter {
namespace {

// Keys per lookup query: large enough that a child table without an index on its reference
// columns is scanned only a few times (the planner hashes big constant arrays), small enough
// that one statement stays a few megabytes.
constexpr std::size_t k_lookup_batch = 50000;

// The hash prefilter of a sample lets about 1.5 n + 8 sqrt(n) + 32 rows pass: enough that a
// shortfall (binomial spread, or a table that shrank by a third since its statistics) is rare,
// since it costs a second scan. Measured on 1 M rows at 5 %: 440 ms unfiltered, 220 ms letting
// 4 n pass, 170 ms letting 1.5 n pass.
constexpr double k_prefilter_margin = 1.5;
// The prefilter is worth it only when it keeps at most this share of the table from the sort.
constexpr double k_prefilter_max_share = 0.5;

// Probes per seed are 1.25 per missing row plus a few, in rounds until the target is met; a round
// that finds less than a tenth of what it looked for means the key range is mostly gaps (or the
// table is smaller than its statistics say), and the remaining seeds come in exact hash order.
constexpr double k_probe_margin = 1.25;
constexpr int k_probe_rounds = 6;
// Probes pay an index descent per row (one per partition of a partitioned table): past this share
// of the table, reading a block sample of it is cheaper (a 5 % sample is O(n · 0.05) by nature).
constexpr double k_probe_max_share = 0.01;
// A block sample aims at this many times the rows it needs, and grows fourfold when short.
constexpr double k_block_sample_margin = 2.0;

// Children per parent value are chosen in hash order among at most this many of its children (in
// index order), so a parent with a million children costs a bounded read, not a million rows.
std::int64_t children_read_cap(int children) { return std::max<std::int64_t>(8 * static_cast<std::int64_t>(children), 32); }

// What the selection is doing, for the rows-read accounting.
enum class Phase : std::size_t { seeds, parents, children, full_tables, filter };
constexpr std::array<const char*, 5> k_phase_names = {"seeds", "parents", "children", "full_tables", "filter"};

// Why a row was selected; a row counts for the first reason it was added.
enum class Reason : std::size_t { forced, seed, parent, child };
constexpr std::array<const char*, 4> k_reason_names = {"forced", "seeds", "parents", "children"};

// A reference from this table to a parent: the parent row must be selected.
struct OutReference {
    const ForeignKey* fk = nullptr;
    std::size_t parent = 0;           // state index
    std::vector<std::string> exprs;   // the child columns, cast to the parent's types
    std::vector<std::size_t> fields;  // their positions in this table's projection
    std::optional<std::size_t> type_field;
    bool to_key = false;        // the referenced columns are the parent's row key
    std::size_t value_set = 0;  // otherwise: the parent's value set for those columns
};

// A reference from a child table to this table: rows of this table that descend pull up to
// `children` rows of the child table through it.
struct InReference {
    const ForeignKey* fk = nullptr;
    std::size_t child = 0;
    std::vector<std::size_t> fields;  // positions of the referenced columns in this projection
    std::set<std::string> pending;    // parent values whose children are still to fetch
    std::unordered_set<std::string> expanded;
    bool indexed = false;             // an index on the child columns serves a lookup per value
};

// Values of a column set other tables reference (other than the row key) over the selected rows.
struct ValueSet {
    std::vector<std::string> columns;
    std::vector<std::size_t> fields;
    std::unordered_set<std::string> values;
    std::set<std::string> pending;  // values to look up
    std::unordered_set<std::string> missing;
};

struct TableState {
    const Table* table = nullptr;
    TablePolicy policy = TablePolicy::sample;
    std::int64_t target_rows = 0;
    std::int64_t estimated_rows = 0;
    bool keyed = false;
    std::vector<std::string> exprs;  // the projection fetched for each selected row
    std::vector<std::size_t> key_fields;
    std::vector<OutReference> out;
    std::vector<InReference> in;
    std::vector<ValueSet> value_sets;
    std::vector<const ForeignKey*> filter_references;  // keyless: references its rows must satisfy
    std::unordered_map<RowKey, bool> rows;             // selected keys -> descended already
    std::set<RowKey> pending_keys;                     // parent keys to fetch
    std::unordered_set<RowKey> missing_keys;
    std::array<std::int64_t, 4> counts{};
    std::map<std::string, std::int64_t> rows_read;  // by phase name

    std::size_t field(const std::string& expr) {
        auto found = std::find(exprs.begin(), exprs.end(), expr);
        if (found != exprs.end()) return static_cast<std::size_t>(found - exprs.begin());
        exprs.push_back(expr);
        return exprs.size() - 1;
    }
    bool has_parent_work() const {
        if (!pending_keys.empty()) return true;
        return std::any_of(value_sets.begin(), value_sets.end(),
                           [](const ValueSet& set) { return !set.pending.empty(); });
    }
    bool has_child_work() const {
        return std::any_of(in.begin(), in.end(), [](const InReference& ref) { return !ref.pending.empty(); });
    }
};

std::string column_expr(const std::string& column) {
    return std::string(detail::k_alias) + "." + pg::quote_ident(column);
}

// The text values at `fields` of `row` joined by '\0'; false when one is NULL (MATCH SIMPLE: a
// reference with a NULL column references nothing).
bool encode(const pqxx::row& row, const std::vector<std::size_t>& fields, std::string& out) {
    out.clear();
    for (std::size_t field_idx = 0; field_idx < fields.size(); ++field_idx) {
        auto value = row[static_cast<pqxx::row::size_type>(fields[field_idx])];
        if (value.is_null()) return false;
        if (field_idx > 0) out += '\0';
        out.append(value.c_str(), value.size());
    }
    return true;
}

std::vector<std::string_view> views_of(const std::vector<std::string>& values, std::size_t begin, std::size_t end) {
    return {values.begin() + static_cast<std::ptrdiff_t>(begin), values.begin() + static_cast<std::ptrdiff_t>(end)};
}

class Selector {
public:
    Selector(detail::SelectionQueries& queries, pqxx::transaction_base& tx, const Catalog& catalog,
             const SubsetPlan& plan, const SubsetSettings& settings, const SelectionProgress& progress)
        : m_queries(queries), m_tx(tx), m_catalog(catalog), m_plan(plan), m_settings(settings), m_progress(progress) {}

    Selection run() {
        // What the transaction read before (the plan's samples, an earlier selection) is not ours.
        m_rows_read_seen = m_queries.rows_read();
        build_states();
        m_stage = "start";
        enter(Phase::seeds);
        select_forced();
        select_seeds();
        enter(Phase::full_tables);
        close_full_tables();
        int rounds = 0;
        while (has_parent_work() || has_child_work()) {
            ++rounds;
            m_stage = "round " + std::to_string(rounds);
            // Parents to a fixed point, then one generation of children: each step's lookups are
            // independent of each other, so they run side by side on the snapshot's sessions.
            enter(Phase::parents);
            while (has_parent_work()) fetch_parents();
            enter(Phase::children);
            if (has_child_work()) fetch_children();
        }
        return finish(rounds);
    }

private:
    void build_states() {
        m_states.resize(m_catalog.tables.size());
        for (std::size_t state_idx = 0; state_idx < m_catalog.tables.size(); ++state_idx) {
            auto& state = m_states[state_idx];
            state.table = &m_catalog.tables[state_idx];
            m_index.emplace(state.table->name, state_idx);
            state.estimated_rows = state.table->estimated_rows;
            if (const TablePlan* table_plan = m_plan.find(state.table->name)) {
                state.policy = table_plan->policy;
                state.target_rows = table_plan->target_rows;
                state.estimated_rows = table_plan->estimated_rows;
            }
            state.keyed = !state.table->row_key().empty();
            if (state.keyed) {
                for (const auto& column : state.table->row_key())
                    state.key_fields.push_back(state.field(column_expr(column)));
            }
        }
        // Canonical processing order: the plan graph's (parents first), then anything it lacks.
        std::vector<bool> placed(m_states.size(), false);
        for (const auto& name : m_plan.graph.order()) {
            auto found = m_index.find(name);
            if (found == m_index.end() || placed[found->second]) continue;
            placed[found->second] = true;
            m_order.push_back(found->second);
        }
        for (std::size_t state_idx = 0; state_idx < m_states.size(); ++state_idx) {
            if (!placed[state_idx]) m_order.push_back(state_idx);
        }

        m_indexes = BtreeIndexes::load(m_tx);
        for (const auto& fk : m_plan.graph.references()) {
            auto child_found = m_index.find(fk.child);
            auto parent_found = m_index.find(fk.parent);
            if (child_found == m_index.end() || parent_found == m_index.end()) continue;
            auto& child = m_states[child_found->second];
            auto& parent = m_states[parent_found->second];
            if (child.policy == TablePolicy::none) continue;
            bool to_key = parent.keyed && fk.parent_columns == parent.table->row_key();
            std::size_t value_set = 0;
            if (parent.keyed && !to_key) value_set = value_set_of(parent, fk.parent_columns);

            if (!child.keyed && child.policy == TablePolicy::sample) {
                child.filter_references.push_back(&fk);
                continue;
            }
            OutReference out;
            out.fk = &fk;
            out.parent = parent_found->second;
            out.to_key = to_key;
            out.value_set = value_set;
            for (std::size_t column_idx = 0; column_idx < fk.child_columns.size(); ++column_idx) {
                const auto& child_column = detail::require_column(*child.table, fk.child_columns[column_idx]);
                const auto& parent_column = detail::require_column(*parent.table, fk.parent_columns[column_idx]);
                // Compared as text with the parent's own values: render them in the parent's type.
                auto expr = column_expr(child_column.name);
                if (detail::cast_type(child_column) != detail::cast_type(parent_column)) {
                    expr += "::" + detail::cast_type(parent_column);
                }
                out.exprs.push_back(expr);
                if (child.keyed) out.fields.push_back(child.field(expr));
            }
            if (fk.condition && child.keyed) out.type_field = child.field(column_expr(fk.condition->type_column));
            child.out.push_back(std::move(out));

            if (m_settings.children > 0 && child.keyed && child.policy == TablePolicy::sample && parent.keyed &&
                parent.policy == TablePolicy::sample) {
                InReference in;
                in.fk = &fk;
                in.child = child_found->second;
                for (const auto& column : fk.parent_columns) in.fields.push_back(parent.field(column_expr(column)));
                in.indexed = m_indexes.serves_reference(fk);
                parent.in.push_back(std::move(in));
            }
        }
    }

    std::size_t value_set_of(TableState& state, const std::vector<std::string>& columns) {
        for (std::size_t set_idx = 0; set_idx < state.value_sets.size(); ++set_idx) {
            if (state.value_sets[set_idx].columns == columns) return set_idx;
        }
        ValueSet set;
        set.columns = columns;
        for (const auto& column : columns) set.fields.push_back(state.field(column_expr(column)));
        state.value_sets.push_back(std::move(set));
        return state.value_sets.size() - 1;
    }

    // --- rows -----------------------------------------------------------------------------

    // Records a fetched row; returns whether it is new. Queues its parents when new, and its
    // children when it descends for the first time.
    bool add_row(std::size_t state_idx, const pqxx::row& row, Reason reason, bool descend) {
        auto& state = m_states[state_idx];
        std::string key;
        encode(row, state.key_fields, key);
        auto [entry, inserted] = state.rows.try_emplace(std::move(key), false);
        bool already_descended = entry->second;
        if (descend) entry->second = true;
        std::string value;
        if (inserted) {
            ++state.counts[static_cast<std::size_t>(reason)];
            for (auto& set : state.value_sets) {
                if (encode(row, set.fields, value)) set.values.insert(value);
            }
            for (const auto& out : state.out) {
                if (!encode(row, out.fields, value)) continue;
                if (out.type_field) {
                    auto type = row[static_cast<pqxx::row::size_type>(*out.type_field)];
                    if (type.is_null() || out.fk->condition->type_value != type.c_str()) continue;
                }
                need_parent(state_idx, out, value);
            }
        }
        if (descend && !already_descended) {
            for (auto& in : state.in) {
                if (encode(row, in.fields, value) && in.expanded.count(value) == 0) in.pending.insert(value);
            }
        }
        return inserted;
    }

    [[noreturn]] void refuse_parent(std::size_t child_idx, const OutReference& out) const {
        const auto& parent = m_states[out.parent];
        auto child_name = m_states[child_idx].table->name.display();
        auto parent_name = parent.table->name.display();
        if (parent.policy == TablePolicy::none) {
            throw Error(ExitCode::plan_refused,
                        "selected rows of \"" + child_name + "\" reference \"" + parent_name +
                            "\", which is excluded (reference \"" + out.fk->name + "\")",
                        "include \"" + parent_name + "\" or exclude \"" + child_name + "\" too");
        }
        throw Error(ExitCode::plan_refused,
                    "selected rows of \"" + child_name + "\" reference \"" + parent_name +
                        "\", which has no primary key or unique key on NOT NULL columns",
                    "add a primary key to \"" + parent_name + "\", or include it whole (--full-table)");
    }

    // A selected row of `child_idx` references `value` through `out`: make sure that parent row is selected.
    void need_parent(std::size_t child_idx, const OutReference& out, const std::string& value) {
        auto& parent = m_states[out.parent];
        if (parent.policy == TablePolicy::all) return;  // every row of it is copied
        if (parent.policy == TablePolicy::none || !parent.keyed) refuse_parent(child_idx, out);
        if (out.to_key) {
            if (parent.rows.count(value) == 0 && parent.missing_keys.count(value) == 0)
                parent.pending_keys.insert(value);
            return;
        }
        auto& set = parent.value_sets[out.value_set];
        if (set.values.count(value) == 0 && set.missing.count(value) == 0) set.pending.insert(value);
    }

    pqxx::result query(const TableState& state, const std::string& sql) { return m_queries.run(state.table->name, sql); }

    // Runs a step's independent queries side by side and hands over their rows in order.
    void run_step(std::vector<detail::StepQuery>& step) {
        if (step.empty()) return;
        m_queries.run_step(step);
    }

    // Reads are booked when the phase changes (reading the statistics of every session costs a
    // few milliseconds, too much for every step of a small subset).
    void enter(Phase phase) {
        if (phase == m_phase) return;
        account();
        m_phase = phase;
    }

    // Books the rows read since the last call to the current phase of each table.
    void account() {
        auto totals = m_queries.rows_read();
        for (const auto& [name, total] : totals) {
            auto delta = total - m_rows_read_seen[name];
            if (delta <= 0) continue;
            m_rows_read_seen[name] = total;
            m_rows_read_total += delta;
            auto found = m_index.find(name);
            if (found != m_index.end()) m_states[found->second].rows_read[k_phase_names[static_cast<std::size_t>(m_phase)]] += delta;
        }
    }

    std::string select_list(const TableState& state, const std::string& prefix = {}) const {
        std::string out;
        for (std::size_t field_idx = 0; field_idx < state.exprs.size(); ++field_idx) {
            if (field_idx > 0) out += ", ";
            out += prefix.empty() ? state.exprs[field_idx] : prefix + "c" + std::to_string(field_idx);
        }
        return out;
    }

    std::string aliased_list(const TableState& state) const {
        std::string out;
        for (std::size_t field_idx = 0; field_idx < state.exprs.size(); ++field_idx) {
            if (field_idx > 0) out += ", ";
            out += state.exprs[field_idx] + " AS c" + std::to_string(field_idx);
        }
        return out;
    }

    std::string select_where(const TableState& state, const std::string& condition) const {
        return "SELECT " + select_list(state) + " FROM " + detail::from_clause(*state.table) + " WHERE " + condition;
    }

    void add_rows(std::size_t state_idx, const pqxx::result& result, Reason reason, bool descend) {
        std::int64_t added = 0;
        for (const auto& row : result) added += add_row(state_idx, row, reason, descend) ? 1 : 0;
        report(m_states[state_idx], reason, added);
    }

    // Runs `SELECT <projection> FROM t WHERE condition` and adds the rows; returns how many rows came back.
    std::size_t fetch_where(std::size_t state_idx, const std::string& condition, Reason reason, bool descend) {
        auto result = query(m_states[state_idx], select_where(m_states[state_idx], condition));
        add_rows(state_idx, result, reason, descend);
        return result.size();
    }

    // The same as a step's query: the rows are added when the step hands them over.
    detail::StepQuery where_query(std::size_t state_idx, const std::string& condition, Reason reason, bool descend) {
        return {m_states[state_idx].table->name, select_where(m_states[state_idx], condition),
                [this, state_idx, reason, descend](const pqxx::result& result) {
                    add_rows(state_idx, result, reason, descend);
                }};
    }

    void report(const TableState& state, Reason reason, std::int64_t added) {
        if (!m_progress || added == 0) return;
        m_progress(m_stage + ": " + state.table->name.display() + " +" + std::to_string(added) + " rows (" +
                   k_reason_names[static_cast<std::size_t>(reason)] + ")");
    }

    // --- forced rows and seeds ------------------------------------------------------------------

    void select_forced() {
        for (const auto& forced : m_settings.forced) {
            auto found = m_index.find(forced.table);
            if (found == m_index.end()) {
                throw ConfigError("forced row " + forced.spec + ": unknown table \"" + forced.table.display() + "\"");
            }
            auto& state = m_states[found->second];
            const auto& name = state.table->name.display();
            if (!state.keyed) {
                throw ConfigError("forced row " + forced.spec + ": \"" + name +
                                  "\" has no primary key or unique key on NOT NULL columns");
            }
            const auto& key_columns = state.table->row_key();
            if (forced.key.size() != key_columns.size()) {
                throw ConfigError("forced row " + forced.spec + " gives " + std::to_string(forced.key.size()) +
                                  " values, but the key of \"" + name + "\" has " + std::to_string(key_columns.size()) +
                                  " columns");
            }
            if (state.policy == TablePolicy::none) {
                throw Error(ExitCode::plan_refused,
                            "forced row " + forced.spec + " is in \"" + name + "\", which is excluded");
            }
            std::string tuple;
            for (std::size_t value_idx = 0; value_idx < forced.key.size(); ++value_idx) {
                if (value_idx > 0) tuple += '\0';
                tuple += forced.key[value_idx];
            }
            auto condition = detail::match_clause(key_columns, detail::cast_types(*state.table, key_columns),
                                                  {std::string_view(tuple)});
            std::size_t found_rows = 0;
            if (state.policy == TablePolicy::all) {
                found_rows =
                    query(state, "SELECT 1 FROM " + detail::from_clause(*state.table) + " WHERE " + condition).size();
            } else {
                found_rows = fetch_where(found->second, condition, Reason::forced, true);
            }
            if (found_rows == 0) {
                throw Error(ExitCode::plan_refused,
                            "forced row " + forced.spec + " does not exist in \"" + name + "\"");
            }
        }
    }

    // How one table's seeds are being found; each step asks every unfinished table for its next query.
    struct SeedSearch {
        enum class Stage { where, exact, exact_unfiltered, block_sample, probe_bounds, probe, probe_rows, top_up, done };
        std::size_t state_idx = 0;
        Stage stage = Stage::done;
        double percent = 100.0;                       // block sample
        std::optional<detail::ProbeDomain> domain;    // probe
        std::string min, max;
        std::size_t next_probe = 0;
        int probe_round = 0;
        std::vector<RowKey> chosen;                   // probed keys, in probe order
        std::unordered_set<RowKey> chosen_set;
    };

    void select_seeds() {
        std::vector<SeedSearch> searches;
        for (auto state_idx : m_order) {
            auto& state = m_states[state_idx];
            if (!state.keyed || state.policy != TablePolicy::sample) continue;
            SeedSearch search;
            search.state_idx = state_idx;
            auto override_found = m_settings.overrides.find(state.table->name);
            if (override_found != m_settings.overrides.end() && override_found->second.where) {
                search.stage = SeedSearch::Stage::where;
            } else if (state.target_rows <= 0) {
                continue;
            } else if (m_settings.sampling == SamplingMode::exact) {
                search.stage = SeedSearch::Stage::exact;
            } else if (static_cast<double>(state.target_rows) <= k_probe_max_share * estimate_of(state) &&
                       (search.domain = detail::probe_domain(detail::cast_type(
                            detail::require_column(*state.table, state.table->row_key().front()))))) {
                search.stage = SeedSearch::Stage::probe_bounds;
            } else {
                search.stage = SeedSearch::Stage::block_sample;
                search.percent = initial_percent(state, state.target_rows);
            }
            searches.push_back(std::move(search));
        }
        while (true) {
            std::vector<detail::StepQuery> step;
            for (auto& search : searches) {
                if (search.stage != SeedSearch::Stage::done) seed_queries(search, step);
            }
            if (step.empty()) return;
            run_step(step);
        }
    }

    static double estimate_of(const TableState& state) {
        return static_cast<double>(std::max<std::int64_t>(state.estimated_rows, state.table->estimated_rows));
    }

    // The percentage of blocks that should hold about `rows` rows, with a margin; 100 when unknown.
    static double initial_percent(const TableState& state, std::int64_t rows) {
        auto estimate = estimate_of(state);
        if (estimate <= 0) return 100.0;
        return std::min(100.0, 100.0 * (k_block_sample_margin * static_cast<double>(rows) + 64.0) / estimate);
    }

    std::string seed_hash_expr(const TableState& state) const {
        return detail::key_hash_expr(*state.table, m_settings.seed);
    }

    // `ORDER BY s.h, s.c<key>... LIMIT n` over a subquery `s` with the hash as `h`.
    std::string hash_order(const TableState& state, std::int64_t limit) const {
        std::string order = " ORDER BY s.h";
        for (auto key_field : state.key_fields) order += ", s.c" + std::to_string(key_field);
        return order + " LIMIT " + std::to_string(limit);
    }

    // Adds rows as seeds until the table has `target` of them; the rest are left out.
    void add_seeds_up_to(std::size_t state_idx, const pqxx::result& result, std::int64_t target) {
        auto& state = m_states[state_idx];
        std::int64_t added = 0;
        for (const auto& row : result) {
            if (state.counts[static_cast<std::size_t>(Reason::seed)] >= target) break;
            added += add_row(state_idx, row, Reason::seed, true) ? 1 : 0;
        }
        report(state, Reason::seed, added);
    }

    void seed_queries(SeedSearch& search, std::vector<detail::StepQuery>& step) {
        auto state_idx = search.state_idx;
        auto& state = m_states[state_idx];
        const auto& name = state.table->name;
        auto target = state.target_rows;
        using Stage = SeedSearch::Stage;
        switch (search.stage) {
            case Stage::where: {
                step.push_back(where_query(state_idx, "(" + *m_settings.overrides.at(name).where + ")", Reason::seed, true));
                search.stage = Stage::done;
                return;
            }
            case Stage::exact:
            case Stage::exact_unfiltered: {
                // The target rows with the smallest keyed hash: independent of physical row order
                // and of gaps in the key space, at the price of hashing every key.
                std::string inner = "SELECT " + aliased_list(state) + ", " + seed_hash_expr(state) + " AS h FROM " +
                                    detail::from_clause(*state.table);
                auto estimate =
                    static_cast<double>(std::max<std::int64_t>(state.estimated_rows, state.table->estimated_rows));
                auto passing = k_prefilter_margin * static_cast<double>(target) +
                               8.0 * std::sqrt(static_cast<double>(target)) + 32.0;
                if (search.stage == Stage::exact && estimate > 0 && passing / estimate < k_prefilter_max_share) {
                    // Rows passing h < T are exactly the rows with the smallest hashes, so when at
                    // least `target` pass, the first `target` of them by (h, key) are the unfiltered
                    // answer; the filter only spares the sort most of the table.
                    auto threshold = detail::hash_threshold(passing / estimate);
                    step.push_back({name,
                                    "SELECT " + select_list(state, "s.") + " FROM (" + inner + ") s WHERE s.h < '" +
                                        std::to_string(threshold) + "'::bigint" + hash_order(state, target),
                                    [this, &search, state_idx, target](const pqxx::result& result) {
                                        if (result.size() < static_cast<std::size_t>(target)) {
                                            search.stage = Stage::exact_unfiltered;
                                            return;
                                        }
                                        add_seeds_up_to(state_idx, result, target);
                                        search.stage = Stage::done;
                                    }});
                    return;
                }
                step.push_back({name, "SELECT " + select_list(state, "s.") + " FROM (" + inner + ") s" + hash_order(state, target),
                                [this, &search, state_idx, target](const pqxx::result& result) {
                                    add_seeds_up_to(state_idx, result, target);
                                    search.stage = Stage::done;
                                }});
                return;
            }
            case Stage::block_sample: {
                // Keys that cannot be probed, or seeds still missing after the probes: the rows
                // with the smallest keyed hash among a block sample, which reads only the sampled
                // blocks, skipping rows that are seeds already. A sample too small to hold them
                // is retried four times larger (the larger sample contains the smaller one); the
                // rows are taken from the final sample only.
                auto percent = search.percent;
                auto limit = target + state.counts[static_cast<std::size_t>(Reason::seed)];
                std::string inner = "SELECT " + aliased_list(state) + ", " + seed_hash_expr(state) + " AS h FROM " +
                                    detail::sampled_from_clause(*state.table, percent, m_settings.seed);
                step.push_back({name, "SELECT " + select_list(state, "s.") + " FROM (" + inner + ") s" + hash_order(state, limit),
                                [this, &search, state_idx, target, limit, percent](const pqxx::result& result) {
                                    if (result.size() < static_cast<std::size_t>(limit) && percent < 100.0) {
                                        search.percent = std::min(100.0, percent * 4.0);
                                        return;
                                    }
                                    add_seeds_up_to(state_idx, result, target);
                                    search.stage = Stage::done;
                                }});
                return;
            }
            case Stage::probe_bounds: {
                step.push_back({name, detail::key_bounds_query(*state.table),
                                [&search](const pqxx::result& result) {
                                    if (result.empty() || result[0][0].is_null() || result[0][1].is_null()) {
                                        search.stage = Stage::done;  // an empty table
                                        return;
                                    }
                                    search.min = result[0][0].c_str();
                                    search.max = result[0][1].c_str();
                                    search.stage = Stage::probe;
                                }});
                return;
            }
            case Stage::probe: {
                // Each probe is one index range scan: the first key at or after a point chosen
                // from the seed in the key's range.
                auto missing = target - static_cast<std::int64_t>(search.chosen.size());
                auto count = static_cast<std::size_t>(std::ceil(static_cast<double>(missing) * k_probe_margin)) + 4;
                auto probes = detail::key_probes(*search.domain, search.min, search.max, m_settings.seed,
                                                 search.next_probe, count);
                search.next_probe += count;
                ++search.probe_round;
                auto sql = detail::key_probe_query(*state.table, probes);
                step.push_back({name, sql, [this, &search, state_idx, target, count](const pqxx::result& result) {
                                    auto& state = m_states[state_idx];
                                    std::vector<std::size_t> fields(state.table->row_key().size());
                                    for (std::size_t field_idx = 0; field_idx < fields.size(); ++field_idx)
                                        fields[field_idx] = field_idx;
                                    std::size_t found = 0;
                                    std::string key;
                                    for (const auto& row : result) {
                                        if (static_cast<std::int64_t>(search.chosen.size()) >= target) break;
                                        if (!encode(row, fields, key) || state.rows.count(key) > 0) continue;
                                        if (search.chosen_set.insert(key).second) {
                                            search.chosen.push_back(key);
                                            ++found;
                                        }
                                    }
                                    bool met = static_cast<std::int64_t>(search.chosen.size()) >= target;
                                    bool saturated = found * 10 < count || search.probe_round >= k_probe_rounds;
                                    if (met || saturated) search.stage = search.chosen.empty() ? Stage::top_up : Stage::probe_rows;
                                }});
                return;
            }
            case Stage::probe_rows: {
                const auto& key_columns = state.table->row_key();
                auto types = detail::cast_types(*state.table, key_columns);
                for (std::size_t begin = 0; begin < search.chosen.size(); begin += k_lookup_batch) {
                    auto end = std::min(search.chosen.size(), begin + k_lookup_batch);
                    step.push_back(where_query(state_idx,
                                               detail::match_clause(key_columns, types, views_of(search.chosen, begin, end)),
                                               Reason::seed, true));
                }
                bool met = static_cast<std::int64_t>(search.chosen.size()) >= target;
                search.stage = met ? Stage::done : Stage::top_up;
                return;
            }
            case Stage::top_up: {
                // Probes stopped finding new keys: the key range is mostly gaps, the leading key
                // column has few values (a tenant id), or the table is smaller than its
                // statistics say. The rest come from a block sample sized for what is missing.
                auto missing = target - state.counts[static_cast<std::size_t>(Reason::seed)];
                search.percent = initial_percent(state, std::max<std::int64_t>(missing, 1));
                search.stage = Stage::block_sample;
                seed_queries(search, step);
                return;
            }
            case Stage::done:
                return;
        }
    }

    // Tables copied whole still need their parents: every distinct reference value they hold. A
    // reference whose columns lead an index gets its own DISTINCT (an index-only scan where the
    // visibility map allows); the others of the table share one scan.
    void close_full_tables() {
        std::vector<detail::StepQuery> step;
        for (auto state_idx : m_order) {
            auto& state = m_states[state_idx];
            if (state.policy != TablePolicy::all) continue;
            std::vector<std::size_t> shared;
            for (std::size_t out_idx = 0; out_idx < state.out.size(); ++out_idx) {
                const auto& out = state.out[out_idx];
                // A parent copied whole needs nothing: skip the scan (a full copy would scan every table).
                if (m_states[out.parent].policy == TablePolicy::all) continue;
                if (!m_indexes.serves_reference(*out.fk)) {
                    shared.push_back(out_idx);
                    continue;
                }
                step.push_back({state.table->name,
                                "SELECT DISTINCT " + join(out.exprs, ", ") + " FROM " +
                                    detail::from_clause(*state.table) + " WHERE " + held_clause(out),
                                [this, state_idx, out_idx](const pqxx::result& result) {
                                    const auto& out = m_states[state_idx].out[out_idx];
                                    std::vector<std::size_t> fields(out.exprs.size());
                                    for (std::size_t field_idx = 0; field_idx < fields.size(); ++field_idx)
                                        fields[field_idx] = field_idx;
                                    std::string value;
                                    for (const auto& row : result) {
                                        if (encode(row, fields, value)) need_parent(state_idx, out, value);
                                    }
                                }});
            }
            if (shared.empty()) continue;
            // One scan: each row yields (reference number, its values as text) per reference it holds.
            std::size_t width = 0;
            for (auto out_idx : shared) width = std::max(width, state.out[out_idx].exprs.size());
            std::string branches;
            for (auto out_idx : shared) {
                const auto& out = state.out[out_idx];
                std::string branch = "SELECT " + std::to_string(out_idx);
                for (std::size_t column_idx = 0; column_idx < width; ++column_idx) {
                    branch += ", " + (column_idx < out.exprs.size() ? "(" + out.exprs[column_idx] + ")::text"
                                                                    : std::string("NULL::text"));
                }
                branches += (branches.empty() ? "" : " UNION ALL ") + branch + " WHERE " + held_clause(out);
            }
            std::string names = "r";
            for (std::size_t column_idx = 0; column_idx < width; ++column_idx) names += ", c" + std::to_string(column_idx);
            std::string list = "v.r";
            for (std::size_t column_idx = 0; column_idx < width; ++column_idx) list += ", v.c" + std::to_string(column_idx);
            step.push_back({state.table->name,
                            "SELECT DISTINCT " + list + " FROM " + detail::from_clause(*state.table) +
                                " CROSS JOIN LATERAL (" + branches + ") v(" + names + ")",
                            [this, state_idx](const pqxx::result& result) {
                                std::string value;
                                for (const auto& row : result) {
                                    auto out_idx = row[0].as<std::size_t>();
                                    const auto& out = m_states[state_idx].out[out_idx];
                                    std::vector<std::size_t> fields(out.exprs.size());
                                    for (std::size_t field_idx = 0; field_idx < fields.size(); ++field_idx)
                                        fields[field_idx] = field_idx + 1;
                                    if (encode(row, fields, value)) need_parent(state_idx, out, value);
                                }
                            }});
        }
        run_step(step);
    }

    // The row holds reference `out`: every column set, and the polymorphic type matching.
    std::string held_clause(const OutReference& out) const {
        std::string condition;
        for (const auto& column : out.fk->child_columns) {
            if (!condition.empty()) condition += " AND ";
            condition += column_expr(column) + " IS NOT NULL";
        }
        if (out.fk->condition) {
            condition += " AND " + column_expr(out.fk->condition->type_column) + " = " +
                         pg::quote_literal(out.fk->condition->type_value);
        }
        return condition;
    }

    // --- closure ------------------------------------------------------------------------------

    bool has_parent_work() const {
        return std::any_of(m_states.begin(), m_states.end(),
                           [](const TableState& state) { return state.has_parent_work(); });
    }
    bool has_child_work() const {
        return std::any_of(m_states.begin(), m_states.end(),
                           [](const TableState& state) { return state.has_child_work(); });
    }

    // `(t."id" = r.c2) OR ...`: a row of the recursive CTE `r` references row `t` through a
    // self-reference to the row key; empty when the table has none.
    std::string self_reference_join(std::size_t state_idx) const {
        const auto& state = m_states[state_idx];
        const auto& key_columns = state.table->row_key();
        std::string join;
        for (const auto& out : state.out) {
            if (out.parent != state_idx || !out.to_key) continue;
            std::string condition;
            for (std::size_t column_idx = 0; column_idx < key_columns.size(); ++column_idx) {
                condition += (column_idx == 0 ? "" : " AND ") + column_expr(key_columns[column_idx]) + " = r.c" +
                             std::to_string(out.fields[column_idx]);
            }
            if (out.type_field) {
                condition += " AND r.c" + std::to_string(*out.type_field) + " = " +
                             pg::quote_literal(out.fk->condition->type_value);
            }
            join += (join.empty() ? "(" : " OR (") + condition + ")";
        }
        return join;
    }

    // Parent rows of a self-referencing table with all their ancestors in one recursive query:
    // a chain (replies, a manager hierarchy, a linked list) would otherwise cost a round trip per
    // level. UNION, not UNION ALL, so that a cycle in the data ends the recursion.
    std::string ancestors_query(std::size_t state_idx, const std::string& condition, const std::string& self_join) const {
        const auto& state = m_states[state_idx];
        auto from = detail::from_clause(*state.table);
        return "WITH RECURSIVE r AS (SELECT " + aliased_list(state) + " FROM " + from + " WHERE " + condition +
               " UNION SELECT " + aliased_list(state) + " FROM " + from + " JOIN r ON " + self_join + ") SELECT " +
               select_list(state, "r.") + " FROM r";
    }

    // Every table's pending parent keys and values, looked up by key in one step.
    void fetch_parents() {
        std::vector<detail::StepQuery> step;
        // What was asked for and did not come back (virtual references may point at rows that do
        // not exist) is remembered once the step is done, so that each is asked for once.
        std::vector<std::pair<std::size_t, std::vector<std::string>>> asked_keys;
        std::vector<std::pair<std::pair<std::size_t, std::size_t>, std::vector<std::string>>> asked_values;
        for (auto state_idx : m_order) {
            auto& state = m_states[state_idx];
            if (!state.pending_keys.empty()) {
                std::vector<std::string> keys(state.pending_keys.begin(), state.pending_keys.end());
                state.pending_keys.clear();
                const auto& key_columns = state.table->row_key();
                auto types = detail::cast_types(*state.table, key_columns);
                auto self_join = self_reference_join(state_idx);
                for (std::size_t begin = 0; begin < keys.size(); begin += k_lookup_batch) {
                    auto end = std::min(keys.size(), begin + k_lookup_batch);
                    auto condition = detail::match_clause(key_columns, types, views_of(keys, begin, end));
                    if (self_join.empty()) {
                        step.push_back(where_query(state_idx, condition, Reason::parent, false));
                    } else {
                        step.push_back({state.table->name, ancestors_query(state_idx, condition, self_join),
                                        [this, state_idx](const pqxx::result& result) {
                                            add_rows(state_idx, result, Reason::parent, false);
                                        }});
                    }
                }
                asked_keys.emplace_back(state_idx, std::move(keys));
            }
            for (std::size_t set_idx = 0; set_idx < state.value_sets.size(); ++set_idx) {
                auto& set = state.value_sets[set_idx];
                if (set.pending.empty()) continue;
                std::vector<std::string> values(set.pending.begin(), set.pending.end());
                set.pending.clear();
                auto types = detail::cast_types(*state.table, set.columns);
                for (std::size_t begin = 0; begin < values.size(); begin += k_lookup_batch) {
                    auto end = std::min(values.size(), begin + k_lookup_batch);
                    step.push_back(where_query(
                        state_idx, detail::match_clause(set.columns, types, views_of(values, begin, end)),
                        Reason::parent, false));
                }
                asked_values.push_back({{state_idx, set_idx}, std::move(values)});
            }
        }
        run_step(step);
        for (auto& [state_idx, keys] : asked_keys) {
            auto& state = m_states[state_idx];
            for (auto& key : keys) {
                if (state.rows.count(key) == 0) state.missing_keys.insert(std::move(key));
            }
        }
        for (auto& [where, values] : asked_values) {
            auto& set = m_states[where.first].value_sets[where.second];
            for (auto& value : values) {
                if (set.values.count(value) == 0) set.missing.insert(std::move(value));
            }
        }
    }

    // One generation of children: every pending parent value of every table in one step.
    void fetch_children() {
        std::vector<detail::StepQuery> step;
        for (auto state_idx : m_order) {
            for (std::size_t in_idx = 0; in_idx < m_states[state_idx].in.size(); ++in_idx) {
                auto& in = m_states[state_idx].in[in_idx];
                if (in.pending.empty()) continue;
                std::vector<std::string> values(in.pending.begin(), in.pending.end());
                in.pending.clear();
                for (const auto& value : values) in.expanded.insert(value);
                for (std::size_t begin = 0; begin < values.size(); begin += k_lookup_batch) {
                    auto end = std::min(values.size(), begin + k_lookup_batch);
                    step.push_back(children_query(state_idx, in_idx, views_of(values, begin, end)));
                }
            }
        }
        run_step(step);
    }

    detail::StepQuery children_query(std::size_t state_idx, std::size_t in_idx, const std::vector<std::string_view>& batch) {
        const auto& in = m_states[state_idx].in[in_idx];
        const ForeignKey& fk = *in.fk;
        auto child_idx = in.child;
        const auto& child = m_states[child_idx];
        auto types = detail::cast_types(*child.table, fk.child_columns);
        auto hash = detail::key_hash_expr(*child.table, m_settings.seed);
        std::string order = hash;
        for (const auto& column : child.table->row_key()) order += ", " + column_expr(column);
        std::string partition;
        for (const auto& column : fk.child_columns) partition += (partition.empty() ? "" : ", ") + column_expr(column);
        std::string type_condition;
        if (fk.condition) {
            type_condition = " AND " + column_expr(fk.condition->type_column) + " = " +
                             pg::quote_literal(fk.condition->type_value);
        }
        bool exact = m_settings.sampling == SamplingMode::exact;
        // The same N children of a parent every time: the first N by the seeded hash of their key,
        // whatever the physical order or which rows are already selected. Sampling by probes
        // ranks only the first few dozen children of a parent (in index order), so that a parent
        // with a million children costs a bounded read.
        // Top-N children of the parent value in `source` (v.v0.. or r.c..), through an index.
        auto top_children = [&](const std::string& source, const std::vector<std::string>& value_columns) {
            std::string lookup;
            for (std::size_t column_idx = 0; column_idx < fk.child_columns.size(); ++column_idx) {
                lookup += (column_idx == 0 ? "" : " AND ") + column_expr(fk.child_columns[column_idx]) + " = " +
                          source + "." + value_columns[column_idx];
            }
            auto limit = std::to_string(m_settings.children);
            if (exact) {
                return "(SELECT " + aliased_list(child) + " FROM " + detail::from_clause(*child.table) + " WHERE " +
                       lookup + type_condition + " ORDER BY " + order + " LIMIT " + limit + ") s";
            }
            std::string ranked = " ORDER BY x.h";
            for (auto key_field : child.key_fields) ranked += ", x.c" + std::to_string(key_field);
            return "(SELECT x.* FROM (SELECT " + aliased_list(child) + ", " + hash + " AS h FROM " +
                   detail::from_clause(*child.table) + " WHERE " + lookup + type_condition + " LIMIT " +
                   std::to_string(children_read_cap(m_settings.children)) + ") x" + ranked + " LIMIT " + limit + ") s";
        };
        std::vector<std::string> batch_columns;
        for (std::size_t column_idx = 0; column_idx < types.size(); ++column_idx)
            batch_columns.push_back("v" + std::to_string(column_idx));
        std::string sql;
        bool walk = in.indexed && child_idx == state_idx;
        if (walk) {
            // A self-reference (replies, reports of a manager): every child descends in turn, so
            // walk all generations in one recursive query instead of a round per generation.
            // UNION ends the walk on cycles in the data.
            std::vector<std::string> parent_columns;
            for (auto field : in.fields) parent_columns.push_back("c" + std::to_string(field));
            sql = "WITH RECURSIVE r AS (SELECT s.* FROM " + detail::tuples_relation(types, batch) +
                  " CROSS JOIN LATERAL " + top_children("v", batch_columns) +
                  " UNION SELECT s.* FROM r CROSS JOIN LATERAL " + top_children("r", parent_columns) + ") SELECT " +
                  select_list(child, "r.") + " FROM r";
        } else if (in.indexed) {
            // An index on the reference columns: one small top-N per parent value beats sorting
            // all children of the batch for a window (measured 270 vs 440 ms for 31,000 parents
            // with 630,000 children).
            sql = "SELECT " + select_list(child, "s.") + " FROM " + detail::tuples_relation(types, batch) +
                  " CROSS JOIN LATERAL " + top_children("v", batch_columns);
        } else {
            // Without one, a lookup per value would scan the table each time: one scan (the
            // planner hashes the array) and a window over the matches instead.
            sql = "SELECT " + select_list(child, "s.") + " FROM (SELECT " + aliased_list(child) +
                  ", row_number() OVER (PARTITION BY " + partition + " ORDER BY " + order + ") AS rn FROM " +
                  detail::from_clause(*child.table) + " WHERE " + detail::match_clause(fk.child_columns, types, batch) +
                  type_condition + ") s WHERE s.rn <= " + std::to_string(m_settings.children);
        }
        return {child.table->name, sql, [this, state_idx, in_idx, child_idx, walk](const pqxx::result& result) {
                    if (walk) {
                        // The walk fetched the children of every row it returned: none is expanded again.
                        auto& in = m_states[state_idx].in[in_idx];
                        std::string value;
                        for (const auto& row : result) {
                            if (encode(row, in.fields, value)) in.expanded.insert(value);
                        }
                    }
                    add_rows(child_idx, result, Reason::child, true);
                }};
    }

    // --- result -------------------------------------------------------------------------------

    Selection finish(int rounds) {
        enter(Phase::filter);
        Selection selection;
        selection.rounds = rounds;
        // Tables without a row key are counted through their filters, all in one step; a sample
        // of one without references is a block sample, retried four times larger while short.
        std::map<std::size_t, RowFilter> filters;
        for (std::size_t state_idx = 0; state_idx < m_states.size(); ++state_idx) {
            const auto& state = m_states[state_idx];
            if (state.keyed || state.policy != TablePolicy::sample) continue;
            auto filter = keyless_filter(state);
            if (filter.references.empty() && filter.where.empty() && filter.sample_rows > 0 &&
                m_settings.sampling == SamplingMode::probe) {
                filter.sample_percent = initial_percent(state, filter.sample_rows);
            }
            filters.emplace(state_idx, std::move(filter));
        }
        std::map<std::size_t, std::int64_t> counts;
        std::set<std::size_t> uncounted;
        for (const auto& entry : filters) uncounted.insert(entry.first);
        while (!uncounted.empty()) {
            std::vector<detail::StepQuery> step;
            for (auto state_idx : uncounted) {
                step.push_back({m_states[state_idx].table->name,
                                detail::filter_count_query(*m_states[state_idx].table, filters.at(state_idx)),
                                [&counts, &filters, &uncounted, state_idx](const pqxx::result& result) {
                                    auto count = result.at(0).at(0).as<std::int64_t>();
                                    auto& filter = filters.at(state_idx);
                                    if (count < filter.sample_rows && filter.sample_percent < 100.0) {
                                        filter.sample_percent = std::min(100.0, filter.sample_percent * 4.0);
                                        return;
                                    }
                                    counts[state_idx] = count;
                                    uncounted.erase(state_idx);
                                }});
            }
            run_step(step);
        }
        account();
        for (std::size_t state_idx = 0; state_idx < m_states.size(); ++state_idx) {
            auto& state = m_states[state_idx];
            TableSelection table_selection;
            table_selection.table = state.table->name;
            table_selection.key_columns = state.table->row_key();
            table_selection.forced_rows = state.counts[static_cast<std::size_t>(Reason::forced)];
            table_selection.seed_rows = state.counts[static_cast<std::size_t>(Reason::seed)];
            table_selection.parent_rows = state.counts[static_cast<std::size_t>(Reason::parent)];
            table_selection.child_rows = state.counts[static_cast<std::size_t>(Reason::child)];
            table_selection.rows_read = state.rows_read;
            if (state.policy == TablePolicy::none) {
                table_selection.mode = SelectionMode::none;
            } else if (state.policy == TablePolicy::all) {
                table_selection.mode = SelectionMode::all;
            } else if (state.keyed) {
                table_selection.mode = SelectionMode::keys;
                table_selection.keys.reserve(state.rows.size());
                for (const auto& entry : state.rows) table_selection.keys.push_back(entry.first);
                std::sort(table_selection.keys.begin(), table_selection.keys.end());
            } else {
                table_selection.mode = SelectionMode::filtered;
                table_selection.filter = std::move(filters.at(state_idx));
                table_selection.filtered_rows = counts.at(state_idx);
                if (m_progress) {
                    m_progress("filtered: " + state.table->name.display() + " " +
                               std::to_string(table_selection.filtered_rows) + " rows (no row key: by references)");
                }
            }
            selection.tables.emplace(table_selection.table, std::move(table_selection));
        }
        selection.rows_read = m_rows_read_total;
        return selection;
    }

    RowFilter keyless_filter(const TableState& state) {
        RowFilter filter;
        filter.seed = m_settings.seed;
        auto override_found = m_settings.overrides.find(state.table->name);
        if (override_found != m_settings.overrides.end() && override_found->second.where) {
            filter.where = *override_found->second.where;
        }
        if (state.filter_references.empty()) {
            filter.sample_rows = std::max<std::int64_t>(state.target_rows, 0);
            return filter;
        }
        for (const ForeignKey* fk : state.filter_references) {
            ReferenceFilter reference;
            reference.columns = fk->child_columns;
            reference.types = detail::cast_types(*state.table, fk->child_columns);
            reference.condition = fk->condition;
            const auto& parent = m_states[m_index.at(fk->parent)];
            if (parent.policy == TablePolicy::all) {
                reference.any_value = true;
            } else if (parent.policy == TablePolicy::sample && parent.keyed) {
                if (fk->parent_columns == parent.table->row_key()) {
                    reference.values.reserve(parent.rows.size());
                    for (const auto& entry : parent.rows) reference.values.push_back(entry.first);
                } else {
                    for (const auto& set : parent.value_sets) {
                        if (set.columns == fk->parent_columns)
                            reference.values.assign(set.values.begin(), set.values.end());
                    }
                }
                std::sort(reference.values.begin(), reference.values.end());
            }
            // An excluded or keyless parent has no selected rows: the reference matches nothing.
            filter.references.push_back(std::move(reference));
        }
        return filter;
    }

    detail::SelectionQueries& m_queries;
    pqxx::transaction_base& m_tx;
    const Catalog& m_catalog;
    const SubsetPlan& m_plan;
    const SubsetSettings& m_settings;
    const SelectionProgress& m_progress;
    std::vector<TableState> m_states;
    std::map<QualifiedName, std::size_t> m_index;
    std::vector<std::size_t> m_order;
    std::string m_stage;
    Phase m_phase = Phase::seeds;
    BtreeIndexes m_indexes;
    std::map<QualifiedName, std::int64_t> m_rows_read_seen;
    std::int64_t m_rows_read_total = 0;
};

}  // namespace

Selection select_rows(pqxx::transaction_base& tx, const Catalog& catalog, const SubsetPlan& plan,
                      const SubsetSettings& settings, const SelectionProgress& progress,
                      const std::vector<pqxx::transaction_base*>& parallel) {
    detail::SelectionQueries queries(tx, parallel);
    return Selector(queries, tx, catalog, plan, settings, progress).run();
}

}  // namespace understudy::subsetter
