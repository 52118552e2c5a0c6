// Parent closure of the key selection: parents by key or value, ancestors in one query, parents of whole tables.
#include <algorithm>
#include <utility>

#include "selection_sql.hpp"
#include "selector.hpp"
#include "understudy/join.hpp"
#include "understudy/pg/sql_text.hpp"

namespace understudy::subsetter::detail {

// Tables copied whole still need their parents: every distinct reference value they hold. A
// reference whose columns lead an index gets its own DISTINCT (an index-only scan where the
// visibility map allows); the others of the table share one scan.
void Selector::close_full_tables() {
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
                            "SELECT DISTINCT " + join(out.exprs, ", ") + " FROM " + detail::from_clause(*state.table) +
                                " WHERE " + held_clause(out),
                            [this, state_idx, out_idx](const pg::Result& result) {
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
                        [this, state_idx](const pg::Result& result) {
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
std::string Selector::held_clause(const OutReference& out) const {
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

bool Selector::has_parent_work() const {
    return std::any_of(m_states.begin(), m_states.end(),
                       [](const TableState& state) { return state.has_parent_work(); });
}

bool Selector::has_child_work() const {
    return std::any_of(m_states.begin(), m_states.end(),
                       [](const TableState& state) { return state.has_child_work(); });
}

// `(t."id" = r.c2) OR ...`: a row of the recursive CTE `r` references row `t` through a
// self-reference to the row key; empty when the table has none.
std::string Selector::self_reference_join(std::size_t state_idx) const {
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
            condition +=
                " AND r.c" + std::to_string(*out.type_field) + " = " + pg::quote_literal(out.fk->condition->type_value);
        }
        join += (join.empty() ? "(" : " OR (") + condition + ")";
    }
    return join;
}

// Parent rows of a self-referencing table with all their ancestors in one recursive query:
// a chain (replies, a manager hierarchy, a linked list) would otherwise cost a round trip per
// level. UNION, not UNION ALL, so that a cycle in the data ends the recursion.
std::string Selector::ancestors_query(std::size_t state_idx, const std::string& condition,
                                      const std::string& self_join) const {
    const auto& state = m_states[state_idx];
    auto from = detail::from_clause(*state.table);
    return "WITH RECURSIVE r AS (SELECT " + aliased_list(state) + " FROM " + from + " WHERE " + condition +
           " UNION SELECT " + aliased_list(state) + " FROM " + from + " JOIN r ON " + self_join + ") SELECT " +
           select_list(state, "r.") + " FROM r";
}

// Every table's pending parent keys and values, looked up by key in one step.
void Selector::fetch_parents() {
    std::vector<detail::StepQuery> step;
    // What was asked for and did not come back (virtual references may point at rows that do
    // not exist) is remembered once the step is done, so that each is asked for once.
    std::vector<std::pair<std::size_t, std::vector<std::string>>> asked_keys;
    std::vector<std::pair<std::pair<std::size_t, std::size_t>, std::vector<std::string>>> asked_values;
    for (auto state_idx : m_order) {
        auto& state = m_states[state_idx];
        if (!state.pending_keys.empty()) {
            std::vector<std::string> keys;
            keys.reserve(state.pending_keys.size());
            for (const auto& pending : state.pending_keys) keys.push_back(pending.first);
            // Who asked for each key, until the step hands its rows over (plan's "why").
            state.keys_asked_by = std::move(state.pending_keys);
            state.pending_keys.clear();
            const auto& key_columns = state.table->row_key();
            auto types = detail::cast_types(*state.table, key_columns);
            auto self_join = self_reference_join(state_idx);
            // Ancestors nobody asked for directly come through the table's own reference.
            const ForeignKey* self_reference = nullptr;
            for (const auto& out : state.out) {
                if (out.parent == state_idx && out.to_key && !self_reference) self_reference = out.fk;
            }
            for (std::size_t begin = 0; begin < keys.size(); begin += k_lookup_batch) {
                auto end = std::min(keys.size(), begin + k_lookup_batch);
                auto condition = detail::match_clause(key_columns, types, views_of(keys, begin, end));
                if (self_join.empty()) {
                    step.push_back(where_query(state_idx, condition, Reason::parent, false));
                } else {
                    step.push_back({state.table->name, ancestors_query(state_idx, condition, self_join),
                                    [this, state_idx, self_reference](const pg::Result& result) {
                                        add_rows(state_idx, result, Reason::parent, false, self_reference);
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
            const ForeignKey* asked_by = std::exchange(set.asked_by, nullptr);
            auto types = detail::cast_types(*state.table, set.columns);
            for (std::size_t begin = 0; begin < values.size(); begin += k_lookup_batch) {
                auto end = std::min(values.size(), begin + k_lookup_batch);
                step.push_back(where_query(state_idx,
                                           detail::match_clause(set.columns, types, views_of(values, begin, end)),
                                           Reason::parent, false, asked_by));
            }
            asked_values.push_back({{state_idx, set_idx}, std::move(values)});
        }
    }
    run_step(step);
    for (auto& [state_idx, keys] : asked_keys) {
        auto& state = m_states[state_idx];
        state.keys_asked_by.clear();
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

}  // namespace understudy::subsetter::detail
