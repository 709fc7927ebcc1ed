// results.json, schema procmatrix.results/v1 (DESIGN.md): every cell's settings, spec,
// observation and verdicts, and a summary. The source every report is rendered from.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "outcome.hpp"
#include "support/error.hpp"

namespace procmatrix::harness {

inline constexpr const char* kResultsSchema = "procmatrix.results/v1";

struct RunInfo {
  std::string started;              // RFC 3339, UTC
  std::chrono::milliseconds elapsed{0};
  std::string backend = "local";
  std::string profile;
  std::string profile_title;
  std::vector<std::string> notes;   // skipped runtimes, workarounds the backend applied
  std::string interrupted;          // "SIGINT" when the user stopped the run; empty otherwise
};

// Verdict counts; `error` also counts each errored cell once (its verdicts are absent).
struct Summary {
  int cells = 0, pass = 0, fail = 0, na = 0, error = 0;
  int ran = 0, rejected = 0, skipped = 0, errored = 0;  // cells by status
};

Summary summarize(const std::vector<CellOutcome>& outcomes);
// DESIGN.md: 0 every verdict passed (n/a is fine), 1 some verdict failed, 2 the harness could not
// do its job (a cell or a verdict errored). An error outranks a failure: the run is incomplete.
int exit_code(const Summary& s);

// The host part of "run": kernel, arch, and each runtime's path and version.
nlohmann::json host_json(const std::vector<CellOutcome>& outcomes);
nlohmann::json cell_json(const CellOutcome& o);
nlohmann::json results_json(const RunInfo& info, const std::vector<CellOutcome>& outcomes);

// RFC 3339 UTC of a time point: "2025-06-01T12:34:56Z".
std::string rfc3339(std::chrono::system_clock::time_point t);

// Writes `dir`/results.json whole or not at all, creating `dir`. Returns the file's path.
Result<std::string> write_results(const std::string& dir, const nlohmann::json& results);

}  // namespace procmatrix::harness
