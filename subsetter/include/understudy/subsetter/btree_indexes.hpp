// Which column lists of the source's tables a btree index can look up: the selection and the plan's
// access paths both ask "does a lookup through these columns use an index, or scan the table?".
#pragma once

#include <map>
#include <string>
#include <vector>

#include "understudy/pg/transaction.hpp"

#include "understudy/subsetter/catalog.hpp"

namespace understudy::subsetter {

/// Per table, the leading plain columns of each valid, non-partial btree index (an expression
/// ends the usable prefix).
class BtreeIndexes {
public:
    /// Reads every user table's btree indexes in `tx` (works on a hot standby).
    static BtreeIndexes load(pg::Transaction& tx);

    /// Whether an index leads with exactly `columns`, in any order: an equality lookup on all of
    /// them is then an index scan, not a scan of the table.
    bool serves_lookup(const QualifiedName& table, const std::vector<std::string>& columns) const;

    /// Whether a lookup of child rows through `reference` is an index scan: an index leads with its
    /// child columns, or, for a polymorphic reference (looked up with its type value too), with
    /// those and the type column (Rails' `(commentable_type, commentable_id)`).
    bool serves_reference(const ForeignKey& reference) const;

    /// Adds an index (tests, and tables whose indexes are known otherwise).
    void add(const QualifiedName& table, std::vector<std::string> leading_columns);

private:
    std::map<QualifiedName, std::vector<std::vector<std::string>>> m_indexes;
};

}  // namespace understudy::subsetter
