#include "kube_backend.hpp"

#include <fstream>
#include <thread>

#include "probe_output.hpp"
#include "text.hpp"

namespace procmatrix::harness {
namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

constexpr std::string_view kAdmitted = "admitted by the API: an admission check only (server-side dry run), not run";

std::vector<std::string> ns_args(const PodPlan& pod, std::vector<std::string> args) {
  args.insert(args.end(), {"-n", pod.ns});
  return args;
}

Status write_json(const std::filesystem::path& file, const json& obj) {
  std::ofstream out(file);
  out << obj.dump(2) << '\n';
  out.close();
  if (!out) return Error::from_errno(cat({"writing `", file.string(), "`"}));
  return Ok{};
}

std::string gate_reason(const std::vector<std::string>& dropped) {
  std::string out;
  for (const auto& f : dropped) {
    auto g = gate_for(f);
    out += cat({out.empty() ? "" : "; ", "the API server dropped ", f, g ? cat({" (feature gate ", g->gate,
                " off; on by default since ", g->on_by_default.str(), ")"}) : ""});
  }
  return cat({out, ": the Pod would not run the cell's settings"});
}

}  // namespace

KubernetesBackend::KubernetesBackend(Kubectl kubectl, const ManifestPlan& plan, std::vector<NodeInfo> nodes,
                                     KubeBackendOptions options)
    : kubectl_(std::move(kubectl)), nodes_(std::move(nodes)), options_(std::move(options)) {
  for (const auto& p : plan.pods) pods_.emplace(p.cell.id(), p);
}

bool KubernetesBackend::admitted(const CellRun& run) {
  return run.status == CellStatus::skipped && run.reason == kAdmitted;
}

CellRun KubernetesBackend::run(const Cell& cell, std::chrono::seconds timeout, const std::atomic<bool>& cancel) {
  const auto start = Clock::now();
  CellRun out;
  auto it = pods_.find(cell.id());
  try {
    Status st = it == pods_.end() ? Status(Error(0, cat({"no Pod planned for cell ", cell.id()})))
                                  : run_pod(it->second, timeout, cancel, out);
    if (!st) {
      out.status = CellStatus::error;
      out.reason = st.error().describe();
    }
  } catch (const std::exception& e) {
    out.status = CellStatus::error;
    out.reason = cat({"internal error: ", e.what()});
  }
  out.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  return out;
}

Status KubernetesBackend::run_pod(const PodPlan& pod, std::chrono::seconds timeout, const std::atomic<bool>& cancel,
                                  CellRun& out) {
  out.spec = pod.object;
  const bool dry_run = !pod.cell.pod_security.empty();
  if (!dry_run)
    if (auto why = userns_unsupported(pod.cell)) {
      out.status = CellStatus::skipped;
      out.reason = *why;
      return Ok{};
    }
  auto stored = create(pod, dry_run, cancel, out);
  if (!stored) return stored.error();
  if (!*stored) return Ok{};  // refused: out says how
  if (dry_run) {
    out.status = CellStatus::skipped;
    out.reason = std::string(kAdmitted);
    return Ok{};
  }
  if (auto dropped = dropped_fields(pod.object, **stored); !dropped.empty()) {
    remove(pod);
    out.status = CellStatus::skipped;
    out.reason = gate_reason(dropped);
    return Ok{};
  }
  auto state = wait(pod, timeout, cancel);
  if (state) read_logs(pod, *state, cancel, out);
  remove(pod);
  return state ? Status(Ok{}) : Status(state.error());
}

Result<std::optional<json>> KubernetesBackend::create(const PodPlan& pod, bool dry_run,
                                                      const std::atomic<bool>& cancel, CellRun& out) {
  const auto file = options_.work_dir / cat({pod.ns, "-", pod.name, ".json"});
  if (auto st = write_json(file, pod.object); !st) return st.error();
  std::vector<std::string> args = {"create", "-f", file.string(), "-o", "json"};
  if (dry_run) args.emplace_back("--dry-run=server");
  auto r = kubectl_.run(args, options_.call_timeout, &cancel);
  std::error_code ec;
  std::filesystem::remove(file, ec);
  if (!r) return r.error();
  if (r->end == ProcessEnd::exited && r->exit_code == 0) {
    json stored = json::parse(r->out, nullptr, false);
    if (stored.is_discarded()) return Error(0, "kubectl create -o json printed no JSON object");
    return std::optional<json>(std::move(stored));
  }
  if (r->end == ProcessEnd::exited)
    if (auto refusal = parse_refusal(r->err)) {
      out.status = CellStatus::rejected;
      out.reason = refusal->message;
      return std::optional<json>();
    }
  return Error(0, describe_call(args, *r, options_.call_timeout));
}

