#include "kube_options.hpp"

#include <algorithm>
#include <cstdio>

#include "cli.hpp"
#include "kube_manifests.hpp"
#include "text.hpp"

namespace procmatrix::harness {
namespace {

constexpr std::string_view kKubeValueFlags[] = {
    "--context", "--namespace", "--namespace-prefix", "--image", "--nodes", "--runtime-class",
    "--pod-security", "--policy-version", "--run-id", "--kubectl"};

// The run flags that mean something to `manifests`; the others (--jobs, --out, ...) do not.
constexpr std::string_view kManifestRunFlags[] = {"--proc-mount", "--privileged", "--host-users", "--matrix"};

Error flag_error(std::string_view flag, std::string_view value, std::string_view what) {
  return Error(0, cat({flag, ": \"", value, "\" ", what}));
}

std::vector<std::string> split_list(std::string_view v) {
  std::vector<std::string> out;
  for (std::size_t start = 0;;) {
    auto comma = v.find(',', start);
    out.emplace_back(v.substr(start, comma - start));
    if (comma == std::string_view::npos) return out;
    start = comma + 1;
  }
}

Result<std::vector<PodSecurityLevel>> parse_levels(std::string_view v) {
  if (v == "all") return std::vector<PodSecurityLevel>{PodSecurityLevel::baseline, PodSecurityLevel::restricted};
  std::vector<PodSecurityLevel> out;
  for (const auto& item : split_list(v)) {
    auto l = parse_pod_security_level(item);
    if (!l) return flag_error("--pod-security", item, "is not privileged, baseline, restricted or all");
    // The run namespace is always there; privileged adds no admission namespace.
    if (*l != PodSecurityLevel::privileged && std::find(out.begin(), out.end(), *l) == out.end()) out.push_back(*l);
  }
  return out;
}

Status apply_kube(KubeOptions& o, std::string_view flag, const std::string& value) {
  if (value.empty()) return flag_error(flag, value, "is empty");
  if (flag == "--pod-security") {
    auto l = parse_levels(value);
    if (!l) return l.error();
    o.admission_levels = std::move(*l);
  } else if (flag == "--policy-version") {
    auto p = parse_policy_version(value);
    if (!p) return Error(0, cat({"--policy-version: ", p.error().message()}));
    o.policy = *p;
  } else if (flag == "--runtime-class") {
    o.runtime_classes = split_list(value);
    for (const auto& rc : o.runtime_classes)
      if (rc.empty() || rc == kDefaultRuntimeClass)
        return flag_error(flag, value, "has an empty or reserved name (\"default\" is the cluster's own handler)");
  } else if (flag == "--context") o.context = value;
  else if (flag == "--namespace") o.existing_namespace = value;
  else if (flag == "--namespace-prefix") o.namespace_prefix = value;
  else if (flag == "--image") o.image = value;
  else if (flag == "--nodes") o.nodes = value;
  else if (flag == "--run-id") o.run_id = value;
  else if (flag == "--kubectl") o.kubectl = value;
  return Ok{};
}

bool is_kube_flag(std::string_view f) {
  return std::find(std::begin(kKubeValueFlags), std::end(kKubeValueFlags), f) != std::end(kKubeValueFlags);
}

}  // namespace

Result<std::vector<std::string>> take_kube_flags(const std::vector<std::string>& args, KubeOptions& o) {
  if (o.image.empty()) o.image = default_probe_image();
  std::vector<std::string> rest;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--keep") { o.keep = true; o.given.push_back(arg); continue; }
    auto eq = arg.find('=');
    std::string flag = arg.substr(0, eq);
    if (!is_kube_flag(flag)) { rest.push_back(arg); continue; }
    if (std::find(o.given.begin(), o.given.end(), flag) != o.given.end())
      return Error(0, cat({flag, ": given twice"}));
    o.given.push_back(flag);
    std::string value;
    if (eq != std::string::npos) value = arg.substr(eq + 1);
    else if (i + 1 < args.size()) value = args[++i];
    else return Error(0, cat({flag, ": needs a value"}));
    if (auto s = apply_kube(o, flag, value); !s) return s.error();
  }
  return rest;
}

std::vector<Cell> kube_cells(const MatrixSpec& spec, const std::vector<std::string>& runtime_classes) {
  std::vector<std::string> classes = runtime_classes;
  if (classes.empty()) classes.emplace_back(kDefaultRuntimeClass);
  std::vector<Cell> out;
  for (const auto& rc : classes)
    for (auto pm : spec.proc_mounts)
      for (bool priv : spec.privileged)
        for (bool host : spec.host_users) {
          Cell c;
          c.backend = "kubernetes";
          c.runtime.name = rc;
          c.proc_mount = pm;
          c.privileged = priv;
          c.host_users = host;
          out.push_back(std::move(c));
        }
  return out;
}

