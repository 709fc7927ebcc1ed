// The local backend: plays kubelet + containerd on this machine. For each cell it writes an OCI
// bundle (oci_spec, bundle), runs `<runtime> --root <private dir> run` (runtimes, process), reads
// the probe's JSON back (probe_output) and removes everything it made, whatever happened.
// Thread-safe: the runner calls run() from several threads at once.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "backend.hpp"
#include "bundle.hpp"
#include "host.hpp"
#include "runtimes.hpp"
#include "support/error.hpp"

namespace procmatrix::harness {

struct LocalBackendOptions {
  std::filesystem::path probe;     // the static procprobe on this machine
  std::filesystem::path work_dir;  // each cell's private dir is made here; empty: $TMPDIR or /tmp
  // `delete --force` runs after every cell, also after a cancel, with this much time of its own.
  std::chrono::seconds cleanup_timeout{30};
};

class LocalBackend final : public Backend {
 public:
  // Reads the host's facts and checks the probe: an executable, statically linked file (the
  // rootfs holds nothing else).
  static Result<std::unique_ptr<LocalBackend>> create(LocalBackendOptions options);
  LocalBackend(LocalBackendOptions options, HostFacts host);

  // A runtime that is not installed gives `skipped` unless the user named it
  // (Runtime::explicitly_requested), then `error`.
  CellRun run(const Cell& cell, std::chrono::seconds timeout,
              const std::atomic<bool>& cancel) override;

  const HostFacts& host() const { return host_; }

 private:
  Status run_cell(const Cell& cell, std::chrono::seconds timeout, const std::atomic<bool>& cancel,
                  CellRun& out);
  // `<runtime> run` in the bundle, judged into `out`; the container deleted whatever happened.
  void run_container(const RuntimeCommand& cmd, const Bundle& bundle, const std::string& runtime,
                     std::chrono::seconds timeout, const std::atomic<bool>& cancel, CellRun& out);
  // The first line of `--version`, read once per binary; empty (and a note) when it fails.
  std::string version_of(const std::string& path, CellRun& out);
  static std::string next_container_id();

  LocalBackendOptions options_;
  HostFacts host_;
  std::mutex versions_mutex_;
  std::map<std::string, Result<std::string>> versions_;
};

// Where the probe is by default: next to this program (an install), or in the build tree's
// probes/ beside harness/. The first that exists; else the first candidate, for the error.
std::filesystem::path default_probe_path();

// Checks that `path` is an executable ELF file with no interpreter (static).
Status check_static_executable(const std::filesystem::path& path);

}  // namespace procmatrix::harness
