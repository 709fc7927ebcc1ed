// One cell through the local backend, next to the bare cost of the same container: `runc run` of
// the same bundle (made once), and `runc run` + `runc delete --force` (what the backend always
// does). The gap is the harness's own cost per cell: host-side bundle (mkdtemp, copy of the
// probe, config.json), spec translation, JSON validation, cleanup. Needs root and runc; the probe
// is found as the harness finds it (build/probes/procprobe), or $PROCPROBE.
#include <benchmark/benchmark.h>

#include <cstdlib>

#include "bundle.hpp"
#include "local_backend.hpp"
#include "oci_spec.hpp"
#include "process.hpp"
#include "runtimes.hpp"

namespace ph = procmatrix::harness;

namespace {

std::filesystem::path probe_path() {
  const char* env = std::getenv("PROCPROBE");
  return env ? std::filesystem::path(env) : ph::default_probe_path();
}

ph::Cell runc_cell(ph::ProcMount pm, bool host_users) {
  ph::Cell c;
  c.runtime.name = "runc";
  c.proc_mount = pm;
  c.host_users = host_users;
  return c;
}

void BM_LocalBackendCell(benchmark::State& state) {
  auto backend = ph::LocalBackend::create({probe_path(), {}, std::chrono::seconds(30)});
  if (!backend) return state.SkipWithError(backend.error().describe().c_str());
  const ph::Cell cell = runc_cell(ph::ProcMount::Default, state.range(0) != 0);
  std::atomic<bool> cancel{false};
  for (auto _ : state) {
    ph::CellRun r = (*backend)->run(cell, std::chrono::seconds(60), cancel);
    if (r.status != ph::CellStatus::ran) return state.SkipWithError(r.reason.c_str());
  }
}
BENCHMARK(BM_LocalBackendCell)->Arg(1)->Arg(0)->Unit(benchmark::kMillisecond)->UseRealTime();

// The same bundle the backend would make, made once; `runc run` (and delete) repeated on it.
void bare_runc(benchmark::State& state, bool with_delete) {
  auto host = ph::read_host_facts();
  ph::Runtime runc{"runc", "", false};
  if (!host || !ph::resolve_runtime_path(runc)) return state.SkipWithError("no host facts or runc");
  const ph::Cell cell = runc_cell(ph::ProcMount::Default, true);
  const auto spec = ph::make_oci_spec(cell, *host, ph::traits_for(runc), 0);
  auto bundle = ph::Bundle::create(std::filesystem::temp_directory_path(), probe_path(),
                                   spec.config, std::nullopt);
  if (!bundle) return state.SkipWithError(bundle.error().describe().c_str());
  const auto cmd = ph::make_runtime_command(ph::traits_for(runc), runc.path,
                                            bundle->state_dir().string(), host->cgroup);
  ph::ProcessSpec run, del;
  run.argv = cmd.argv({"run", "--bundle", bundle->dir().string(), "bench"});
  del.argv = cmd.argv({"delete", "--force", "bench"});
  for (auto _ : state) {
    auto r = ph::run_process(run);
    if (!r || r->exit_code != 0) return state.SkipWithError("runc run failed");
    if (with_delete) benchmark::DoNotOptimize(ph::run_process(del));
  }
}
void BM_BareRuncRun(benchmark::State& state) { bare_runc(state, false); }
void BM_BareRuncRunAndDelete(benchmark::State& state) { bare_runc(state, true); }
BENCHMARK(BM_BareRuncRun)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_BareRuncRunAndDelete)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
