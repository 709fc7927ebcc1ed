// A backend runs the probe in one cell and returns what happened. The local backend plays
// kubelet + containerd on real OCI runtimes; the kubernetes backend (later) applies Pods.
#pragma once

#include <atomic>
#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

#include "cell.hpp"

namespace procmatrix::harness {

enum class CellStatus { ran, rejected, skipped, error };

struct CellRun {
  CellStatus status = CellStatus::error;
  std::string reason;            // one line when not ran: "runc: unable to apply caps: ..."
  nlohmann::json spec;           // the OCI config.json (or Pod) the cell ran with
  nlohmann::json observation;    // the probe's procmatrix.probe/v1 document (validated)
  std::string runtime_version;   // first line of `<runtime> --version`
  std::chrono::milliseconds elapsed{0};
  std::vector<std::string> notes;  // workarounds applied: "crun: ran in a private mount namespace without /sys/fs/cgroup/unified (hybrid cgroups)"
  std::string rerun;  // a shell line that runs `spec` again by hand (the local backend fills it)
};

class Backend {
 public:
  virtual ~Backend() = default;
  // Runs one cell. Must not throw for a cell's own failure (that is an error CellRun), must clean
  // up everything it made before returning, and must return soon after `cancel` becomes true.
  virtual CellRun run(const Cell& cell, std::chrono::seconds timeout, const std::atomic<bool>& cancel) = 0;
};

const char* to_string(CellStatus s);

}  // namespace procmatrix::harness
