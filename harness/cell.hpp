// A cell: one combination of settings under which the probe runs. The matrix is a list of them.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace procmatrix::harness {

enum class ProcMount { Default, Unmasked };

// An OCI runtime: by name (runc, crun, runsc) or a vendor's build by path (NAME=PATH).
struct Runtime {
  std::string name;   // "runc", "mycrun"
  std::string path;   // absolute path of the binary; empty until resolved
  bool explicitly_requested = false;  // named by the user: missing is an error, not a skip
};

struct Cell {
  std::string backend = "local";
  Runtime runtime;
  std::optional<std::string> node;  // kubernetes sweeps: the node name
  ProcMount proc_mount = ProcMount::Default;
  bool privileged = false;
  bool host_users = true;
  // kubernetes: an admission check only, in a namespace at this Pod Security level ("baseline",
  // "restricted"): the Pod is sent with a server-side dry run, never run. Empty for other cells.
  std::string pod_security;

  // "runc/Default/unprivileged/hostUsers" — stable, the key of diffs and reports; an admission
  // check ends in "/podsecurity=baseline".
  std::string id() const;
};

const char* to_string(ProcMount p);
std::optional<ProcMount> parse_proc_mount(const std::string& s);

}  // namespace procmatrix::harness
