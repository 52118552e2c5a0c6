// The one filter between a source schema archive and every copy of it: what is never copied.
#include "understudy/orchestrator/never_copied.hpp"

#include <cctype>
#include <sstream>

namespace understudy::orchestrator {
namespace {

bool starts_with(const std::string& text, std::size_t at, const std::string& prefix) {
    return text.compare(at, prefix.size(), prefix) == 0;
}

/// The position after `count` space-separated words starting at `at`, or npos.
std::size_t skip_words(const std::string& text, std::size_t at, int count) {
    for (int word = 0; word < count; ++word) {
        at = text.find(' ', at);
        if (at == std::string::npos) return at;
        ++at;
    }
    return at;
}

}  // namespace

bool is_never_copied(const std::string& listing_line) {
    // `3346; 1418 16391 USER MAPPING - USER MAPPING public SERVER remote postgres`: the dump id,
    // the catalog's table oid and the object's oid, then its type (which may hold spaces), the
    // schema ("-" for none), the name and the owner.
    if (listing_line.empty() || listing_line[0] == ';') return false;
    auto id_end = listing_line.find("; ");
    if (id_end == std::string::npos) return false;
    for (std::size_t at = 0; at < id_end; ++at) {
        if (!std::isdigit(static_cast<unsigned char>(listing_line[at]))) return false;
    }
    const std::size_t type = skip_words(listing_line, id_end + 2, 2);
    if (type == std::string::npos) return false;
    // A user mapping's options hold the remote user and password: staging must not reach
    // production through them. Without a mapping, a foreign table fails with "user mapping not found".
    if (starts_with(listing_line, type, "USER MAPPING ")) return true;
    // A subscription's conninfo holds a password; copied, it also keeps the copy from being
    // dropped. "SUBSCRIPTION TABLE" (PostgreSQL 17) is its replication state.
    if (starts_with(listing_line, type, "SUBSCRIPTION ")) return true;
    for (const std::string described_by : {"COMMENT - ", "SECURITY LABEL - "}) {
        if (starts_with(listing_line, type, described_by) &&
            starts_with(listing_line, type + described_by.size(), "SUBSCRIPTION "))
            return true;
    }
    return false;
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
