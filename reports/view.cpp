#include "view.hpp"

#include <algorithm>
#include <unordered_map>

#include "catalog.hpp"

namespace procmatrix::reports {
namespace {

// Lookups by string_view without building a std::string (C++20 heterogeneous lookup).
struct Hash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using Index = std::unordered_map<std::string, std::size_t, Hash, std::equal_to<>>;

constexpr MarkStyle kMarks[] = {
    {Mark::pass, "✓", "pass", "pass"},
    {Mark::fail, "✗", "fail", "fail"},
    {Mark::na, "·", "na", "n/a"},
    {Mark::error, "!", "error", "error"},
    {Mark::rejected, "⊘", "rejected", "rejected by the API (ran, not counted)"},
    {Mark::none, " ", "none", "not checked"},
};

// Groups in report order, with their titles: the one table the reports and the terminal use.
struct Group {
  std::string_view id, title;
};
constexpr Group kGroups[] = {
    {"kubelet-masked", "kubelet's masked paths"},
    {"kubelet-readonly", "kubelet's read-only paths"},
    {"runtime-masked", "masked by CRI-O, Docker, Podman"},
    {"escape", "escapes and host information"},
    {"devices", "devices"},
    {"nesting", "nesting: a container inside the container"},
    {"identity", "identity"},
    {"other", "other checks"},
};

std::size_t group_rank(std::string_view group) {
  for (std::size_t i = 0; i < std::size(kGroups); ++i)
    if (kGroups[i].id == group) return i;
  return std::size(kGroups);
}

// The worse of two marks of one check (a glob gives several verdicts): fail, error, pass, n/a.
int badness(Mark m) {
  switch (m) {
    case Mark::fail: return 4;
    case Mark::error: return 3;
    case Mark::pass: return 2;
    case Mark::na: return 1;
    default: return 0;
  }
}

Mark mark_of_result(std::string_view result) {
  if (result == "pass") return Mark::pass;
  if (result == "fail") return Mark::fail;
  if (result == "n/a") return Mark::na;
  return Mark::error;
}

// The cell's status; its verdicts are counted where the matrix is filled (one pass over them).
void count_status(Counts& c, std::string_view status) {
  ++c.cells;
  if (status == "ran") ++c.ran;
  else if (status == "rejected") ++c.rejected;
  else if (status == "skipped") ++c.skipped;
  else { ++c.errored; ++c.error; }
}

void count_verdict(Counts& c, Mark m) {
  if (m == Mark::pass) ++c.pass;
  else if (m == Mark::fail) ++c.fail;
  else if (m == Mark::na) ++c.na;
  else ++c.error;
}

std::vector<Row> collect_rows(const std::vector<const json*>& columns) {
  std::vector<Row> rows;
  Index seen;
  for (const json* c : columns)
    for (const auto& v : array_at(*c, "verdicts")) {
      std::string_view check = sv(v, "check");
      if (seen.find(check) != seen.end()) continue;
      seen.emplace(std::string(check), rows.size());
      rows.push_back({std::string(check), group_of(check)});
    }
  std::stable_sort(rows.begin(), rows.end(),
                   [](const Row& a, const Row& b) { return group_rank(a.group) < group_rank(b.group); });
  return rows;
}

void fill_column(Matrix& m, std::size_t column, const Index& index) {
  const json& cell = *m.columns[column];
  std::string_view status = sv(cell, "status");
  Mark whole = status == "error" ? Mark::error : status == "rejected" ? Mark::rejected : Mark::none;
  Mark* marks = m.marks.data() + column * m.rows.size();
  VerdictView* shown = m.verdicts.data() + column * m.rows.size();
  std::fill(marks, marks + m.rows.size(), whole == Mark::error ? Mark::error : Mark::none);
  if (whole == Mark::error) m.errors.push_back({column, &cell, nullptr});
  for (const auto& v : array_at(cell, "verdicts")) {
    VerdictView vv = read_verdict(v);
    Mark mk = mark_of_result(vv.result);
    count_verdict(m.counts, mk);
    if (mk == Mark::fail) m.failures.push_back({column, &cell, &v});
    if (mk == Mark::error) m.errors.push_back({column, &cell, &v});
    auto it = index.find(vv.check);
    if (it == index.end()) continue;
    if (shown[it->second].check.empty() || badness(mk) > badness(marks[it->second])) {
      marks[it->second] = mk;
      shown[it->second] = vv;
    }
  }
  if (whole == Mark::rejected)
    for (std::size_t r = 0; r < m.rows.size(); ++r)
      if (!shown[r].check.empty()) marks[r] = Mark::rejected;
}

const json* find_entry(const json& list, std::string_view check, std::string_view path) {
  if (!list.is_array()) return nullptr;
  const json* by_id = nullptr;
  for (const auto& e : list) {
    if (sv(e, "id") != check) continue;
    if (sv(e, "path") == path) return &e;
    if (!by_id) by_id = &e;
  }
  return by_id;
}

}  // namespace

const MarkStyle& style(Mark m) {
  for (const auto& s : kMarks)
    if (s.mark == m) return s;
  return kMarks[std::size(kMarks) - 1];
}

std::span<const MarkStyle> legend_marks() { return {kMarks, std::size(kMarks) - 1}; }

std::string_view sv(const json& object, std::string_view key) {
  if (!object.is_object()) return {};
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return {};
  return it->get_ref<const std::string&>();
}

VerdictView read_verdict(const json& verdict) {
  VerdictView v;
  if (!verdict.is_object()) return v;
  struct Field {
    std::string_view key;
    std::string_view VerdictView::*slot;
  };
  static constexpr Field kFields[] = {
      {"check", &VerdictView::check},       {"path", &VerdictView::path},
      {"expected", &VerdictView::expected}, {"observed", &VerdictView::observed},
      {"result", &VerdictView::result},     {"kind", &VerdictView::kind},
      {"why", &VerdictView::why},
  };
  for (const auto& [key, value] : verdict.get_ref<const json::object_t&>()) {
    if (!value.is_string()) continue;
    for (const auto& f : kFields)
      if (f.key == key) v.*f.slot = value.get_ref<const std::string&>();
  }
  return v;
}

std::string str(const json& object, std::string_view key) {
  if (!object.is_object()) return {};
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

const json& array_at(const json& object, std::string_view key) {
  static const json empty = json::array();
  if (!object.is_object()) return empty;
  auto it = object.find(key);
  return it != object.end() && it->is_array() ? *it : empty;
}

const json& object_at(const json& object, std::string_view key) {
  static const json empty = json::object();
  if (!object.is_object()) return empty;
  auto it = object.find(key);
  return it != object.end() && it->is_object() ? *it : empty;
}

std::string dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string_view group_title(std::string_view group) {
  for (const auto& g : kGroups)
    if (g.id == group) return g.title;
  return group;
}

std::string group_of(std::string_view check) {
  for (const auto& p : probe::path_catalog())
    if (p.id == check) return probe::to_string(p.group);
  for (const auto& d : probe::device_catalog())
    if (d.id == check) return "devices";
  if (check.starts_with("nesting.")) return "nesting";
  if (check.starts_with("identity.")) return "identity";
  if (check.starts_with("dev.")) return "devices";
  return "other";
}

std::string check_why(std::string_view check) {
  for (const auto& p : probe::path_catalog())
    if (p.id == check) return std::string(p.why);
  for (const auto& d : probe::device_catalog())
    if (d.id == check) return std::string(d.why);
  return {};
}

Matrix build_matrix(const json& doc) {
  Matrix m;
  for (const auto& c : array_at(doc, "cells")) {
    std::string_view status = sv(c, "status");
    count_status(m.counts, status);
    if (status != "skipped") {
      m.columns.push_back(&c);
      continue;
    }
    m.skipped.push_back(&c);
    for (const auto& v : array_at(c, "verdicts")) count_verdict(m.counts, mark_of_result(sv(v, "result")));
  }
  m.rows = collect_rows(m.columns);
  Index index;
  for (std::size_t r = 0; r < m.rows.size(); ++r) index.emplace(m.rows[r].check, r);
  m.marks.resize(m.columns.size() * m.rows.size());
  m.verdicts.resize(m.columns.size() * m.rows.size());
  for (std::size_t c = 0; c < m.columns.size(); ++c) fill_column(m, c, index);
  return m;
}

std::string evidence(const json& cell, const json& verdict) {
  return evidence(cell, sv(verdict, "check"), sv(verdict, "path"));
}

std::string evidence(const json& cell, std::string_view check_view, std::string_view path) {
  auto obs = cell.find("observation");
  if (obs == cell.end() || !obs->is_object()) return {};
  std::string check(check_view);
  const json* entry = nullptr;
  if (check.starts_with("nesting.")) {
    auto n = obs->find("nesting");
    if (n != obs->end() && n->is_object() && n->contains(check.substr(8))) entry = &(*n)[check.substr(8)];
  } else if (check.starts_with("identity.")) {
    auto id = obs->find("identity");
    if (id != obs->end() && id->is_object() && id->contains(check.substr(9))) entry = &(*id)[check.substr(9)];
  } else {
    entry = find_entry(array_at(*obs, "paths"), check, path);
    if (!entry) entry = find_entry(array_at(*obs, "devices"), check, path);
  }
  return entry ? dump(*entry) : std::string();
}

std::vector<std::pair<std::string, std::string>> provenance(const json& doc) {
  std::vector<std::pair<std::string, std::string>> out;
  const json& run = object_at(doc, "run");
  const json& host = object_at(run, "host");
  out.emplace_back("kernel", str(host, "kernel"));
  out.emplace_back("arch", str(host, "arch"));
  for (const auto& r : array_at(host, "runtimes")) {
    std::string version = str(r, "version");
    out.emplace_back("runtime " + str(r, "name"),
                     (version.empty() ? std::string("version unknown") : version) + " (" + str(r, "path") + ")");
  }
  std::string title = str(run, "profile_title");
  out.emplace_back("profile", str(run, "profile") + (title.empty() ? "" : " (" + title + ")"));
  out.emplace_back("backend", str(run, "backend"));
  out.emplace_back("started", str(run, "started"));
  if (run.contains("elapsed_ms") && run["elapsed_ms"].is_number())
    out.emplace_back("elapsed", std::to_string(run["elapsed_ms"].get<long long>()) + " ms");
  out.emplace_back("procmatrix", str(run, "procmatrix_version"));
  if (!str(run, "interrupted").empty()) out.emplace_back("interrupted", str(run, "interrupted"));
  for (const auto& n : array_at(run, "notes"))
    if (n.is_string()) out.emplace_back("note", n.get<std::string>());
  return out;
}

std::string summary_line(const Counts& c) {
  std::string cells = std::to_string(c.cells) + " cells: " + std::to_string(c.ran) + " ran";
  if (c.rejected) cells += ", " + std::to_string(c.rejected) + " rejected by the API (ran, not counted)";
  if (c.errored) cells += ", " + std::to_string(c.errored) + " errored";
  if (c.skipped) cells += ", " + std::to_string(c.skipped) + " skipped";
  return cells + "; verdicts: " + std::to_string(c.pass) + " pass, " + std::to_string(c.fail) +
         " fail, " + std::to_string(c.na) + " n/a, " + std::to_string(c.error) + " error";
}

}  // namespace procmatrix::reports
