// The matrix in the terminal: rows are checks grouped by family, columns are cells numbered in a
// legend, each entry one coloured symbol; then the failures with their evidence, the errors, the
// notes and a summary. Fits 120 columns with 24 cells; more cells wrap into further blocks.
#pragma once

#include <string>
#include <vector>

#include "outcome.hpp"
#include "results.hpp"

namespace procmatrix::harness {

struct RenderOptions {
  bool color = false;
  std::size_t width = 120;
};

// Colour only on a terminal, never with --no-color or a non-empty NO_COLOR (no-color.org).
bool want_color(bool no_color_flag, int fd);

std::string render_legend(const std::vector<CellOutcome>& outcomes, const RenderOptions& opt);
std::string render_matrix(const std::vector<CellOutcome>& outcomes, const RenderOptions& opt);
// Failures with their evidence, then errors (cells and verdicts).
std::string render_problems(const std::vector<CellOutcome>& outcomes, const RenderOptions& opt);
std::string render_summary(const Summary& s, const RunInfo& info, const std::string& results_path,
                           const RenderOptions& opt);
// All of the above, in that order.
std::string render_terminal(const std::vector<CellOutcome>& outcomes, const RunInfo& info,
                            const std::string& results_path, const RenderOptions& opt);

}  // namespace procmatrix::harness
