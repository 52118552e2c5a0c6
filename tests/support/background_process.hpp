// A child program running while the test acts on it: waiting until it stops itself at a pause
// point, then killing or continuing it, with a time limit on every wait so a test fails, never hangs.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include <sys/types.h>

#include "process.hpp"

namespace understudy::testing {

/// Starts `argv` (argv[0] looked up in PATH if it has no slash) with `env` added to this process's
/// environment, stdin from /dev/null, stdout and stderr captured in unlinked temp files.
/// The destructor SIGKILLs and reaps a child still running or stopped.
class BackgroundProcess {
public:
    BackgroundProcess(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env);
    ~BackgroundProcess();
    BackgroundProcess(const BackgroundProcess&) = delete;
    BackgroundProcess& operator=(const BackgroundProcess&) = delete;

    /// True once the child is stopped by a signal (SIGSTOP from a test pause point); false when it
    /// exited instead or `limit` passed (then `describe()` says which).
    bool wait_until_stopped(std::chrono::milliseconds limit);
    /// SIGKILL, then reaps it; returns the exit status seen (128 + 9 when the kill ended it).
    int kill_and_reap();
    /// SIGCONT to a stopped child.
    void resume();
    /// Waits for the child to exit (SIGKILLs it when `limit` passes, and the status says 128 + 9).
    CommandResult wait_for_exit(std::chrono::milliseconds limit);

    /// What is known so far: running, stopped, or the exit status, and the stderr captured so far.
    std::string describe() const;
    pid_t pid() const { return m_pid; }

private:
    bool poll_status(int options);

    pid_t m_pid = -1;
    int m_out_fd = -1;
    int m_err_fd = -1;
    bool m_reaped = false;
    bool m_stopped = false;
    int m_exit_code = -1;
};

}  // namespace understudy::testing
