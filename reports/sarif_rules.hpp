// The SARIF rules: every kind of security finding procmatrix reports, with a stable id, a help
// text and a remedy. Two families: a check that the profile closes but that was found open
// ("unexpectedly-open/<check>"), and the probe's own findings ("finding/<finding id>"). Rule ids
// never change meaning: code scanning tracks alerts by them.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace procmatrix::reports {

struct Rule {
  std::string id;          // "unexpectedly-open/proc.keys", "finding/escape.core_pattern.writable"
  std::string title;       // short description
  std::string why;         // full description: what an attacker gains
  std::string remedy;      // what to change
  std::string level;       // SARIF: "error", "warning", "note"
  std::string security_severity;  // GitHub's 0.0-10.0, as a string
};

Rule open_rule(std::string_view check, std::string_view path);
// `finding`: the probe's findings[] element ({id, severity, title, evidence}).
Rule finding_rule(const nlohmann::json& finding);

// The SARIF reportingDescriptor of a rule.
nlohmann::json rule_json(const Rule& rule);

}  // namespace procmatrix::reports
