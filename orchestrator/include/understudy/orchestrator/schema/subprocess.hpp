// Running external programs (pg_dump, pg_restore) without a shell and with their output captured.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "understudy/pg/conninfo.hpp"

namespace understudy::orchestrator {

/// How a child process ended and what it printed.
struct ProcessResult {
    int exit_code;            ///< the exit status, or 128 + signal number when a signal ended it
    std::string stdout_text;  ///< empty when stdout went to a file
    std::string stderr_text;
};

/// Runs `argv` (argv[0] looked up in PATH unless it has a '/'), with `extra_env` added to the
/// environment, stdout captured (or written to `stdout_path` when non-empty). Never through a shell.
/// The child inherits `inherited_fds` under the same numbers (all above 2), so that it can open
/// them as /dev/fd/N; every other descriptor of ours is close-on-exec.
/// Throws Error(io) when the program cannot be started or `stdout_path` cannot be created.
ProcessResult run_process(const std::vector<std::string>& argv,
                          const std::map<std::string, std::string>& extra_env = {},
                          const std::string& stdout_path = {}, const std::vector<int>& inherited_fds = {});

/// Like run_process (stdout and stderr captured), with the child's stdin fed by `next_input`: it is
/// called whenever the pipe can take more and returns the next bytes (valid until the next call);
/// an empty view ends the input. If the child exits early, the rest of the input is not read.
ProcessResult run_process_with_input(const std::vector<std::string>& argv,
                                     const std::map<std::string, std::string>& extra_env,
                                     const std::function<std::string_view()>& next_input);

/// Finds a PostgreSQL client program: $UNDERSTUDY_PG_BIN/<name>, else the highest
/// /usr/lib/postgresql/*/bin/<name>, else <name> in PATH (Heroku dynos). pg_dump must be at least as new as the server.
std::string find_pg_program(const std::string& name);

/// The connection string a PostgreSQL client program gets on its argv: no password, an
/// application_name ("understudy pg_dump") that shows in pg_stat_activity which tool is connected,
/// and the default connect_timeout (a child waiting on an unreachable server hangs a run as surely).
std::string pg_program_conninfo(const pg::ConnInfo& info, const std::string& program);

/// The environment that gives a PostgreSQL client program `info`'s password (PGPASSWORD): argv is
/// visible to every local user in `ps`, the environment only to the same user.
std::map<std::string, std::string> pg_program_environment(const pg::ConnInfo& info);

}  // namespace understudy::orchestrator
