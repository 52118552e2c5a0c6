// The crash-cleanup watchdog: a detached shell that waits for EOF on a pipe, then cleans up.
#include "cleanup_watchdog.hpp"

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace understudy::testing {
namespace {

// `cat` returns when every write end is closed, i.e. when the test process has exited or the
// cluster was destroyed; a clean destruction already removed the dir, so nothing is left to do.
constexpr const char* k_script = R"(cat >/dev/null
if [ -f "$1/postmaster.pid" ]; then
  if [ -n "$4" ]; then runuser -u "$4" -- "$3" -D "$1" -m immediate -w stop; else "$3" -D "$1" -m immediate -w stop; fi
fi
rm -rf "$2"
)";

}  // namespace

CleanupWatchdog::CleanupWatchdog(const std::string& data_dir, const std::string& root_dir, const std::string& pg_ctl,
                                 const std::optional<std::string>& run_as_user) {
    int fds[2];
    // O_CLOEXEC: no other child (pg_ctl, psql, another watchdog) may keep the write end open, or
    // the watchdog would never see EOF.
    if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error(std::string("could not create a pipe: ") + std::strerror(errno));
    std::vector<std::string> args{"/bin/sh", "-c", k_script, "understudy-test-watchdog", data_dir, root_dir, pg_ctl,
                                  run_as_user.value_or("")};
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        throw std::runtime_error(std::string("could not fork the cleanup watchdog: ") + std::strerror(errno));
    }
    if (pid == 0) {
        // Its own session, so a signal to the test's process group (ctest timeout, ^C) spares it;
        // output to /dev/null, so it never holds the test's stdout open for ctest.
        setsid();
        int null_fd = open("/dev/null", O_RDWR);
        if (dup2(fds[0], 0) < 0 || null_fd < 0 || dup2(null_fd, 1) < 0 || dup2(null_fd, 2) < 0) _exit(127);
        execv(argv[0], argv.data());
        _exit(127);
    }
    close(fds[0]);
    m_pid = pid;
    m_pipe_write_fd = fds[1];
}

CleanupWatchdog::~CleanupWatchdog() {
    if (m_pipe_write_fd >= 0) close(m_pipe_write_fd);
    if (m_pid > 0) {
        while (waitpid(m_pid, nullptr, 0) < 0 && errno == EINTR) {
        }
    }
}

}  // namespace understudy::testing
