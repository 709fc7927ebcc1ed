#include "runner.hpp"

#include <algorithm>
#include <exception>
#include <mutex>
#include <thread>

namespace procmatrix::harness {
namespace {

// A backend must not throw for a cell's own failure; if it does anyway, that cell errors and the
// run goes on.
CellRun run_one(Backend& backend, const Cell& cell, std::chrono::seconds timeout,
                const std::atomic<bool>& cancel) {
  auto start = std::chrono::steady_clock::now();
  CellRun run;
  try {
    run = backend.run(cell, timeout, cancel);
  } catch (const std::exception& e) {
    run.status = CellStatus::error;
    run.reason = std::string("the backend failed: ") + e.what();
  } catch (...) {
    run.status = CellStatus::error;
    run.reason = "the backend failed with an unknown exception";
  }
  if (run.elapsed.count() == 0)
    run.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  return run;
}

}  // namespace

std::vector<CellOutcome> run_cells(Backend& backend, const std::vector<Cell>& cells,
                                   const RunnerOptions& options, const std::atomic<bool>& cancel,
                                   const Assess& assess, const OnCellDone& on_done) {
  std::vector<CellOutcome> outcomes(cells.size());
  std::atomic<std::size_t> next{0};
  std::size_t done = 0;
  std::mutex lock;
  auto worker = [&] {
    for (std::size_t i = next++; i < cells.size(); i = next++) {
      CellOutcome o = cancel ? not_run(cells[i], CellStatus::skipped, "cancelled before it started")
                             : assess(cells[i], run_one(backend, cells[i], options.timeout, cancel));
      std::lock_guard guard(lock);
      outcomes[i] = std::move(o);
      ++done;
      if (on_done) on_done(outcomes[i], done, cells.size());
    }
  };
  std::size_t n = std::clamp<std::size_t>(options.jobs, 1, std::max<std::size_t>(cells.size(), 1));
  std::vector<std::jthread> threads;
  for (std::size_t t = 1; t < n; ++t) threads.emplace_back(worker);
  worker();  // the calling thread is one of the workers
  threads.clear();  // joins
  return outcomes;
}

}  // namespace procmatrix::harness
