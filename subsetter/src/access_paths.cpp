// Which queries the selection makes per table, how each reaches its rows, and what it should read:
// the rules the selection follows, confirmed by the planner's EXPLAIN on the source.
#include "understudy/subsetter/access_paths.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <map>

#include <nlohmann/json.hpp>
#include "understudy/pg/result.hpp"

#include "key_probes.hpp"
#include "selection_sql.hpp"
#include "understudy/join.hpp"
#include "understudy/pg/database_error.hpp"
#include "understudy/pg/sql_text.hpp"

namespace understudy::subsetter {
namespace {

// Sampling by probes, a child lookup reads at most this many rows per parent value and ranks
// them (the selection's cap); exact sampling ranks every child of the value.
std::int64_t child_rows_cap(const SubsetSettings& settings) {
    if (settings.sampling == SamplingMode::exact) return std::numeric_limits<std::int64_t>::max();
    return std::max<std::int64_t>(8 * static_cast<std::int64_t>(settings.children), 32);
}

std::string column_expr(const std::string& column) { return std::string(detail::k_alias) + "." + pg::quote_ident(column); }

// `SELECT 1 FROM t WHERE t."a" = (SELECT NULL::bigint) AND ...`: the uncorrelated subquery is an
// InitPlan whose value the planner cannot see, so it plans (and estimates) the generic equality
// that every looked-up value gets, as it would for a prepared statement's generic plan.
std::string lookup_query(const Table& table, const std::vector<std::string>& columns,
                         const std::optional<PolymorphicCondition>& condition) {
    std::string where;
    for (const auto& column : columns) {
        if (!where.empty()) where += " AND ";
        where += column_expr(column) + " = (SELECT NULL::" + detail::cast_type(detail::require_column(table, column)) + ")";
    }
    if (condition) where += " AND " + column_expr(condition->type_column) + " = " + pg::quote_literal(condition->type_value);
    return "SELECT 1 FROM " + detail::from_clause(table) + " WHERE " + where;
}

std::string scan_query(const Table& table, const std::string& where = {}) {
    return "SELECT 1 FROM " + detail::from_clause(table) + (where.empty() ? "" : " WHERE (" + where + ")");
}

// The rows a block sample for `target` rows aims at: twice the target and a few more, as the
// selection's first sample does (it grows the sample only when that falls short).
std::int64_t block_sample_rows(std::int64_t target) { return 2 * target + 64; }

// The TABLESAMPLE percentage of `estimate` rows that holds block_sample_rows(target).
std::string sample_percent(std::int64_t target, std::int64_t estimate) {
    double percent = estimate > 0 ? 100.0 * static_cast<double>(block_sample_rows(target)) / static_cast<double>(estimate)
                                  : 100.0;
    char text[32];
    std::snprintf(text, sizeof text, "%.6g", std::clamp(percent, 0.000001, 100.0));
    return text;
}

std::string block_sample_query(const Table& table, std::int64_t target, std::uint64_t seed) {
    return "SELECT 1 FROM " + detail::from_clause(table) + " TABLESAMPLE SYSTEM (" +
           sample_percent(target, table.estimated_rows) + ") REPEATABLE (" + std::to_string(seed % 2147483647) + ")";
}

std::string probe_query(const Table& table, std::int64_t target) {
    const auto& first = table.row_key().front();
    return "SELECT 1 FROM " + detail::from_clause(table) + " WHERE " + column_expr(first) + " >= (SELECT NULL::" +
           detail::cast_type(detail::require_column(table, first)) + ") ORDER BY " + column_expr(first) + " LIMIT " +
           std::to_string(std::max<std::int64_t>(target, 1));
}

const std::string* where_override(const SubsetSettings& settings, const QualifiedName& table) {
    auto found = settings.overrides.find(table);
    if (found == settings.overrides.end() || !found->second.where) return nullptr;
    return &*found->second.where;
}

TableAccess seed_access(const Table& table, const TablePlan& table_plan, const SubsetSettings& settings) {
    TableAccess access;
    access.kind = AccessKind::seeds;
    if (const std::string* where = where_override(settings, table.name)) {
        // The user's WHERE decides; only the planner can tell whether an index serves it.
        access.path = AccessPath::full_scan;
        access.query = scan_query(table, *where);
    } else if (settings.sampling == SamplingMode::exact) {
        // The seeded hash of every key, sorted: the whole table is read.
        access.path = AccessPath::full_scan;
        access.query = scan_query(table);
    } else if (!table.row_key().empty() &&
               detail::probe_domain(detail::cast_type(detail::require_column(table, table.row_key().front())))) {
        // Integer and UUID keys: probes into the key's range through its index (what the selection does).
        access.path = AccessPath::index_probe;
        access.columns = {table.row_key().front()};
        access.query = probe_query(table, table_plan.target_rows);
    } else {
        access.path = AccessPath::block_sample;
        access.query = block_sample_query(table, table_plan.target_rows, settings.seed);
    }
    return access;
}

constexpr std::int64_t k_most_rows = std::numeric_limits<std::int64_t>::max();

std::int64_t saturating_product(std::int64_t left, std::int64_t right) {
    if (left <= 0 || right <= 0) return 0;
    if (left > k_most_rows / right) return k_most_rows;
    return left * right;
}

std::int64_t saturating_sum(std::int64_t left, std::int64_t right) {
    return left > k_most_rows - right ? k_most_rows : left + right;
}

// What the planner's plan of one query shows.
struct ExplainedPlan {
    std::int64_t rows = -1;
    bool seq_scan = false;
    bool index_scan = false;
    bool sample_scan = false;
};

void walk_plan(const nlohmann::json& node, ExplainedPlan& explained) {
    const auto type = node.value("Node Type", std::string());
    if (type == "Seq Scan") explained.seq_scan = true;
    if (type == "Index Scan" || type == "Index Only Scan" || type == "Bitmap Index Scan") explained.index_scan = true;
    if (type == "Sample Scan") explained.sample_scan = true;
    if (node.contains("Plans")) {
        for (const auto& child : node["Plans"]) walk_plan(child, explained);
    }
}

std::string explain_action(const QualifiedName& table) {
    return "could not explain the selection of \"" + table.display() + "\"";
}

ExplainedPlan explain(pg::Transaction& tx, const QualifiedName& table, const std::string& query) {
    // EXPLAIN without ANALYZE plans and executes nothing: not the query, not the InitPlan, not a
    // function of a `where:` override (the transaction is read-only besides). Sent through the
    // extended protocol, which takes exactly one statement: a `where:` holding "; ..." is refused.
    auto text = pg::with_context(pg::Side::source, explain_action(table),
                                 [&] { return std::string(tx.exec_params1("EXPLAIN (FORMAT JSON) " + query)[0].c_str()); });
    ExplainedPlan explained;
    auto document = nlohmann::json::parse(text);
    const auto& plan = document.at(0).at("Plan");
    explained.rows = static_cast<std::int64_t>(plan.value("Plan Rows", -1.0));
    walk_plan(plan, explained);
    return explained;
}

// EXPLAIN behind a savepoint, so that a query the server refuses (a broken `where:`, a role that
// row-level security applies to) costs its own line in `plan`, not the whole plan. Savepoints are
// allowed in a standby's read-only transactions.
std::optional<ExplainedPlan> try_explain(pg::Transaction& tx, const QualifiedName& table,
                                         const std::string& query, std::string& error) {
    auto run = [&](const char* statement) {
        pg::with_context(pg::Side::source, "could not explain the selection", [&] { tx.exec0(statement); });
    };
    run("SAVEPOINT understudy_explain");
    try {
        auto explained = explain(tx, table, query);
        run("RELEASE SAVEPOINT understudy_explain");
        return explained;
    } catch (const pg::DatabaseError& failure) {
        if (failure.is_session_lost()) throw;
        run("ROLLBACK TO SAVEPOINT understudy_explain");
        run("RELEASE SAVEPOINT understudy_explain");
        // The line already names the table and the access: keep the server's words.
        const std::string text = failure.what();
        const std::string action = explain_action(table) + ": ";
        auto at = text.find(action);
        error = at == std::string::npos ? text : text.substr(at + action.size());
        return std::nullopt;
    }
}

// The path the planner's node types show: a Seq Scan reads the whole table whatever the rules
// expected; a `where:` seed (planned by rules as a scan) that the plan reaches by index is a lookup.
AccessPath confirmed_path(AccessPath rule_path, const ExplainedPlan& explained) {
    if (explained.seq_scan) return AccessPath::full_scan;
    if (rule_path == AccessPath::full_scan && explained.index_scan) return AccessPath::index_lookup;
    if (rule_path == AccessPath::full_scan && explained.sample_scan) return AccessPath::block_sample;
    return rule_path;
}

// Whether selected rows of `table` make the selection fetch the rows they reference: a table
// copied whole does, and a sampled one with a row key; a sampled keyless one is only filtered.
bool pulls_parents(const SubsetPlan& plan, const Catalog& catalog, const QualifiedName& name) {
    const TablePlan* table_plan = plan.find(name);
    const Table* table = catalog.find(name);
    if (!table_plan || !table || table_plan->policy == TablePolicy::none) return false;
    return table_plan->policy == TablePolicy::all || !table->row_key().empty();
}

class AccessPlanner {
public:
    AccessPlanner(const Catalog& catalog, const SubsetPlan& plan, const SubsetSettings& settings,
                  const BtreeIndexes& indexes)
        : m_catalog(catalog), m_plan(plan), m_settings(settings), m_indexes(indexes) {}

