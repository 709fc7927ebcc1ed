// One run's hold on a cluster: what it learned first (server version, nodes), what it plans
// (namespaces and Pods, kube_manifests), what it created, and the cleanup of all of it, which
// runs once: explicitly at the end, or from the destructor after an early return.
#pragma once

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kube_kubectl.hpp"
#include "kube_manifests.hpp"
#include "kube_options.hpp"
#include "kube_parse.hpp"

namespace procmatrix::harness {

class Cluster {
 public:
  // Reads the version and the nodes, expands `cells` over the swept nodes, plans the objects.
  static Result<std::unique_ptr<Cluster>> open(const KubeOptions& options, std::string run_id,
                                               const std::vector<Cell>& cells, const std::atomic<bool>& cancel);
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;
  ~Cluster();

  Status create_namespaces(const std::atomic<bool>& cancel);
  // Deletes the namespaces it created (or, in --namespace, the run's Pods by label), unless
  // --keep; not cancellable; runs once.
  void cleanup();

  const Kubectl& kubectl() const { return kubectl_; }
  const ManifestPlan& plan() const { return plan_; }
  const std::vector<NodeInfo>& nodes() const { return nodes_; }
  KubeVersion server() const { return server_; }
  const PolicyVersion& policy() const { return options_.policy; }
  const std::filesystem::path& work_dir() const { return work_dir_; }
  bool keep() const { return options_.keep; }
  const std::vector<std::string>& notes() const { return notes_; }
  nlohmann::json provenance() const;  // for results.json: run.cluster

 private:
  Cluster(KubeOptions options, Kubectl kubectl, std::string run_id);
  Status learn(const std::atomic<bool>& cancel);
  Result<std::vector<std::string>> swept_nodes(const std::atomic<bool>& cancel);
  void note_gates();

  KubeOptions options_;
  Kubectl kubectl_;
  std::string run_id_;
  KubeVersion server_;
  std::vector<NodeInfo> nodes_;
  ManifestOptions manifest_options_;
  ManifestPlan plan_;
  std::vector<std::string> created_;  // namespaces
  std::filesystem::path work_dir_;
  std::vector<std::string> notes_;
  bool cleaned_ = false;
};

}  // namespace procmatrix::harness
