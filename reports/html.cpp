// One self-contained HTML page: the verdict, the matrix as a coloured grid (cells as columns,
// checks grouped by family as rows; hover or click a square for its evidence; a checkbox keeps
// only the rows with a failure), the failures with their evidence, the cells, and the provenance.
// No network: style and script are inline (html_assets.hpp), and a Content-Security-Policy
// forbids loading anything.
#include <unordered_map>

#include "escape.hpp"
#include "html_assets.hpp"
#include "render.hpp"
#include "view.hpp"

namespace procmatrix::reports {
namespace {

std::string n(std::size_t v) { return std::to_string(v); }

// The evidence texts of the squares, each distinct text once: the page's size grows with what
// differs, not with the number of squares (a sweep of many nodes repeats the same few texts).
// A square names its text by index; the script puts the cell, the check and the text in its
// tooltip when the pointer reaches it.
struct Texts {
  std::vector<std::string> list;
  std::unordered_map<std::string, std::size_t> index;
  std::string scratch;  // the text being built, reused: most texts are found, not added

  std::size_t add_scratch() {
    auto it = index.find(scratch);
    if (it != index.end()) return it->second;
    index.emplace(scratch, list.size());
    list.push_back(scratch);
    return list.size() - 1;
  }
};

// Builds a square's text into texts.scratch and returns its index.
std::size_t square_text(Texts& texts, const json& cell, const VerdictView& v) {
  std::string& t = texts.scratch;
  t.clear();
  if (v.check.empty()) {
    bool error = sv(cell, "status") == "error";
    put(t, error ? "error: " : "not checked", error ? sv(cell, "reason") : "");
    return texts.add_scratch();
  }
  put(t, v.path, "\nexpected ", v.expected, ", observed ", v.observed);
  if (!v.kind.empty()) put(t, " (", v.kind, ")");
  put(t, "\n", v.why);
  if (v.result == "fail") {
    std::string ev = evidence(cell, v.check, v.path);
    if (!ev.empty()) put(t, "\nevidence: ", ev);
  }
  return texts.add_scratch();
}

// The texts as a JSON array inside <script type="application/json">: every '<' escaped (\u003c)
// so that no "</script>" in the evidence can end the element.
std::string texts_json(const Texts& texts) {
  std::string j = json(texts.list).dump(-1, ' ', false, json::error_handler_t::replace);
  std::string out;
  out.reserve(j.size());
  for (char c : j) {
    if (c == '<') out += "\\u003c";
    else out += c;
  }
  return out;
}

void head(std::string& out, const json& doc, const Counts& c) {
  std::string profile = str(object_at(doc, "run"), "profile");
  out += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
         "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
         "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n"
         "<meta name=\"viewport\" content=\"width=device-width\">\n<title>procmatrix: " +
         html_escape(profile) + "</title>\n<style>" + kHtmlStyle + "</style></head>\n<body>\n";
  std::string cls = c.error ? "verdict-incomplete" : c.fail ? "verdict-fail" : "verdict-ok";
  std::string word = c.error ? "incomplete" : c.fail ? "not conformant" : "conformant";
  out += "<h1>procmatrix: <span class=\"" + cls + "\">" + word + "</span> (profile " + html_escape(profile) +
         ")</h1>\n<p class=\"summary\">" + html_escape(summary_line(c)) + "</p>\n";
}

void failures_section(std::string& out, const Matrix& m) {
  auto fs = failures(m);
  if (fs.empty()) return;
  out += "<h2>Failures (" + n(fs.size()) + ")</h2>\n<table class=\"fails\"><tr><th>cell</th><th>check</th>"
         "<th>expected</th><th>observed</th><th>kind</th><th>why</th></tr>\n";
  for (const auto& f : fs) {
    const json& v = *f.verdict;
    out += "<tr><td class=\"mono\">[" + n(f.column + 1) + "] " + html_escape(str(*f.cell, "id")) +
           "</td><td class=\"mono\">" + html_escape(str(v, "check")) + "</td><td>" + html_escape(str(v, "expected")) +
           "</td><td><b>" + html_escape(str(v, "observed")) + "</b></td><td>" + html_escape(str(v, "kind")) +
           "</td><td>" + html_escape(str(v, "why")) + "</td></tr>\n";
  }
  out += "</table>\n";
}

void errors_section(std::string& out, const Matrix& m) {
  auto es = errors(m);
  if (es.empty()) return;
  out += "<h2>Errors (" + n(es.size()) + ")</h2>\n<ul>\n";
  for (const auto& e : es)
    put(out, "<li><span class=\"mono\">[", n(e.column + 1), "] ", html_escape(str(*e.cell, "id")),
        e.verdict ? " " : "", e.verdict ? html_escape(str(*e.verdict, "check")) : std::string(), "</span>: ",
        html_escape(e.verdict ? str(*e.verdict, "why") : str(*e.cell, "reason")), "</li>\n");
  out += "</ul>\n";
}

// Which rows, and so which groups, hold a failure: what the failures-only filter keeps.
std::vector<bool> failing_rows(const Matrix& m) {
  std::vector<bool> f(m.rows.size(), false);
  for (std::size_t c = 0; c < m.columns.size(); ++c)
    for (std::size_t r = 0; r < m.rows.size(); ++r) f[r] = f[r] || m.mark(c, r) == Mark::fail;
  return f;
}

bool group_fails(const Matrix& m, const std::vector<bool>& f, std::size_t first) {
  for (std::size_t r = first; r < m.rows.size() && m.rows[r].group == m.rows[first].group; ++r)
    if (f[r]) return true;
  return false;
}

void matrix_section(std::string& out, const Matrix& m, Texts& texts) {
  out += "<h2>Matrix</h2>\n<p><label><input type=\"checkbox\" id=\"onlyfail\"> failures only</label> "
         "· hover a square for its evidence, click it to keep it below</p>\n<div class=\"legend\">";
  for (const auto& s : legend_marks())
    out += "<span><b class=\"" + std::string(s.css) + "\">" + std::string(s.symbol) + "</b> " +
           std::string(s.meaning) + "</span>";
  out += "</div>\n<div id=\"detail\">click a square to see its evidence here</div>\n";
  if (m.columns.empty()) return;
  out += "<table id=\"matrix\"><thead><tr><th>check</th>";
  for (std::size_t c = 0; c < m.columns.size(); ++c)
    out += "<th title=\"" + html_escape(str(*m.columns[c], "id")) + "\">" + n(c + 1) + "</th>";
  out += "</tr></thead>\n<tbody>\n";
  std::vector<bool> f = failing_rows(m);
  std::string span = n(m.columns.size() + 1);
  for (std::size_t r = 0; r < m.rows.size(); ++r) {
    if (r == 0 || m.rows[r].group != m.rows[r - 1].group)
      out += std::string("<tr class=\"group") + (group_fails(m, f, r) ? " f" : "") + "\"><th colspan=\"" + span +
             "\">" + html_escape(group_title(m.rows[r].group)) + "</th></tr>\n";
    out += std::string("<tr class=\"r") + (f[r] ? " f" : "") + "\"><th class=\"check\">" +
           html_escape(m.rows[r].check) + "</th>";
    for (std::size_t c = 0; c < m.columns.size(); ++c) {
      const MarkStyle& s = style(m.mark(c, r));
      put(out, "<td class=\"", s.css, "\" data-t=\"",
          std::to_string(square_text(texts, *m.columns[c], m.verdict(c, r))), "\">", s.symbol, "</td>");
    }
    out += "</tr>\n";
  }
  out += "</tbody></table>\n";
}

void cells_section(std::string& out, const Matrix& m) {
  out += "<h2>Cells</h2>\n<ol>\n";
  for (const json* cell : m.columns) {
    std::string status = str(*cell, "status");
    out += "<li><span class=\"mono\">" + html_escape(str(*cell, "id")) + "</span>";
    if (status == "rejected") out += " ⊘ rejected by the API (ran, not counted)";
    if (status == "error") out += " ! error: " + html_escape(str(*cell, "reason"));
    out += "</li>\n";
  }
  out += "</ol>\n";
  for (const json* cell : m.skipped)
    out += "<p>skipped: <span class=\"mono\">" + html_escape(str(*cell, "id")) + "</span>: " +
           html_escape(str(*cell, "reason")) + "</p>\n";
}

void provenance_section(std::string& out, const json& doc) {
  out += "<h2>Provenance</h2>\n<table class=\"provenance\">\n";
  for (const auto& [label, value] : provenance(doc))
    out += "<tr><th>" + html_escape(label) + "</th><td>" + html_escape(value) + "</td></tr>\n";
  out += "</table>\n";
}

}  // namespace

std::string render_html(const json& doc) {
  Matrix m = build_matrix(doc);
  std::string out;
  out.reserve(m.columns.size() * m.rows.size() * 64 + 65536);
  head(out, doc, m.counts);
  Texts texts;
  matrix_section(out, m, texts);  // the grid first: it is what the page is for; failures below it
  failures_section(out, m);
  errors_section(out, m);
  cells_section(out, m);
  provenance_section(out, doc);
  put(out, "<script type=\"application/json\" id=\"texts\">", texts_json(texts), "</script>\n");
  put(out, "<script>", kHtmlScript, "</script>\n</body></html>\n");
  return out;
}

}  // namespace procmatrix::reports
