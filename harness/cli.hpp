// The command line: `procmatrix run [OPTIONS]`, --help, --version. Parsing is apart from running
// (run_command.hpp) so that every bad flag and value is tested without starting a container.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "cell.hpp"
#include "matrix.hpp"
#include "support/error.hpp"

namespace procmatrix::harness {

struct RunOptions {
  std::string backend = "local";
  std::optional<std::vector<Runtime>> runtimes;
  std::optional<std::vector<ProcMount>> proc_mounts;
  std::optional<std::vector<bool>> privileged;
  std::optional<std::vector<bool>> host_users;
  std::optional<std::string> matrix_file;
  std::optional<std::string> profile;
  std::optional<std::string> profile_file;
  unsigned jobs = 0;  // 0: the number of cores
  std::chrono::seconds timeout{60};
  std::string out = "out";
  std::optional<std::string> probe;
  bool no_color = false;
  bool help = false;
};

// The options of `run` (the arguments after "run"). Errors are one line naming the flag and value.
Result<RunOptions> parse_run_args(const std::vector<std::string>& args);

// The matrix: the file's dimensions (if --matrix), each overridden by its flag when given.
Result<MatrixSpec> matrix_spec(const RunOptions& options);

std::string program_help();
std::string run_help();

// The whole program: dispatches to a subcommand; returns the exit code.
int cli_main(const std::vector<std::string>& args);

}  // namespace procmatrix::harness
