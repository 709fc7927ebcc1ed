// The matrix: the dimensions of a run (from flags or a matrix file) and their expansion into
// cells. Defaults give the 8 Kubernetes cells (procMount x privileged x hostUsers) on every
// runtime found on the machine.
//
// Matrix file (JSON), every field optional:
//   { "runtimes": ["runc", {"name": "mycrun", "path": "/opt/crun"}, "other=/opt/x"],
//     "procMount": ["Default", "Unmasked"], "privileged": [false, true],
//     "hostUsers": [true, false], "profile": "kubernetes" }
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cell.hpp"
#include "support/error.hpp"

namespace procmatrix::harness {

// The runtimes tried when none is named; one that is not installed is skipped with a note.
inline constexpr std::string_view kDefaultRuntimes[] = {"runc", "crun", "runsc"};

struct MatrixSpec {
  std::vector<Runtime> runtimes;  // empty: kDefaultRuntimes, those installed
  std::vector<ProcMount> proc_mounts{ProcMount::Default, ProcMount::Unmasked};
  std::vector<bool> privileged{false, true};
  std::vector<bool> host_users{true, false};
  std::optional<std::string> profile;
};

// Flag values: comma lists, each item once. `flag` names the flag in errors.
Result<std::vector<Runtime>> parse_runtime_list(std::string_view flag, std::string_view value);
Result<std::vector<ProcMount>> parse_proc_mount_list(std::string_view flag, std::string_view value);
Result<std::vector<bool>> parse_bool_list(std::string_view flag, std::string_view value);

// A matrix file's text; `file` names it in errors (with the field and the value).
Result<MatrixSpec> parse_matrix_file(const std::string& file, std::string_view text);
Result<MatrixSpec> load_matrix_file(const std::string& path);

// Finds a runtime's binary (fills runtime.path) or says why not. The real one searches PATH.
using RuntimeResolver = std::function<Status(Runtime&)>;

struct Expansion {
  std::vector<Cell> cells;         // to run, in order: runtime, procMount, privileged, hostUsers
  std::vector<Cell> skipped;       // cells of a default runtime that is not installed
  std::vector<std::string> notes;  // "crun: not installed, skipped (...)"
};

// Resolves the runtimes and expands the dimensions. A runtime the user named that cannot be found
// is an error; a default one is skipped with a note.
Result<Expansion> expand(const MatrixSpec& spec, const RuntimeResolver& resolve);

}  // namespace procmatrix::harness
