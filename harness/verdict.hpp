// Verdicts: observed against expected, for every check in one cell (DESIGN.md, "verdict").
// Pure functions of the profile's expectation and the probe's JSON, tested table by table.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cell.hpp"
#include "checks.hpp"
#include "expect.hpp"
#include "profile.hpp"

namespace procmatrix::harness {

enum class VerdictResult { pass, fail, na, error };
// Why a fail matters: a security regression (something the profile closes is open) or a
// functional one (something the profile opens is closed).
enum class FailKind { none, unexpectedly_open, unexpectedly_closed };

struct Verdict {
  std::string check;     // "proc.keys"
  std::string path;      // "/proc/keys"; the nesting step or identity fact for those
  std::string expected;  // an expectation word: "masked"
  std::string observed;  // "readable", "usable", "EPERM", "yes"
  VerdictResult result = VerdictResult::error;
  FailKind kind = FailKind::none;
  std::string why;       // one line: what it means, with the evidence
};

// What verdicts need to know of the host: whether a device exists there at all (a device a
// profile grants but the host lacks is n/a, not a failure). Paths may hold a glob.
struct HostLookup {
  std::function<bool(const std::string& path)> has_path;
};
// The real host: stat / glob.
HostLookup real_host_lookup();

// One observation entry judged against one expectation. `because` says what the promise rests
// on. `entry` is the probe's paths[] or devices[] element, the nesting object, or the identity.
Verdict judge_path(Expect expect, const std::string& because, const nlohmann::json& entry);
Verdict judge_device(Expect expect, const std::string& because, const nlohmann::json& entry,
                     const HostLookup& host);
Verdict judge_nesting(Expect expect, const std::string& because, const std::string& step,
                      const nlohmann::json& nesting);
Verdict judge_identity(Expect expect, const std::string& because, const std::string& fact,
                       const nlohmann::json& identity);

// Every check of all_checks() in one cell: one verdict per observed entry (a glob may match
// several paths), an error verdict for a check the observation lacks.
std::vector<Verdict> judge_cell(const ProfileSet& profiles, const Cell& cell,
                                const nlohmann::json& observation, const HostLookup& host);

// A cell the platform's API rejects, run locally anyway: its verdicts are shown, never counted.
// Each becomes n/a with what it would have been in front of its why.
void mark_not_counted(std::vector<Verdict>& verdicts);

const char* to_string(VerdictResult r);
const char* to_string(FailKind k);  // "" for none

}  // namespace procmatrix::harness
