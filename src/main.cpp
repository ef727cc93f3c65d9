#include "cli/cli.hpp"

int main(int argc, char** argv) { return sabor::cli::run(argc, argv); }
