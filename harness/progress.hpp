// The live progress of a run on stderr: on a terminal one line rewritten in place
// ("[5/24] runc/Default/privileged/userns ok 43 ms"), elsewhere one plain line per cell.
// Errors and notes always get lines of their own, so nothing is lost when the line is rewritten.
#pragma once

#include <cstdio>
#include <mutex>
#include <string>

#include "outcome.hpp"

namespace procmatrix::harness {

class Progress {
 public:
  Progress(std::FILE* out, bool live) : out_(out), live_(live) {}

  void cell_done(const CellOutcome& o, std::size_t done, std::size_t total);
  void note(const std::string& line);  // a line of its own: "crun: not installed, skipped"
  void finish();                       // clears the live line

 private:
  void clear_live();

  std::FILE* out_;
  bool live_;
  bool showing_ = false;
  std::mutex lock_;
};

// "ok 43 ms", "ok 43 ms, 2 failed", "rejected by the API (ran, not counted) 40 ms", "error: ...".
std::string describe_outcome(const CellOutcome& o);

}  // namespace procmatrix::harness