    AccessPlan build() {
        AccessPlan result;
        for (const auto& table_plan : m_plan.tables) {
            const Table* table = m_catalog.find(table_plan.table);
            if (!table || table_plan.policy == TablePolicy::none) continue;
            TableAccesses entry;
            entry.table = table_plan.table;
            if (table_plan.policy == TablePolicy::all) {
                TableAccess access;
                access.kind = AccessKind::whole_table;
                access.query = scan_query(*table);
                entry.accesses.push_back(std::move(access));
            } else if (!table->row_key().empty()) {
                add_keyed(*table, table_plan, entry, result);
            } else {
                add_keyless(*table, table_plan, entry, result);
            }
            if (!entry.accesses.empty()) result.tables.push_back(std::move(entry));
        }
        return result;
    }

private:
    const TablePlan* plan_of(const QualifiedName& name) const { return m_plan.find(name); }

    bool sampled_and_keyed(const QualifiedName& name) const {
        const TablePlan* table_plan = plan_of(name);
        const Table* table = m_catalog.find(name);
        return table_plan && table && table_plan->policy == TablePolicy::sample && !table->row_key().empty();
    }

    void add_keyed(const Table& table, const TablePlan& table_plan, TableAccesses& entry, AccessPlan& result) {
        if (where_override(m_settings, table.name) || table_plan.target_rows > 0)
            entry.accesses.push_back(seed_access(table, table_plan, m_settings));

        // Parents: rows that selected rows of other tables (sampled with a key, or copied whole)
        // point at, looked up by the referenced columns, once per distinct column list.
        std::vector<std::vector<std::string>> parent_columns;
        for (const ForeignKey* reference : m_plan.graph.children_of(table.name)) {
            if (!pulls_parents(m_plan, m_catalog, reference->child)) continue;
            if (std::find(parent_columns.begin(), parent_columns.end(), reference->parent_columns) != parent_columns.end())
                continue;
            parent_columns.push_back(reference->parent_columns);
            TableAccess access;
            access.kind = AccessKind::parents;
            access.columns = reference->parent_columns;
            access.query = lookup_query(table, reference->parent_columns, std::nullopt);
            access.path = m_indexes.serves_lookup(table.name, reference->parent_columns) ? AccessPath::index_lookup
                                                                                         : AccessPath::full_scan;
            // A declared reference may point at columns no unique index covers: name them, since
            // the index they need is on this (the parent's) side.
            if (access.path == AccessPath::full_scan)
                result.unindexed.push_back({reference_text(*reference) + "(" + join(reference->parent_columns, ", ") + ")",
                                            create_index_statement(table.name, reference->parent_columns)});
            entry.accesses.push_back(std::move(access));
        }

        // Children: up to N rows per selected parent, through each reference into this table.
        if (m_settings.children <= 0) return;
        for (const ForeignKey* reference : m_plan.graph.parents_of(table.name)) {
            if (!sampled_and_keyed(reference->parent)) continue;
            entry.accesses.push_back(reference_lookup(table, *reference, AccessKind::children, result));
        }
    }

