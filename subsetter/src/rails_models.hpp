// The references a Rails app's models declare, mapped onto the catalog's tables and columns.
#pragma once

#include <string>
#include <vector>

#include "ruby_model_parser.hpp"
#include "understudy/subsetter/catalog.hpp"

namespace understudy::subsetter {

/// Resolves the declarations onto `catalog`: each association becomes a reference with origin
/// `model` and reason `file:line`; polymorphic ones (from the parents' `as:`) carry a type-value
/// condition. A declaration naming a missing model, table or column, or two sides of one
/// association that disagree, add a line to `warnings` instead. Columns that start a FOREIGN KEY
/// constraint are left to it. Sorted by (child, name).
std::vector<ForeignKey> resolve_model_references(const Catalog& catalog, const ModelSource& source,
                                                 std::vector<std::string>& warnings);

/// read_model_directory() then resolve_model_references().
std::vector<ForeignKey> read_rails_model_references(const std::string& app_dir, const Catalog& catalog,
                                                    std::vector<std::string>& warnings);

/// The naming-convention references the models do not already resolve, after the models' own:
/// a convention guess never adds a second reference for a column the models map (a polymorphic
/// type value the models do not name is kept: the data holds it).
std::vector<ForeignKey> merge_model_references(std::vector<ForeignKey> from_models,
                                               const std::vector<ForeignKey>& by_convention);

/// ActiveSupport's `camelize`: `line_item` -> `LineItem`, `billing/invoice` -> `Billing::Invoice`.
std::string camelize(const std::string& underscored);

/// Rails' default habtm join table of two tables: lexical order, a shared `prefix_` said once
/// (`billing_invoices` + `billing_tags` -> `billing_invoices_tags`).
std::string default_join_table(const std::string& first, const std::string& second);

}  // namespace understudy::subsetter
