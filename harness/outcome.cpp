#include "outcome.hpp"

namespace procmatrix::harness {

CellOutcome assess(const ProfileSet& profiles, const HostLookup& host, const Cell& cell, CellRun run) {
  CellOutcome out{cell, std::move(run), {}, false};
  const ApiReject* reject = profiles.main().api_reject(cell);
  out.api_rejected = reject != nullptr;
  if (out.run.status != CellStatus::ran) return out;
  out.verdicts = judge_cell(profiles, cell, out.run.observation, host);
  if (reject) {
    out.run.status = CellStatus::rejected;
    out.run.reason = reject->reason + " (profile " + profiles.main().name +
                     "); run locally anyway: verdicts shown, not counted";
    mark_not_counted(out.verdicts);
  }
  return out;
}

CellOutcome not_run(const Cell& cell, CellStatus status, std::string reason) {
  CellOutcome out;
  out.cell = cell;
  out.run.status = status;
  out.run.reason = std::move(reason);
  return out;
}

}  // namespace procmatrix::harness
