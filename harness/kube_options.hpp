// The flags of the kubernetes backend and of `procmatrix manifests`. They are taken out of the
// arguments before `run`'s own parser sees the rest, so the run flags stay in one place (cli.cpp).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cell.hpp"
#include "kube_admission.hpp"
#include "matrix.hpp"
#include "support/error.hpp"

namespace procmatrix::harness {

struct KubeOptions {
  std::optional<std::string> context;           // --context
  std::optional<std::string> existing_namespace;  // --namespace: use it, neither create nor delete it
  std::optional<std::string> namespace_prefix;  // --namespace-prefix (default procmatrix[-RUN])
  std::string image;                            // --image (default default_probe_image())
  std::optional<std::string> nodes;             // --nodes: "all", a label selector; manifests: names
  std::vector<std::string> runtime_classes;     // --runtime-class; empty: the default handler
  std::vector<PodSecurityLevel> admission_levels;  // --pod-security
  PolicyVersion policy;                         // --policy-version
  std::optional<std::string> run_id;            // --run-id (manifests; the backend makes one)
  bool keep = false;                            // --keep
  std::string kubectl = "kubectl";              // --kubectl
  std::vector<std::string> given;               // the flags given, for "only with --backend kubernetes"
};

// Takes the kubernetes flags out of `args` into `options`; returns the other arguments.
Result<std::vector<std::string>> take_kube_flags(const std::vector<std::string>& args, KubeOptions& options);

// The kubernetes cells: each runtime class (or "default") x procMount x privileged x hostUsers.
std::vector<Cell> kube_cells(const MatrixSpec& spec, const std::vector<std::string>& runtime_classes);
// Each cell once per node (nodeName set), node-major so one node's cells stay together.
std::vector<Cell> fan_out(const std::vector<Cell>& cells, const std::vector<std::string>& nodes);

std::string kube_run_help();
std::string manifests_help();

// `procmatrix manifests [...]`: prints the YAML; returns the exit code.
int manifests_command(const std::vector<std::string>& args);

}  // namespace procmatrix::harness
