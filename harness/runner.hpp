// The runner: every cell on a backend, `jobs` at a time, each with a timeout, stopping early
// when `cancel` becomes true. One broken cell never loses the others' results.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <vector>

#include "backend.hpp"
#include "outcome.hpp"

namespace procmatrix::harness {

struct RunnerOptions {
  unsigned jobs = 1;
  std::chrono::seconds timeout{60};
};

// Turns a backend's CellRun into an outcome (assess() with the run's profile and host).
using Assess = std::function<CellOutcome(const Cell&, CellRun)>;
// Called as each cell finishes, one call at a time (under the runner's lock), from a worker.
using OnCellDone = std::function<void(const CellOutcome&, std::size_t done, std::size_t total)>;

// Outcomes in the order of `cells`. A cell not started when `cancel` became true is skipped
// ("cancelled before it started"); a backend that throws gives that cell an error.
std::vector<CellOutcome> run_cells(Backend& backend, const std::vector<Cell>& cells,
                                   const RunnerOptions& options, const std::atomic<bool>& cancel,
                                   const Assess& assess, const OnCellDone& on_done);

}  // namespace procmatrix::harness
