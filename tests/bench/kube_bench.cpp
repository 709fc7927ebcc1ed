// A sweep of 1,000 nodes x 8 cells must not be bound by the harness (issue 5): the aggregation and
// grouping of 10,000 observations (summary counts, then nodes grouped by what they showed), and the
// generation of 8,000 Pod manifests (the objects the backend sends, and the YAML `manifests`
// prints). Each cell carries one verdict per check of the catalog, as a real run does; a few nodes
// differ so grouping has work to do.
#include <benchmark/benchmark.h>

#include "checks.hpp"
#include "kube_manifests.hpp"
#include "kube_options.hpp"
#include "node_groups.hpp"
#include "results.hpp"

namespace ph = procmatrix::harness;

namespace {

std::vector<ph::CellOutcome> observations(std::size_t nodes) {
  const auto cells = ph::kube_cells(ph::MatrixSpec{}, {});
  std::vector<ph::CellOutcome> out;
  out.reserve(nodes * cells.size());
  for (std::size_t n = 0; n < nodes; ++n)
    for (const auto& c : cells) {
      ph::CellOutcome o;
      o.cell = c;
      o.cell.node = "node-" + std::to_string(n);
      o.run.status = ph::CellStatus::ran;
      for (const auto& check : ph::all_checks()) {
        ph::Verdict v;
        v.check = check.id;
        v.path = check.id;
        v.observed = (n % 97 == 0 && check.id == "proc.keys") ? "readable" : "masked";  // 1 node in 97 differs
        v.result = v.observed == "masked" ? ph::VerdictResult::pass : ph::VerdictResult::fail;
        o.verdicts.push_back(std::move(v));
      }
      out.push_back(std::move(o));
    }
  return out;
}

void BM_AggregateAndGroup10000(benchmark::State& state) {
  const auto outcomes = observations(1250);  // 1,250 nodes x 8 cells = 10,000 observations
  for (auto _ : state) {
    ph::Summary s = ph::summarize(outcomes);
    auto groups = ph::group_nodes(outcomes);
    benchmark::DoNotOptimize(s);
    benchmark::DoNotOptimize(groups);
  }
  state.counters["observations"] = static_cast<double>(outcomes.size());
  state.counters["verdicts"] = static_cast<double>(outcomes.size() * ph::all_checks().size());
}
BENCHMARK(BM_AggregateAndGroup10000)->Unit(benchmark::kMillisecond);

std::vector<ph::Cell> sweep_cells() {
  std::vector<std::string> nodes;
  for (int i = 0; i < 1000; ++i) nodes.push_back("ip-10-0-" + std::to_string(i / 250) + "-" + std::to_string(i) + ".ec2.internal");
  return ph::fan_out(ph::kube_cells(ph::MatrixSpec{}, {}), nodes);  // 8,000 cells
}

void BM_PodObjects8000(benchmark::State& state) {
  const auto cells = sweep_cells();
  ph::ManifestOptions o;
  for (auto _ : state) {
    auto plan = ph::plan_manifests(cells, o);
    benchmark::DoNotOptimize(plan);
  }
  state.counters["pods"] = static_cast<double>(cells.size());
}
BENCHMARK(BM_PodObjects8000)->Unit(benchmark::kMillisecond);

void BM_PodYaml8000(benchmark::State& state) {
  const auto cells = sweep_cells();
  ph::ManifestOptions o;
  std::size_t bytes = 0;
  for (auto _ : state) {
    std::string yaml = ph::render_manifests_yaml(ph::plan_manifests(cells, o), o);
    bytes = yaml.size();
    benchmark::DoNotOptimize(yaml);
  }
  state.counters["pods"] = static_cast<double>(cells.size());
  state.counters["MB"] = static_cast<double>(bytes) / 1e6;
}
BENCHMARK(BM_PodYaml8000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
