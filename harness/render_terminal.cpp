#include "render_terminal.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "checks.hpp"
#include "text.hpp"
#include "view.hpp"  // the groups' titles, shared with the reports

namespace procmatrix::harness {
namespace {

// What each entry of the matrix can be, with its symbol and colour (SGR codes).
enum class Mark { pass, fail, na, error, rejected, none };
struct MarkStyle {
  Mark mark;
  std::string_view symbol;
  std::string_view sgr;
  std::string_view meaning;
};
constexpr MarkStyle kMarks[] = {
    {Mark::pass, "✓", "32", "pass"},
    {Mark::fail, "✗", "31", "fail"},
    {Mark::na, "·", "2", "n/a"},
    {Mark::error, "!", "33", "error"},
    {Mark::rejected, "⊘", "35", "rejected by the API (ran, not counted)"},
    {Mark::none, " ", "", ""},
};

const MarkStyle& style(Mark m) {
  for (const auto& s : kMarks)
    if (s.mark == m) return s;
  return kMarks[5];
}

std::string paint(const RenderOptions& opt, std::string_view sgr, std::string_view text) {
  if (!opt.color || sgr.empty()) return std::string(text);
  return cat({"\033[", sgr, "m", text, "\033[0m"});
}

std::string symbol(const RenderOptions& opt, Mark m) {
  return paint(opt, style(m).sgr, style(m).symbol);
}

// The cells shown as columns: those that ran, were rejected or errored (not the skipped ones).
std::vector<const CellOutcome*> columns(const std::vector<CellOutcome>& outcomes) {
  std::vector<const CellOutcome*> out;
  for (const auto& o : outcomes)
    if (o.run.status != CellStatus::skipped) out.push_back(&o);
  return out;
}

// One check in one cell: the worst of its verdicts (a glob may give several).
Mark mark_of(const CellOutcome& o, const std::string& check) {
  if (o.run.status == CellStatus::error) return Mark::error;
  if (o.run.status == CellStatus::rejected) return Mark::rejected;
  bool any = false, pass = false, error = false;
  for (const auto& v : o.verdicts) {
    if (v.check != check) continue;
    any = true;
    if (v.result == VerdictResult::fail) return Mark::fail;
    error = error || v.result == VerdictResult::error;
    pass = pass || v.result == VerdictResult::pass;
  }
  if (!any) return Mark::none;
  return error ? Mark::error : pass ? Mark::pass : Mark::na;
}

std::string pad_right(std::string s, std::size_t width) {
  if (s.size() > width) s = s.substr(0, width - 1) + "~";
  s.append(width - s.size(), ' ');
  return s;
}

std::string pad_left(const std::string& s, std::size_t width) {
  return s.size() >= width ? s : std::string(width - s.size(), ' ') + s;
}

constexpr std::size_t kColumn = 3;

std::size_t label_width() {
  std::size_t w = 0;
  for (const auto& c : all_checks()) w = std::max(w, c.id.size() + 2);
  return std::min<std::size_t>(w, 44);
}

// One block of columns [first, last) of the matrix.
void render_block(std::string& out, const std::vector<const CellOutcome*>& cols, std::size_t first,
                  std::size_t last, const RenderOptions& opt) {
  std::size_t lw = label_width();
  std::string header = pad_right("check", lw);
  for (std::size_t i = first; i < last; ++i) header += pad_left(std::to_string(i + 1), kColumn);
  out += paint(opt, "1", header) + "\n";
  std::string group;
  for (const auto& c : all_checks()) {
    if (c.group != group) {
      group = c.group;
      out += paint(opt, "1", reports::group_title(group)) + "\n";
    }
    std::string line = pad_right("  " + c.id, lw);
    for (std::size_t i = first; i < last; ++i)
      line += cat({std::string(kColumn - 1, ' '), symbol(opt, mark_of(*cols[i], c.id))});
    out += line + "\n";
  }
}

std::string cell_label(std::size_t index, const CellOutcome& o) {
  return cat({"[", std::to_string(index + 1), "] ", o.cell.id()});
}

}  // namespace

bool want_color(bool no_color_flag, int fd) {
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color_flag || (no_color && *no_color)) return false;
  return ::isatty(fd) == 1;
}

