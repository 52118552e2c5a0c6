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

#include "selection_sql.hpp"
#include "understudy/error.hpp"
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
    Selector(pqxx::transaction_base& tx, const Catalog& catalog, const SubsetPlan& plan, const SubsetSettings& settings,
             const SelectionProgress& progress)
        : m_tx(tx), m_catalog(catalog), m_plan(plan), m_settings(settings), m_progress(progress) {}

    Selection run() {
        build_states();
        m_stage = "start";
        select_forced();
        select_seeds();
        close_full_tables();
        int rounds = 0;
        while (has_parent_work() || has_child_work()) {
            ++rounds;
            m_stage = "round " + std::to_string(rounds);
            // Parents to a fixed point, children before parents so that one pass reaches the roots.
            while (has_parent_work()) {
                for (auto order_idx = m_order.rbegin(); order_idx != m_order.rend(); ++order_idx) {
                    fetch_parents(*order_idx);
                }
            }
            // Children parents first, so grandchildren of this round come in the same pass.
            for (auto state_idx : m_order) fetch_children(state_idx);
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

        auto indexes = m_settings.children > 0 ? BtreeIndexes::load(m_tx) : BtreeIndexes{};
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
                in.indexed = indexes.serves_lookup(fk.child, fk.child_columns);
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

    pqxx::result query(const TableState& state, const std::string& sql) {
        return pg::with_context(pg::Side::source, "could not select rows of \"" + state.table->name.display() + "\"",
                                [&] { return m_tx.exec(sql); });
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

    // Runs `SELECT <projection> FROM t WHERE condition` and adds the rows; returns how many rows came back.
    std::size_t fetch_where(std::size_t state_idx, const std::string& condition, Reason reason, bool descend) {
        auto& state = m_states[state_idx];
        auto result = query(state, "SELECT " + select_list(state) + " FROM " + detail::from_clause(*state.table) +
                                       " WHERE " + condition);
        std::int64_t added = 0;
        for (const auto& row : result) added += add_row(state_idx, row, reason, descend) ? 1 : 0;
        report(state, reason, added);
        return result.size();
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

    void select_seeds() {
        for (auto state_idx : m_order) {
            auto& state = m_states[state_idx];
            if (!state.keyed || state.policy != TablePolicy::sample) continue;
            auto override_found = m_settings.overrides.find(state.table->name);
            if (override_found != m_settings.overrides.end() && override_found->second.where) {
                fetch_where(state_idx, "(" + *override_found->second.where + ")", Reason::seed, true);
                continue;
            }
            if (state.target_rows <= 0) continue;
            select_sample(state_idx);
        }
    }

    // The target_rows rows with the smallest keyed hash: independent of physical row order.
    void select_sample(std::size_t state_idx) {
        auto& state = m_states[state_idx];
        auto target = state.target_rows;
        std::string inner = "SELECT " + aliased_list(state) + ", " +
                            detail::key_hash_expr(*state.table, m_settings.seed) + " AS h FROM " +
                            detail::from_clause(*state.table);
        std::string order = " ORDER BY s.h";
        for (auto key_field : state.key_fields) order += ", s.c" + std::to_string(key_field);
        order += " LIMIT " + std::to_string(target);
        auto unfiltered = "SELECT " + select_list(state, "s.") + " FROM (" + inner + ") s" + order;

        pqxx::result result;
        auto estimate = static_cast<double>(std::max<std::int64_t>(state.estimated_rows, state.table->estimated_rows));
        auto passing = k_prefilter_margin * static_cast<double>(target) +
                       8.0 * std::sqrt(static_cast<double>(target)) + 32.0;
        if (estimate > 0 && passing / estimate < k_prefilter_max_share) {
            // Rows passing h < T are exactly the rows with the smallest hashes, so when at least
            // `target` pass, the first `target` of them by (h, key) are the unfiltered answer; the
            // filter only spares the sort most of the table.
            auto threshold = detail::hash_threshold(passing / estimate);
            result = query(state, "SELECT " + select_list(state, "s.") + " FROM (" + inner + ") s WHERE s.h < '" +
                                      std::to_string(threshold) + "'::bigint" + order);
            if (result.size() < static_cast<std::size_t>(target)) result = query(state, unfiltered);
        } else {
            result = query(state, unfiltered);
        }
        std::int64_t added = 0;
        for (const auto& row : result) added += add_row(state_idx, row, Reason::seed, true) ? 1 : 0;
        report(state, Reason::seed, added);
    }

    // Tables copied whole still need their parents: every distinct reference value they hold.
    void close_full_tables() {
        for (auto state_idx : m_order) {
            auto& state = m_states[state_idx];
            if (state.policy != TablePolicy::all) continue;
            for (const auto& out : state.out) {
                // A parent copied whole needs nothing: skip the scan (a full copy would scan every table).
                if (m_states[out.parent].policy == TablePolicy::all) continue;
                std::string condition;
                for (const auto& column : out.fk->child_columns) {
                    if (!condition.empty()) condition += " AND ";
                    condition += column_expr(column) + " IS NOT NULL";
                }
                if (out.fk->condition) {
                    condition += " AND " + column_expr(out.fk->condition->type_column) + " = " +
                                 pg::quote_literal(out.fk->condition->type_value);
                }
                std::string list;
                for (const auto& expr : out.exprs) list += (list.empty() ? "" : ", ") + expr;
                auto result = query(state, "SELECT DISTINCT " + list + " FROM " + detail::from_clause(*state.table) +
                                               " WHERE " + condition);
                std::vector<std::size_t> fields;
                for (std::size_t field_idx = 0; field_idx < out.exprs.size(); ++field_idx) fields.push_back(field_idx);
                std::string value;
                for (const auto& row : result) {
                    if (encode(row, fields, value)) need_parent(state_idx, out, value);
                }
            }
        }
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
    void fetch_ancestors(std::size_t state_idx, const std::string& condition, const std::string& self_join) {
        auto& state = m_states[state_idx];
        auto from = detail::from_clause(*state.table);
        auto sql = "WITH RECURSIVE r AS (SELECT " + aliased_list(state) + " FROM " + from + " WHERE " + condition +
                   " UNION SELECT " + aliased_list(state) + " FROM " + from + " JOIN r ON " + self_join +
                   ") SELECT " + select_list(state, "r.") + " FROM r";
        std::int64_t added = 0;
        for (const auto& row : query(state, sql)) added += add_row(state_idx, row, Reason::parent, false) ? 1 : 0;
        report(state, Reason::parent, added);
    }

    void fetch_parents(std::size_t state_idx) {
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
                    fetch_where(state_idx, condition, Reason::parent, false);
                } else {
                    fetch_ancestors(state_idx, condition, self_join);
                }
            }
            // Virtual references may point at rows that do not exist: remember them, so that
            // each is asked for once.
            for (auto& key : keys) {
                if (state.rows.count(key) == 0) state.missing_keys.insert(std::move(key));
            }
        }
        for (std::size_t set_idx = 0; set_idx < state.value_sets.size(); ++set_idx) {
            if (state.value_sets[set_idx].pending.empty()) continue;
            std::vector<std::string> values(state.value_sets[set_idx].pending.begin(),
                                            state.value_sets[set_idx].pending.end());
            state.value_sets[set_idx].pending.clear();
            auto columns = state.value_sets[set_idx].columns;
            auto types = detail::cast_types(*state.table, columns);
            for (std::size_t begin = 0; begin < values.size(); begin += k_lookup_batch) {
                auto end = std::min(values.size(), begin + k_lookup_batch);
                fetch_where(state_idx, detail::match_clause(columns, types, views_of(values, begin, end)),
                            Reason::parent, false);
            }
            auto& set = state.value_sets[set_idx];
            for (auto& value : values) {
                if (set.values.count(value) == 0) set.missing.insert(std::move(value));
            }
        }
    }

    void fetch_children(std::size_t state_idx) {
        for (std::size_t in_idx = 0; in_idx < m_states[state_idx].in.size(); ++in_idx) {
            auto& in = m_states[state_idx].in[in_idx];
            if (in.pending.empty()) continue;
            std::vector<std::string> values(in.pending.begin(), in.pending.end());
            in.pending.clear();
            for (const auto& value : values) in.expanded.insert(value);
            const ForeignKey& fk = *in.fk;
            auto child_idx = in.child;
            auto& child = m_states[child_idx];
            auto types = detail::cast_types(*child.table, fk.child_columns);
            std::string order = detail::key_hash_expr(*child.table, m_settings.seed);
            for (const auto& column : child.table->row_key()) order += ", " + column_expr(column);
            std::string partition;
            for (const auto& column : fk.child_columns)
                partition += (partition.empty() ? "" : ", ") + column_expr(column);

            std::int64_t added = 0;
            for (std::size_t begin = 0; begin < values.size(); begin += k_lookup_batch) {
                auto end = std::min(values.size(), begin + k_lookup_batch);
                auto batch = views_of(values, begin, end);
                std::string type_condition;
                if (fk.condition) {
                    type_condition = " AND " + column_expr(fk.condition->type_column) + " = " +
                                     pg::quote_literal(fk.condition->type_value);
                }
                // The same N children of a parent every time: the first N by the seeded hash
                // of their key, whatever the physical order or which rows are already selected.
                // Top-N children of the parent value in `source` (v.v0.. or r.c..), through an index.
                auto top_children = [&](const std::string& source, const std::vector<std::string>& value_columns) {
                    std::string lookup;
                    for (std::size_t column_idx = 0; column_idx < fk.child_columns.size(); ++column_idx) {
                        lookup += (column_idx == 0 ? "" : " AND ") + column_expr(fk.child_columns[column_idx]) +
                                  " = " + source + "." + value_columns[column_idx];
                    }
                    return "(SELECT " + aliased_list(child) + " FROM " + detail::from_clause(*child.table) +
                           " WHERE " + lookup + type_condition + " ORDER BY " + order + " LIMIT " +
                           std::to_string(m_settings.children) + ") s";
                };
                std::vector<std::string> batch_columns;
                for (std::size_t column_idx = 0; column_idx < types.size(); ++column_idx) {
                    batch_columns.push_back("v" + std::to_string(column_idx));
                }
                std::string sql;
                if (in.indexed && child_idx == state_idx) {
                    // A self-reference (replies, reports of a manager): every child descends in
                    // turn, so walk all generations in one recursive query instead of a round
                    // per generation. UNION ends the walk on cycles in the data.
                    std::vector<std::string> parent_columns;
                    for (auto field : in.fields) parent_columns.push_back("c" + std::to_string(field));
                    sql = "WITH RECURSIVE r AS (SELECT s.* FROM " + detail::tuples_relation(types, batch) +
                          " CROSS JOIN LATERAL " + top_children("v", batch_columns) +
                          " UNION SELECT s.* FROM r CROSS JOIN LATERAL " + top_children("r", parent_columns) +
                          ") SELECT " + select_list(child, "r.") + " FROM r";
                } else if (in.indexed) {
                    // An index on the reference columns: one small top-N per parent value beats
                    // sorting all children of the batch for a window (measured 270 vs 440 ms for
                    // 31,000 parents with 630,000 children).
                    sql = "SELECT " + select_list(child, "s.") + " FROM " + detail::tuples_relation(types, batch) +
                          " CROSS JOIN LATERAL " + top_children("v", batch_columns);
                } else {
                    // Without one, a lookup per value would scan the table each time: one scan
                    // (the planner hashes the array) and a window over the matches instead.
                    sql = "SELECT " + select_list(child, "s.") + " FROM (SELECT " + aliased_list(child) +
                          ", row_number() OVER (PARTITION BY " + partition + " ORDER BY " + order +
                          ") AS rn FROM " + detail::from_clause(*child.table) + " WHERE " +
                          detail::match_clause(fk.child_columns, types, batch) + type_condition +
                          ") s WHERE s.rn <= " + std::to_string(m_settings.children);
                }
                auto result = query(child, sql);
                if (in.indexed && child_idx == state_idx) {
                    // The walk fetched the children of every row it returned: none is expanded again.
                    std::string value;
                    for (const auto& row : result) {
                        if (encode(row, in.fields, value)) in.expanded.insert(value);
                    }
                }
                for (const auto& row : result) added += add_row(child_idx, row, Reason::child, true) ? 1 : 0;
            }
            report(m_states[child_idx], Reason::child, added);
        }
    }

    // --- result -------------------------------------------------------------------------------

    Selection finish(int rounds) {
        Selection selection;
        selection.rounds = rounds;
        for (auto& state : m_states) {
            TableSelection table_selection;
            table_selection.table = state.table->name;
            table_selection.key_columns = state.table->row_key();
            table_selection.forced_rows = state.counts[static_cast<std::size_t>(Reason::forced)];
            table_selection.seed_rows = state.counts[static_cast<std::size_t>(Reason::seed)];
            table_selection.parent_rows = state.counts[static_cast<std::size_t>(Reason::parent)];
            table_selection.child_rows = state.counts[static_cast<std::size_t>(Reason::child)];
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
                table_selection.filter = keyless_filter(state);
                auto result = query(state, detail::filter_count_query(*state.table, table_selection.filter));
                table_selection.filtered_rows = result.at(0).at(0).as<std::int64_t>();
                if (m_progress) {
                    m_progress("filtered: " + state.table->name.display() + " " +
                               std::to_string(table_selection.filtered_rows) + " rows (no row key: by references)");
                }
            }
            selection.tables.emplace(table_selection.table, std::move(table_selection));
        }
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

    pqxx::transaction_base& m_tx;
    const Catalog& m_catalog;
    const SubsetPlan& m_plan;
    const SubsetSettings& m_settings;
    const SelectionProgress& m_progress;
    std::vector<TableState> m_states;
    std::map<QualifiedName, std::size_t> m_index;
    std::vector<std::size_t> m_order;
    std::string m_stage;
};

// Keys are hashed and compared as their text form, so the settings that change how values print
// (a timestamptz key under another TimeZone, a date under DateStyle SQL, DMY) would change which
// rows a seed picks, and could make a key unreadable for a session with other settings. They are
// pinned for the selection and restored afterwards, leaving the caller's transaction as it was.
class PinnedFormats {
public:
    explicit PinnedFormats(pqxx::transaction_base& tx) : m_tx(tx) {
        std::string read;
        std::string pin;
        for (const auto& [name, value] : k_formats) {
            read += std::string(read.empty() ? "SELECT " : ", ") + "current_setting(" + pg::quote_literal(name) + ")";
            pin += std::string(pin.empty() ? "SELECT " : ", ") + "set_config(" + pg::quote_literal(name) + ", " +
                   pg::quote_literal(value) + ", true)";
        }
        pg::with_context(pg::Side::source, "could not set the output formats", [&] {
            auto row = m_tx.exec1(read);
            for (std::size_t setting_idx = 0; setting_idx < k_formats.size(); ++setting_idx) {
                m_saved.emplace_back(row[static_cast<pqxx::row::size_type>(setting_idx)].c_str());
            }
            m_tx.exec1(pin);
        });
    }
    ~PinnedFormats() {
        try {
            std::string restore;
            for (std::size_t setting_idx = 0; setting_idx < k_formats.size(); ++setting_idx) {
                restore += std::string(restore.empty() ? "SELECT " : ", ") + "set_config(" +
                           pg::quote_literal(k_formats[setting_idx].first) + ", " +
                           pg::quote_literal(m_saved[setting_idx]) + ", true)";
            }
            m_tx.exec1(restore);
        } catch (...) {
            // The transaction failed already: it is rolled back, and its settings with it.
        }
    }
    PinnedFormats(const PinnedFormats&) = delete;
    PinnedFormats& operator=(const PinnedFormats&) = delete;

private:
    static constexpr std::array<std::pair<const char*, const char*>, 5> k_formats = {{
        {"TimeZone", "UTC"},
        {"DateStyle", "ISO, YMD"},
        {"IntervalStyle", "postgres"},
        {"extra_float_digits", "1"},
        {"bytea_output", "hex"},
    }};
    pqxx::transaction_base& m_tx;
    std::vector<std::string> m_saved;
};

}  // namespace

Selection select_rows(pqxx::transaction_base& tx, const Catalog& catalog, const SubsetPlan& plan,
                      const SubsetSettings& settings, const SelectionProgress& progress) {
    PinnedFormats formats(tx);
    return Selector(tx, catalog, plan, settings, progress).run();
}

}  // namespace understudy::subsetter
