// Rendering every format for a large cluster sweep: 10,000 cells, synthesized from the fixed
// results file (tests/data/results_fixed.json: cells that pass, fail, are rejected by the API and
// error), each copy with its own id, as a sweep of 2,000 nodes would give. Next to them, the bare
// costs of the same document: serializing it as JSON (what `run` does anyway) and reading every
// verdict once; and the diff of the sweep against itself. The goal: well under a second per
// format.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "diff.hpp"
#include "render.hpp"
#include "view.hpp"

namespace pr = procmatrix::reports;
using nlohmann::json;

namespace {

json sweep(std::size_t cells) {
  std::filesystem::path file = std::filesystem::path(__FILE__).parent_path() / ".." / "data" / "results_fixed.json";
  std::ifstream in(file);
  json fixed = json::parse(in);
  json doc = fixed;
  doc["cells"] = json::array();
  const json& base = fixed["cells"];
  for (std::size_t i = 0; i < cells; ++i) {
    json c = base[i % base.size()];
    std::string node = "node-" + std::to_string(i / base.size());
    c["node"] = node;
    c["id"] = c["id"].get<std::string>() + "/" + node;
    doc["cells"].push_back(std::move(c));
  }
  return doc;
}

const json& big() {
  static const json doc = sweep(10000);
  return doc;
}

void BM_Render(benchmark::State& state, pr::Format f) {
  const json& doc = big();
  std::size_t bytes = 0;
  for (auto _ : state) {
    std::string out = pr::render(f, doc);
    bytes = out.size();
    benchmark::DoNotOptimize(out);
  }
  state.counters["MB"] = static_cast<double>(bytes) / 1e6;
}
BENCHMARK_CAPTURE(BM_Render, json_bare, pr::Format::json)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Render, junit, pr::Format::junit)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Render, markdown, pr::Format::markdown)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Render, html, pr::Format::html)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Render, sarif, pr::Format::sarif)->Unit(benchmark::kMillisecond);

// The floor under every renderer: reading each verdict's fields once, writing nothing.
void BM_WalkVerdicts(benchmark::State& state) {
  const json& doc = big();
  for (auto _ : state) {
    std::size_t n = 0;
    for (const auto& c : doc["cells"])
      for (const auto& v : c["verdicts"]) n += pr::read_verdict(v).why.size();
    benchmark::DoNotOptimize(n);
  }
}
BENCHMARK(BM_WalkVerdicts)->Unit(benchmark::kMillisecond);

void BM_Diff(benchmark::State& state) {
  const json& doc = big();
  for (auto _ : state) {
    auto d = pr::diff_results(doc, doc);
    benchmark::DoNotOptimize(d);
  }
}
BENCHMARK(BM_Diff)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
