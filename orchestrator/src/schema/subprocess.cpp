// Child processes through posix_spawn: no shell, stdout and stderr read together so neither pipe fills up.
#include "understudy/orchestrator/schema/subprocess.hpp"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>

#include "understudy/error.hpp"
#include "understudy/pg/session_settings.hpp"
#include "understudy/test_pause.hpp"

extern char** environ;

namespace understudy::orchestrator {
namespace {

/// Closes a file descriptor when it goes out of scope.
class FileDescriptor {
public:
    FileDescriptor() = default;
    explicit FileDescriptor(int fd) : m_fd(fd) {}
    ~FileDescriptor() { close(); }
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;
    FileDescriptor(FileDescriptor&& other) noexcept : m_fd(other.m_fd) { other.m_fd = -1; }
    FileDescriptor& operator=(FileDescriptor&& other) noexcept {
        if (this != &other) {
            close();
            m_fd = other.m_fd;
            other.m_fd = -1;
        }
        return *this;
    }

    int get() const { return m_fd; }
    void close() {
        if (m_fd >= 0) ::close(m_fd);
        m_fd = -1;
    }

private:
    int m_fd = -1;
};

/// A pipe whose ends are close-on-exec, so that a child started by another thread at the same
/// time never inherits them (it would keep our read end from ever seeing end-of-file).
struct Pipe {
    FileDescriptor read_end;
    FileDescriptor write_end;
};

[[noreturn]] void fail_to_start(const std::string& program, const std::string& reason) {
    throw Error(ExitCode::io, "could not run \"" + program + "\": " + reason,
                "install the PostgreSQL client programs or set UNDERSTUDY_PG_BIN to their folder");
}

Pipe make_pipe(const std::string& program) {
    std::array<int, 2> fds{};
    if (::pipe2(fds.data(), O_CLOEXEC) != 0) fail_to_start(program, std::strerror(errno));
    return Pipe{FileDescriptor(fds[0]), FileDescriptor(fds[1])};
}

/// The parent's environment with `extra_env` replacing or adding entries, as `KEY=value` strings.
std::vector<std::string> child_environment(const std::map<std::string, std::string>& extra_env) {
    std::vector<std::string> entries;
    for (char** entry = environ; entry && *entry; ++entry) {
        std::string text(*entry);
        std::string key = text.substr(0, text.find('='));
        if (extra_env.count(key) == 0) entries.push_back(std::move(text));
    }
    for (const auto& [key, value] : extra_env) entries.push_back(key + "=" + value);
    return entries;
}

std::vector<char*> pointers_to(std::vector<std::string>& strings) {
    std::vector<char*> pointers;
    pointers.reserve(strings.size() + 1);
    for (auto& text : strings) pointers.push_back(text.data());
    pointers.push_back(nullptr);
    return pointers;
}

/// Owns the posix_spawn attribute and file-action objects.
class SpawnSetup {
public:
    SpawnSetup() {
        posix_spawn_file_actions_init(&m_actions);
        posix_spawnattr_init(&m_attributes);
    }
    ~SpawnSetup() {
        posix_spawn_file_actions_destroy(&m_actions);
        posix_spawnattr_destroy(&m_attributes);
    }
    SpawnSetup(const SpawnSetup&) = delete;
    SpawnSetup& operator=(const SpawnSetup&) = delete;

    posix_spawn_file_actions_t m_actions;
    posix_spawnattr_t m_attributes;
};

/// Starts `argv` with the file actions of `setup` and a clean signal state; returns its pid.
pid_t spawn(const std::vector<std::string>& argv, const std::map<std::string, std::string>& extra_env,
            SpawnSetup& setup) {
    const std::string& program = argv.front();
    // The child starts with default signal handling and an empty mask, whatever ours are: a
    // pg_dump that inherited an ignored SIGPIPE or a blocked SIGTERM would misbehave.
    sigset_t default_signals;
    sigfillset(&default_signals);
    sigdelset(&default_signals, SIGKILL);
    sigdelset(&default_signals, SIGSTOP);
    sigset_t empty_mask;
    sigemptyset(&empty_mask);
    posix_spawnattr_setsigdefault(&setup.m_attributes, &default_signals);
    posix_spawnattr_setsigmask(&setup.m_attributes, &empty_mask);
    posix_spawnattr_setflags(&setup.m_attributes, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

    std::vector<std::string> arguments(argv);
    std::vector<char*> argument_pointers = pointers_to(arguments);
    std::vector<std::string> environment = child_environment(extra_env);
    std::vector<char*> environment_pointers = pointers_to(environment);

    pid_t pid = 0;
    // posix_spawnp searches PATH only when the name has no '/', exactly like execvp.
    int spawn_error = ::posix_spawnp(&pid, program.c_str(), &setup.m_actions, &setup.m_attributes,
                                     argument_pointers.data(), environment_pointers.data());
    if (spawn_error != 0) fail_to_start(program, std::strerror(spawn_error));
    // A crash test kills us while the child runs on, e.g. at "spawned pg_restore --section=post-data".
    test_pause_point(("spawned " + program.substr(program.rfind('/') + 1) +
                      (argv.size() > 1 ? " " + argv[1] : std::string()))
                         .c_str());
    return pid;
}

/// Waits for the child; its exit status, or 128 + signal number.
int wait_for(pid_t pid, const std::string& program) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            throw Error(ExitCode::internal, "could not wait for \"" + program + "\": " + std::strerror(errno));
    }
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return 1;
}

/// Reads whatever `fd` has into `out`; returns false at end-of-file.
bool drain_once(int fd, std::string& out) {
    std::array<char, 65536> buffer{};
    for (;;) {
        ssize_t count = ::read(fd, buffer.data(), buffer.size());
        if (count > 0) {
            out.append(buffer.data(), static_cast<std::size_t>(count));
            return true;
        }
        if (count == 0) return false;
        if (errno == EINTR) continue;
        return false;  // a read error on our own pipe: treat as closed rather than hang
    }
}

std::vector<int> version_parts(const std::string& text) {
    std::vector<int> parts;
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t dot = text.find('.', start);
        std::string part = text.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
        if (part.empty() || part.find_first_not_of("0123456789") != std::string::npos) return {};
        parts.push_back(std::atoi(part.c_str()));
        if (dot == std::string::npos) break;
        start = dot + 1;
    }
    return parts;
}

}  // namespace

