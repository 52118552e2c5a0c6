// What no copy carries, whatever the command: objects that hold production's credentials or tie a
// copy to production (user mappings, subscriptions), recognised in a pg_dump archive's table of contents.
#pragma once

#include <string>

namespace understudy::orchestrator {

/// True for a `pg_restore --list` line that names an object never copied: a USER MAPPING (its
/// options hold the remote password), a SUBSCRIPTION (its conninfo holds a password, and a copied
/// one keeps the database from being dropped), or a comment or security label on a subscription.
bool is_never_copied(const std::string& listing_line);

/// `listing` (a `pg_restore --list` output) without the lines is_never_copied() names: the
/// `--use-list` every restore of the archive goes through.
std::string without_never_copied(const std::string& listing);

}  // namespace understudy::orchestrator
