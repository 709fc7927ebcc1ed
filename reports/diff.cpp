#include "diff.hpp"

#include <algorithm>
#include <map>
#include <unordered_map>

#include "escape.hpp"
#include "view.hpp"

namespace procmatrix::reports {
namespace {

constexpr struct {
  Change change;
  const char* name;
  bool worse;
} kChanges[] = {
    {Change::opened, "opened", true},        {Change::closed, "closed", true},
    {Change::failed, "failed", true},        {Change::errored, "errored", true},
    {Change::appeared, "appeared", false},   {Change::disappeared, "disappeared", false},
    {Change::fixed, "fixed", false},         {Change::recovered, "recovered", false},
    {Change::changed, "changed", false},
};

std::string key(const json& v) { return str(v, "check") + '\n' + str(v, "path"); }

std::string describe(const json& v) {
  std::string r = str(v, "result"), kind = str(v, "kind");
  return r + " (" + str(v, "observed") + (kind.empty() ? "" : ", " + kind) + ")";
}

// What became of one verdict present in both runs; false when nothing changed.
bool classify(const json& b, const json& c, Change& out) {
  std::string br = str(b, "result"), cr = str(c, "result"), bk = str(b, "kind"), ck = str(c, "kind");
  bool bfail = br == "fail", cfail = cr == "fail";
  if (cfail && ck == "unexpectedly-open" && !(bfail && bk == ck)) out = Change::opened;
  else if (cfail && ck == "unexpectedly-closed" && !(bfail && bk == ck)) out = Change::closed;
  else if (cfail && !bfail) out = Change::failed;
  else if (cr == "error" && br != "error") out = Change::errored;
  else if (bfail && !cfail && cr != "error") out = Change::fixed;
  else if (br == "error" && cr != "error") out = Change::recovered;
  else if (br != cr || str(b, "observed") != str(c, "observed")) out = Change::changed;
  else return false;
  return true;
}

void add(Diff& d, Change ch, const json& cell, const json* v, std::string before, std::string after) {
  d.entries.push_back({ch, str(cell, "id"), v ? str(*v, "check") : "", v ? str(*v, "path") : "",
                       std::move(before), std::move(after), v ? str(*v, "why") : str(cell, "reason")});
}

void diff_verdicts(Diff& d, const json& bcell, const json& ccell) {
  std::unordered_map<std::string, const json*> before;
  for (const auto& v : array_at(bcell, "verdicts")) before.emplace(key(v), &v);
  for (const auto& v : array_at(ccell, "verdicts")) {
    auto it = before.find(key(v));
    if (it == before.end()) {
      add(d, Change::appeared, ccell, &v, "", describe(v));
      continue;
    }
    Change ch{};
    if (classify(*it->second, v, ch)) add(d, ch, ccell, &v, describe(*it->second), describe(v));
    before.erase(it);
  }
  for (const auto& v : array_at(bcell, "verdicts"))
    if (before.count(key(v))) add(d, Change::disappeared, bcell, &v, describe(v), "");
}

void diff_cell(Diff& d, const json& b, const json& c) {
  ++d.cells_matched;
  std::string bs = str(b, "status"), cs = str(c, "status");
  if (cs == "error" && bs != "error") return add(d, Change::errored, c, nullptr, bs, cs);
  if (bs == "error" && cs != "error") add(d, Change::recovered, c, nullptr, bs, cs);
  else if (bs != cs) add(d, Change::changed, c, nullptr, bs, cs);
  diff_verdicts(d, b, c);
}

void compare_runs(Diff& d, const json& baseline, const json& current) {
  const json& b = object_at(baseline, "run");
  const json& c = object_at(current, "run");
  for (const char* k : {"profile", "backend"})
    if (str(b, k) != str(c, k)) d.notes.push_back(std::string(k) + " differs: " + str(b, k) + " -> " + str(c, k));
  std::string bk = str(object_at(b, "host"), "kernel"), ck = str(object_at(c, "host"), "kernel");
  if (bk != ck) d.notes.push_back("kernel differs: " + bk + " -> " + ck);
}

}  // namespace

const char* to_string(Change c) {
  for (const auto& k : kChanges)
    if (k.change == c) return k.name;
  return "?";
}

bool is_worse(Change c) {
  for (const auto& k : kChanges)
    if (k.change == c) return k.worse;
  return false;
}

bool Diff::worse() const {
  return std::any_of(entries.begin(), entries.end(), [](const DiffEntry& e) { return is_worse(e.change); });
}

Diff diff_results(const json& baseline, const json& current) {
  Diff d;
  compare_runs(d, baseline, current);
  std::unordered_map<std::string, const json*> before;
  for (const auto& c : array_at(baseline, "cells")) before.emplace(str(c, "id"), &c);
  for (const auto& c : array_at(current, "cells")) {
    auto it = before.find(str(c, "id"));
    if (it == before.end()) {
      add(d, Change::appeared, c, nullptr, "", str(c, "status"));
      continue;
    }
    diff_cell(d, *it->second, c);
    before.erase(it);
  }
  for (const auto& c : array_at(baseline, "cells"))
    if (before.count(str(c, "id"))) add(d, Change::disappeared, c, nullptr, str(c, "status"), "");
  // Worse first, in kChanges order; within a kind, the runs' order.
  std::stable_sort(d.entries.begin(), d.entries.end(),
                   [](const DiffEntry& a, const DiffEntry& b) { return a.change < b.change; });
  return d;
}

namespace {

std::map<Change, std::size_t> counts(const Diff& d) {
  std::map<Change, std::size_t> n;
  for (const auto& e : d.entries) ++n[e.change];
  return n;
}

std::string count_line(const Diff& d) {
  std::string out;
  for (const auto& [ch, n] : counts(d)) out += (out.empty() ? "" : ", ") + std::to_string(n) + " " + to_string(ch);
  return out.empty() ? "no changes" : out;
}

std::string verdict_line(const Diff& d) {
  return d.worse() ? "worse: something opened, failed or errored" : "nothing changed for the worse";
}

std::string what(const DiffEntry& e) { return e.check.empty() ? "(the cell)" : e.check + " " + e.path; }

}  // namespace

std::string render_diff_text(const Diff& d, std::string_view baseline, std::string_view current) {
  std::string out = "procmatrix diff " + std::string(baseline) + " -> " + std::string(current) + ": " +
                    std::to_string(d.cells_matched) + " cells matched; " + count_line(d) + "\n";
  for (const auto& n : d.notes) out += "note: " + n + "\n";
  for (const auto& e : d.entries) {
    out += "  " + std::string(to_string(e.change)) + "  " + e.cell + "  " + what(e) + ": " +
           (e.before.empty() ? "-" : e.before) + " -> " + (e.after.empty() ? "-" : e.after) + "\n";
    if (is_worse(e.change) && !e.why.empty()) out += "      " + e.why + "\n";
  }
  return utf8_clean(out + verdict_line(d) + "\n");
}

std::string render_diff_markdown(const Diff& d, std::string_view baseline, std::string_view current) {
  std::string out = "# procmatrix diff: " + std::string(d.worse() ? "❌ " : "✅ ") + verdict_line(d) + "\n\n" +
                    md_code(baseline) + " → " + md_code(current) + ": " + std::to_string(d.cells_matched) +
                    " cells matched; " + md_cell(count_line(d)) + "\n\n";
  for (const auto& n : d.notes) out += "- note: " + md_cell(n) + "\n";
  if (!d.notes.empty()) out += "\n";
  if (d.entries.empty()) return out;
  out += "| change | cell | check | before | after | why |\n|---|---|---|---|---|---|\n";
  for (const auto& e : d.entries)
    out += "| " + std::string(is_worse(e.change) ? "**" : "") + to_string(e.change) +
           (is_worse(e.change) ? "**" : "") + " | " + md_code(e.cell) + " | " + md_cell(what(e)) + " | " +
           md_cell(e.before) + " | " + md_cell(e.after) + " | " + md_cell(e.why) + " |\n";
  return out;
}

std::string render_diff_json(const Diff& d, std::string_view baseline, std::string_view current) {
  json changes = json::array();
  for (const auto& e : d.entries)
    changes.push_back({{"change", to_string(e.change)}, {"worse", is_worse(e.change)}, {"cell", e.cell},
                       {"check", e.check.empty() ? json(nullptr) : json(e.check)},
                       {"path", e.path.empty() ? json(nullptr) : json(e.path)},
                       {"before", e.before.empty() ? json(nullptr) : json(e.before)},
                       {"after", e.after.empty() ? json(nullptr) : json(e.after)}, {"why", e.why}});
  json n = json::object();
  for (const auto& [ch, k] : counts(d)) n[to_string(ch)] = k;
  json out = {{"schema", "procmatrix.diff/v1"}, {"baseline", baseline}, {"current", current},
              {"cells_matched", d.cells_matched}, {"worse", d.worse()}, {"counts", n},
              {"notes", d.notes}, {"changes", changes}};
  return out.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace procmatrix::reports