    // Rows of `table` looked up through `reference`: an index lookup, or a full scan and the index
    // that would make it one.
    TableAccess reference_lookup(const Table& table, const ForeignKey& reference, AccessKind kind, AccessPlan& result) {
        TableAccess access;
        access.kind = kind;
        access.reference = reference;
        access.columns = reference.child_columns;
        access.query = lookup_query(table, reference.child_columns, reference.condition);
        if (m_indexes.serves_reference(reference)) {
            access.path = AccessPath::index_lookup;
        } else {
            access.path = AccessPath::full_scan;
            result.unindexed.push_back(
                {reference_text(reference), create_index_statement(table.name, reference.child_columns)});
        }
        return access;
    }

    void add_keyless(const Table& table, const TablePlan& table_plan, TableAccesses& entry, AccessPlan& result) {
        auto references = m_plan.graph.parents_of(table.name);
        if (references.empty()) {
            entry.accesses.push_back(seed_access(table, table_plan, m_settings));
            return;
        }
        // Rows that point at selected parents, looked up per reference.
        for (const ForeignKey* reference : references) {
            const TablePlan* parent_plan = plan_of(reference->parent);
            if (!parent_plan) continue;
            if (parent_plan->policy == TablePolicy::all) {
                // Every value matches: the rows holding the reference are read, index or not.
                TableAccess access;
                access.kind = AccessKind::filter;
                access.reference = *reference;
                access.columns = reference->child_columns;
                access.path = AccessPath::full_scan;
                access.query = scan_query(table);
                entry.accesses.push_back(std::move(access));
            } else if (sampled_and_keyed(reference->parent)) {
                entry.accesses.push_back(reference_lookup(table, *reference, AccessKind::filter, result));
            }
            // Otherwise an excluded or keyless parent has no selected rows: nothing to look up.
        }
    }

