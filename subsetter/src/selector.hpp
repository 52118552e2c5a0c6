// The key selection's per-table state and the Selector that runs it; its steps live in selection*.cpp by concept.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "understudy/pg/result.hpp"
#include "understudy/pg/transaction.hpp"

#include "key_probes.hpp"
#include "selection_queries.hpp"
#include "understudy/subsetter/btree_indexes.hpp"
#include "understudy/subsetter/selection.hpp"

namespace understudy::subsetter::detail {

// Keys per lookup query: large enough that a child table without an index on its reference
// columns is scanned only a few times (the planner hashes big constant arrays), small enough
// that one statement stays a few megabytes.
inline constexpr std::size_t k_lookup_batch = 50000;

// What the selection is doing, for the rows-read accounting.
enum class Phase : std::size_t { seeds, parents, children, full_tables, filter };
inline constexpr std::array<const char*, 5> k_phase_names = {"seeds", "parents", "children", "full_tables", "filter"};

// Why a row was selected; a row counts for the first reason it was added.
enum class Reason : std::size_t { forced, seed, parent, child };
inline constexpr std::array<const char*, 4> k_reason_names = {"forced", "seeds", "parents", "children"};

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
    bool indexed = false;  // an index on the child columns serves a lookup per value
};

// Values of a column set other tables reference (other than the row key) over the selected rows.
struct ValueSet {
    std::vector<std::string> columns;
    std::vector<std::size_t> fields;
    std::unordered_set<std::string> values;
    std::set<std::string> pending;  // values to look up
    std::unordered_set<std::string> missing;
    const ForeignKey* asked_by = nullptr;  // the first reference that asked for the pending values
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
    std::map<RowKey, const ForeignKey*> pending_keys;  // parent keys to fetch -> the first reference asking
    std::map<RowKey, const ForeignKey*> keys_asked_by; // the keys being fetched, by who asked (for `closure`)
    std::unordered_set<RowKey> missing_keys;
    std::array<std::int64_t, 4> counts{};
    // Parent and child rows by the reference that added them (true: as parents).
    std::map<std::pair<const ForeignKey*, bool>, std::int64_t> added_through;
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

/// `t."column"`: a column of the table a selection query reads.
std::string column_expr(const std::string& column);

// The text values at `fields` of `row` joined by '\0'; false when one is NULL (MATCH SIMPLE: a
// reference with a NULL column references nothing).
bool encode(const pg::Row& row, const std::vector<std::size_t>& fields, std::string& out);

/// `values[begin, end)` as views, one lookup batch.
std::vector<std::string_view> views_of(const std::vector<std::string>& values, std::size_t begin, std::size_t end);

// One run of the key selection over one snapshot: forced rows and seeds, then parents to a fixed point and a
// generation of children per round, then the result. Member functions are defined by concept (sections below).
class Selector {
public:
    Selector(detail::SelectionQueries& queries, pg::Transaction& tx, const Catalog& catalog,
             const SubsetPlan& plan, const SubsetSettings& settings, const SelectionProgress& progress)
        : m_queries(queries), m_tx(tx), m_catalog(catalog), m_plan(plan), m_settings(settings), m_progress(progress) {}

    Selection run();

private:
    // --- rows and accounting (selection.cpp) ---

    void build_states();
    std::size_t value_set_of(TableState& state, const std::vector<std::string>& columns);
    bool add_row(std::size_t state_idx, const pg::Row& row, Reason reason, bool descend,
                 const ForeignKey* through = nullptr);
    [[noreturn]] void refuse_parent(std::size_t child_idx, const OutReference& out) const;
    void need_parent(std::size_t child_idx, const OutReference& out, const std::string& value);
    pg::Result query(const TableState& state, const std::string& sql);
    void run_step(std::vector<detail::StepQuery>& step);
    void enter(Phase phase);
    void account();
    std::string select_list(const TableState& state, const std::string& prefix = {}) const;
    std::string aliased_list(const TableState& state) const;
    std::string select_where(const TableState& state, const std::string& condition) const;
    void add_rows(std::size_t state_idx, const pg::Result& result, Reason reason, bool descend,
                  const ForeignKey* through = nullptr);
    std::size_t fetch_where(std::size_t state_idx, const std::string& condition, Reason reason, bool descend);
    detail::StepQuery where_query(std::size_t state_idx, const std::string& condition, Reason reason, bool descend,
                                  const ForeignKey* through = nullptr);
    void report(const TableState& state, Reason reason, std::int64_t added);

    // --- forced rows and seeds (selection_seeds.cpp) ---

    // How one table's seeds are being found; each step asks every unfinished table for its next query.
    struct SeedSearch {
        enum class Stage {
            where,
            exact,
            exact_unfiltered,
            block_sample,
            probe_bounds,
            probe,
            probe_rows,
            top_up,
            done
        };
        std::size_t state_idx = 0;
        Stage stage = Stage::done;
        double percent = 100.0;                     // block sample
        std::optional<detail::ProbeDomain> domain;  // probe
        std::string min, max;
        std::size_t next_probe = 0;
        int probe_round = 0;
        std::vector<RowKey> chosen;  // probed keys, in probe order
        std::unordered_set<RowKey> chosen_set;
    };

    void select_forced();
    void select_seeds();
    static double estimate_of(const TableState& state);
    static double initial_percent(const TableState& state, std::int64_t rows);
    std::string seed_hash_expr(const TableState& state) const;
    std::string hash_order(const TableState& state, std::int64_t limit) const;
    void add_seeds_up_to(std::size_t state_idx, const pg::Result& result, std::int64_t target);
    void seed_queries(SeedSearch& search, std::vector<detail::StepQuery>& step);

    // --- parents, ancestors and whole tables' parents (selection_closure.cpp) ---

    void close_full_tables();
    std::string held_clause(const OutReference& out) const;
    bool has_parent_work() const;
    bool has_child_work() const;
    std::string self_reference_join(std::size_t state_idx) const;
    std::string ancestors_query(std::size_t state_idx, const std::string& condition,
                                const std::string& self_join) const;
    void fetch_parents();

    // --- children (selection_children.cpp) ---

    void fetch_children();
    detail::StepQuery children_query(std::size_t state_idx, std::size_t in_idx,
                                     const std::vector<std::string_view>& batch);

    // --- result and keyless filters (selection_result.cpp) ---

    Selection finish(int rounds);
    RowFilter keyless_filter(const TableState& state);

    detail::SelectionQueries& m_queries;
    pg::Transaction& m_tx;
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

}  // namespace understudy::subsetter::detail
