// The key selection's run: per-table state, the order of its steps, rows added and the rows-read accounting.
#include "understudy/subsetter/selection.hpp"

#include "selection_sql.hpp"
#include "selector.hpp"
#include "understudy/error.hpp"
#include "understudy/pg/sql_text.hpp"

namespace understudy::subsetter::detail {

std::string column_expr(const std::string& column) {
    return std::string(detail::k_alias) + "." + pg::quote_ident(column);
}

bool encode(const pg::Row& row, const std::vector<std::size_t>& fields, std::string& out) {
    out.clear();
    for (std::size_t field_idx = 0; field_idx < fields.size(); ++field_idx) {
        auto value = row[static_cast<std::size_t>(fields[field_idx])];
        if (value.is_null()) return false;
        if (field_idx > 0) out += '\0';
        out.append(value.c_str(), value.size());
    }
    return true;
}

std::vector<std::string_view> views_of(const std::vector<std::string>& values, std::size_t begin, std::size_t end) {
    return {values.begin() + static_cast<std::ptrdiff_t>(begin), values.begin() + static_cast<std::ptrdiff_t>(end)};
}

Selection Selector::run() {
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

void Selector::build_states() {
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

std::size_t Selector::value_set_of(TableState& state, const std::vector<std::string>& columns) {
    for (std::size_t set_idx = 0; set_idx < state.value_sets.size(); ++set_idx) {
        if (state.value_sets[set_idx].columns == columns) return set_idx;
    }
    ValueSet set;
    set.columns = columns;
    for (const auto& column : columns) set.fields.push_back(state.field(column_expr(column)));
    state.value_sets.push_back(std::move(set));
    return state.value_sets.size() - 1;
}

// Records a fetched row; returns whether it is new. Queues its parents when new, and its
// children when it descends for the first time. A new parent or child row is booked to the
// reference that asked for its key, else to `through` (the reference the query followed).
bool Selector::add_row(std::size_t state_idx, const pg::Row& row, Reason reason, bool descend,
                       const ForeignKey* through) {
    auto& state = m_states[state_idx];
    std::string key;
    encode(row, state.key_fields, key);
    auto [entry, inserted] = state.rows.try_emplace(std::move(key), false);
    bool already_descended = entry->second;
    if (descend) entry->second = true;
    std::string value;
    if (inserted) {
        ++state.counts[static_cast<std::size_t>(reason)];
        if (reason == Reason::parent) {
            auto asked = state.keys_asked_by.find(entry->first);
            if (asked != state.keys_asked_by.end()) through = asked->second;
        }
        if (through && (reason == Reason::parent || reason == Reason::child))
            ++state.added_through[{through, reason == Reason::parent}];
        for (auto& set : state.value_sets) {
            if (encode(row, set.fields, value)) set.values.insert(value);
        }
        for (const auto& out : state.out) {
            if (!encode(row, out.fields, value)) continue;
            if (out.type_field) {
                auto type = row[static_cast<std::size_t>(*out.type_field)];
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

[[noreturn]] void Selector::refuse_parent(std::size_t child_idx, const OutReference& out) const {
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
void Selector::need_parent(std::size_t child_idx, const OutReference& out, const std::string& value) {
    auto& parent = m_states[out.parent];
    if (parent.policy == TablePolicy::all) return;  // every row of it is copied
    if (parent.policy == TablePolicy::none || !parent.keyed) refuse_parent(child_idx, out);
    if (out.to_key) {
        if (parent.rows.count(value) == 0 && parent.missing_keys.count(value) == 0)
            parent.pending_keys.emplace(value, out.fk);
        return;
    }
    auto& set = parent.value_sets[out.value_set];
    if (set.values.count(value) == 0 && set.missing.count(value) == 0 && set.pending.insert(value).second &&
        !set.asked_by)
        set.asked_by = out.fk;
}

pg::Result Selector::query(const TableState& state, const std::string& sql) {
    return m_queries.run(state.table->name, sql);
}

// Runs a step's independent queries side by side and hands over their rows in order.
void Selector::run_step(std::vector<detail::StepQuery>& step) {
    if (step.empty()) return;
    m_queries.run_step(step);
}

// Reads are booked when the phase changes (reading the statistics of every session costs a
// few milliseconds, too much for every step of a small subset).
void Selector::enter(Phase phase) {
    if (phase == m_phase) return;
    account();
    m_phase = phase;
}

// Books the rows read since the last call to the current phase of each table.
void Selector::account() {
    auto totals = m_queries.rows_read();
    for (const auto& [name, total] : totals) {
        auto delta = total - m_rows_read_seen[name];
        if (delta <= 0) continue;
        m_rows_read_seen[name] = total;
        m_rows_read_total += delta;
        auto found = m_index.find(name);
        if (found != m_index.end())
            m_states[found->second].rows_read[k_phase_names[static_cast<std::size_t>(m_phase)]] += delta;
    }
}

std::string Selector::select_list(const TableState& state, const std::string& prefix) const {
    std::string out;
    for (std::size_t field_idx = 0; field_idx < state.exprs.size(); ++field_idx) {
        if (field_idx > 0) out += ", ";
        out += prefix.empty() ? state.exprs[field_idx] : prefix + "c" + std::to_string(field_idx);
    }
    return out;
}

std::string Selector::aliased_list(const TableState& state) const {
    std::string out;
    for (std::size_t field_idx = 0; field_idx < state.exprs.size(); ++field_idx) {
        if (field_idx > 0) out += ", ";
        out += state.exprs[field_idx] + " AS c" + std::to_string(field_idx);
    }
    return out;
}

std::string Selector::select_where(const TableState& state, const std::string& condition) const {
    return "SELECT " + select_list(state) + " FROM " + detail::from_clause(*state.table) + " WHERE " + condition;
}

void Selector::add_rows(std::size_t state_idx, const pg::Result& result, Reason reason, bool descend,
                        const ForeignKey* through) {
    std::int64_t added = 0;
    for (const auto& row : result) added += add_row(state_idx, row, reason, descend, through) ? 1 : 0;
    report(m_states[state_idx], reason, added);
}

// Runs `SELECT <projection> FROM t WHERE condition` and adds the rows; returns how many rows came back.
std::size_t Selector::fetch_where(std::size_t state_idx, const std::string& condition, Reason reason, bool descend) {
    auto result = query(m_states[state_idx], select_where(m_states[state_idx], condition));
    add_rows(state_idx, result, reason, descend);
    return result.size();
}

// The same as a step's query: the rows are added when the step hands them over.
detail::StepQuery Selector::where_query(std::size_t state_idx, const std::string& condition, Reason reason,
                                        bool descend, const ForeignKey* through) {
    return {m_states[state_idx].table->name, select_where(m_states[state_idx], condition),
            [this, state_idx, reason, descend, through](const pg::Result& result) {
                add_rows(state_idx, result, reason, descend, through);
            }};
}

void Selector::report(const TableState& state, Reason reason, std::int64_t added) {
    if (!m_progress || added == 0) return;
    m_progress(m_stage + ": " + state.table->name.display() + " +" + std::to_string(added) + " rows (" +
               k_reason_names[static_cast<std::size_t>(reason)] + ")");
}

}  // namespace understudy::subsetter::detail

namespace understudy::subsetter {

Selection select_rows(pg::Transaction& tx, const Catalog& catalog, const SubsetPlan& plan,
                      const SubsetSettings& settings, const SelectionProgress& progress,
                      const std::vector<pg::Transaction*>& parallel) {
    detail::SelectionQueries queries(tx, parallel);
    return detail::Selector(queries, tx, catalog, plan, settings, progress).run();
}

}  // namespace understudy::subsetter
