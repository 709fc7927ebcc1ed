// What became of one cell: the backend's run, judged against the profile. The API-rejection
// rule lives here: a cell the profile's platform API refuses (Kubernetes 1.30+: Unmasked with
// hostUsers true) but that the local backend ran anyway gets status "rejected", the reason, its
// observation, and verdicts that are shown (n/a, with what they would have been) but never
// counted as a pass or a fail.
#pragma once

#include <vector>

#include "backend.hpp"
#include "cell.hpp"
#include "profile.hpp"
#include "verdict.hpp"

namespace procmatrix::harness {

struct CellOutcome {
  Cell cell;
  CellRun run;                    // status may become rejected (above)
  std::vector<Verdict> verdicts;  // empty unless the cell ran
  bool api_rejected = false;      // the profile's API rejects it (whether or not it ran)
};

CellOutcome assess(const ProfileSet& profiles, const HostLookup& host, const Cell& cell, CellRun run);

// A cell that was not run: a default runtime not installed, or cancelled before it started.
CellOutcome not_run(const Cell& cell, CellStatus status, std::string reason);

}  // namespace procmatrix::harness
