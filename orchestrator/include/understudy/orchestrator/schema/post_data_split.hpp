// Which post-data objects belong to one table and can be built the moment its rows are in.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "understudy/pg/transaction.hpp"

#include "understudy/orchestrator/schema/archive_listing.hpp"

namespace understudy::orchestrator {

/// The post-data section cut in two: per table, its indexes and its primary-key, unique and
/// exclusion constraints (they need nothing but the table's own rows); and the rest (foreign keys,
/// which need two tables and the parent's key; index attachments; triggers; rules; comments...),
/// which runs once every table is loaded.
struct PostDataSplit {
    std::map<std::string, std::vector<std::string>> per_table;  ///< table (display name) → listing lines
    std::vector<std::string> rest;                              ///< listing lines, in archive order
};

/// A catalog object: (catalog oid, object oid). Oids are unique only within one catalog.
using CatalogObject = std::pair<std::uint32_t, std::uint32_t>;

/// Splits `post_data` entries. `table_of_object` maps each index (pg_class) and each primary-key,
/// unique or exclusion constraint (pg_constraint) to the table (display name) whose load makes it
/// buildable (a leaf partition's own objects map to the leaf). Objects not in the map go to the rest.
PostDataSplit split_post_data(const std::vector<ArchiveEntry>& post_data,
                              const std::map<CatalogObject, std::string>& table_of_object);

/// The table each index and each primary-key, unique or exclusion constraint of the source belongs
/// to (a leaf partition's to the leaf), read in `tx` (the run's snapshot).
std::map<CatalogObject, std::string> read_table_of_object(pg::Transaction& tx);

}  // namespace understudy::orchestrator
