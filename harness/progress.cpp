#include "progress.hpp"

#include <algorithm>

#include "text.hpp"

namespace procmatrix::harness {

std::string describe_outcome(const CellOutcome& o) {
  std::string ms = cat({std::to_string(o.run.elapsed.count()), " ms"});
  switch (o.run.status) {
    case CellStatus::ran: {
      auto fails = std::count_if(o.verdicts.begin(), o.verdicts.end(),
                                 [](const Verdict& v) { return v.result == VerdictResult::fail; });
      auto errors = std::count_if(o.verdicts.begin(), o.verdicts.end(),
                                  [](const Verdict& v) { return v.result == VerdictResult::error; });
      std::string s = cat({"ok ", ms});
      if (fails) s += cat({", ", std::to_string(fails), " failed"});
      if (errors) s += cat({", ", std::to_string(errors), " verdict errors"});
      return s;
    }
    case CellStatus::rejected: return cat({"rejected by the API (ran locally, not counted) ", ms});
    case CellStatus::skipped: return cat({"skipped: ", o.run.reason});
    case CellStatus::error: return cat({"error: ", o.run.reason});
  }
  return "?";
}

void Progress::clear_live() {
  if (showing_) std::fputs("\r\033[K", out_);
  showing_ = false;
}

void Progress::cell_done(const CellOutcome& o, std::size_t done, std::size_t total) {
  std::lock_guard guard(lock_);
  std::string line = cat({"[", std::to_string(done), "/", std::to_string(total), "] ", o.cell.id(),
                          " ", describe_outcome(o)});
  bool keep = !live_ || o.run.status == CellStatus::error;
  clear_live();
  std::fputs(line.c_str(), out_);
  if (keep) {
    std::fputc('\n', out_);
  } else {
    showing_ = true;
  }
  std::fflush(out_);
}

void Progress::note(const std::string& line) {
  std::lock_guard guard(lock_);
  clear_live();
  std::fputs(line.c_str(), out_);
  std::fputc('\n', out_);
  std::fflush(out_);
}

void Progress::finish() {
  std::lock_guard guard(lock_);
  clear_live();
  std::fflush(out_);
}

}  // namespace procmatrix::harness
