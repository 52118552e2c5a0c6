// The reference graph: Boost.Graph finds the cycles, a Kahn pass over them gives the load order.
#include "understudy/join.hpp"
#include "understudy/subsetter/fk_graph.hpp"

#include <algorithm>
#include <map>
#include <queue>
#include <set>
#include <tuple>

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/strong_components.hpp>

namespace understudy::subsetter {
namespace {

// vecS everywhere: vertex descriptors are the indexes of the tables in canonical order, and
// edges keep their insertion order, so every traversal is deterministic.
using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS>;

bool reference_less(const ForeignKey& left, const ForeignKey& right) {
    return std::tie(left.child, left.name, left.parent, left.child_columns, left.parent_columns) <
           std::tie(right.child, right.name, right.parent, right.child_columns, right.parent_columns);
}

std::string dot_id(const QualifiedName& name) {
    std::string out = "\"";
    for (char c : name.display()) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

std::string dot_escape(const std::string& text) {
    std::string out;
    for (char c : text) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out;
}

}  // namespace

struct FkGraph::Impl {
    std::vector<QualifiedName> tables;      // vertex index -> table, canonical order
    std::vector<ForeignKey> references;     // sorted; edge i of the graph is references[i]
    Graph graph;
    std::vector<int> component;             // vertex -> strongly connected component
    std::vector<std::vector<std::size_t>> parent_references;  // vertex -> indexes of references it makes
    std::vector<std::vector<std::size_t>> child_references;   // vertex -> indexes of references to it
    std::vector<QualifiedName> order;
    std::vector<std::vector<QualifiedName>> cycles;

    std::size_t vertex(const QualifiedName& name) const {
        auto found = std::lower_bound(tables.begin(), tables.end(), name);
        return found != tables.end() && *found == name ? static_cast<std::size_t>(found - tables.begin())
                                                       : tables.size();
    }

    void find_cycles() {
        const std::size_t vertex_count = tables.size();
        component.assign(vertex_count, 0);
        const int component_count = vertex_count == 0 ? 0 : boost::strong_components(graph, component.data());
        std::vector<std::vector<std::size_t>> members(static_cast<std::size_t>(component_count));
        for (std::size_t vertex_idx = 0; vertex_idx < vertex_count; ++vertex_idx)
            members[static_cast<std::size_t>(component[vertex_idx])].push_back(vertex_idx);

        std::vector<bool> self_referencing(vertex_count, false);
        for (const auto& reference : references) {
            if (reference.is_self_reference()) self_referencing[vertex(reference.child)] = true;
        }
        for (const auto& group : members) {
            if (group.size() > 1 || self_referencing[group.front()]) {
                std::vector<QualifiedName> cycle;
                for (std::size_t vertex_idx : group) cycle.push_back(tables[vertex_idx]);
                std::sort(cycle.begin(), cycle.end());
                cycles.push_back(std::move(cycle));
            }
        }
        std::sort(cycles.begin(), cycles.end());
        compute_order(members);
    }

