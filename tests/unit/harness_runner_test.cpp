// The runner with a test double of a backend (real runtimes are in the integration tests):
// parallel, one broken cell does not lose the others, cancel stops what has not started.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <csignal>
#include <thread>

#include "runner.hpp"
#include "signals.hpp"

namespace procmatrix::harness {
namespace {

using namespace std::chrono_literals;

// A backend that sleeps, records how many cells run at once, and fails or throws on request.
class FakeBackendForTest : public Backend {
 public:
  std::chrono::milliseconds delay{50};
  std::string fail_cell, throw_cell;
  std::atomic<int> running{0}, max_running{0}, calls{0};
  std::atomic<bool>* cancel_after_first = nullptr;

  CellRun run(const Cell& cell, std::chrono::seconds, const std::atomic<bool>& cancel) override {
    ++calls;
    int now = ++running;
    for (int seen = max_running; now > seen && !max_running.compare_exchange_weak(seen, now);) {}
    for (auto waited = 0ms; waited < delay && !cancel; waited += 5ms) std::this_thread::sleep_for(5ms);
    --running;
    if (cancel_after_first) *cancel_after_first = true;
    if (cell.id() == throw_cell) throw std::runtime_error("bundle dir vanished");
    CellRun r;
    r.status = cell.id() == fail_cell ? CellStatus::error : CellStatus::ran;
    if (cell.id() == fail_cell) r.reason = "probe printed half a document";
    return r;
  }
};

std::vector<Cell> eight_cells() {
  std::vector<Cell> cells;
  for (auto pm : {ProcMount::Default, ProcMount::Unmasked})
    for (bool priv : {false, true})
      for (bool host : {true, false}) {
        Cell c;
        c.runtime.name = "runc";
        c.proc_mount = pm;
        c.privileged = priv;
        c.host_users = host;
        cells.push_back(c);
      }
  return cells;
}

CellOutcome plain_assess(const Cell& c, CellRun r) { return {c, std::move(r), {}, false}; }

TEST(Runner, RunsCellsInParallelAndKeepsTheirOrder) {
  FakeBackendForTest backend;
  std::atomic<bool> cancel{false};
  std::vector<std::size_t> progress;
  auto out = run_cells(backend, eight_cells(), RunnerOptions{4, 10s}, cancel, plain_assess,
                       [&](const CellOutcome&, std::size_t done, std::size_t total) {
                         EXPECT_EQ(total, 8u);
                         progress.push_back(done);
                       });
  ASSERT_EQ(out.size(), 8u);
  for (std::size_t i = 0; i < out.size(); ++i) EXPECT_EQ(out[i].cell.id(), eight_cells()[i].id());
  EXPECT_EQ(progress, (std::vector<std::size_t>{1, 2, 3, 4, 5, 6, 7, 8}));
  EXPECT_GT(backend.max_running, 1);
  EXPECT_LE(backend.max_running, 4);
}

TEST(Runner, OneBrokenCellDoesNotLoseTheOthers) {
  FakeBackendForTest backend;
  backend.fail_cell = "runc/Default/privileged/hostUsers";
  backend.throw_cell = "runc/Unmasked/unprivileged/userns";
  std::atomic<bool> cancel{false};
  auto out = run_cells(backend, eight_cells(), RunnerOptions{2, 10s}, cancel, plain_assess, {});
  int ran = 0;
  for (const auto& o : out) ran += o.run.status == CellStatus::ran;
  EXPECT_EQ(ran, 6);
  EXPECT_EQ(out[2].run.status, CellStatus::error);
  EXPECT_EQ(out[2].run.reason, "probe printed half a document");
  EXPECT_EQ(out[5].run.status, CellStatus::error);
  EXPECT_THAT(out[5].run.reason, ::testing::HasSubstr("bundle dir vanished"));
}

TEST(Runner, CancelSkipsTheCellsNotStarted) {
  FakeBackendForTest backend;
  std::atomic<bool> cancel{false};
  backend.cancel_after_first = &cancel;
  auto out = run_cells(backend, eight_cells(), RunnerOptions{1, 10s}, cancel, plain_assess, {});
  EXPECT_EQ(backend.calls, 1);
  EXPECT_EQ(out[0].run.status, CellStatus::ran);
  for (std::size_t i = 1; i < out.size(); ++i) {
    EXPECT_EQ(out[i].run.status, CellStatus::skipped);
    EXPECT_EQ(out[i].run.reason, "cancelled before it started");
  }
}

TEST(SignalCancel, SigintSetsTheFlagWithoutKillingTheProcess) {
  std::atomic<int> seen{0};
  {
    SignalCancel signals([&](int signo, bool first) { if (first) seen = signo; });
    ::kill(::getpid(), SIGINT);
    for (int i = 0; i < 100 && !signals.cancelled(); ++i) std::this_thread::sleep_for(10ms);
    EXPECT_TRUE(signals.cancelled());
    EXPECT_EQ(signals.signal(), SIGINT);
  }
  EXPECT_EQ(seen, SIGINT);
}

TEST(SignalCancel, RunnerStopsWhenSigtermArrives) {
  FakeBackendForTest backend;
  backend.delay = 2000ms;  // returns soon after cancel, as the Backend contract asks
  SignalCancel signals;
  std::thread killer([] {
    std::this_thread::sleep_for(100ms);
    ::kill(::getpid(), SIGTERM);
  });
  auto start = std::chrono::steady_clock::now();
  auto out = run_cells(backend, eight_cells(), RunnerOptions{2, 10s}, signals.cancelled(), plain_assess, {});
  killer.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1500ms);
  EXPECT_EQ(signals.signal(), SIGTERM);
  EXPECT_EQ(out[7].run.status, CellStatus::skipped);
}

}  // namespace
}  // namespace procmatrix::harness
