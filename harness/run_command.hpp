// `procmatrix run`: profile, matrix, backend, runner, results.json, the terminal matrix, and the
// exit code, each step's failure a one-line reason on stderr.
#pragma once

#include "cli.hpp"

namespace procmatrix::harness {

int run_command(const RunOptions& options);

}  // namespace procmatrix::harness