    const Catalog& m_catalog;
    const SubsetPlan& m_plan;
    const SubsetSettings& m_settings;
    const BtreeIndexes& m_indexes;
};

std::int64_t estimated_rows(const SubsetPlan& plan, const Catalog& catalog, const QualifiedName& name) {
    if (const TablePlan* table_plan = plan.find(name)) return std::max<std::int64_t>(table_plan->estimated_rows, 0);
    const Table* table = catalog.find(name);
    return table ? std::max<std::int64_t>(table->estimated_rows, 0) : 0;
}

// Rows read per access, from the targets and the planner's estimates. Selected rows are guessed
// in plan order (parents first): a table's seeds, plus N children per selected parent; a parent
// lookup is made per selected referencing row. A guess for `plan` to rank tables by, not a bound.
void estimate_rows_read(AccessPlan& access_plan, const Catalog& catalog, const SubsetPlan& plan,
                        const SubsetSettings& settings) {
    std::map<QualifiedName, std::int64_t> selected;
    auto estimate_of = [&](const QualifiedName& name) { return estimated_rows(plan, catalog, name); };
    auto average_per_value = [&](const TableAccess& access, const QualifiedName& table, const QualifiedName& parent) {
        if (access.planner_rows >= 0) return std::max<std::int64_t>(access.planner_rows, 1);
        return std::max<std::int64_t>(estimate_of(table) / std::max<std::int64_t>(estimate_of(parent), 1), 1);
    };
    const std::int64_t children = std::max(settings.children, 0);

    // Seeds, whole tables and children, in plan order; twice, so that the tables of a cycle (a
    // parent later in the order than its child) see each other's guesses.
    auto guess_table = [&](TableAccesses& entry) {
        const std::int64_t estimate = estimate_of(entry.table);
        const TablePlan* table_plan = plan.find(entry.table);
        const std::int64_t target = table_plan ? std::max<std::int64_t>(table_plan->target_rows, 0) : 0;
        std::int64_t chosen = 0;
        for (auto& access : entry.accesses) {
            access.lookups = 1;
            switch (access.kind) {
                case AccessKind::whole_table:
                    access.expected_rows_read = estimate;
                    chosen = estimate;
                    break;
                case AccessKind::seeds: {
                    std::int64_t matched = where_override(settings, entry.table)
                                               ? (access.planner_rows >= 0 ? access.planner_rows : estimate)
                                               : std::min(target, estimate);
                    chosen += matched;
                    if (access.path == AccessPath::full_scan) {
                        access.expected_rows_read = estimate;
                    } else if (access.path == AccessPath::block_sample) {
                        access.expected_rows_read = std::min(estimate, block_sample_rows(target));
                    } else {
                        access.expected_rows_read = matched;
                    }
                    break;
                }
                case AccessKind::children: {
                    const auto& parent = access.reference->parent;
                    // A self-reference's parents are this table's rows chosen so far.
                    auto found = selected.find(parent);
                    access.lookups = parent == entry.table ? chosen : found == selected.end() ? 0 : found->second;
                    auto per_value = average_per_value(access, entry.table, parent);
                    chosen += std::min(estimate, saturating_product(access.lookups, std::min(per_value, children)));
                    access.expected_rows_read =
                        access.path == AccessPath::full_scan
                            ? estimate
                            : std::min(estimate, saturating_product(access.lookups,
                                                                    std::min(per_value, child_rows_cap(settings))));
                    break;
                }
                case AccessKind::parents:
                case AccessKind::filter:
                    break;  // below, once every table's selected rows are guessed
            }
        }
        selected[entry.table] = std::min(estimate, chosen);
    };
    for (int pass = 0; pass < 2; ++pass) {
        for (auto& entry : access_plan.tables) guess_table(entry);
    }

    // Parent lookups (one per selected referencing row) and keyless filters (one per selected parent row).
    for (auto& entry : access_plan.tables) {
        const std::int64_t estimate = estimate_of(entry.table);
        for (auto& access : entry.accesses) {
            if (access.kind == AccessKind::parents) {
                std::int64_t lookups = 0;
                for (const ForeignKey* reference : plan.graph.children_of(entry.table)) {
                    if (reference->parent_columns != access.columns || !pulls_parents(plan, catalog, reference->child))
                        continue;
                    auto found = selected.find(reference->child);
                    if (found != selected.end()) lookups = std::min(estimate, lookups + found->second);
                }
                access.lookups = lookups;
                auto per_value = access.planner_rows >= 0 ? std::max<std::int64_t>(access.planner_rows, 1) : 1;
                access.expected_rows_read = access.path == AccessPath::full_scan
                                                ? estimate
                                                : std::min(estimate, saturating_product(lookups, per_value));
            } else if (access.kind == AccessKind::filter) {
                const auto& parent = access.reference->parent;
                auto found = selected.find(parent);
                access.lookups = found == selected.end() ? 0 : found->second;
                access.expected_rows_read =
                    access.path == AccessPath::full_scan
                        ? estimate
                        : std::min(estimate, saturating_product(access.lookups,
                                                                average_per_value(access, entry.table, parent)));
            }
        }
    }

    access_plan.expected_rows_read = 0;
    for (auto& entry : access_plan.tables) {
        entry.expected_rows_read = 0;
        for (const auto& access : entry.accesses)
            entry.expected_rows_read = saturating_sum(entry.expected_rows_read, access.expected_rows_read);
        access_plan.expected_rows_read = saturating_sum(access_plan.expected_rows_read, entry.expected_rows_read);
    }
}

}  // namespace

const char* access_path_name(AccessPath path) {
    switch (path) {
        case AccessPath::index_probe: return "index probe";
        case AccessPath::index_lookup: return "index lookup";
        case AccessPath::block_sample: return "block sample";
        case AccessPath::full_scan: break;
    }
    return "full scan";
}

std::string TableAccess::description() const {
    switch (kind) {
        case AccessKind::seeds: return "seeds";
        case AccessKind::parents: return "parents";
        case AccessKind::children: return "children via " + reference_text(*reference);
        case AccessKind::filter: return "filter via " + reference_text(*reference);
        case AccessKind::whole_table: break;
    }
    return "whole table";
}

std::string create_index_statement(const QualifiedName& table, const std::vector<std::string>& columns) {
    return "CREATE INDEX ON " + table.quoted() + " (" + pg::quote_ident_list(columns) + ");";
}

std::string reference_text(const ForeignKey& reference) {
    return reference.child.display() + "(" + join(reference.child_columns, ", ") + ") -> " + reference.parent.display();
}

AccessPlan access_paths_by_rules(const Catalog& catalog, const SubsetPlan& plan, const SubsetSettings& settings,
                                 const BtreeIndexes& indexes) {
    auto result = AccessPlanner(catalog, plan, settings, indexes).build();
    estimate_rows_read(result, catalog, plan, settings);
    return result;
}

AccessPlan plan_access_paths(pg::Transaction& tx, const Catalog& catalog, const SubsetPlan& plan,
                             const SubsetSettings& settings) {
    auto result = AccessPlanner(catalog, plan, settings, BtreeIndexes::load(tx)).build();
    for (auto& entry : result.tables) {
        for (auto& access : entry.accesses) {
            auto explained = try_explain(tx, entry.table, access.query, access.explain_error);
            if (!explained) continue;
            access.planner_rows = explained->rows;
            auto path = confirmed_path(access.path, *explained);
            access.planner_prefers_scan = path == AccessPath::full_scan && access.path != AccessPath::full_scan;
            access.path = path;
        }
    }
    estimate_rows_read(result, catalog, plan, settings);
    return result;
}

std::vector<UnindexedReference> find_unindexed_references(pg::Transaction& tx, const Catalog& catalog,
                                                          const SubsetPlan& plan, const SubsetSettings& settings) {
    return AccessPlanner(catalog, plan, settings, BtreeIndexes::load(tx)).build().unindexed;
}

std::string unindexed_warning(const std::vector<UnindexedReference>& unindexed) {
    if (unindexed.empty()) return {};
    std::vector<std::string> names;
    for (const auto& reference : unindexed) names.push_back(reference.reference);
    const bool one = unindexed.size() == 1;
    return std::to_string(unindexed.size()) + (one ? " reference has" : " references have") +
           " no index, so each lookup through " + (one ? "it" : "them") + " reads the whole table: " +
           join(names, ", ") + "; understudy plan shows the CREATE INDEX for " + (one ? "it" : "each");
}

}  // namespace understudy::subsetter
