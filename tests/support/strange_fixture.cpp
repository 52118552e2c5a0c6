// Loads tests/fixtures/strange/*.sql into the fixture primary's `strange` database, once per process.
#include "strange_fixture.hpp"

#include <algorithm>
#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "test_cluster.hpp"

namespace understudy::testing {

void ensure_strange_database() {
    static std::mutex mutex;
    static bool loaded = false;
    std::lock_guard<std::mutex> lock(mutex);
    if (loaded) return;
    auto& servers = fixture_servers();
    namespace fs = std::filesystem;
    const fs::path folder = fs::path(UNDERSTUDY_TEST_DATA_DIR) / "fixtures" / "strange";
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(folder)) {
        if (entry.path().extension() == ".sql") files.push_back(entry.path());
    }
    if (files.empty()) throw std::runtime_error("no strange fixture files in \"" + folder.string() + "\"");
    std::sort(files.begin(), files.end());
    servers.primary.drop_database(k_strange_database);
    servers.primary.create_database(k_strange_database);
    for (const auto& file : files) {
        servers.primary.run_sql_file(k_strange_database, file.string());
    }
    servers.primary.execute(k_strange_database, "VACUUM ANALYZE");
    servers.standby.wait_for_replay_of(servers.primary);
    loaded = true;
}

}  // namespace understudy::testing
