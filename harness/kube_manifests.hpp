// The Kubernetes objects of a matrix: the namespaces (Pod Security labels) and a Pod per cell.
// One generator for both `procmatrix manifests` (YAML) and the kubernetes backend (JSON to
// kubectl), so what a GitOps user applies is what the backend ran.
//
// Namespaces: the run namespace `<prefix>` at the lowest level that admits every cell (privileged
// where a cell is privileged or Unmasked where baseline forbids it), and with --pod-security,
// admission namespaces `<prefix>-baseline` and `<prefix>-restricted` holding the same cells as
// admission checks (Cell::pod_security set). Pods in a restricted namespace meet every restricted
// check except procMount and privileged (non-root, no privilege escalation, capabilities dropped,
// RuntimeDefault seccomp), so that what admission refuses there is the cell's own setting.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "cell.hpp"
#include "kube_admission.hpp"

namespace procmatrix::harness {

// The probe's image (images/build-archive tags it so); its entrypoint is /procprobe.
std::string default_probe_image();

inline constexpr std::string_view kLabelName = "app.kubernetes.io/name";
inline constexpr std::string_view kLabelCell = "procmatrix.io/cell";
inline constexpr std::string_view kLabelRun = "procmatrix.io/run";

struct ManifestOptions {
  std::string namespace_prefix = "procmatrix";
  std::optional<std::string> existing_namespace;  // --namespace: the run's Pods go there; not created
  std::string image = default_probe_image();
  std::string run_id = "manual";
  std::vector<PodSecurityLevel> admission_levels;  // baseline and/or restricted
  PolicyVersion policy;                            // enforce-version of every namespace
  // The policy version the run namespace's level is chosen for; "latest" in `manifests` is
  // unknown, so the oldest (the strictest about Unmasked) is assumed.
  KubeVersion policy_assumed{1, 0};
};

struct NamespacePlan {
  std::string name;
  PodSecurityLevel level = PodSecurityLevel::privileged;
  bool create = true;  // false for --namespace
  nlohmann::json object;
};

struct PodPlan {
  Cell cell;  // admission checks have cell.pod_security set
  std::string name;
  std::string ns;
  PodSecurityLevel level = PodSecurityLevel::privileged;  // its namespace's
  nlohmann::json object;
};

struct ManifestPlan {
  std::vector<NamespacePlan> namespaces;
  std::vector<PodPlan> pods;  // the run's cells, then each admission namespace's
};

// `cells` are the run's (node set for sweeps; runtime.name "default" means no runtimeClassName).
ManifestPlan plan_manifests(const std::vector<Cell>& cells, const ManifestOptions& options);

// The pieces, for the backend and tests.
nlohmann::json namespace_object(const std::string& name, PodSecurityLevel level,
                                const ManifestOptions& options);
nlohmann::json pod_object(const PodPlan& pod, const ManifestOptions& options);
// A DNS-1123 name, stable for the cell: "pm-<run>-<runtime>-unmasked-priv-userns[-<node>]".
std::string pod_name(const Cell& cell, std::string_view run_id);
// A label value (63 characters of [A-Za-z0-9._-], alphanumeric at both ends) naming the cell.
std::string cell_label(const Cell& cell);

// Every object as YAML documents, with a comment header saying what it is and how to apply it.
std::string render_manifests_yaml(const ManifestPlan& plan, const ManifestOptions& options);

// The runtime name of cells with no runtimeClassName: the cluster's default handler.
inline constexpr std::string_view kDefaultRuntimeClass = "default";

}  // namespace procmatrix::harness
