#include "results.hpp"

#include <sys/utsname.h>

#include <ctime>
#include <filesystem>

#include "atomic_file.hpp"

namespace procmatrix::harness {

using nlohmann::json;

Summary summarize(const std::vector<CellOutcome>& outcomes) {
  Summary s;
  s.cells = static_cast<int>(outcomes.size());
  for (const auto& o : outcomes) {
    switch (o.run.status) {
      case CellStatus::ran: ++s.ran; break;
      case CellStatus::rejected: ++s.rejected; break;
      case CellStatus::skipped: ++s.skipped; break;
      case CellStatus::error: ++s.errored; ++s.error; break;
    }
    for (const auto& v : o.verdicts) {
      switch (v.result) {
        case VerdictResult::pass: ++s.pass; break;
        case VerdictResult::fail: ++s.fail; break;
        case VerdictResult::na: ++s.na; break;
        case VerdictResult::error: ++s.error; break;
      }
    }
  }
  return s;
}

int exit_code(const Summary& s) {
  if (s.error > 0) return 2;
  return s.fail > 0 ? 1 : 0;
}

json host_json(const std::vector<CellOutcome>& outcomes) {
  utsname u{};
  ::uname(&u);
  json runtimes = json::array();
  for (const auto& o : outcomes) {
    if (o.run.status == CellStatus::skipped) continue;
    bool seen = false;
    for (auto& r : runtimes) {
      if (r["name"] != o.cell.runtime.name) continue;
      seen = true;
      if (r["version"].is_null() && !o.run.runtime_version.empty()) r["version"] = o.run.runtime_version;
    }
    if (!seen)
      runtimes.push_back({{"name", o.cell.runtime.name},
                          {"path", o.cell.runtime.path},
                          {"version", o.run.runtime_version.empty() ? json(nullptr) : json(o.run.runtime_version)}});
  }
  return {{"kernel", u.release}, {"arch", u.machine}, {"runtimes", runtimes}};
}

namespace {

json verdict_json(const Verdict& v) {
  std::string kind = to_string(v.kind);
  return {{"check", v.check},       {"path", v.path},
          {"expected", v.expected}, {"observed", v.observed},
          {"result", to_string(v.result)},
          {"kind", kind.empty() ? json(nullptr) : json(kind)},
          {"why", v.why}};
}

json or_null(const json& v) { return v.is_discarded() ? json(nullptr) : v; }

}  // namespace

json cell_json(const CellOutcome& o) {
  const Cell& c = o.cell;
  json verdicts = json::array();
  for (const auto& v : o.verdicts) verdicts.push_back(verdict_json(v));
  return {{"id", c.id()},
          {"backend", c.backend},
          {"runtime", c.runtime.name},
          {"runtime_path", c.runtime.path.empty() ? json(nullptr) : json(c.runtime.path)},
          {"node", c.node ? json(*c.node) : json(nullptr)},
          {"procMount", to_string(c.proc_mount)},
          {"privileged", c.privileged},
          {"hostUsers", c.host_users},
          {"status", to_string(o.run.status)},
          {"reason", o.run.reason.empty() ? json(nullptr) : json(o.run.reason)},
          {"api_rejected", o.api_rejected},
          {"elapsed_ms", o.run.elapsed.count()},
          {"notes", o.run.notes},
          {"spec", or_null(o.run.spec)},
          {"rerun", o.run.rerun.empty() ? json(nullptr) : json(o.run.rerun)},
          {"observation", or_null(o.run.observation)},
          {"verdicts", verdicts}};
}

json results_json(const RunInfo& info, const std::vector<CellOutcome>& outcomes) {
  Summary s = summarize(outcomes);
  json cells = json::array();
  for (const auto& o : outcomes) cells.push_back(cell_json(o));
  return {{"schema", kResultsSchema},
          {"run", {{"started", info.started},
                   {"elapsed_ms", info.elapsed.count()},
                   {"backend", info.backend},
                   {"profile", info.profile},
                   {"profile_title", info.profile_title},
                   {"procmatrix_version", PROCMATRIX_VERSION},
                   {"interrupted", info.interrupted.empty() ? json(nullptr) : json(info.interrupted)},
                   {"notes", info.notes},
                   {"host", host_json(outcomes)}}},
          {"cells", cells},
          {"summary", {{"cells", s.cells}, {"pass", s.pass}, {"fail", s.fail}, {"na", s.na},
                       {"error", s.error},
                       {"cells_by_status", {{"ran", s.ran}, {"rejected", s.rejected},
                                            {"skipped", s.skipped}, {"error", s.errored}}}}}};
}

std::string rfc3339(std::chrono::system_clock::time_point t) {
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  ::gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Result<std::string> write_results(const std::string& dir, const json& results) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Error(ec.value(), "create the output directory `" + dir + "`");
  std::string path = (std::filesystem::path(dir) / "results.json").string();
  if (auto s = write_file_atomically(path, results.dump(2) + "\n"); !s)
    return s.error().with_context("writing results");
  return path;
}

}  // namespace procmatrix::harness
