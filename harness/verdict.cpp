#include "verdict.hpp"

#include <glob.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>

#include "text.hpp"

namespace procmatrix::harness {

using nlohmann::json;

namespace {

// How open each observed state is: a fail is "unexpectedly open" when the state is more open than
// every state the expectation accepts, "unexpectedly closed" otherwise.
struct Openness {
  std::string_view state;
  int rank;
};
constexpr Openness kPathOpenness[] = {{"absent", 0},   {"masked", 1},   {"denied", 2},
                                      {"readonly", 3}, {"readable", 4}, {"writable", 5}};
constexpr Openness kDeviceOpenness[] = {{"absent", 0}, {"denied", 1}, {"usable", 2}};

int rank_of(std::span<const Openness> table, std::string_view state) {
  for (const auto& o : table)
    if (o.state == state) return o.rank;
  return -1;
}

// The states each expectation accepts (paths and devices).
struct Accepts {
  Expect expect;
  std::array<std::string_view, 6> states;
};
constexpr Accepts kAccepts[] = {
    {Expect::any, {"masked", "denied", "readonly", "readable", "writable", "usable"}},
    {Expect::masked, {"masked"}},
    {Expect::not_masked, {"denied", "readonly", "readable", "writable"}},
    {Expect::readonly, {"readonly"}},
    {Expect::not_readonly, {"denied", "readable", "writable"}},
    {Expect::not_writable, {"masked", "denied", "readonly", "readable"}},
    {Expect::writable, {"writable"}},
    {Expect::absent, {"absent"}},
    {Expect::absent_or_masked, {"absent", "masked"}},
    {Expect::usable, {"usable"}},
    {Expect::not_usable, {"absent", "denied"}},
};

const Accepts& accepts_of(Expect e) {
  for (const auto& a : kAccepts)
    if (a.expect == e) return a;
  return kAccepts[0];
}

bool accepts(Expect e, std::string_view state) {
  const auto& s = accepts_of(e).states;
  return std::find(s.begin(), s.end(), state) != s.end();
}

FailKind kind_of_fail(std::span<const Openness> table, Expect e, std::string_view state) {
  int max_ok = -1;
  for (auto s : accepts_of(e).states)
    if (!s.empty()) max_ok = std::max(max_ok, rank_of(table, s));
  return rank_of(table, state) > max_ok ? FailKind::unexpectedly_open : FailKind::unexpectedly_closed;
}

// A member of an object, or null: probe JSON from a broken probe may lack anything.
const json& member(const json& v, const char* key) {
  static const json null;
  if (!v.is_object()) return null;
  auto it = v.find(key);
  return it == v.end() ? null : *it;
}

bool flag(const json& v, const char* key) {
  const json& f = member(v, key);
  return f.is_boolean() && f.get<bool>();
}

std::string str(const json& v, const char* key, std::string fallback = "") {
  if (v.is_object() && v.contains(key) && v[key].is_string()) return v[key].get<std::string>();
  return fallback;
}

// "ok", the errno's name of an {ok, errno} attempt, or "" when it was not made.
std::string attempt(const json& a) {
  if (flag(a, "ok")) return "ok";
  return str(a, "errno");
}

// "readable (open O_RDONLY ok, O_WRONLY EACCES)"; an attempt not made (a directory is never
// opened for writing) is left out.
std::string path_evidence(const json& e) {
  std::string state = str(e, "state");
  if (state == "masked") return cat({"masked (", str(e, "mask", "?"), ")"});
  std::string opens;
  for (auto [key, mode] : {std::pair{"read", "O_RDONLY"}, std::pair{"write", "O_WRONLY"}}) {
    std::string a = attempt(member(e, key));
    if (!a.empty()) opens += cat({opens.empty() ? "open " : ", ", mode, " ", a});
  }
  return opens.empty() ? state : cat({state, " (", opens, ")"});
}

std::string mount_evidence(const json& e) {
  const json m = member(e, "mount");
  if (!m.is_object()) return "";
  return "; mount: " + str(m, "fstype", "?") + " on " + str(m, "mount_point", "?") + " (" +
         str(m, "options") + ")";
}

Verdict make(std::string check, std::string path, Expect e, std::string observed) {
  Verdict v;
  v.check = std::move(check);
  v.path = std::move(path);
  v.expected = to_string(e);
  v.observed = std::move(observed);
  return v;
}

// Fills result, kind and why from whether the state is accepted.
void decide(Verdict& v, bool pass, FailKind kind, const std::string& subject,
            const std::string& evidence, const std::string& because, const std::string& extra) {
  v.result = pass ? VerdictResult::pass : VerdictResult::fail;
  v.kind = pass ? FailKind::none : kind;
  if (pass)
    v.why = subject + " is " + evidence + ", as expected (" + v.expected + ": " + because + ")";
  else
    v.why = subject + " is " + evidence + ", expected " + v.expected + ": " + because + extra;
}

Verdict not_applicable(Verdict v, const std::string& why) {
  v.result = VerdictResult::na;
  v.why = why;
  return v;
}

Verdict error_verdict(Verdict v, const std::string& why) {
  v.result = VerdictResult::error;
  v.why = why;
  return v;
}

}  // namespace

Verdict judge_path(Expect e, const std::string& because, const json& entry) {
  std::string path = str(entry, "path", "?");
  std::string state = str(entry, "state");
  Verdict v = make(str(entry, "id"), path, e, state);
  if (rank_of(kPathOpenness, state) < 0)
    return error_verdict(v, "the probe's entry for " + path + " has no valid state: " + entry.dump());
  bool absence_judged = e == Expect::absent || e == Expect::absent_or_masked;
  if (state == "absent" && !absence_judged)
    return not_applicable(v, path + " does not exist here (the kernel has no such path)");
  // A file on a read-only mount whose open(O_WRONLY) met EACCES before EROFS (a user namespace)
  // is as read-only as one that met EROFS.
  const json mount = member(entry, "mount");
  bool ro_mount = mount.is_object() && flag(mount, "read_only");
  std::string judged = (state == "readable" || state == "denied") && ro_mount ? "readonly" : state;
  std::string evidence = path_evidence(entry) + (judged != state ? " on a read-only mount" : "");
  std::string defect = str(entry, "mask_defect");
  if (state == "masked" && !defect.empty() && (e == Expect::masked || e == Expect::absent_or_masked)) {
    decide(v, false, FailKind::unexpectedly_open, path, evidence + " but the mask is not sound: " + defect,
           because, mount_evidence(entry));
    return v;
  }
  decide(v, accepts(e, judged), kind_of_fail(kPathOpenness, e, judged), path, evidence, because,
         mount_evidence(entry));
  return v;
}

Verdict judge_device(Expect e, const std::string& because, const json& entry, const HostLookup& host) {
  std::string path = str(entry, "path", "?");
  std::string state = str(entry, "state");
  Verdict v = make(str(entry, "id"), path, e, state);
  if (rank_of(kDeviceOpenness, state) < 0)
    return error_verdict(v, "the probe's entry for " + path + " has no valid state: " + entry.dump());
  if (state == "absent" && (e == Expect::any || (e == Expect::usable && host.has_path && !host.has_path(path))))
    return not_applicable(v, path + " does not exist on this host");
  std::string evidence = state;
  if (state != "absent") {
    evidence += cat({" (open O_RDWR ", attempt(member(entry, "open_rw"))});
    const json& q = member(entry, "query");
    std::string answer = attempt(member(q, "result"));
    if (answer == "ok") answer = str(q, "value", "ok");
    if (!answer.empty()) evidence += cat({", ", str(q, "name"), " ", answer});
    evidence += ")";
  }
  decide(v, accepts(e, state), kind_of_fail(kDeviceOpenness, e, state), path, evidence, because, "");
  return v;
}

Verdict judge_nesting(Expect e, const std::string& because, const std::string& step, const json& nesting) {
  Verdict v = make("nesting." + step, step, e, "");
  const json s = nesting.is_object() ? member(nesting, step.c_str()) : json();
  if (!s.is_object()) return error_verdict(v, "the probe's nesting report has no step " + step);
  bool ok = flag(s, "ok");
  bool attempted = s.contains("attempted") ? flag(s, "attempted") : (ok || member(s, "errno").is_string());
  v.observed = ok ? "ok" : !attempted ? "not-attempted" : str(s, "errno", "failed");
  std::string subject = "nesting step " + step;
  if (!attempted) {
    if (e != Expect::ok) return not_applicable(v, subject + " was not attempted (an earlier step failed)");
    decide(v, false, FailKind::unexpectedly_closed, subject, "not attempted (an earlier step failed)", because, "");
    return v;
  }
  std::string evidence = ok ? "ok" : "refused: " + (str(s, "call").empty() ? "" : str(s, "call") + " ") + v.observed;
  bool pass = e == Expect::any || (e == Expect::ok) == ok;
  decide(v, pass, ok ? FailKind::unexpectedly_open : FailKind::unexpectedly_closed, subject, evidence, because, "");
  return v;
}

namespace {

// An identity fact: its value, a description, and which value is the open one.
struct Fact {
  bool value = false;
  bool known = false;
  bool open_when = true;
  std::string evidence;
};

Fact read_fact(const std::string& fact, const json& id) {
  Fact f;
  if (!id.is_object()) return f;
  if (fact == "user_namespace" && id.contains("user_namespace") && id["user_namespace"].is_boolean()) {
    f = {id["user_namespace"].get<bool>(), true, false, ""};
    f.evidence = "uid_map " + member(id, "uid_map").dump();
  } else if (fact == "cap_sys_admin") {
    const json caps = member(member(id, "capabilities"), "effective");
    if (!caps.is_array()) return f;
    f.known = true;
    f.value = std::find(caps.begin(), caps.end(), json("CAP_SYS_ADMIN")) != caps.end();
    f.evidence = std::to_string(caps.size()) + " effective capabilities";
  }
  return f;
}

}  // namespace

Verdict judge_identity(Expect e, const std::string& because, const std::string& fact, const json& identity) {
  Verdict v = make("identity." + fact, fact, e, "");
  Fact f = read_fact(fact, identity);
  if (!f.known) return error_verdict(v, "the probe's identity report has no " + fact);
  v.observed = f.value ? "yes" : "no";
  bool pass = e == Expect::any || (e == Expect::yes) == f.value;
  decide(v, pass, f.value == f.open_when ? FailKind::unexpectedly_open : FailKind::unexpectedly_closed,
         fact, v.observed + " (" + f.evidence + ")", because, "");
  return v;
}

namespace {

// The observation's entries for one path or device check (a glob may give several).
std::vector<json> entries_of(const json& list, const std::string& id) {
  std::vector<json> out;
  if (!list.is_array()) return out;
  for (const auto& e : list)
    if (e.is_object() && str(e, "id") == id) out.push_back(e);
  return out;
}

void judge_listed(const CheckInfo& c, const Expectation& x, const json& observation,
                  const HostLookup& host, std::vector<Verdict>& out) {
  const char* key = c.family == Family::path ? "paths" : "devices";
  auto entries = entries_of(member(observation, key), c.id);
  if (entries.empty()) {
    Verdict v = make(c.id, c.path, x.expect, "");
    out.push_back(error_verdict(v, "the probe reported nothing for " + c.id + " (" + c.path + ")"));
    return;
  }
  for (const auto& e : entries)
    out.push_back(c.family == Family::path ? judge_path(x.expect, x.because, e)
                                           : judge_device(x.expect, x.because, e, host));
}

}  // namespace

std::vector<Verdict> judge_cell(const ProfileSet& profiles, const Cell& cell, const json& observation,
                                const HostLookup& host) {
  std::vector<Verdict> out;
  for (const auto& c : all_checks()) {
    Expectation x = profiles.expect(c, cell);
    switch (c.family) {
      case Family::path:
      case Family::device: judge_listed(c, x, observation, host, out); break;
      case Family::nesting: out.push_back(judge_nesting(x.expect, x.because, c.path, member(observation, "nesting"))); break;
      case Family::identity: out.push_back(judge_identity(x.expect, x.because, c.path, member(observation, "identity"))); break;
    }
  }
  return out;
}

void mark_not_counted(std::vector<Verdict>& verdicts) {
  for (auto& v : verdicts) {
    std::string would = v.result == VerdictResult::fail
                            ? std::string("would fail (") + to_string(v.kind) + ")"
                            : std::string("would be ") + to_string(v.result);
    v.why = "not counted, the API rejects this cell; " + would + ": " + v.why;
    v.result = VerdictResult::na;
    v.kind = FailKind::none;
  }
}

HostLookup real_host_lookup() {
  return {[](const std::string& path) {
    if (path.find('*') == std::string::npos) {
      struct stat st{};
      return ::stat(path.c_str(), &st) == 0;
    }
    glob_t g{};
    bool found = ::glob(path.c_str(), GLOB_NOSORT, nullptr, &g) == 0 && g.gl_pathc > 0;
    ::globfree(&g);
    return found;
  }};
}

const char* to_string(VerdictResult r) {
  switch (r) {
    case VerdictResult::pass: return "pass";
    case VerdictResult::fail: return "fail";
    case VerdictResult::na: return "n/a";
    case VerdictResult::error: return "error";
  }
  return "?";
}

const char* to_string(FailKind k) {
  switch (k) {
    case FailKind::none: return "";
    case FailKind::unexpectedly_open: return "unexpectedly-open";
    case FailKind::unexpectedly_closed: return "unexpectedly-closed";
  }
  return "?";
}

}  // namespace procmatrix::harness
