// Placeholder until the CLI lands.
#include "understudy/orchestrator/cli.hpp"
namespace understudy::orchestrator { int run_cli(int, char**) { return 0; } }