Result<PodState> KubernetesBackend::wait(const PodPlan& pod, std::chrono::seconds timeout,
                                         const std::atomic<bool>& cancel) {
  const auto deadline = Clock::now() + timeout;
  PodState last;
  for (;;) {
    if (cancel) return Error(0, "cancelled");
    auto text = kubectl_.output(ns_args(pod, {"get", "pod", pod.name, "-o", "json"}), options_.call_timeout, &cancel);
    if (!text) return text.error();
    auto state = parse_pod(*text);
    if (!state) return state.error();
    last = *state;
    if (last.phase == PodPhase::succeeded || last.phase == PodPhase::failed) return last;
    if (last.hopeless) return Error(0, cat({"Pod ", pod.name, " on ", last.node.empty() ? "no node" : last.node, ": ", last.reason}));
    if (Clock::now() >= deadline) break;
    std::this_thread::sleep_for(options_.poll);
  }
  std::string why = last.reason;
  if (auto ev = kubectl_.output(ns_args(pod, {"get", "events", "--field-selector",
                                              cat({"involvedObject.name=", pod.name}), "-o", "json"}),
                                options_.call_timeout, &cancel);
      ev)
    if (auto warnings = warning_events(*ev); !warnings.empty()) why = warnings.back();
  return Error(0, cat({"Pod ", pod.name, " not finished after ", std::to_string(timeout.count()), " s",
                       why.empty() ? "" : cat({" (", why, ")"})}));
}

void KubernetesBackend::read_logs(const PodPlan& pod, const PodState& state, const std::atomic<bool>& cancel,
                                  CellRun& out) {
  if (const NodeInfo* n = node(state.node)) out.runtime_version = n->container_runtime;
  if (!pod.cell.node && !state.node.empty()) out.notes.push_back(cat({"ran on node ", state.node}));
  auto logs = kubectl_.output(ns_args(pod, {"logs", pod.name, "-c", "probe"}), options_.call_timeout, &cancel);
  if (!logs) {
    out.reason = logs.error().describe();
    return;
  }
  auto doc = parse_probe_output(*logs);
  if (!doc) {
    out.reason = cat({"probe ", doc.error().message(), " (", state.reason.empty() ? "no reason" : state.reason, ")"});
    return;
  }
  out.observation = std::move(*doc);
  if (state.phase == PodPhase::failed || state.exit_code.value_or(0) != 0) {
    out.reason = cat({"the probe exited ", std::to_string(state.exit_code.value_or(-1)), ": ", state.reason});
    return;
  }
  out.status = CellStatus::ran;
}

void KubernetesBackend::remove(const PodPlan& pod) {
  if (options_.keep) return;
  // Not cancellable: a Ctrl-C must still clean up. --wait=false: the run's end deletes the
  // namespace anyway; waiting for each Pod's termination only slows the sweep.
  (void)kubectl_.run(ns_args(pod, {"delete", "pod", pod.name, "--wait=false", "--ignore-not-found"}),
                     options_.call_timeout, nullptr);
}

std::optional<std::string> KubernetesBackend::userns_unsupported(const Cell& cell) const {
  if (cell.host_users) return std::nullopt;
  std::vector<const NodeInfo*> candidates;
  if (cell.node) {
    if (const NodeInfo* n = node(*cell.node)) candidates.push_back(n);
  } else {
    for (const auto& n : nodes_) candidates.push_back(&n);
  }
  for (const NodeInfo* n : candidates)
    if (n->userns(cell.runtime.name) != false) return std::nullopt;  // supported, or not known
  if (candidates.empty()) return std::nullopt;
  return cat({cell.node ? cat({"node ", *cell.node}) : std::string("no node"), ": the runtime handler \"",
              cell.runtime.name == kDefaultRuntimeClass ? "" : cell.runtime.name,
              "\" does not support user namespaces (status.runtimeHandlers[].features.userNamespaces)"});
}

const NodeInfo* KubernetesBackend::node(const std::string& name) const {
  for (const auto& n : nodes_)
    if (n.name == name) return &n;
  return nullptr;
}

}  // namespace procmatrix::harness
