#include "app/cli.hpp"

int main(int argc, char** argv) { return sabor::app::run_cli(argc, argv); }
