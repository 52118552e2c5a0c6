// Running a child program (the PostgreSQL tools, psql, the understudy binary) and capturing its output.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

namespace understudy::testing {

/// The outcome of a child program: its exit status (128 + signal if killed) and its output.
struct CommandResult {
    int exit_code = 0;
    std::string out;
    std::string err;
};

/// How to run a child program.
struct ProcessOptions {
    /// Extra environment variables on top of this process's environment.
    std::map<std::string, std::string> env;
    /// Run as this user (set only when we are root: PostgreSQL refuses to run as root).
    std::optional<std::string> run_as_user;
    /// Working directory of the child (empty: inherit).
    std::string working_directory;
};

/// What a child is started with, prepared before fork or spawn (after fork only exec-safe calls
/// follow): `argv`, and this process's environment with `env` added or replacing.
class ChildArguments {
public:
    ChildArguments(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env);
    ChildArguments(const ChildArguments&) = delete;
    ChildArguments& operator=(const ChildArguments&) = delete;
    /// NULL-terminated, for exec and posix_spawn.
    char* const* argv() const { return m_argv.data(); }
    char* const* envp() const { return m_envp.data(); }
    const char* program() const { return m_argv.front(); }

private:
    std::vector<std::string> m_argument_strings;
    std::vector<std::string> m_environment_strings;
    std::vector<char*> m_argv;
    std::vector<char*> m_envp;
};

/// Runs `argv` (argv[0] looked up in PATH if it has no slash), waits for it, and captures stdout
/// and stderr. Throws std::runtime_error only if the program cannot be started at all.
CommandResult run_process(const std::vector<std::string>& argv, const ProcessOptions& options = {});

/// Like run_process, but throws std::runtime_error naming the command and quoting its stderr when
/// the exit status is not 0.
CommandResult run_process_checked(const std::vector<std::string>& argv, const ProcessOptions& options = {});

/// The argv joined with spaces, for messages.
std::string describe_command(const std::vector<std::string>& argv);

}  // namespace understudy::testing
