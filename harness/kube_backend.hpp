// The kubernetes backend: one Pod per cell (and node), made by kube_manifests, created with
// kubectl, waited for by polling its status, the probe's JSON read from its logs, the Pod deleted.
// A refusal by the API is the cell's observation (status rejected, the API's message as reason);
// an admission check (Cell::pod_security) is a server-side dry run and never runs.
// Thread-safe: the runner calls run() from several threads, each on its own Pod.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "backend.hpp"
#include "kube_kubectl.hpp"
#include "kube_manifests.hpp"
#include "kube_parse.hpp"

namespace procmatrix::harness {

struct KubeBackendOptions {
  std::filesystem::path work_dir;  // the Pods' JSON files (kubectl create -f)
  bool keep = false;               // leave each Pod (the run's cleanup then also keeps them)
  std::chrono::milliseconds poll{500};
  std::chrono::seconds call_timeout{60};  // one kubectl call
};

class KubernetesBackend final : public Backend {
 public:
  KubernetesBackend(Kubectl kubectl, const ManifestPlan& plan, std::vector<NodeInfo> nodes,
                    KubeBackendOptions options);

  CellRun run(const Cell& cell, std::chrono::seconds timeout, const std::atomic<bool>& cancel) override;

  // Whether the API admitted a dry-run cell (its CellRun is skipped, "admission check only").
  static bool admitted(const CellRun& run);

 private:
  Status run_pod(const PodPlan& pod, std::chrono::seconds timeout, const std::atomic<bool>& cancel, CellRun& out);
  // `kubectl create -f`: the stored object, or the refusal recorded in `out` (nullopt then).
  Result<std::optional<nlohmann::json>> create(const PodPlan& pod, bool dry_run, const std::atomic<bool>& cancel,
                                               CellRun& out);
  Result<PodState> wait(const PodPlan& pod, std::chrono::seconds timeout, const std::atomic<bool>& cancel);
  void read_logs(const PodPlan& pod, const PodState& state, const std::atomic<bool>& cancel, CellRun& out);
  void remove(const PodPlan& pod);
  // A reason to skip a hostUsers:false cell on a node that cannot give it a user namespace.
  std::optional<std::string> userns_unsupported(const Cell& cell) const;
  const NodeInfo* node(const std::string& name) const;

  Kubectl kubectl_;
  std::map<std::string, PodPlan> pods_;  // by cell id
  std::vector<NodeInfo> nodes_;
  KubeBackendOptions options_;
};

}  // namespace procmatrix::harness
