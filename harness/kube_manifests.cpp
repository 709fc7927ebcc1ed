#include "kube_manifests.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <set>

#include "kube_yaml.hpp"
#include "text.hpp"

namespace procmatrix::harness {
namespace {

using nlohmann::json;

constexpr std::string_view kPodSecurityPrefix = "pod-security.kubernetes.io/";
constexpr std::string_view kLabelLevel = "procmatrix.io/pod-security";
constexpr std::string_view kAnnotationCellId = "procmatrix.io/cell-id";

// Small on purpose: the probe scans in milliseconds; a sweep of 1000 nodes must not crowd them.
const json kResources = {{"requests", {{"cpu", "10m"}, {"memory", "16Mi"}}},
                         {"limits", {{"cpu", "200m"}, {"memory", "64Mi"}}}};

std::string hex32(std::string_view s) {
  std::uint32_t h = 2166136261u;  // FNV-1a
  for (unsigned char c : s) h = (h ^ c) * 16777619u;
  char buf[9];
  std::snprintf(buf, sizeof buf, "%08x", h);
  return buf;
}

// Lower-case alphanumerics and dashes, no dash at either end; cut to `max` with a hash when longer.
std::string dns_part(std::string_view s, std::size_t max) {
  std::string out;
  for (char c : s) {
    char l = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    bool ok = std::isalnum(static_cast<unsigned char>(l));
    if (ok || (!out.empty() && out.back() != '-')) out += ok ? l : '-';
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  if (out.size() > max) out = out.substr(0, max - 9) + "-" + hex32(s);
  return out.empty() ? hex32(s) : out;
}

json pod_labels(const PodPlan& pod, const ManifestOptions& o) {
  return {{std::string(kLabelName), "procmatrix"},
          {std::string(kLabelCell), cell_label(pod.cell)},
          {std::string(kLabelRun), o.run_id},
          {std::string(kLabelLevel), to_string(pod.level)}};
}

// The container's securityContext: the cell's settings; at restricted, also what restricted asks
// of everything else (allowPrivilegeEscalation false is invalid beside privileged true, so a
// privileged cell keeps its default and is refused for both).
json container_security(const PodPlan& pod) {
  json sc = {{"procMount", to_string(pod.cell.proc_mount)}, {"privileged", pod.cell.privileged}};
  if (pod.level != PodSecurityLevel::restricted) return sc;
  sc["runAsNonRoot"] = true;
  sc["runAsUser"] = 65534;
  sc["capabilities"] = {{"drop", {"ALL"}}};
  sc["seccompProfile"] = {{"type", "RuntimeDefault"}};
  if (!pod.cell.privileged) sc["allowPrivilegeEscalation"] = false;
  return sc;
}

json container(const PodPlan& pod, const ManifestOptions& o) {
  return {{"name", "probe"},
          {"image", o.image},
          {"imagePullPolicy", "IfNotPresent"},
          {"command", {"/procprobe"}},
          {"args", {"--format", "json"}},
          {"resources", kResources},
          {"securityContext", container_security(pod)},
          {"terminationMessagePolicy", "FallbackToLogsOnError"}};
}

PodSecurityLevel run_level(const std::vector<Cell>& cells, KubeVersion policy) {
  for (const auto& c : cells)
    if (level_needed(c, policy) == PodSecurityLevel::privileged) return PodSecurityLevel::privileged;
  return PodSecurityLevel::baseline;
}

void add_pods(ManifestPlan& plan, const std::vector<Cell>& cells, const NamespacePlan& ns,
              const std::string& pod_security, const ManifestOptions& o) {
  std::set<std::string> seen;
  for (Cell cell : cells) {
    cell.pod_security = pod_security;
    // Admission does not depend on the node: one admission check per cell, not per node.
    if (!pod_security.empty()) cell.node.reset();
    if (!seen.insert(cell.id()).second) continue;
    PodPlan pod{cell, pod_name(cell, o.run_id), ns.name, ns.level, {}};
    pod.object = pod_object(pod, o);
    plan.pods.push_back(std::move(pod));
  }
}

}  // namespace

std::string default_probe_image() { return cat({"ghcr.io/procmatrix/procprobe:", PROCMATRIX_VERSION}); }

std::string pod_name(const Cell& cell, std::string_view run_id) {
  std::string name = cat({"pm-", dns_part(run_id, 20), "-", dns_part(cell.runtime.name, 30), "-",
                          cell.proc_mount == ProcMount::Unmasked ? "unmasked" : "default",
                          cell.privileged ? "-priv" : "-unpriv", cell.host_users ? "-hostusers" : "-userns"});
  if (cell.node) name += cat({"-", dns_part(*cell.node, 60)});
  return name;
}

std::string cell_label(const Cell& cell) {
  std::string out;
  for (char c : cell.id()) {
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
    out += ok ? c : (c == '@' ? '_' : '.');
  }
  if (out.size() > 63) out = out.substr(0, 54) + "." + hex32(cell.id());
  while (!out.empty() && !std::isalnum(static_cast<unsigned char>(out.back()))) out.pop_back();
  return out;
}

json namespace_object(const std::string& name, PodSecurityLevel level, const ManifestOptions& o) {
  const std::string p(kPodSecurityPrefix);
  return {{"apiVersion", "v1"},
          {"kind", "Namespace"},
          {"metadata",
           {{"name", name},
            {"labels",
             {{p + "enforce", to_string(level)},
              {p + "enforce-version", o.policy.label()},
              {std::string(kLabelName), "procmatrix"},
              {std::string(kLabelRun), o.run_id}}}}}};
}

json pod_object(const PodPlan& pod, const ManifestOptions& o) {
  json spec = {{"automountServiceAccountToken", false},
               {"enableServiceLinks", false},
               {"containers", {container(pod, o)}},
               {"hostUsers", pod.cell.host_users},
               {"restartPolicy", "Never"},
               {"terminationGracePeriodSeconds", 0},
               {"tolerations", {{{"operator", "Exists"}}}}};
  if (pod.cell.node) spec["nodeName"] = *pod.cell.node;
  if (pod.cell.runtime.name != kDefaultRuntimeClass) spec["runtimeClassName"] = pod.cell.runtime.name;
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata",
           {{"name", pod.name},
            {"namespace", pod.ns},
            {"labels", pod_labels(pod, o)},
            {"annotations", {{std::string(kAnnotationCellId), pod.cell.id()}}}}},
          {"spec", spec}};
}

