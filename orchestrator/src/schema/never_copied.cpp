// The one filter between a source schema archive and every copy of it: what is never copied.
#include "understudy/orchestrator/schema/never_copied.hpp"

#include <sstream>

#include "understudy/orchestrator/schema/archive_listing.hpp"

namespace understudy::orchestrator {

bool is_never_copied(const std::string& listing_line) {
    // `3346; 1418 16391 USER MAPPING - USER MAPPING public SERVER remote postgres`: after the oids,
    // the object's type (which may hold spaces), the schema ("-" for none), the name and the owner.
    const auto entry = parse_archive_line(listing_line);
    if (!entry) return false;
    const auto starts_with = [&](const std::string& prefix) { return entry->object.rfind(prefix, 0) == 0; };
    // A user mapping's options hold the remote user and password: staging must not reach
    // production through them. Without a mapping, a foreign table fails with "user mapping not found".
    if (starts_with("USER MAPPING ")) return true;
    // A subscription's conninfo holds a password; copied, it also keeps the copy from being
    // dropped. "SUBSCRIPTION TABLE" (PostgreSQL 17) is its replication state.
    if (starts_with("SUBSCRIPTION ")) return true;
    return starts_with("COMMENT - SUBSCRIPTION ") || starts_with("SECURITY LABEL - SUBSCRIPTION ");
}

std::string without_never_copied(const std::string& listing) {
    std::string kept;
    std::istringstream lines(listing);
    for (std::string line; std::getline(lines, line);) {
        if (is_never_copied(line)) continue;
        kept += line;
        kept += '\n';
    }
    return kept;
}

}  // namespace understudy::orchestrator
