#include "profile.hpp"

#include <algorithm>
#include <set>

#include "json_strict.hpp"
#include "profiles_embedded.hpp"

namespace procmatrix::harness {

using nlohmann::json;

bool CellCondition::holds_for(const Cell& cell) const {
  if (proc_mount && *proc_mount != cell.proc_mount) return false;
  if (privileged && *privileged != cell.privileged) return false;
  if (host_users && *host_users != cell.host_users) return false;
  return runtimes.empty() ||
         std::find(runtimes.begin(), runtimes.end(), cell.runtime.name) != runtimes.end();
}

bool Rule::matches(const CheckInfo& check, const Cell& cell) const {
  bool named = group.empty() ? std::find(ids.begin(), ids.end(), check.id) != ids.end()
                             : group == check.group;
  return named && when.holds_for(cell);
}

const ApiReject* Profile::api_reject(const Cell& cell) const {
  for (const auto& r : api_rejects)
    if (r.when.holds_for(cell)) return &r;
  return nullptr;
}

namespace {

Result<CellCondition> parse_when(const Where& at, const json& v) {
  if (auto s = require_object(at, v, {"procMount", "privileged", "hostUsers", "runtime"}); !s)
    return s.error();
  CellCondition c;
  if (v.contains("procMount")) {
    auto s = get_string(at / "procMount", v["procMount"]);
    if (!s) return s.error();
    c.proc_mount = parse_proc_mount(*s);
    if (!c.proc_mount) return bad_value(at / "procMount", v["procMount"], "is not one of Default, Unmasked");
  }
  using Slot = std::pair<const char*, std::optional<bool>*>;
  for (auto [key, slot] : {Slot{"privileged", &c.privileged}, Slot{"hostUsers", &c.host_users}}) {
    if (!v.contains(key)) continue;
    auto b = get_bool(at / key, v[key]);
    if (!b) return b.error();
    *slot = *b;
  }
  if (v.contains("runtime")) {
    auto names = get_strings(at / "runtime", v["runtime"], true);
    if (!names) return names.error();
    c.runtimes = std::move(*names);
  }
  return c;
}

// "match": {"group": "..."} or {"id": "..." | ["...", ...]}; every id and group must exist.
Status parse_match(const Where& at, const json& v, Rule& rule) {
  if (auto s = require_object(at, v, {"group", "id"}); !s) return s;
  if (v.contains("group") == v.contains("id"))
    return bad_value(at, v, "must have exactly one of \"group\" and \"id\"");
  if (v.contains("group")) {
    auto g = get_string(at / "group", v["group"]);
    if (!g) return g.error();
    const auto& groups = all_groups();
    if (std::find(groups.begin(), groups.end(), *g) == groups.end()) {
      std::string names;
      for (const auto& n : groups) names += (names.empty() ? "" : ", ") + n;
      return bad_value(at / "group", v["group"], "is not a group of checks (" + names + ")");
    }
    rule.group = *g;
    return Ok{};
  }
  auto ids = get_strings(at / "id", v["id"], true);
  if (!ids) return ids.error();
  for (std::size_t i = 0; i < ids->size(); ++i)
    if (!find_check((*ids)[i]))
      return bad_value(v["id"].is_array() ? (at / "id")[i] : at / "id", (*ids)[i],
                       "is not a check id (probes/catalog.cpp, harness/checks.cpp)");
  rule.ids = std::move(*ids);
  return Ok{};
}

// Every check the rule names must understand its expectation word.
Status check_words(const Where& at, const json& v, const Rule& rule) {
  for (const auto& c : all_checks()) {
    bool named = rule.group.empty() ? std::find(rule.ids.begin(), rule.ids.end(), c.id) != rule.ids.end()
                                    : rule.group == c.group;
    if (named && !applies_to(rule.expect, c.family))
      return bad_value(at / "expect", v["expect"],
                       "does not apply to " + c.id + " (a " + to_string(c.family) +
                           "; words: " + words_for(c.family) + ")");
  }
  return Ok{};
}

Result<Rule> parse_rule(const Where& at, const json& v) {
  if (auto s = require_object(at, v, {"match", "when", "expect", "because"}); !s) return s.error();
  for (auto key : {"match", "expect", "because"})
    if (!v.contains(key)) return bad_value(at / key, nullptr, "is missing");
  Rule rule;
  if (auto s = parse_match(at / "match", v["match"], rule); !s) return s.error();
  if (v.contains("when")) {
    auto w = parse_when(at / "when", v["when"]);
    if (!w) return w.error();
    rule.when = std::move(*w);
  }
  auto word = get_string(at / "expect", v["expect"]);
  if (!word) return word.error();
  auto e = parse_expect(*word);
  if (!e) return bad_value(at / "expect", v["expect"], "is not an expectation word (harness/expect.hpp)");
  rule.expect = *e;
  if (auto s = check_words(at, v, rule); !s) return s.error();
  auto because = get_string(at / "because", v["because"]);
  if (!because) return because.error();
  rule.because = std::move(*because);
  return rule;
}

Result<std::map<std::string, std::string>> parse_string_map(const Where& at, const json& v) {
  if (!v.is_object()) return bad_value(at, v, "is not an object of strings");
  std::map<std::string, std::string> out;
  for (const auto& [key, value] : v.items()) {
    auto s = get_string(at / key, value);
    if (!s) return s.error();
    out[key] = std::move(*s);
  }
  return out;
}

Status parse_api_rejects(const Where& at, const json& v, Profile& p) {
  if (!v.is_array()) return bad_value(at, v, "is not a list");
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (auto s = require_object(at[i], v[i], {"when", "reason"}); !s) return s;
    if (!v[i].contains("when") || !v[i].contains("reason"))
      return bad_value(at[i], v[i], "needs \"when\" and \"reason\"");
    auto w = parse_when(at[i] / "when", v[i]["when"]);
    if (!w) return w.error();
    auto r = get_string(at[i] / "reason", v[i]["reason"]);
    if (!r) return r.error();
    p.api_rejects.push_back({std::move(*w), std::move(*r)});
  }
  return Ok{};
}

// Every check must be decided in every cell: each procMount x privileged x hostUsers, on a runtime
// no rule names and on each runtime some rule names.
Status check_coverage(const std::string& file, const Profile& p) {
  std::set<std::string> runtimes = {"(any runtime)"};
  for (const auto& r : p.rules) runtimes.insert(r.when.runtimes.begin(), r.when.runtimes.end());
  for (const auto& runtime : runtimes)
    for (auto pm : {ProcMount::Default, ProcMount::Unmasked})
      for (bool priv : {false, true})
        for (bool host : {true, false}) {
          Cell cell;
          cell.runtime.name = runtime;
          cell.proc_mount = pm;
          cell.privileged = priv;
          cell.host_users = host;
          for (const auto& c : all_checks()) {
            bool decided = std::any_of(p.rules.begin(), p.rules.end(),
                                       [&](const Rule& r) { return r.matches(c, cell); });
            if (!decided)
              return Error(0, file + ": field \"rules\": no rule decides " + c.id + " in cell " +
                                  cell.id() + " (add a rule, with \"expect\": \"any\" if nothing is promised)");
          }
        }
  return Ok{};
}

Status parse_rules(const Where& at, const json& v, Profile& p) {
  if (!v.is_array()) return bad_value(at, v, "is not a list");
  for (std::size_t i = 0; i < v.size(); ++i) {
    auto r = parse_rule(at[i], v[i]);
    if (!r) return r.error();
    p.rules.push_back(std::move(*r));
  }
  return check_coverage(at.file, p);
}

Status parse_header(const Where& top, const json& doc, Profile& p) {
  auto schema = get_string(top / "schema", doc["schema"]);
  if (!schema) return schema.error();
  if (*schema != kProfileSchema)
    return bad_value(top / "schema", doc["schema"], std::string("is not ") + kProfileSchema);
  auto name = get_string(top / "name", doc["name"]);
  if (!name) return name.error();
  p.name = *name;
  auto title = get_string(top / "title", doc["title"]);
  if (!title) return title.error();
  p.title = *title;
  auto holds = parse_string_map(top / "holds_for", doc["holds_for"]);
  if (!holds) return holds.error();
  p.holds_for = std::move(*holds);
  auto sources = get_strings(top / "sources", doc["sources"]);
  if (!sources) return sources.error();
  if (sources->empty()) return bad_value(top / "sources", doc["sources"], "is empty: say where the promises come from");
  p.sources = std::move(*sources);
  return Ok{};
}

}  // namespace

