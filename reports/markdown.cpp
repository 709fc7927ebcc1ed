// Markdown for a pull request comment or $GITHUB_STEP_SUMMARY: the verdict line, failures first
// (with their evidence), errors, the matrix as a compact table with its legend, and the
// provenance last.
#include "escape.hpp"
#include "render.hpp"
#include "view.hpp"

namespace procmatrix::reports {
namespace {

std::string n(std::size_t v) { return std::to_string(v); }

std::string cell_ref(std::size_t column, const json& cell) {
  std::string out;
  put(out, "[", n(column + 1), "] ", md_code(sv(cell, "id")));
  return out;
}

void failures_section(std::string& out, const Matrix& m) {
  auto fs = failures(m);
  if (fs.empty()) return;
  out += "## Failures (" + n(fs.size()) + ")\n\n";
  out += "| cell | check | expected | observed | kind | why |\n|---|---|---|---|---|---|\n";
  for (const auto& f : fs) {
    const json& v = *f.verdict;
    out += "| " + cell_ref(f.column, *f.cell) + " | " + md_code(sv(v, "check")) + " | " +
           md_cell(str(v, "expected")) + " | **" + md_cell(str(v, "observed")) + "** | " +
           md_cell(str(v, "kind")) + " | " + md_cell(str(v, "why")) + " |\n";
  }
  out += "\n";
}

void errors_section(std::string& out, const Matrix& m) {
  auto es = errors(m);
  if (es.empty()) return;
  out += "## Errors (" + n(es.size()) + ")\n\n| cell | check | reason |\n|---|---|---|\n";
  for (const auto& e : es) {
    bool whole = e.verdict == nullptr;
    std::string check = whole ? std::string("(the cell)") : md_code(sv(*e.verdict, "check"));
    put(out, "| ", cell_ref(e.column, *e.cell), " | ", check, " | ",
        md_cell(whole ? str(*e.cell, "reason") : str(*e.verdict, "why")), " |\n");
  }
  out += "\n";
}

void matrix_section(std::string& out, const Matrix& m) {
  if (m.columns.empty()) return;
  out += "## Matrix\n\n| check |";
  for (std::size_t c = 0; c < m.columns.size(); ++c) put(out, " ", n(c + 1), " |");
  out += "\n|---|";
  for (std::size_t c = 0; c < m.columns.size(); ++c) out += ":-:|";
  out += "\n";
  std::string group;
  for (std::size_t r = 0; r < m.rows.size(); ++r) {
    if (m.rows[r].group != group) {
      group = m.rows[r].group;
      out += "| **" + md_cell(group_title(group)) + "** |";
      for (std::size_t c = 0; c < m.columns.size(); ++c) out += " |";
      out += "\n";
    }
    put(out, "| ", md_code(m.rows[r].check), " |");
    for (std::size_t c = 0; c < m.columns.size(); ++c) put(out, " ", style(m.mark(c, r)).symbol, " |");
    out += "\n";
  }
  out += "\n";
}

void legend_section(std::string& out, const Matrix& m) {
  out += "**Legend:**";
  std::string_view sep = " ";
  for (const auto& s : legend_marks()) {
    put(out, sep, s.symbol, " ", s.meaning);
    sep = ", ";
  }
  out += "\n\n**Cells:**\n\n";
  for (std::size_t c = 0; c < m.columns.size(); ++c) {
    const json& cell = *m.columns[c];
    std::string status = str(cell, "status");
    put(out, n(c + 1), ". ", md_code(sv(cell, "id")));
    if (status == "rejected") out += " ⊘ rejected by the API (ran, not counted)";
    if (status == "error") out += " ! error: " + md_cell(str(cell, "reason"));
    out += "\n";
  }
  for (const json* cell : m.skipped)
    put(out, "- skipped: ", md_code(sv(*cell, "id")), ": ", md_cell(str(*cell, "reason")), "\n");
  out += "\n";
}

void provenance_section(std::string& out, const json& doc) {
  out += "## Provenance\n\n| | |\n|---|---|\n";
  for (const auto& [label, value] : provenance(doc)) out += "| " + md_cell(label) + " | " + md_cell(value) + " |\n";
}

}  // namespace

std::string render_markdown(const json& doc) {
  Matrix m = build_matrix(doc);
  const Counts& c = m.counts;
  std::string out;
  out.reserve(m.columns.size() * (m.rows.size() * 4 + 200) + 4096);
  std::string verdict = c.error ? "❗ incomplete" : c.fail ? "❌ not conformant" : "✅ conformant";
  out += "# procmatrix: " + verdict + " (profile " + md_cell(str(object_at(doc, "run"), "profile")) + ")\n\n";
  out += md_cell(summary_line(c)) + "\n\n";
  failures_section(out, m);
  errors_section(out, m);
  matrix_section(out, m);
  legend_section(out, m);
  provenance_section(out, doc);
  return out;
}

}  // namespace procmatrix::reports
