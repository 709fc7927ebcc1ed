// `procmatrix run`: profile, matrix, backend, runner, results.json, the terminal matrix, and the
// exit code, each step's failure a one-line reason on stderr.
#pragma once

#include <string>

#include "cli.hpp"
#include "matrix.hpp"
#include "profile.hpp"

namespace procmatrix::harness {

int run_command(const RunOptions& options);

// What both backends' runs share: the one-line reason on stderr with exit 2, and the profile
// (--profile-file, else the matrix's or the default "kubernetes").
int fail_run(const std::string& reason);
Result<ProfileSet> load_run_profiles(const RunOptions& o, const MatrixSpec& spec);

}  // namespace procmatrix::harness