Result<Profile> load_profile(const std::string& file, std::string_view text) {
  auto doc = parse_json(file, text);
  if (!doc) return doc.error();
  Where top{file, ""};
  if (auto s = require_object(top, *doc, {"schema", "name", "title", "holds_for", "sources",
                                          "runtime_profiles", "api_rejects", "rules",
                                          "local_backend_note"}); !s)
    return s.error();
  for (auto key : {"schema", "name", "title", "holds_for", "sources", "rules"})
    if (!doc->contains(key)) return bad_value(top / key, nullptr, "is missing");
  Profile p;
  if (auto s = parse_header(top, *doc, p); !s) return s.error();
  if (doc->contains("runtime_profiles")) {
    auto m = parse_string_map(top / "runtime_profiles", (*doc)["runtime_profiles"]);
    if (!m) return m.error();
    p.runtime_profiles = std::move(*m);
  }
  if (doc->contains("local_backend_note")) {
    auto note = get_string(top / "local_backend_note", (*doc)["local_backend_note"]);
    if (!note) return note.error();
    p.local_backend_note = *note;
  }
  if (doc->contains("api_rejects"))
    if (auto s = parse_api_rejects(top / "api_rejects", (*doc)["api_rejects"], p); !s) return s.error();
  if (auto s = parse_rules(top / "rules", (*doc)["rules"], p); !s) return s.error();
  return p;
}

