// A helper process that stops a test cluster and removes its dir if the test binary dies first.
#pragma once

#include <optional>
#include <string>

#include <sys/types.h>

namespace understudy::testing {

/// Watches the test process through a pipe: when the pipe closes (normal end or crash), the watchdog
/// stops the server of `data_dir` with `pg_ctl -m immediate` if it still runs, and removes `root_dir`.
/// A crashed or killed test binary thus leaves no server and no temp dir behind.
class CleanupWatchdog {
public:
    CleanupWatchdog(const std::string& data_dir, const std::string& root_dir, const std::string& pg_ctl,
                    const std::optional<std::string>& run_as_user);
    /// Closes the pipe and waits for the watchdog (which finds nothing left to do after a clean stop).
    ~CleanupWatchdog();
    CleanupWatchdog(const CleanupWatchdog&) = delete;
    CleanupWatchdog& operator=(const CleanupWatchdog&) = delete;

private:
    pid_t m_pid = -1;
    int m_pipe_write_fd = -1;
};

}  // namespace understudy::testing
