// A child run in the background under the test's control: stopped, killed or continued on cue.
#include "background_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <thread>

namespace understudy::testing {
namespace {

// Output goes to memory files rather than pipes: a stopped child cannot fill a pipe nobody reads,
// and a grandchild that outlives it (pg_restore after a kill) keeps no reader waiting for EOF.
int open_capture() {
    int fd = ::memfd_create("understudy-test-capture", MFD_CLOEXEC);
    if (fd < 0) throw std::runtime_error(std::string("memfd_create failed: ") + std::strerror(errno));
    return fd;
}

std::string read_capture(int fd) {
    std::string out;
    char buffer[65536];
    for (off_t offset = 0;;) {
        ssize_t count = ::pread(fd, buffer, sizeof buffer, offset);
        if (count < 0 && errno == EINTR) continue;
        if (count <= 0) break;
        out.append(buffer, static_cast<std::size_t>(count));
        offset += count;
    }
    return out;
}

}  // namespace

BackgroundProcess::BackgroundProcess(const std::vector<std::string>& argv,
                                     const std::map<std::string, std::string>& env) {
    if (argv.empty()) throw std::runtime_error("BackgroundProcess: empty command");
    const ChildArguments child(argv, env);

    m_out_fd = open_capture();
    m_err_fd = open_capture();
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, m_out_fd, STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, m_err_fd, STDERR_FILENO);
    int error = ::posix_spawnp(&m_pid, child.program(), &actions, nullptr, child.argv(), child.envp());
    posix_spawn_file_actions_destroy(&actions);
    if (error != 0) {
        ::close(m_out_fd);
        ::close(m_err_fd);
        throw std::runtime_error("could not start \"" + argv[0] + "\": " + std::strerror(error));
    }
}

BackgroundProcess::~BackgroundProcess() {
    if (!m_reaped) kill_and_reap();
    ::close(m_out_fd);
    ::close(m_err_fd);
}

bool BackgroundProcess::poll_status(int options) {
    int status = 0;
    pid_t changed = ::waitpid(m_pid, &status, options);
    if (changed <= 0) return false;
    if (WIFSTOPPED(status)) {
        m_stopped = true;
        return true;
    }
    if (WIFCONTINUED(status)) {
        m_stopped = false;
        return true;
    }
    m_reaped = true;
    m_stopped = false;
    m_exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return true;
}

bool BackgroundProcess::wait_until_stopped(std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!m_reaped && !m_stopped) {
        if (poll_status(WNOHANG | WUNTRACED)) continue;
        if (std::chrono::steady_clock::now() >= deadline) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return m_stopped;
}

int BackgroundProcess::kill_and_reap() {
    if (m_reaped) return m_exit_code;
    ::kill(m_pid, SIGKILL);
    // WUNTRACED is not asked for: only the end counts now (SIGKILL ends a stopped process too).
    while (!m_reaped) {
        if (!poll_status(0) && errno != EINTR) break;
    }
    return m_exit_code;
}

void BackgroundProcess::resume() {
    ::kill(m_pid, SIGCONT);
    m_stopped = false;
}

CommandResult BackgroundProcess::wait_for_exit(std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!m_reaped) {
        if (poll_status(WNOHANG)) continue;
        if (std::chrono::steady_clock::now() >= deadline) {
            kill_and_reap();
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return CommandResult{m_exit_code, read_capture(m_out_fd), read_capture(m_err_fd)};
}

std::string BackgroundProcess::describe() const {
    std::string state = m_reaped ? "exited with status " + std::to_string(m_exit_code)
                                 : (m_stopped ? "stopped" : "still running");
    return "understudy (pid " + std::to_string(m_pid) + ") " + state + "; stderr:\n" + read_capture(m_err_fd);
}

}  // namespace understudy::testing
