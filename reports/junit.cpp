// JUnit XML, the shape Jenkins, GitLab and GitHub test reporters read (tests/data/junit-10.xsd):
// a testsuite per cell, a testcase per check (classname: the cell, name: the check), a failure
// with expected, observed and the evidence, n/a as skipped, an errored cell as one errored
// testcase, properties for the cell's settings.
#include <map>

#include "escape.hpp"
#include "render.hpp"
#include "view.hpp"

namespace procmatrix::reports {
namespace {

std::string attr(std::string_view name, std::string_view value) {
  std::string out = " ";
  out.append(name).append("=\"");
  append_xml(out, value);
  out += '"';
  return out;
}

// The same, appended (the per-testcase hot path).
void put_attr(std::string& out, std::string_view name, std::string_view value) {
  put(out, " ", name, "=\"");
  append_xml(out, value);
  out += '"';
}

std::string seconds(const json& ms) {
  long long v = ms.is_number_integer() ? ms.get<long long>() : 0;
  if (v < 0) v = 0;
  std::string frac = std::to_string(v % 1000);
  return std::to_string(v / 1000) + "." + std::string(3 - frac.size(), '0') + frac;
}

std::string text_of(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_null()) return "";
  return dump(v);
}

void properties(std::string& out, const json& cell, const std::string& profile) {
  out += "    <properties>\n";
  for (const char* key : {"backend", "runtime", "runtime_path", "node", "procMount", "privileged",
                          "hostUsers", "status", "reason"}) {
    std::string value = text_of(cell.value(key, json()));
    if (!value.empty()) out += "      <property" + attr("name", key) + attr("value", value) + "/>\n";
  }
  out += "      <property" + attr("name", "profile") + attr("value", profile) + "/>\n";
  out += "    </properties>\n";
}

std::string failure_text(const json& cell, const json& v) {
  std::string out = "expected: " + str(v, "expected") + "\nobserved: " + str(v, "observed") +
                    "\nkind: " + str(v, "kind") + "\npath: " + str(v, "path") + "\nwhy: " + str(v, "why");
  std::string ev = evidence(cell, v);
  if (!ev.empty()) out += "\nevidence: " + ev;
  std::string matters = check_why(str(v, "check"));
  if (!matters.empty()) out += "\nwhy it matters: " + matters;
  return out;
}

// The testcase names of one cell: the check, or "check path" when a glob gave several verdicts.
// `several`: the cell has more verdicts of this check (a glob): the name gets the path too.
void testcase(std::string& out, const json& cell, std::string_view cell_id, const json& v, const VerdictView& vv,
              bool several) {
  out += "    <testcase";
  if (several) {
    out += " name=\"";
    append_xml(out, vv.check);
    out += ' ';
    append_xml(out, vv.path);
    out += '"';
  } else {
    put_attr(out, "name", vv.check);
  }
  put_attr(out, "classname", cell_id);
  out += " time=\"0\"";
  std::string_view result = vv.result;
  if (result == "pass") {
    out += "/>\n";
    return;
  }
  out += ">\n";
  if (result == "fail") {
    std::string kind = str(v, "kind");
    out += "      <failure" +
           attr("message", "expected " + str(v, "expected") + ", observed " + str(v, "observed") +
                               (kind.empty() ? "" : " (" + kind + ")")) +
           attr("type", kind.empty() ? "fail" : kind) + ">" + xml_escape(failure_text(cell, v)) + "</failure>\n";
  } else if (result == "n/a") {
    out += "      <skipped";
    put_attr(out, "message", vv.why);
    out += "/>\n";
  } else {
    out += "      <error" + attr("message", str(v, "why")) + attr("type", "verdict-error") + "/>\n";
  }
  out += "    </testcase>\n";
}

struct SuiteCounts {
  int tests = 0, failures = 0, errors = 0, skipped = 0;
};

// The counts of the cell's status; with `verdicts`, of its verdicts too.
SuiteCounts suite_counts(const json& cell, bool verdicts = true) {
  SuiteCounts s;
  std::string status = str(cell, "status");
  if (status == "error" || status == "skipped") {
    s.tests = 1;
    (status == "error" ? s.errors : s.skipped) = 1;
  }
  if (!verdicts) return s;
  for (const auto& v : array_at(cell, "verdicts")) {
    ++s.tests;
    std::string_view r = sv(v, "result");
    if (r == "fail") ++s.failures;
    else if (r == "n/a") ++s.skipped;
    else if (r != "pass") ++s.errors;
  }
  return s;
}

// Each verdict's fields are read once (10,000 cells: half a million verdicts).
void suite(std::string& out, const json& cell, std::size_t index, const std::string& started,
           const std::string& profile) {
  const json& verdicts = array_at(cell, "verdicts");
  std::vector<VerdictView> views;
  views.reserve(verdicts.size());
  std::map<std::string_view, int> per_check;
  SuiteCounts s = suite_counts(cell, false);
  for (const auto& v : verdicts) {
    views.push_back(read_verdict(v));
    const VerdictView& vv = views.back();
    ++per_check[vv.check];
    ++s.tests;
    if (vv.result == "fail") ++s.failures;
    else if (vv.result == "n/a") ++s.skipped;
    else if (vv.result != "pass") ++s.errors;
  }
  out += "  <testsuite" + attr("name", str(cell, "id")) + attr("tests", std::to_string(s.tests)) +
         attr("failures", std::to_string(s.failures)) + attr("errors", std::to_string(s.errors)) +
         attr("skipped", std::to_string(s.skipped)) + attr("time", seconds(cell.value("elapsed_ms", json()))) +
         attr("timestamp", started) + attr("hostname", str(cell, "backend")) +
         attr("id", std::to_string(index)) + attr("package", "procmatrix") + ">\n";
  properties(out, cell, profile);
  std::string status = str(cell, "status");
  if (status == "error" || status == "skipped") {
    std::string tag = status == "error" ? "error" : "skipped";
    out += "    <testcase" + attr("name", "cell") + attr("classname", str(cell, "id")) + attr("time", "0") +
           ">\n      <" + tag + attr("message", str(cell, "reason")) +
           (tag == "error" ? attr("type", "cell-error") : "") + "/>\n    </testcase>\n";
  }
  std::string_view id = sv(cell, "id");
  for (std::size_t i = 0; i < views.size(); ++i)
    testcase(out, cell, id, verdicts[i], views[i], per_check[views[i].check] > 1);
  out += "  </testsuite>\n";
}

}  // namespace

std::string render_junit(const json& doc) {
  const json& run = object_at(doc, "run");
  std::string started = str(run, "started"), profile = str(run, "profile");
  SuiteCounts total;
  const json& cells = array_at(doc, "cells");
  for (const auto& c : cells) {
    SuiteCounts s = suite_counts(c);
    total.tests += s.tests;
    total.failures += s.failures;
    total.errors += s.errors;
  }
  std::string out;
  out.reserve(static_cast<std::size_t>(total.tests) * 256 + cells.size() * 1024);
  out += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<testsuites" + attr("name", "procmatrix " + profile) + attr("tests", std::to_string(total.tests)) +
         attr("failures", std::to_string(total.failures)) + attr("errors", std::to_string(total.errors)) +
         attr("time", seconds(run.value("elapsed_ms", json()))) + ">\n";
  std::size_t index = 0;
  for (const auto& c : cells) suite(out, c, index++, started, profile);
  out += "</testsuites>\n";
  return out;
}

}  // namespace procmatrix::reports
