// understudy's command-line entry point: a thin shell over the orchestrator.
#include "understudy/orchestrator/cli/cli.hpp"

int main(int argc, char** argv) { return understudy::orchestrator::run_cli(argc, argv); }
