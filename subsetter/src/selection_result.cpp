// Result of the key selection: the selected keys per table, and counted filters for tables without a row key.
#include <algorithm>

#include "selection_sql.hpp"
#include "selector.hpp"
#include "understudy/subsetter/access_paths.hpp"

namespace understudy::subsetter::detail {

Selection Selector::finish(int rounds) {
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
                            [&counts, &filters, &uncounted, state_idx](const pg::Result& result) {
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
        for (const auto& [through, rows] : state.added_through)
            table_selection.closure.push_back({reference_text(*through.first), through.second, rows});
        // Most rows first; the reference's text breaks ties, so the order never depends on addresses.
        std::sort(table_selection.closure.begin(), table_selection.closure.end(),
                  [](const ClosureRows& left, const ClosureRows& right) {
                      if (left.rows != right.rows) return left.rows > right.rows;
                      if (left.parents != right.parents) return left.parents;
                      return left.reference < right.reference;
                  });
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

RowFilter Selector::keyless_filter(const TableState& state) {
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

}  // namespace understudy::subsetter::detail
