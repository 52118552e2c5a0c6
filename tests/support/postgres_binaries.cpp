// Locating PostgreSQL's binaries: Debian keeps them per major version, outside PATH.
#include "postgres_binaries.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

namespace understudy::testing {

std::string postgres_bin_dir() {
    if (const char* configured = std::getenv("UNDERSTUDY_PG_BIN"); configured && *configured) return configured;
    namespace fs = std::filesystem;
    int best_version = -1;
    std::string best;
    std::error_code error;
    for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", error)) {
        const std::string version = entry.path().filename().string();
        if (version.empty() ||
            !std::all_of(version.begin(), version.end(), [](unsigned char c) { return std::isdigit(c) != 0; }))
            continue;
        if (!fs::exists(entry.path() / "bin" / "initdb")) continue;
        if (std::stoi(version) > best_version) {
            best_version = std::stoi(version);
            best = (entry.path() / "bin").string();
        }
    }
    if (best.empty()) {
        throw std::runtime_error("no PostgreSQL binaries in /usr/lib/postgresql/*/bin; set UNDERSTUDY_PG_BIN");
    }
    return best;
}

}  // namespace understudy::testing