std::vector<std::string> builtin_profile_names() {
  std::vector<std::string> out;
  for (const auto& f : embedded_profiles()) out.emplace_back(f.name);
  return out;
}

Result<Profile> builtin_profile(const std::string& name) {
  for (const auto& f : embedded_profiles())
    if (f.name == name) return load_profile("profiles/" + name + ".json (built in)", f.text);
  std::string names;
  for (const auto& n : builtin_profile_names()) names += (names.empty() ? "" : ", ") + n;
  return Error(0, "no profile named \"" + name + "\" (built in: " + names + "; or --profile-file PATH)");
}

Result<Profile> load_profile_file(const std::string& path) {
  auto text = read_text_file(path);
  if (!text) return text.error();
  return load_profile(path, *text);
}

Result<ProfileSet> ProfileSet::make(Profile main) {
  ProfileSet set;
  for (const auto& [runtime, name] : main.runtime_profiles) {
    if (name == main.name) continue;
    auto p = builtin_profile(name);
    if (!p) return p.error().with_context("profile " + main.name + ": runtime_profiles." + runtime);
    set.by_runtime_.emplace(runtime, std::move(*p));
  }
  set.main_ = std::move(main);
  return set;
}

Expectation ProfileSet::expect(const CheckInfo& check, const Cell& cell) const {
  auto it = by_runtime_.find(cell.runtime.name);
  const Profile& p = it == by_runtime_.end() ? main_ : it->second;
  for (const auto& r : p.rules)
    if (r.matches(check, cell)) return {r.expect, r.because, p.name};
  return {Expect::any, "no rule of profile " + p.name + " decides it", p.name};
}

}  // namespace procmatrix::harness
