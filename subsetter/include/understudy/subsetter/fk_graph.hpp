// The reference graph between tables (Boost.Graph), its cycles and a canonical order.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "understudy/subsetter/catalog.hpp"

namespace understudy::subsetter {

/// Tables as vertices, references as edges child -> parent. Built once per run; every
/// traversal it offers is in canonical (schema, name) order, so the same database always
/// yields the same plan.
class FkGraph {
public:
    /// `references`: the catalog's foreign keys plus declared and inferred ones. References to or
    /// from tables not in `catalog` are ignored.
    FkGraph(const Catalog& catalog, std::vector<ForeignKey> references);
    ~FkGraph();
    FkGraph(FkGraph&&) noexcept;
    FkGraph& operator=(FkGraph&&) noexcept;

    /// Parents before children; the tables of one cycle stand together, by name.
    const std::vector<QualifiedName>& order() const;
    /// Strongly connected components with more than one table, or a self-reference; each sorted.
    const std::vector<std::vector<QualifiedName>>& cycles() const;
    /// All references (sorted by child, then name).
    const std::vector<ForeignKey>& references() const;
    /// References whose child is `table` (its parents), sorted by name.
    std::vector<const ForeignKey*> parents_of(const QualifiedName& table) const;
    /// References whose parent is `table` (its children), sorted by (child, name).
    std::vector<const ForeignKey*> children_of(const QualifiedName& table) const;
    /// Every table that references `table`, directly or through other tables (not itself).
    std::vector<QualifiedName> descendants_of(const QualifiedName& table) const;
    /// Graphviz DOT: one node per table, one edge per reference (labelled with its columns;
    /// dashed for declared or inferred ones), cycles grouped in clusters.
    std::string to_dot() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace understudy::subsetter
