#include "kube_cluster.hpp"

#include <fstream>

#include "text.hpp"

namespace procmatrix::harness {
namespace {

using nlohmann::json;
using std::chrono::seconds;

constexpr seconds kCallTimeout{60};

Result<std::filesystem::path> make_work_dir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "procmatrix-kube-XXXXXX").string();
  if (!::mkdtemp(tmpl.data())) return Error::from_errno("mkdtemp for the Pods' files");
  return std::filesystem::path(tmpl);
}

}  // namespace

Cluster::Cluster(KubeOptions options, Kubectl kubectl, std::string run_id)
    : options_(std::move(options)), kubectl_(std::move(kubectl)), run_id_(std::move(run_id)) {}

Cluster::~Cluster() { cleanup(); }

Result<std::unique_ptr<Cluster>> Cluster::open(const KubeOptions& options, std::string run_id,
                                               const std::vector<Cell>& cells, const std::atomic<bool>& cancel) {
  auto kubectl = Kubectl::find(options.kubectl, options.context);
  if (!kubectl) return kubectl.error();
  std::unique_ptr<Cluster> c(new Cluster(options, std::move(*kubectl), std::move(run_id)));
  if (auto st = c->learn(cancel); !st) return st.error();
  auto nodes = c->swept_nodes(cancel);
  if (!nodes) return nodes.error();
  auto dir = make_work_dir();
  if (!dir) return dir.error();
  c->work_dir_ = *dir;
  ManifestOptions& mo = c->manifest_options_;
  mo.namespace_prefix = options.namespace_prefix.value_or(cat({"procmatrix-", c->run_id_}));
  mo.existing_namespace = options.existing_namespace;
  mo.image = options.image;
  mo.run_id = c->run_id_;
  mo.admission_levels = options.admission_levels;
  mo.policy = options.policy;
  mo.policy_assumed = options.policy.effective(c->server_);
  c->plan_ = plan_manifests(fan_out(cells, *nodes), mo);
  c->note_gates();
  return c;
}

Status Cluster::learn(const std::atomic<bool>& cancel) {
  // `version` exits 1 when the server cannot be reached but still prints the client's part.
  auto v = kubectl_.run({"version", "-o", "json"}, kCallTimeout, &cancel);
  if (!v) return v.error();
  auto server = parse_server_version(v->out);
  if (!server) return Error(0, cat({server.error().message(), v->err.empty() ? "" : cat({"; kubectl: ", v->err.substr(0, 300)})}));
  server_ = *server;
  auto text = kubectl_.output({"get", "nodes", "-o", "json"}, kCallTimeout, &cancel);
  if (!text) return text.error();
  auto nodes = parse_nodes(*text);
  if (!nodes) return nodes.error();
  nodes_ = std::move(*nodes);
  return Ok{};
}

Result<std::vector<std::string>> Cluster::swept_nodes(const std::atomic<bool>& cancel) {
  std::vector<std::string> names;
  if (!options_.nodes) return names;
  std::vector<NodeInfo> picked = nodes_;
  if (*options_.nodes != "all") {
    auto text = kubectl_.output({"get", "nodes", "-l", *options_.nodes, "-o", "json"}, kCallTimeout, &cancel);
    if (!text) return text.error();
    auto nodes = parse_nodes(*text);
    if (!nodes) return nodes.error();
    picked = std::move(*nodes);
  }
  for (const auto& n : picked) names.push_back(n.name);
  if (names.empty()) return Error(0, cat({"--nodes ", *options_.nodes, ": no node matches"}));
  return names;
}

void Cluster::note_gates() {
  for (auto field : {"procMount", "hostUsers"})
    if (!gate_on_by_default(field, server_)) {
      auto g = gate_for(field);
      notes_.push_back(cat({"Kubernetes ", server_.str(), ": feature gate ", g->gate, " is off by default (on since ",
                            g->on_by_default.str(), "); cells that need ", field,
                            " are skipped if the API server drops it (manifests/kind/ turns it on)"}));
    }
  if (server_ < KubeVersion{1, 30})
    notes_.push_back(cat({"Kubernetes ", server_.str(), ": the API does not yet refuse Unmasked with hostUsers true (since 1.30)"}));
}

Status Cluster::create_namespaces(const std::atomic<bool>& cancel) {
  for (const auto& ns : plan_.namespaces) {
    if (!ns.create) continue;
    auto file = work_dir_ / cat({"namespace-", ns.name, ".json"});
    std::ofstream(file) << ns.object.dump(2) << '\n';
    auto r = kubectl_.output({"create", "-f", file.string()}, kCallTimeout, &cancel);
    if (!r) return r.error().with_context(cat({"creating namespace ", ns.name}));
    created_.push_back(ns.name);
  }
  return Ok{};
}

void Cluster::cleanup() {
  if (cleaned_) return;
  cleaned_ = true;
  if (!options_.keep) {
    // --wait=false: the namespace controller finishes the deletion; the run need not wait for it.
    for (const auto& ns : created_)
      (void)kubectl_.run({"delete", "namespace", ns, "--wait=false", "--ignore-not-found"}, kCallTimeout, nullptr);
    if (options_.existing_namespace)
      (void)kubectl_.run({"delete", "pods", "-n", *options_.existing_namespace, "-l",
                          cat({kLabelRun, "=", run_id_}), "--wait=false", "--ignore-not-found"},
                         kCallTimeout, nullptr);
  }
  std::error_code ec;
  if (!work_dir_.empty()) std::filesystem::remove_all(work_dir_, ec);
}

json Cluster::provenance() const {
  json nodes = json::array();
  for (const auto& n : nodes_) nodes.push_back(n.provenance());
  json namespaces = json::array();
  for (const auto& ns : plan_.namespaces)
    namespaces.push_back({{"name", ns.name}, {"podSecurity", to_string(ns.level)}, {"created", ns.create}});
  return {{"serverVersion", server_.str()},
          {"context", options_.context ? json(*options_.context) : json(nullptr)},
          {"runId", run_id_},
          {"image", options_.image},
          {"policyVersion", options_.policy.label()},
          {"kept", options_.keep},
          {"namespaces", namespaces},
          {"nodes", nodes}};
}

}  // namespace procmatrix::harness
