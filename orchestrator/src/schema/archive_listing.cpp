// Parsing `pg_restore --list` lines into the objects they name.
#include "understudy/orchestrator/schema/archive_listing.hpp"

#include <sstream>

namespace understudy::orchestrator {

std::optional<ArchiveEntry> parse_archive_line(const std::string& line) {
    if (line.empty() || line[0] == ';') return std::nullopt;
    // "3341; 2606 16402 CONSTRAINT public accounts accounts_pkey owner"
    std::istringstream fields(line);
    std::string dump_id;
    ArchiveEntry entry;
    if (!(fields >> dump_id >> entry.catalog >> entry.oid) || dump_id.empty() || dump_id.back() != ';')
        return std::nullopt;
    fields >> std::ws;
    std::getline(fields, entry.object);
    std::istringstream words(entry.object);
    std::string first;
    std::string second;
    words >> first >> second;
    // The two-word types the post-data split must tell apart from their one-word namesakes.
    if ((first == "FK" && second == "CONSTRAINT") || (first == "INDEX" && second == "ATTACH"))
        entry.type = first + " " + second;
    else
        entry.type = first;
    entry.line = line;
    return entry;
}

std::vector<ArchiveEntry> parse_archive_listing(const std::string& listing) {
    std::vector<ArchiveEntry> entries;
    std::istringstream lines(listing);
    for (std::string line; std::getline(lines, line);) {
        if (auto entry = parse_archive_line(line)) entries.push_back(std::move(*entry));
    }
    return entries;
}

}  // namespace understudy::orchestrator
