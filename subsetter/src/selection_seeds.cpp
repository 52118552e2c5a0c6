// Seeds of the key selection: forced rows, then each sampled table's seeds (WHERE, hash order, probes, block samples).
#include <algorithm>
#include <cmath>

#include "selection_sql.hpp"
#include "selector.hpp"
#include "understudy/error.hpp"

namespace understudy::subsetter::detail {
namespace {

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

}  // namespace

void Selector::select_forced() {
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
        auto condition =
            detail::match_clause(key_columns, detail::cast_types(*state.table, key_columns), {std::string_view(tuple)});
        std::size_t found_rows = 0;
        if (state.policy == TablePolicy::all) {
            found_rows =
                query(state, "SELECT 1 FROM " + detail::from_clause(*state.table) + " WHERE " + condition).size();
        } else {
            found_rows = fetch_where(found->second, condition, Reason::forced, true);
        }
        if (found_rows == 0) {
            throw Error(ExitCode::plan_refused, "forced row " + forced.spec + " does not exist in \"" + name + "\"");
        }
    }
}

void Selector::select_seeds() {
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
                   (search.domain = detail::probe_domain(
                        detail::cast_type(detail::require_column(*state.table, state.table->row_key().front()))))) {
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

double Selector::estimate_of(const TableState& state) {
    return static_cast<double>(std::max<std::int64_t>(state.estimated_rows, state.table->estimated_rows));
}

// The percentage of blocks that should hold about `rows` rows, with a margin; 100 when unknown.
double Selector::initial_percent(const TableState& state, std::int64_t rows) {
    auto estimate = estimate_of(state);
    if (estimate <= 0) return 100.0;
    return std::min(100.0, 100.0 * (k_block_sample_margin * static_cast<double>(rows) + 64.0) / estimate);
}

std::string Selector::seed_hash_expr(const TableState& state) const {
    return detail::key_hash_expr(*state.table, m_settings.seed);
}

// `ORDER BY s.h, s.c<key>... LIMIT n` over a subquery `s` with the hash as `h`.
std::string Selector::hash_order(const TableState& state, std::int64_t limit) const {
    std::string order = " ORDER BY s.h";
    for (auto key_field : state.key_fields) order += ", s.c" + std::to_string(key_field);
    return order + " LIMIT " + std::to_string(limit);
}

// Adds rows as seeds until the table has `target` of them; the rest are left out.
void Selector::add_seeds_up_to(std::size_t state_idx, const pg::Result& result, std::int64_t target) {
    auto& state = m_states[state_idx];
    std::int64_t added = 0;
    for (const auto& row : result) {
        if (state.counts[static_cast<std::size_t>(Reason::seed)] >= target) break;
        added += add_row(state_idx, row, Reason::seed, true) ? 1 : 0;
    }
    report(state, Reason::seed, added);
}

void Selector::seed_queries(SeedSearch& search, std::vector<detail::StepQuery>& step) {
    auto state_idx = search.state_idx;
    auto& state = m_states[state_idx];
    const auto& name = state.table->name;
    auto target = state.target_rows;
    using Stage = SeedSearch::Stage;
    switch (search.stage) {
        case Stage::where: {
            step.push_back(
                where_query(state_idx, "(" + *m_settings.overrides.at(name).where + ")", Reason::seed, true));
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
            auto passing =
                k_prefilter_margin * static_cast<double>(target) + 8.0 * std::sqrt(static_cast<double>(target)) + 32.0;
            if (search.stage == Stage::exact && estimate > 0 && passing / estimate < k_prefilter_max_share) {
                // Rows passing h < T are exactly the rows with the smallest hashes, so when at
                // least `target` pass, the first `target` of them by (h, key) are the unfiltered
                // answer; the filter only spares the sort most of the table.
                auto threshold = detail::hash_threshold(passing / estimate);
                step.push_back({name,
                                "SELECT " + select_list(state, "s.") + " FROM (" + inner + ") s WHERE s.h < '" +
                                    std::to_string(threshold) + "'::bigint" + hash_order(state, target),
                                [this, &search, state_idx, target](const pg::Result& result) {
                                    if (result.size() < static_cast<std::size_t>(target)) {
                                        search.stage = Stage::exact_unfiltered;
                                        return;
                                    }
                                    add_seeds_up_to(state_idx, result, target);
                                    search.stage = Stage::done;
                                }});
                return;
            }
            step.push_back(
                {name, "SELECT " + select_list(state, "s.") + " FROM (" + inner + ") s" + hash_order(state, target),
                 [this, &search, state_idx, target](const pg::Result& result) {
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
            step.push_back({name,
                            "SELECT " + select_list(state, "s.") + " FROM (" + inner + ") s" + hash_order(state, limit),
                            [this, &search, state_idx, target, limit, percent](const pg::Result& result) {
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
            step.push_back({name, detail::key_bounds_query(*state.table), [&search](const pg::Result& result) {
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
            auto probes =
                detail::key_probes(*search.domain, search.min, search.max, m_settings.seed, search.next_probe, count);
            search.next_probe += count;
            ++search.probe_round;
            auto sql = detail::key_probe_query(*state.table, probes);
            step.push_back({name, sql, [this, &search, state_idx, target, count](const pg::Result& result) {
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
                                if (met || saturated)
                                    search.stage = search.chosen.empty() ? Stage::top_up : Stage::probe_rows;
                            }});
            return;
        }
        case Stage::probe_rows: {
            const auto& key_columns = state.table->row_key();
            auto types = detail::cast_types(*state.table, key_columns);
            for (std::size_t begin = 0; begin < search.chosen.size(); begin += k_lookup_batch) {
                auto end = std::min(search.chosen.size(), begin + k_lookup_batch);
                step.push_back(where_query(
                    state_idx, detail::match_clause(key_columns, types, views_of(search.chosen, begin, end)),
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

}  // namespace understudy::subsetter::detail
