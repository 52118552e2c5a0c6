// Columns that look like references but that nothing in the plan's graph explains, and the tables
// they most likely point at, found by a bounded containment probe on the source.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "understudy/pg/transaction.hpp"

#include "understudy/subsetter/catalog.hpp"
#include "understudy/subsetter/subset_plan.hpp"
#include "understudy/subsetter/subset_settings.hpp"

namespace understudy::subsetter {

/// A table whose single-column key may be what an unresolved column points at.
struct ReferenceCandidate {
    QualifiedName table;
    std::string key_column;
    std::size_t contained = 0;  ///< how many of the sampled values the key holds
    int name_likeness = 0;      ///< 2: `author_id` -> `authors`; 1: `parent_user_id` -> `users`; 0: none
    double key_span = 0;        ///< max - min of an integer key (0 for uuids): the tighter, the likelier

    /// "public.users 100 %"
    std::string display(std::size_t sampled) const;
};

/// A `*_id` column of integer or uuid type that no reference of the graph starts from.
struct UnresolvedReference {
    QualifiedName table;
    std::string column;
    std::size_t sampled = 0;                    ///< distinct non-NULL values looked up
    std::int64_t rows_sampled = 0;              ///< rows the block sample read to find them
    std::vector<ReferenceCandidate> candidates; ///< best first, at most 3, each holding some value
    std::string probe_error;                    ///< why the probe could not read (then no candidates)

    /// `public.issues.author_id`
    std::string display() const;
};

/// The columns of `catalog` that look like references (`*_id`, smallint/integer/bigint/uuid base
/// type, not the table's own single-column row key) but start no reference of `plan.graph` and are
/// not listed in `not_references` (`schema.table.column`). Tables the plan leaves empty and tables a
/// follower cannot read are skipped. Throws Error(config) when a `not_references` entry names no
/// column of the catalog. Sorted by (table, column); candidates are left empty.
std::vector<UnresolvedReference> list_unresolved_columns(const Catalog& catalog, const SubsetPlan& plan,
                                                         const std::vector<std::string>& not_references);

/// How much `table`'s name looks like the one `column` (`<stem>_id`) names (see ReferenceCandidate).
int name_likeness(const std::string& column, const QualifiedName& table);

/// Orders `candidates` by share contained, then name likeness, then the tightest key range (dense
/// integer keys from 1 hold each other's values: the smallest table holding them all is the likely
/// parent), then name, and keeps the best 3
/// that contain at least one value.
void rank_candidates(std::vector<ReferenceCandidate>& candidates);

/// list_unresolved_columns(), each column ranked by a bounded probe in `tx`: up to 100 distinct
/// values from a block sample of its table (never a full scan of a large table; topped up by a
/// hundred probes through an index on the column when the sample comes up short), then, for at
/// most 20 candidate tables whose key range can hold them, one lookup of those values in the key's
/// index.
std::vector<UnresolvedReference> find_unresolved_references(pg::Transaction& tx, const Catalog& catalog,
                                                            const SubsetPlan& plan, const SubsetSettings& settings);

/// The one `warning:` line of subset, sync and dump naming the columns (empty when there are none).
std::string unresolved_warning(const std::vector<UnresolvedReference>& unresolved);

/// The one error line of a run with `--strict-references` naming the columns.
std::string unresolved_error(const std::vector<UnresolvedReference>& unresolved);

/// `plan`'s "unresolved references:" section: each column, its ranked candidates and the
/// `foreign_keys:` entry that would declare the best one (empty when there are none).
std::string format_unresolved_references(const std::vector<UnresolvedReference>& unresolved);

}  // namespace understudy::subsetter