std::vector<Cell> fan_out(const std::vector<Cell>& cells, const std::vector<std::string>& nodes) {
  if (nodes.empty()) return cells;
  std::vector<Cell> out;
  out.reserve(cells.size() * nodes.size());
  for (const auto& n : nodes)
    for (Cell c : cells) {
      c.node = n;
      out.push_back(std::move(c));
    }
  return out;
}

std::string kube_run_help() {
  return "Kubernetes (--backend kubernetes; kubectl must reach the cluster):\n"
         "  --kubectl PATH        the kubectl to drive (default: kubectl on PATH)\n"
         "  --context C           the kubeconfig context (default: the current one)\n"
         "  --namespace N         run the Pods in this existing namespace (kept; it must admit them)\n"
         "  --namespace-prefix P  the namespaces made (default procmatrix-RUN)\n"
         "  --image I             the probe's image (default " + default_probe_image() + ")\n"
         "  --nodes all|SELECTOR  one Pod per cell on every node (or those the label selector picks)\n"
         "  --runtime-class LIST  RuntimeClass names as the runtime dimension (gvisor, kata)\n"
         "  --pod-security LEVEL  privileged (default), baseline, restricted or all: also check what\n"
         "                        Pod Security admission refuses at that level (server-side dry run)\n"
         "  --policy-version V    the namespaces' enforce-version: latest (default) or v1.35\n"
         "  --keep                leave the namespaces and Pods for debugging\n";
}

std::string manifests_help() {
  return "Usage: procmatrix manifests [OPTIONS]\n"
         "\n"
         "Prints the Kubernetes YAML of the matrix: the namespace(s) with Pod Security labels and a Pod\n"
         "per cell, the same Pods that procmatrix run --backend kubernetes applies.\n"
         "\n"
         "  --proc-mount LIST --privileged LIST --host-users LIST --matrix FILE   the matrix, as for run\n"
         "  --runtime-class LIST  RuntimeClass names as the runtime dimension\n"
         "  --nodes NAME,...      one Pod per cell on each named node (nodeName)\n"
         "  --namespace-prefix P  namespace names (default procmatrix; admission ones P-baseline, P-restricted)\n"
         "  --namespace N         put the run's Pods in this existing namespace (not printed)\n"
         "  --image I             the probe's image (default " + default_probe_image() + ")\n"
         "  --pod-security LEVEL  privileged (default), baseline, restricted or all: admission namespaces\n"
         "  --policy-version V    enforce-version label: latest (default) or v1.35\n"
         "  --run-id ID           the procmatrix.io/run label and part of every name (default manual)\n";
}

namespace {

Result<std::vector<Cell>> manifest_cells(const std::vector<std::string>& rest, const KubeOptions& k) {
  for (const auto& a : rest) {
    std::string flag = a.substr(0, a.find('='));
    bool ok = std::find(std::begin(kManifestRunFlags), std::end(kManifestRunFlags), flag) != std::end(kManifestRunFlags);
    if (flag.starts_with("-") && !ok)
      return Error(0, cat({"manifests: unknown option \"", flag, "\" (see procmatrix manifests --help)"}));
  }
  auto run = parse_run_args(rest);
  if (!run) return run.error();
  auto spec = matrix_spec(*run);
  if (!spec) return spec.error();
  std::vector<std::string> nodes;
  if (k.nodes) nodes = split_list(*k.nodes);
  return fan_out(kube_cells(*spec, k.runtime_classes), nodes);
}

}  // namespace

int manifests_command(const std::vector<std::string>& args) {
  if (std::find(args.begin(), args.end(), "--help") != args.end() ||
      std::find(args.begin(), args.end(), "-h") != args.end()) {
    std::fputs(manifests_help().c_str(), stdout);
    return 0;
  }
  KubeOptions k;
  auto rest = take_kube_flags(args, k);
  Result<std::vector<Cell>> cells = rest ? manifest_cells(*rest, k) : Result<std::vector<Cell>>(rest.error());
  if (!cells) {
    std::fprintf(stderr, "procmatrix: %s\n", cells.error().message().c_str());
    return 2;
  }
  ManifestOptions mo;
  mo.namespace_prefix = k.namespace_prefix.value_or("procmatrix");
  mo.existing_namespace = k.existing_namespace;
  mo.image = k.image;
  mo.run_id = k.run_id.value_or("manual");
  mo.admission_levels = k.admission_levels;
  mo.policy = k.policy;
  if (k.policy.pinned) mo.policy_assumed = *k.policy.pinned;
  std::fputs(render_manifests_yaml(plan_manifests(*cells, mo), mo).c_str(), stdout);
  return 0;
}

}  // namespace procmatrix::harness
