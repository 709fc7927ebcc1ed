// What every renderer reads from a results document (procmatrix.results/v1): the matrix of marks
// (cells as columns, checks grouped by family as rows), the failures, the counts and the
// provenance. Built once per rendering, in one pass, so that 10,000 cells render fast. Missing
// or null members read as empty: the loader (harness/report_command.cpp) has checked the shape.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace procmatrix::reports {

using nlohmann::json;

// One check in one cell, as the matrix shows it.
enum class Mark { pass, fail, na, error, rejected, none };
struct MarkStyle {
  Mark mark;
  std::string_view symbol;   // terminal and Markdown
  std::string_view css;      // HTML class
  std::string_view meaning;  // legends
};
const MarkStyle& style(Mark m);
std::span<const MarkStyle> legend_marks();  // every mark but none

// A string member of an object; "" when it is missing, null or not a string.
std::string str(const json& object, std::string_view key);
// The same without a copy: a view into the document (valid while it lives).
std::string_view sv(const json& object, std::string_view key);

// A member by reference (never a copy: pointers into the document stay valid); an empty array
// or object when it is missing or of another type.
const json& array_at(const json& object, std::string_view key);
const json& object_at(const json& object, std::string_view key);
// Compact JSON, never throwing on invalid UTF-8 (replaced by U+FFFD).
std::string dump(const json& value);

struct Row {
  std::string check;  // "proc.keys"
  std::string group;  // "kubelet-masked", ... (view.cpp, kGroups)
};

struct Counts {
  int cells = 0, pass = 0, fail = 0, na = 0, error = 0;
  int ran = 0, rejected = 0, skipped = 0, errored = 0;
};

// A verdict's fields, read in one walk over its members (views into the document). Rendering
// 10,000 cells reads half a million verdicts: one walk costs far less than a lookup per field.
struct VerdictView {
  std::string_view check, path, expected, observed, result, kind, why;
};
VerdictView read_verdict(const json& verdict);

// A failing verdict, an error verdict, or an errored cell (verdict null).
struct Failure {
  std::size_t column;
  const json* cell;
  const json* verdict;
};

struct Matrix {
  std::vector<const json*> columns;  // cells that ran, were rejected or errored, in file order
  std::vector<const json*> skipped;  // cells not run (runtime not installed, cancelled)
  std::vector<Row> rows;             // grouped, groups in report order
  // [column * rows.size() + row], one allocation each (10,000 cells: half a million entries)
  std::vector<Mark> marks;
  std::vector<VerdictView> verdicts;  // the verdict shown (empty check: none)

  Mark mark(std::size_t column, std::size_t row) const { return marks[column * rows.size() + row]; }
  const VerdictView& verdict(std::size_t column, std::size_t row) const {
    return verdicts[column * rows.size() + row];
  }
  Counts counts;
  std::vector<Failure> failures;  // failing verdicts: column order, then verdict order
  std::vector<Failure> errors;    // errored cells and error verdicts, the same order
};

Matrix build_matrix(const json& doc);

std::string_view group_title(std::string_view group);
// The catalog's one line on why a check matters; "" for a check the catalog lacks.
std::string check_why(std::string_view check);
std::string group_of(std::string_view check);

// The observation's entry that a verdict judged (paths[]/devices[] element, nesting step,
// identity), as compact JSON; "" when the cell has no such entry.
std::string evidence(const json& cell, const json& verdict);
std::string evidence(const json& cell, std::string_view check, std::string_view path);

inline const std::vector<Failure>& failures(const Matrix& m) { return m.failures; }
inline const std::vector<Failure>& errors(const Matrix& m) { return m.errors; }

// Provenance, as (label, value) lines: kernel, arch, each runtime with path and version, profile,
// backend, started, elapsed, procmatrix version, interruption, notes.
std::vector<std::pair<std::string, std::string>> provenance(const json& doc);

// "5 cells: 3 ran, 1 rejected by the API (ran, not counted), 1 errored; verdicts: ..."
std::string summary_line(const Counts& c);

}  // namespace procmatrix::reports