ProcessResult run_process(const std::vector<std::string>& argv, const std::map<std::string, std::string>& extra_env,
                          const std::string& stdout_path, const std::vector<int>& inherited_fds) {
    if (argv.empty()) throw Error(ExitCode::internal, "run_process: empty argument list");
    const std::string& program = argv.front();
    for (int fd : inherited_fds) {
        if (fd <= STDERR_FILENO)
            throw Error(ExitCode::internal, "run_process: descriptor " + std::to_string(fd) + " cannot be inherited");
    }

    FileDescriptor stdout_file;
    if (!stdout_path.empty()) {
        stdout_file = FileDescriptor(::open(stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
        if (stdout_file.get() < 0)
            throw Error(ExitCode::io, "could not create \"" + stdout_path + "\": " + std::strerror(errno));
    }
    Pipe stdout_pipe;
    if (stdout_path.empty()) stdout_pipe = make_pipe(program);
    Pipe stderr_pipe = make_pipe(program);

    SpawnSetup setup;
    posix_spawn_file_actions_addopen(&setup.m_actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&setup.m_actions,
                                     stdout_path.empty() ? stdout_pipe.write_end.get() : stdout_file.get(),
                                     STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&setup.m_actions, stderr_pipe.write_end.get(), STDERR_FILENO);
    // dup2 onto itself clears close-on-exec in the child only (POSIX, glibc >= 2.29): another
    // thread's child started meanwhile still does not inherit it. Keeping the number, rather than
    // moving it to a fixed one, means no inherited descriptor can overwrite another.
    for (int fd : inherited_fds) posix_spawn_file_actions_adddup2(&setup.m_actions, fd, fd);
    pid_t pid = spawn(argv, extra_env, setup);

    // Our copies of the write ends must go, or the reads below never see end-of-file.
    stdout_pipe.write_end.close();
    stderr_pipe.write_end.close();
    stdout_file.close();

    ProcessResult result{0, {}, {}};
    // Both pipes are read as data arrives: a child that fills the stderr pipe while we wait on
    // stdout (or the reverse) would otherwise block forever.
    std::array<pollfd, 2> watched{};
    watched[0] = pollfd{stdout_pipe.read_end.get(), POLLIN, 0};
    watched[1] = pollfd{stderr_pipe.read_end.get(), POLLIN, 0};
    std::array<std::string*, 2> sinks{&result.stdout_text, &result.stderr_text};
    for (;;) {
        bool any_open = false;
        for (const auto& entry : watched) any_open = any_open || entry.fd >= 0;
        if (!any_open) break;
        int ready = ::poll(watched.data(), watched.size(), -1);
        if (ready < 0) {
            if (errno == EINTR) continue;
            break;
        }
        for (std::size_t stream_idx = 0; stream_idx < watched.size(); ++stream_idx) {
            auto& entry = watched[stream_idx];
            if (entry.fd < 0 || entry.revents == 0) continue;
            if (!drain_once(entry.fd, *sinks[stream_idx])) entry.fd = -1;  // poll ignores negative fds
        }
    }

    result.exit_code = wait_for(pid, program);
    return result;
}

ProcessResult run_process_with_input(const std::vector<std::string>& argv,
                                     const std::map<std::string, std::string>& extra_env,
                                     const std::function<std::string_view()>& next_input) {
    if (argv.empty()) throw Error(ExitCode::internal, "run_process: empty argument list");
    const std::string& program = argv.front();

    Pipe stdin_pipe = make_pipe(program);
    Pipe stdout_pipe = make_pipe(program);
    Pipe stderr_pipe = make_pipe(program);
    // Our end never blocks: a child busy with a long statement must not stop us reading its stderr.
    ::fcntl(stdin_pipe.write_end.get(), F_SETFL, ::fcntl(stdin_pipe.write_end.get(), F_GETFL) | O_NONBLOCK);

    SpawnSetup setup;
    posix_spawn_file_actions_adddup2(&setup.m_actions, stdin_pipe.read_end.get(), STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&setup.m_actions, stdout_pipe.write_end.get(), STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&setup.m_actions, stderr_pipe.write_end.get(), STDERR_FILENO);
    pid_t pid = spawn(argv, extra_env, setup);
    stdin_pipe.read_end.close();
    stdout_pipe.write_end.close();
    stderr_pipe.write_end.close();

    // A child that exits before reading all its input turns our next write into SIGPIPE, which
    // would end this process: block it in this thread, see EPIPE instead, and discard the signal.
    sigset_t pipe_signal;
    sigemptyset(&pipe_signal);
    sigaddset(&pipe_signal, SIGPIPE);
    sigset_t previous_mask;
    pthread_sigmask(SIG_BLOCK, &pipe_signal, &previous_mask);
    auto restore_signals = [&] {
        sigset_t pending;
        sigpending(&pending);
        if (sigismember(&pending, SIGPIPE)) {
            timespec no_wait{0, 0};
            sigtimedwait(&pipe_signal, nullptr, &no_wait);
        }
        pthread_sigmask(SIG_SETMASK, &previous_mask, nullptr);
    };

    ProcessResult result{0, {}, {}};
    std::string_view pending_input;
    bool input_done = false;
    std::array<pollfd, 3> watched{};
    watched[0] = pollfd{stdout_pipe.read_end.get(), POLLIN, 0};
    watched[1] = pollfd{stderr_pipe.read_end.get(), POLLIN, 0};
    watched[2] = pollfd{stdin_pipe.write_end.get(), POLLOUT, 0};
    std::array<std::string*, 2> sinks{&result.stdout_text, &result.stderr_text};
    try {
        for (;;) {
            if (watched[0].fd < 0 && watched[1].fd < 0) break;
            int ready = ::poll(watched.data(), watched.size(), -1);
            if (ready < 0) {
                if (errno == EINTR) continue;
                break;
            }
            for (std::size_t stream_idx = 0; stream_idx < sinks.size(); ++stream_idx) {
                auto& entry = watched[stream_idx];
                if (entry.fd < 0 || entry.revents == 0) continue;
                if (!drain_once(entry.fd, *sinks[stream_idx])) entry.fd = -1;
            }
            auto& input = watched[2];
            if (input.fd < 0 || input.revents == 0) continue;
            if ((input.revents & (POLLERR | POLLHUP)) != 0) input_done = true;  // the child closed its stdin
            while (!input_done) {
                if (pending_input.empty()) {
                    pending_input = next_input();
                    if (pending_input.empty()) {
                        input_done = true;
                        break;
                    }
                }
                ssize_t written = ::write(input.fd, pending_input.data(), pending_input.size());
                if (written > 0) {
                    pending_input.remove_prefix(static_cast<std::size_t>(written));
                    continue;
                }
                if (written < 0 && errno == EINTR) continue;
                if (written < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
                input_done = true;  // EPIPE: the child is gone or stopped reading; its exit status says why
            }
            if (input_done) {
                // End-of-file tells the child that the input is complete.
                stdin_pipe.write_end.close();
                input.fd = -1;
            }
        }
    } catch (...) {
        // The input failed (an unreadable file): the child must not take the truncated input as
        // complete, so it is stopped before its stdin reaches end-of-file.
        ::kill(pid, SIGTERM);
        stdin_pipe.write_end.close();
        restore_signals();
        int status = 0;
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        throw;
    }
    stdin_pipe.write_end.close();
    restore_signals();
    result.exit_code = wait_for(pid, program);
    return result;
}

std::string find_pg_program(const std::string& name) {
    if (const char* folder = std::getenv("UNDERSTUDY_PG_BIN"); folder && *folder) {
        return (std::filesystem::path(folder) / name).string();
    }
    // Debian and Ubuntu install each major version side by side; the newest pg_dump can dump every
    // older server, while an older one refuses a newer server.
    std::optional<std::vector<int>> best_version;
    std::string best_path;
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator("/usr/lib/postgresql", error)) {
        std::vector<int> version = version_parts(entry.path().filename().string());
        if (version.empty()) continue;
        std::filesystem::path candidate = entry.path() / "bin" / name;
        if (::access(candidate.c_str(), X_OK) != 0) continue;
        if (!best_version || version > *best_version) {
            best_version = version;
            best_path = candidate.string();
        }
    }
    return best_version ? best_path : name;
}

std::string pg_program_conninfo(const pg::ConnInfo& info, const std::string& program) {
    return pg::with_default_connect_timeout(info.with("application_name", "understudy " + program))
        .keyword_string_without_password();
}

std::map<std::string, std::string> pg_program_environment(const pg::ConnInfo& info) {
    std::map<std::string, std::string> env;
    if (auto password = info.password()) env["PGPASSWORD"] = *password;
    return env;
}

}  // namespace understudy::orchestrator