    // Kahn's algorithm over the condensation (a DAG): a component is ready once every component
    // it references has been placed. Among ready ones the one holding the smallest table name goes
    // first; vertex indexes follow canonical order, so that is the smallest member index.
    void compute_order(const std::vector<std::vector<std::size_t>>& members) {
        const std::size_t component_count = members.size();
        std::vector<std::set<std::size_t>> parents(component_count);
        std::vector<std::set<std::size_t>> children(component_count);
        for (const auto& reference : references) {
            auto child = static_cast<std::size_t>(component[vertex(reference.child)]);
            auto parent = static_cast<std::size_t>(component[vertex(reference.parent)]);
            if (child == parent) continue;
            parents[child].insert(parent);
            children[parent].insert(child);
        }
        std::vector<std::size_t> smallest(component_count);
        for (std::size_t component_idx = 0; component_idx < component_count; ++component_idx)
            smallest[component_idx] = *std::min_element(members[component_idx].begin(), members[component_idx].end());

        using Entry = std::pair<std::size_t, std::size_t>;  // (smallest vertex, component)
        std::priority_queue<Entry, std::vector<Entry>, std::greater<>> ready;
        std::vector<std::size_t> waiting(component_count);
        for (std::size_t component_idx = 0; component_idx < component_count; ++component_idx) {
            waiting[component_idx] = parents[component_idx].size();
            if (waiting[component_idx] == 0) ready.emplace(smallest[component_idx], component_idx);
        }
        while (!ready.empty()) {
            const std::size_t component_idx = ready.top().second;
            ready.pop();
            std::vector<std::size_t> group = members[component_idx];
            std::sort(group.begin(), group.end());
            for (std::size_t vertex_idx : group) order.push_back(tables[vertex_idx]);
            for (std::size_t child : children[component_idx]) {
                if (--waiting[child] == 0) ready.emplace(smallest[child], child);
            }
        }
    }
};

FkGraph::FkGraph(const Catalog& catalog, std::vector<ForeignKey> references) : m_impl(std::make_unique<Impl>()) {
    auto& impl = *m_impl;
    for (const auto& table : catalog.tables) impl.tables.push_back(table.name);
    std::sort(impl.tables.begin(), impl.tables.end());
    impl.tables.erase(std::unique(impl.tables.begin(), impl.tables.end()), impl.tables.end());

    references.erase(std::remove_if(references.begin(), references.end(),
                                    [&](const ForeignKey& reference) {
                                        return impl.vertex(reference.child) == impl.tables.size() ||
                                               impl.vertex(reference.parent) == impl.tables.size();
                                    }),
                     references.end());
    std::sort(references.begin(), references.end(), reference_less);
    impl.references = std::move(references);

    impl.graph = Graph(impl.tables.size());
    impl.parent_references.resize(impl.tables.size());
    impl.child_references.resize(impl.tables.size());
    for (std::size_t reference_idx = 0; reference_idx < impl.references.size(); ++reference_idx) {
        const auto& reference = impl.references[reference_idx];
        const std::size_t child = impl.vertex(reference.child);
        const std::size_t parent = impl.vertex(reference.parent);
        boost::add_edge(child, parent, impl.graph);
        impl.parent_references[child].push_back(reference_idx);
        impl.child_references[parent].push_back(reference_idx);
    }
    impl.find_cycles();
}

FkGraph::~FkGraph() = default;
FkGraph::FkGraph(FkGraph&&) noexcept = default;
FkGraph& FkGraph::operator=(FkGraph&&) noexcept = default;

const std::vector<QualifiedName>& FkGraph::order() const { return m_impl->order; }

const std::vector<std::vector<QualifiedName>>& FkGraph::cycles() const { return m_impl->cycles; }

const std::vector<ForeignKey>& FkGraph::references() const { return m_impl->references; }

std::vector<const ForeignKey*> FkGraph::parents_of(const QualifiedName& table) const {
    // Reference indexes follow the (child, name, ...) order, so one child's references are by name.
    std::vector<const ForeignKey*> found;
    const std::size_t vertex_idx = m_impl->vertex(table);
    if (vertex_idx == m_impl->tables.size()) return found;
    for (std::size_t reference_idx : m_impl->parent_references[vertex_idx])
        found.push_back(&m_impl->references[reference_idx]);
    return found;
}

std::vector<const ForeignKey*> FkGraph::children_of(const QualifiedName& table) const {
    std::vector<const ForeignKey*> found;
    const std::size_t vertex_idx = m_impl->vertex(table);
    if (vertex_idx == m_impl->tables.size()) return found;
    for (std::size_t reference_idx : m_impl->child_references[vertex_idx])
        found.push_back(&m_impl->references[reference_idx]);
    return found;
}

std::vector<QualifiedName> FkGraph::descendants_of(const QualifiedName& table) const {
    const auto& impl = *m_impl;
    const std::size_t start = impl.vertex(table);
    if (start == impl.tables.size()) return {};
    std::vector<bool> seen(impl.tables.size(), false);
    std::vector<std::size_t> pending{start};
    seen[start] = true;
    while (!pending.empty()) {
        const std::size_t current = pending.back();
        pending.pop_back();
        for (auto [edge, end] = boost::in_edges(current, impl.graph); edge != end; ++edge) {
            const std::size_t child = boost::source(*edge, impl.graph);
            if (!seen[child]) {
                seen[child] = true;
                pending.push_back(child);
            }
        }
    }
    std::vector<QualifiedName> descendants;
    for (std::size_t vertex_idx = 0; vertex_idx < impl.tables.size(); ++vertex_idx) {
        if (seen[vertex_idx] && vertex_idx != start) descendants.push_back(impl.tables[vertex_idx]);
    }
    return descendants;
}

std::string FkGraph::to_dot() const {
    const auto& impl = *m_impl;
    std::string out = "digraph understudy {\n  node [shape=box];\n";
    std::set<QualifiedName> clustered;
    for (std::size_t cycle_idx = 0; cycle_idx < impl.cycles.size(); ++cycle_idx) {
        out += "  subgraph cluster_" + std::to_string(cycle_idx) + " {\n";
        out += "    label=\"cycle " + std::to_string(cycle_idx + 1) + "\";\n    style=dashed;\n";
        for (const auto& table : impl.cycles[cycle_idx]) {
            out += "    " + dot_id(table) + ";\n";
            clustered.insert(table);
        }
        out += "  }\n";
    }
    for (const auto& table : impl.tables) {
        if (!clustered.count(table)) out += "  " + dot_id(table) + ";\n";
    }
    for (const auto& reference : impl.references) {
        std::string label = join(reference.child_columns, ", ") + " -> " + join(reference.parent_columns, ", ");
        if (reference.condition)
            label += " when " + reference.condition->type_column + " = " + reference.condition->type_value;
        out += "  " + dot_id(reference.child) + " -> " + dot_id(reference.parent) + " [label=\"" + dot_escape(label) +
               "\"";
        if (reference.origin != ReferenceOrigin::constraint) out += ", style=dashed";
        // A model reference says where it is declared, so the drawing can be checked against the code.
        if (reference.origin == ReferenceOrigin::model) out += ", tooltip=\"" + dot_escape(reference.reason) + "\"";
        out += "];\n";
    }
    out += "}\n";
    return out;
}

}  // namespace understudy::subsetter
