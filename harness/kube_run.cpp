#include "kube_run.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <set>
#include <thread>

#include "kube_assess.hpp"
#include "kube_backend.hpp"
#include "kube_cluster.hpp"
#include "node_groups.hpp"
#include "profile.hpp"
#include "progress.hpp"
#include "render_terminal.hpp"
#include "results.hpp"
#include "run_command.hpp"
#include "runner.hpp"
#include "signals.hpp"
#include "text.hpp"

namespace procmatrix::harness {
namespace {

using nlohmann::json;

std::string make_run_id() {
  std::random_device rd;
  char buf[9];
  std::snprintf(buf, sizeof buf, "%08x", rd());
  return std::string(buf, 6);
}

// A remote node's /dev is unknown here; a privileged container gets every device the node has,
// so a device absent in it is taken as absent on the node (n/a, not a failure).
HostLookup remote_host() {
  return {[](const std::string&) { return false; }};
}

const char* signal_name(int sig) { return ::sigabbrev_np(sig) ? ::sigabbrev_np(sig) : "?"; }

// The outcomes the terminal shows: on a sweep, the cells of one node of each group (the groups
// say which nodes they stand for) and the admission checks; otherwise all.
std::vector<CellOutcome> shown(const std::vector<CellOutcome>& outcomes, const std::vector<NodeGroup>& groups) {
  if (groups.empty()) return outcomes;
  std::set<std::string> reps;
  for (const auto& g : groups) reps.insert(g.nodes.front());
  std::vector<CellOutcome> out;
  for (const auto& o : outcomes)
    if (!o.cell.node || reps.count(*o.cell.node)) out.push_back(o);
  return out;
}

struct Ran {
  std::vector<CellOutcome> outcomes;
  int signo = 0;
};

Ran run_all(Cluster& cluster, const ProfileSet& profiles, const RunOptions& o, const SignalCancel& signals,
            Progress& progress) {
  KubeBackendOptions bo;
  bo.work_dir = cluster.work_dir();
  bo.keep = cluster.keep();
  KubernetesBackend backend(cluster.kubectl(), cluster.plan(), cluster.nodes(), bo);
  std::vector<Cell> cells;
  std::map<std::string, PodSecurityLevel> levels;
  for (const auto& p : cluster.plan().pods) {
    cells.push_back(p.cell);
    levels[p.cell.id()] = p.level;
  }
  const ClusterExpect expect{cluster.server(), cluster.policy()};
  const HostLookup host = remote_host();
  RunnerOptions ro{o.jobs ? o.jobs : 4, o.timeout};
  Ran r;
  r.outcomes = run_cells(
      backend, cells, ro, signals.cancelled(),
      [&](const Cell& c, CellRun run) {
        bool admitted = KubernetesBackend::admitted(run);
        return assess_kube(profiles, host, c, std::move(run), levels.at(c.id()), expect, admitted);
      },
      [&](const CellOutcome& oc, std::size_t done, std::size_t total) {
        if (oc.run.status != CellStatus::skipped || KubernetesBackend::admitted(oc.run)) progress.cell_done(oc, done, total);
      });
  r.signo = signals.signal();
  return r;
}

int finish(const Cluster& cluster, const ProfileSet& profiles, const RunOptions& o, const Ran& r,
           std::chrono::system_clock::time_point started, std::chrono::steady_clock::time_point t0) {
  RunInfo info;
  info.started = rfc3339(started);
  info.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
  info.backend = "kubernetes";
  info.profile = profiles.main().name;
  info.profile_title = profiles.main().title;
  info.notes = cluster.notes();
  std::set<std::string> seen(info.notes.begin(), info.notes.end());
  for (const auto& oc : r.outcomes)
    for (const auto& n : oc.run.notes)
      if (!n.starts_with("ran on node ") && seen.insert(n).second) info.notes.push_back(n);
  if (r.signo) info.interrupted = cat({"SIG", signal_name(r.signo)});
  const auto groups = group_nodes(r.outcomes);
  json doc = results_json(info, r.outcomes);
  doc["run"]["cluster"] = cluster.provenance();
  doc["run"]["node_groups"] = node_groups_json(groups);
  auto written = write_results(o.out, doc);
  RenderOptions ro{want_color(o.no_color, STDOUT_FILENO), 120};
  std::string text = render_terminal(shown(r.outcomes, groups), info, written ? *written : "", ro);
  std::fputs(cat({render_node_groups(groups), groups.empty() ? "" : "\n", text}).c_str(), stdout);
  std::fflush(stdout);
  if (!written) return fail_run(written.error().describe());
  Summary s = summarize(r.outcomes);
  if (r.signo) {
    std::fprintf(stderr, "procmatrix: interrupted by %s: %d of %zu cells finished; their results are in %s\n",
                 info.interrupted.c_str(), s.ran + s.rejected, r.outcomes.size(), written->c_str());
    return 128 + r.signo;
  }
  for (const auto& oc : r.outcomes)
    if (oc.run.status == CellStatus::error) {
      std::fprintf(stderr, "procmatrix: %d cell(s) errored, first %s: %s\n", s.errored, oc.cell.id().c_str(), oc.run.reason.c_str());
      break;
    }
  if (!s.errored && s.fail) std::fprintf(stderr, "procmatrix: %d verdict(s) failed (see Failures above)\n", s.fail);
  return exit_code(s);
}

}  // namespace

int kube_run_command(const RunOptions& o, const KubeOptions& k) {
  auto started = std::chrono::system_clock::now();
  auto t0 = std::chrono::steady_clock::now();
  auto spec = matrix_spec(o);
  if (!spec) return fail_run(spec.error().message());
  if (o.runtimes) return fail_run("--runtime: with --backend kubernetes the runtime dimension is --runtime-class");
  auto profiles = load_run_profiles(o, *spec);
  if (!profiles) return fail_run(profiles.error().message());
  Progress progress(stderr, ::isatty(STDERR_FILENO) == 1);
  // Before any thread and any kubectl call: a Ctrl-C from here on is a cancel, never a kill.
  SignalCancel signals([&](int sig, bool first) {
    progress.note(cat({"procmatrix: SIG", signal_name(sig), first ? ": stopping; deleting what was created" : ": still cleaning up"}));
  });
  auto cluster = Cluster::open(k, make_run_id(), kube_cells(*spec, k.runtime_classes), signals.cancelled());
  if (!cluster) return fail_run(cluster.error().describe());
  for (const auto& n : (*cluster)->notes()) progress.note(cat({"note: ", n}));
  Ran r;
  if (auto st = (*cluster)->create_namespaces(signals.cancelled()); !st) {
    (*cluster)->cleanup();
    return fail_run(st.error().describe());
  }
  r = run_all(**cluster, *profiles, o, signals, progress);
  progress.finish();
  (*cluster)->cleanup();
  return finish(**cluster, *profiles, o, r, started, t0);
}

}  // namespace procmatrix::harness
