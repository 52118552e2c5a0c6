// One line of `pg_restore --list`: the form in which every reader of a schema archive sees its objects.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace understudy::orchestrator {

/// One entry of `pg_restore --list`:
/// `<dump id>; <catalog oid> <object oid> <TYPE> <schema> <tag> <owner>`.
struct ArchiveEntry {
    std::string line;            ///< the listing line as printed, what a --use-list file holds
    std::uint32_t catalog = 0;   ///< the system catalog the object lives in (1259 pg_class, 2606 pg_constraint)
    std::uint32_t oid = 0;       ///< the object's oid in the source
    std::string type;            ///< INDEX, CONSTRAINT, FK CONSTRAINT, INDEX ATTACH, TRIGGER, ...
    /// What follows the oids: `TYPE schema tag owner` (`USER MAPPING - USER MAPPING public SERVER
    /// remote postgres`); a TYPE may hold spaces, so prefixes of this are what tell kinds apart.
    std::string object;
};

/// The entry on one listing line; nullopt for comment lines (`;`) and anything malformed.
std::optional<ArchiveEntry> parse_archive_line(const std::string& line);

/// The entries of a `pg_restore --list` output; comment lines (`;`) are skipped.
std::vector<ArchiveEntry> parse_archive_listing(const std::string& listing);

}  // namespace understudy::orchestrator
