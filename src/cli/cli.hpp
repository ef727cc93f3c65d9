#pragma once

namespace sabor::cli {
// The command line of the contract: serve, migrate, user add, token create, demo, backup.
int run(int argc, char** argv);
}  // namespace sabor::cli
