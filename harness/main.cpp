// procmatrix: the harness. Everything is in procmatrix_core (cli.cpp) so the tests link it.
#include <string>
#include <vector>

#include "cli.hpp"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return procmatrix::harness::cli_main(args);
}
