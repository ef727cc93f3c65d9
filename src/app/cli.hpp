#pragma once

namespace sabor::app {
// The command line of the contract: serve, migrate, user add, token create, demo, backup.
int run_cli(int argc, char** argv);
}  // namespace sabor::app