ManifestPlan plan_manifests(const std::vector<Cell>& cells, const ManifestOptions& o) {
  ManifestPlan plan;
  NamespacePlan run_ns{o.existing_namespace.value_or(o.namespace_prefix),
                       run_level(cells, o.policy_assumed), !o.existing_namespace, {}};
  if (run_ns.create) run_ns.object = namespace_object(run_ns.name, run_ns.level, o);
  plan.namespaces.push_back(run_ns);
  add_pods(plan, cells, run_ns, "", o);
  for (auto level : o.admission_levels) {
    NamespacePlan ns{cat({o.namespace_prefix, "-", to_string(level)}), level, true, {}};
    ns.object = namespace_object(ns.name, level, o);
    plan.namespaces.push_back(ns);
    add_pods(plan, cells, ns, to_string(level), o);
  }
  return plan;
}

std::string render_manifests_yaml(const ManifestPlan& plan, const ManifestOptions& o) {
  std::string out = cat({"# procmatrix ", PROCMATRIX_VERSION, ": the Pods of the matrix, run ", o.run_id, ".\n",
                         "# Apply, wait, then read each Pod's probe JSON with kubectl logs:\n",
                         "#   kubectl apply -f THIS.yaml\n",
                         "#   kubectl logs -n NAMESPACE POD > POD.json\n",
                         "# Pods in the -baseline and -restricted namespaces check Pod Security admission:\n",
                         "# some are refused on purpose (procmatrix run --backend kubernetes says which).\n"});
  for (const auto& ns : plan.namespaces)
    if (ns.create) out += cat({"---\n", to_yaml(ns.object)});
  for (const auto& pod : plan.pods) out += cat({"---\n# cell ", pod.cell.id(), "\n", to_yaml(pod.object)});
  return out;
}

}  // namespace procmatrix::harness
