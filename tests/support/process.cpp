// Child processes for the test harness: fork + exec with output captured in unlinked temp files.
#include "process.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace understudy::testing {
namespace {

// Output goes to unlinked temp files rather than pipes: `pg_ctl start` leaves a server running,
// and a pipe inherited by a daemon would never reach EOF; a file needs no reader while we wait.
int open_capture_file() {
    const char* tmpdir = std::getenv("TMPDIR");
    std::string pattern = std::string(tmpdir && *tmpdir ? tmpdir : "/tmp") + "/understudy-out-XXXXXX";
    int fd = mkostemp(pattern.data(), O_CLOEXEC);
    if (fd < 0) throw std::runtime_error("could not create a temp file in \"" + pattern + "\": " + std::strerror(errno));
    unlink(pattern.c_str());
    return fd;
}

std::string read_all(int fd) {
    std::string out;
    lseek(fd, 0, SEEK_SET);
    char buffer[65536];
    for (;;) {
        ssize_t n = read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        out.append(buffer, static_cast<std::size_t>(n));
    }
    return out;
}

// Exits the child after a failure between fork and exec; only async-signal-safe calls here.
[[noreturn]] void child_fail(const char* what) {
    const char* reason = std::strerror(errno);
    (void)!write(2, what, std::strlen(what));
    (void)!write(2, ": ", 2);
    (void)!write(2, reason, std::strlen(reason));
    (void)!write(2, "\n", 1);
    _exit(127);
}

}  // namespace

std::string describe_command(const std::vector<std::string>& argv) {
    std::string out;
    for (const auto& arg : argv) {
        if (!out.empty()) out += ' ';
        out += arg;
    }
    return out;
}

ChildArguments::ChildArguments(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env)
    : m_argument_strings(argv) {
    for (char** entry = environ; *entry; ++entry) {
        std::string text(*entry);
        if (env.count(text.substr(0, text.find('='))) == 0) m_environment_strings.push_back(std::move(text));
    }
    for (const auto& [name, value] : env) m_environment_strings.push_back(name + "=" + value);
    for (auto& text : m_argument_strings) m_argv.push_back(text.data());
    m_argv.push_back(nullptr);
    for (auto& text : m_environment_strings) m_envp.push_back(text.data());
    m_envp.push_back(nullptr);
}

CommandResult run_process(const std::vector<std::string>& argv, const ProcessOptions& options) {
    if (argv.empty()) throw std::runtime_error("run_process: empty command");

    // Everything the child needs is prepared before fork: after fork only exec-safe calls follow.
    const ChildArguments child(argv, options.env);

    uid_t uid = 0;
    gid_t gid = 0;
    std::string user_name;
    if (options.run_as_user) {
        struct passwd* entry = getpwnam(options.run_as_user->c_str());
        if (!entry) throw std::runtime_error("no such user \"" + *options.run_as_user + "\"");
        uid = entry->pw_uid;
        gid = entry->pw_gid;
        user_name = entry->pw_name;
    }

    int out_fd = open_capture_file();
    int err_fd = open_capture_file();
    pid_t pid = fork();
    if (pid < 0) {
        close(out_fd);
        close(err_fd);
        throw std::runtime_error("could not fork for \"" + argv[0] + "\": " + std::strerror(errno));
    }
    if (pid == 0) {
        int null_fd = open("/dev/null", O_RDONLY);
        if (null_fd < 0 || dup2(null_fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(err_fd, 2) < 0) child_fail("dup2");
        if (options.run_as_user) {
            if (initgroups(user_name.c_str(), gid) != 0 || setgid(gid) != 0 || setuid(uid) != 0) child_fail("setuid");
        }
        if (!options.working_directory.empty() && chdir(options.working_directory.c_str()) != 0) child_fail("chdir");
        execvpe(child.program(), child.argv(), child.envp());
        child_fail(child.program());
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            close(out_fd);
            close(err_fd);
            throw std::runtime_error("waitpid failed for \"" + argv[0] + "\": " + std::strerror(errno));
        }
    }
    CommandResult result;
    result.out = read_all(out_fd);
    result.err = read_all(err_fd);
    close(out_fd);
    close(err_fd);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return result;
}

CommandResult run_process_checked(const std::vector<std::string>& argv, const ProcessOptions& options) {
    CommandResult result = run_process(argv, options);
    if (result.exit_code != 0) {
        throw std::runtime_error("command failed with exit status " + std::to_string(result.exit_code) + ": " +
                                 describe_command(argv) + "\n" + result.err + result.out);
    }
    return result;
}

}  // namespace understudy::testing
