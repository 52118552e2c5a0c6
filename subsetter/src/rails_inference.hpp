// References a Rails schema implies but does not declare: `owner_id` columns and polymorphic pairs.
#pragma once

#include <string>
#include <vector>

#include "understudy/pg/transaction.hpp"

#include "understudy/subsetter/catalog.hpp"

namespace understudy::subsetter {

/// Infers references from Rails naming conventions: `<x>_id` -> table `pluralize(x)` with an `id`
/// key, and `<x>_type`/`<x>_id` pairs whose type values (read in `tx`) name tables. Columns that
/// already start a FOREIGN KEY are skipped. Type values that name no usable table become lines in
/// `warnings`. Results have origin `inferred`, a reason, and are sorted by (child, name).
std::vector<ForeignKey> infer_rails_references(pg::Transaction& tx, const Catalog& catalog,
                                               std::vector<std::string>& warnings);

/// The pure part of the polymorphic inference: maps `type_values` of the pair `type_column` /
/// `id_column` of `table` to references, warning about values that name no usable table.
std::vector<ForeignKey> infer_polymorphic_references(const Catalog& catalog, const Table& table,
                                                     const std::string& type_column, const std::string& id_column,
                                                     const std::vector<std::string>& type_values,
                                                     std::vector<std::string>& warnings);

/// The pure part of the `<x>_id` inference for one table.
std::vector<ForeignKey> infer_id_references(const Catalog& catalog, const Table& table);

/// Whether a `<x>_id` column of type `child` can hold values of key column type `parent`: both
/// integers of any width, or the same base type.
bool key_types_compatible(const Column& child, const Column& parent);

}  // namespace understudy::subsetter
