// The command-line interface: parses options (flags and UNDERSTUDY_* variables) and runs a command.
#pragma once

namespace understudy::orchestrator {

/// Runs the `understudy` command line; returns the process exit status. Holds the only
/// top-level catch: every Error becomes one `error:` line (plus `HINT:`) and its exit code.
int run_cli(int argc, char** argv);

}  // namespace understudy::orchestrator
