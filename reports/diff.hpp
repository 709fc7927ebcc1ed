// `procmatrix diff`: what changed between two runs, cell by cell and check by check. Cells are
// matched by their id (runtime/procMount/privileged/hostUsers[/node]: their settings), not by
// their order; verdicts by check and path (a glob gives several paths per check).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace procmatrix::reports {

enum class Change {
  opened,       // now unexpectedly open (a security regression)
  closed,       // now unexpectedly closed (a pass became a functional failure)
  failed,       // now a fail of another kind
  errored,      // the cell or the verdict now errors
  appeared,     // only in the current run (a cell or a check)
  disappeared,  // only in the baseline
  fixed,        // was a fail, now passes or is n/a
  recovered,    // was an error, no longer
  changed,      // same result, another observation (or n/a <-> pass)
};
const char* to_string(Change c);
// opened, closed, failed, errored: what makes `procmatrix diff` exit 1.
bool is_worse(Change c);

struct DiffEntry {
  Change change;
  std::string cell;   // the cell id
  std::string check;  // empty for a change of the whole cell
  std::string path;
  std::string before, after;  // "pass (masked)", "fail (readable, unexpectedly-open)", "ran"
  std::string why;            // the current verdict's why (the baseline's when it disappeared)
};

struct Diff {
  std::vector<DiffEntry> entries;  // worse first, then in the current run's order
  std::size_t cells_matched = 0;
  std::vector<std::string> notes;  // the runs differ in profile, backend or kernel
  bool worse() const;
};

Diff diff_results(const nlohmann::json& baseline, const nlohmann::json& current);

std::string render_diff_text(const Diff& d, std::string_view baseline, std::string_view current);
std::string render_diff_markdown(const Diff& d, std::string_view baseline, std::string_view current);
std::string render_diff_json(const Diff& d, std::string_view baseline, std::string_view current);

}  // namespace procmatrix::reports