std::string render_legend(const std::vector<CellOutcome>& outcomes, const RenderOptions& opt) {
  auto cols = columns(outcomes);
  std::string out = paint(opt, "1", "Cells") + "\n";
  for (std::size_t i = 0; i < cols.size(); ++i) {
    const auto& o = *cols[i];
    std::string line = pad_left(std::to_string(i + 1), 4) + "  " + o.cell.id();
    if (o.run.status == CellStatus::rejected) line += "  " + symbol(opt, Mark::rejected) + " rejected by the API";
    if (o.run.status == CellStatus::error) line += "  " + symbol(opt, Mark::error) + " error";
    out += line + "\n";
  }
  std::string key;
  for (const auto& s : kMarks)
    if (s.mark != Mark::none) key += cat({"  ", symbol(opt, s.mark), " ", s.meaning});
  return out + key + "\n";
}

std::string render_matrix(const std::vector<CellOutcome>& outcomes, const RenderOptions& opt) {
  auto cols = columns(outcomes);
  if (cols.empty()) return "";
  std::size_t lw = label_width();
  std::size_t per_block = opt.width > lw + kColumn ? (opt.width - lw) / kColumn : 1;
  std::string out;
  for (std::size_t first = 0; first < cols.size(); first += per_block) {
    if (first > 0) out += "\n";
    render_block(out, cols, first, std::min(cols.size(), first + per_block), opt);
  }
  return out;
}

std::string render_problems(const std::vector<CellOutcome>& outcomes, const RenderOptions& opt) {
  auto cols = columns(outcomes);
  std::string fails, errors;
  std::size_t nfail = 0, nerror = 0;
  for (std::size_t i = 0; i < cols.size(); ++i) {
    const auto& o = *cols[i];
    if (o.run.status == CellStatus::error) {
      ++nerror;
      errors += cat({"  ", symbol(opt, Mark::error), " ", cell_label(i, o), ": ", o.run.reason, "\n"});
    }
    for (const auto& v : o.verdicts) {
      if (v.result == VerdictResult::fail) {
        ++nfail;
        fails += cat({"  ", symbol(opt, Mark::fail), " ", cell_label(i, o), "  ", v.check, "  ",
                      paint(opt, "31", to_string(v.kind)), "\n      ", v.why, "\n"});
      } else if (v.result == VerdictResult::error) {
        ++nerror;
        errors += cat({"  ", symbol(opt, Mark::error), " ", cell_label(i, o), "  ", v.check, ": ", v.why, "\n"});
      }
    }
  }
  std::string out;
  if (nfail) out += paint(opt, "1", cat({"Failures (", std::to_string(nfail), ")"})) + "\n" + fails;
  if (nerror) out += paint(opt, "1", cat({"Errors (", std::to_string(nerror), ")"})) + "\n" + errors;
  return out;
}

std::string render_summary(const Summary& s, const RunInfo& info, const std::string& results_path,
                           const RenderOptions& opt) {
  std::string out;
  for (const auto& n : info.notes) out += cat({"note: ", n, "\n"});
  std::string cells = cat({std::to_string(s.cells), " cells: ", std::to_string(s.ran), " ran"});
  if (s.rejected) cells += cat({", ", std::to_string(s.rejected), " rejected by the API (ran, not counted)"});
  if (s.errored) cells += cat({", ", std::to_string(s.errored), " errored"});
  if (s.skipped) cells += cat({", ", std::to_string(s.skipped), " skipped"});
  std::string verdicts = cat({"verdicts: ", paint(opt, s.pass ? "32" : "", std::to_string(s.pass)), " pass, ",
                              paint(opt, s.fail ? "31" : "", std::to_string(s.fail)), " fail, ",
                              std::to_string(s.na), " n/a, ",
                              paint(opt, s.error ? "33" : "", std::to_string(s.error)), " error"});
  out += cat({"profile ", info.profile, "; ", cells, "; ", verdicts, "\n"});
  if (!results_path.empty()) out += cat({"results: ", results_path, "\n"});
  return out;
}

std::string render_terminal(const std::vector<CellOutcome>& outcomes, const RunInfo& info,
                            const std::string& results_path, const RenderOptions& opt) {
  std::string out = render_legend(outcomes, opt) + "\n" + render_matrix(outcomes, opt);
  std::string problems = render_problems(outcomes, opt);
  if (!problems.empty()) out += "\n" + problems;
  return out + "\n" + render_summary(summarize(outcomes), info, results_path, opt);
}

}  // namespace procmatrix::harness
