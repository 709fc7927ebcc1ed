// SARIF 2.1.0 for GitHub code scanning: the security findings of a run. A result for every check
// found unexpectedly open, and for every finding of the probe, in the cells that ran (a cell the
// API rejects would never run on the platform: its findings are not counted, as its verdicts).
// Each result's location is the path inside its cell ("cell/<cell id>/proc/keys"), so that alerts
// are told apart by cell and path.
#include <unordered_map>

#include "escape.hpp"
#include "render.hpp"
#include "sarif_rules.hpp"
#include "view.hpp"

namespace procmatrix::reports {
namespace {

constexpr const char* kSchema = "https://json.schemastore.org/sarif-2.1.0.json";

// The rules in order of first use, each made once (a sweep reports the same few thousands of
// times): its index and level by id.
struct Rules {
  json list = json::array();
  std::unordered_map<std::string, std::pair<std::size_t, std::string>> index;

  template <class Make>
  const std::pair<std::size_t, std::string>& get(const std::string& id, Make make) {
    auto it = index.find(id);
    if (it != index.end()) return it->second;
    Rule r = make();
    list.push_back(rule_json(r));
    return index.emplace(id, std::make_pair(list.size() - 1, r.level)).first->second;
  }
};

// The path a finding's evidence names: open("PATH", ...) or a leading absolute path.
std::string evidence_path(const std::string& ev) {
  if (ev.starts_with("open(\"")) {
    auto end = ev.find('"', 6);
    if (end != std::string::npos) return ev.substr(6, end - 6);
  }
  if (ev.starts_with("/")) return ev.substr(0, ev.find_first_of(" :"));
  return {};
}

json location(const std::string& cell_id, const std::string& path) {
  return json::array({{{"physicalLocation", {{"artifactLocation", {{"uri", uri_path("cell/" + cell_id + path)}}}}},
                       {"logicalLocations", json::array({{{"fullyQualifiedName", cell_id}, {"kind", "module"}}})}}});
}

json result(const std::string& rule_id, const std::pair<std::size_t, std::string>& rule, const std::string& message,
            const std::string& cell_id, const std::string& path, json properties) {
  properties["cell"] = cell_id;
  return {{"ruleId", rule_id},
          {"ruleIndex", rule.first},
          {"level", rule.second},
          {"message", {{"text", utf8_clean(message)}}},
          {"locations", location(cell_id, path)},
          {"partialFingerprints", {{"procmatrixCellPath/v1", cell_id + "|" + rule_id + "|" + path}}},
          {"properties", std::move(properties)}};
}

void open_results(json& results, Rules& rules, const json& cell) {
  std::string id = str(cell, "id");
  for (const auto& v : array_at(cell, "verdicts")) {
    if (str(v, "result") != "fail" || str(v, "kind") != "unexpectedly-open") continue;
    std::string check = str(v, "check"), path = str(v, "path");
    std::string rule_id = "unexpectedly-open/" + check;
    const auto& rule = rules.get(rule_id, [&] { return open_rule(check, path); });
    std::string msg = id + ": " + path + " is " + str(v, "observed") + ", expected " + str(v, "expected") +
                      ". " + str(v, "why");
    results.push_back(result(rule_id, rule, msg, id, path,
                             {{"check", check}, {"expected", str(v, "expected")},
                              {"observed", str(v, "observed")}, {"evidence", utf8_clean(evidence(cell, v))}}));
  }
}

void finding_results(json& results, Rules& rules, const json& cell) {
  std::string id = str(cell, "id");
  for (const auto& f : array_at(object_at(cell, "observation"), "findings")) {
    std::string rule_id = "finding/" + str(f, "id");
    const auto& rule = rules.get(rule_id, [&] { return finding_rule(f); });
    std::string ev = str(f, "evidence");
    results.push_back(result(rule_id, rule, id + ": " + str(f, "title") + ". Evidence: " + ev, id, evidence_path(ev),
                             {{"severity", str(f, "severity")}, {"evidence", utf8_clean(ev)}}));
  }
}

json run_properties(const json& doc) {
  json p = json::object();
  for (const auto& [label, value] : provenance(doc)) {
    if (label == "note") p["notes"].push_back(utf8_clean(value));
    else p[label] = utf8_clean(value);
  }
  return p;
}

}  // namespace

std::string render_sarif(const json& doc) {
  Rules rules;
  json results = json::array();
  for (const auto& cell : array_at(doc, "cells")) {
    if (str(cell, "status") != "ran") continue;
    open_results(results, rules, cell);
    finding_results(results, rules, cell);
  }
  const json& run = object_at(doc, "run");
  json driver = {{"name", "procmatrix"},
                 {"version", str(run, "procmatrix_version")},
                 {"rules", std::move(rules.list)}};
  json invocation = {{"executionSuccessful", true}};
  if (!str(run, "started").empty()) invocation["startTimeUtc"] = str(run, "started");
  json sarif = {{"$schema", kSchema},
                {"version", "2.1.0"},
                {"runs", json::array({{{"tool", {{"driver", std::move(driver)}}},
                                       {"invocations", json::array({invocation})},
                                       {"results", std::move(results)},
                                       {"properties", run_properties(doc)}}})}};
  return sarif.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace procmatrix::reports
