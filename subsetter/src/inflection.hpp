// English inflection the way Rails' ActiveSupport does it, to find the table a column or type names.
#pragma once

#include <string>

namespace understudy::subsetter {

/// The plural of `word` by ActiveSupport's default English rules (`person` -> `people`,
/// `category` -> `categories`, `equipment` -> `equipment`), including its quirks, because Rails
/// named the tables with them.
std::string pluralize(const std::string& word);

/// ActiveSupport's `underscore`: `AdminUser` -> `admin_user`, `Admin::User` -> `admin/user`.
std::string underscore(const std::string& camel_cased);

/// ActiveSupport's `tableize` for a class name: `underscore` then `pluralize` (`LineItem` -> `line_items`).
std::string tableize(const std::string& class_name);

}  // namespace understudy::subsetter
