#include "json_output.hpp"

#include "support/errno_name.hpp"

namespace procmatrix::probe {
namespace {

using nlohmann::json;

json errno_json(int err) {
  auto name = errno_name(err);
  return name ? json(*name) : json(nullptr);
}

json attempt_json(const Attempt& a) { return {{"ok", a.ok}, {"errno", errno_json(a.err)}}; }

json id_map_json(const std::vector<IdMapEntry>& map) {
  json out = json::array();
  for (const auto& e : map) out.push_back({e.inside, e.outside, e.count});
  return out;
}

json mount_json(const std::optional<MountRef>& m) {
  if (!m) return nullptr;
  return {{"mount_point", m->mount_point}, {"fstype", m->fstype}, {"source", m->source},
          {"options", m->options}, {"exact", m->exact}, {"read_only", m->read_only}};
}

json path_json(const PathResult& p) {
  return {{"id", p.id},
          {"path", p.path},
          {"state", to_string(p.state)},
          {"mask", to_string(p.mask)},
          {"kind", to_string(p.kind)},
          {"mount", mount_json(p.mount)},
          {"read", attempt_json(p.read)},
          {"write", attempt_json(p.write)},
          {"mask_defect", p.mask_defect.empty() ? json(nullptr) : json(p.mask_defect)},
          {"details", p.details}};
}

json device_json(const DeviceResult& d) {
  json out = {{"id", d.id},
              {"path", d.path},
              {"state", to_string(d.state)},
              {"kind", to_string(d.kind)},
              {"major", d.major ? json(*d.major) : json(nullptr)},
              {"minor", d.minor ? json(*d.minor) : json(nullptr)},
              {"open_rw", attempt_json(d.open_rw)}};
  if (!d.query.empty()) {
    out["query"] = {{"name", d.query},
                    {"result", d.query_result ? attempt_json(*d.query_result) : json(nullptr)},
                    {"value", d.query_value}};
  }
  return out;
}

json identity_json(const Identity& id) {
  const auto& c = id.capabilities;
  return {{"uid", id.uid},
          {"gid", id.gid},
          {"user_namespace", id.user_namespace},
          {"uid_map", id_map_json(id.uid_map)},
          {"gid_map", id_map_json(id.gid_map)},
          {"capabilities",
           {{"effective", c.effective}, {"permitted", c.permitted}, {"bounding", c.bounding},
            {"inheritable", c.inheritable}, {"ambient", c.ambient}}},
          {"no_new_privs", id.no_new_privs},
          {"seccomp", id.seccomp},
          {"lsm", id.lsm},
          {"namespaces", id.namespaces}};
}

json step_json(const NestingStep& s) {
  json out = attempt_json(s.result);
  out["attempted"] = s.attempted;
  out["call"] = s.call.empty() ? json(nullptr) : json(s.call);
  return out;
}

json nesting_json(const Nesting& n) {
  json blockers = json::array();
  for (const auto& b : n.blockers)
    blockers.push_back({{"id", b.id}, {"reason", b.reason}, {"remedy", b.remedy}});
  return {{"userns", step_json(n.userns)},
          {"proc_mount", step_json(n.proc_mount)},
          {"sysfs_mount", step_json(n.sysfs_mount)},
          {"tmpfs_mount", step_json(n.tmpfs_mount)},
          {"overlay_mount", step_json(n.overlay_mount)},
          {"dev_net_tun", step_json(n.dev_net_tun)},
          {"dev_fuse", step_json(n.dev_fuse)},
          {"timed_out", n.timed_out},
          {"error", n.error.empty() ? json(nullptr) : json(n.error)},
          {"verdict", n.verdict},
          {"blockers", blockers}};
}

}  // namespace

nlohmann::json to_json(const Report& r) {
  json out = {{"schema", kSchema},
              {"probe", {{"version", r.version}, {"elapsed_us", r.elapsed_us}}},
              {"environment",
               {{"kernel", r.environment.kernel},
                {"arch", r.environment.arch},
                {"runtime_hint", r.environment.runtime_hint},
                {"cgroup", r.environment.cgroup}}}};
  if (r.identity) out["identity"] = identity_json(*r.identity);
  if (r.paths) {
    out["paths"] = json::array();
    for (const auto& p : *r.paths) out["paths"].push_back(path_json(p));
  }
  if (r.devices) {
    out["devices"] = json::array();
    for (const auto& d : *r.devices) out["devices"].push_back(device_json(d));
  }
  if (r.nesting) out["nesting"] = nesting_json(*r.nesting);
  out["findings"] = json::array();
  for (const auto& f : r.findings)
    out["findings"].push_back(
        {{"id", f.id}, {"severity", f.severity}, {"title", f.title}, {"evidence", f.evidence}});
  return out;
}

}  // namespace procmatrix::probe
