// `procmatrix report` and the reports `procmatrix run` writes beside results.json; the strict
// loading of a results file that `report` and `diff` share. The renderers are in reports/.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "support/error.hpp"

namespace procmatrix::harness {

// Reads and checks a results file (procmatrix.results/v1). Every error is one line naming the
// file and where it broke: "old.json:3:17: bad JSON: ...", "x.json: field \"schema\": ...".
Result<nlohmann::json> load_results(const std::string& path);

// Renders `doc` in every format but JSON into `dir` (results.xml, .md, .html, .sarif), each
// written whole or not at all. Returns the paths written.
Result<std::vector<std::string>> write_reports(const std::string& dir, const nlohmann::json& doc);

// Runs `run` (either backend's `procmatrix run`), then renders the reports of the results.json it
// wrote into `out` (when it wrote one). Returns run's exit code, or 2 when a report failed.
int run_with_reports(const std::string& out, const std::function<int()>& run);

// `procmatrix report RESULTS --format F [-o FILE]`: the arguments after "report".
int report_command(const std::vector<std::string>& args);
std::string report_help();

}  // namespace procmatrix::harness
