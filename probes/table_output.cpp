#include "table_output.hpp"

#include <iomanip>
#include <string>

#include "catalog.hpp"
#include "support/errno_name.hpp"

namespace procmatrix::probe {
namespace {

std::string attempt_text(const Attempt& a) {
  if (a.ok) return "ok";
  return errno_name(a.err).value_or("-");
}

std::string join(const std::vector<std::string>& items, const char* sep = ",") {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : sep) + s;
  return out.empty() ? "-" : out;
}

void heading(std::ostream& out, const char* title) { out << "\n" << title << "\n"; }

void print_identity(std::ostream& out, const Identity& id) {
  heading(out, "identity");
  out << "  uid " << id.uid << " gid " << id.gid << "  user namespace: "
      << (id.user_namespace ? "yes" : "no");
  for (const auto& e : id.uid_map) out << "  uid_map " << e.inside << " " << e.outside << " " << e.count;
  out << "\n  no_new_privs " << (id.no_new_privs ? "yes" : "no") << "  seccomp " << id.seccomp << "\n";
  for (const auto& [lsm, label] : id.lsm) out << "  " << lsm << " " << label << "\n";
  out << "  effective caps (" << id.capabilities.effective.size() << "): "
      << join(id.capabilities.effective, " ") << "\n";
  out << "  bounding caps (" << id.capabilities.bounding.size() << ")\n";
}

void print_paths(std::ostream& out, const std::vector<PathResult>& paths) {
  heading(out, "paths");
  out << "  " << std::left << std::setw(42) << "id" << std::setw(10) << "state" << std::setw(9)
      << "mask" << std::setw(10) << "fs" << std::setw(8) << "read" << std::setw(8) << "write"
      << "path\n";
  for (const auto& p : paths) {
    out << "  " << std::setw(42) << p.id << std::setw(10) << to_string(p.state) << std::setw(9)
        << to_string(p.mask) << std::setw(10) << (p.mount ? p.mount->fstype : "-") << std::setw(8)
        << attempt_text(p.read) << std::setw(8) << attempt_text(p.write) << p.path << "\n";
    if (!p.mask_defect.empty()) out << "      ! mask defect: " << p.mask_defect << "\n";
  }
}

void print_devices(std::ostream& out, const std::vector<DeviceResult>& devices) {
  heading(out, "devices");
  for (const auto& d : devices) {
    out << "  " << std::left << std::setw(24) << d.id << std::setw(8) << to_string(d.state)
        << std::setw(20) << d.path;
    if (d.major) out << " " << *d.major << ":" << d.minor.value_or(0);
    if (!d.open_rw.ok && d.state != DeviceState::absent) out << " open " << attempt_text(d.open_rw);
    if (d.query_result)
      out << " " << d.query << " " << attempt_text(*d.query_result) << " " << d.query_value;
    out << "\n";
  }
}

void print_step(std::ostream& out, const char* name, const NestingStep& s) {
  out << "  " << std::left << std::setw(16) << name
      << (s.attempted ? attempt_text(s.result) : std::string("not attempted")) << "\n";
}

void print_nesting(std::ostream& out, const Nesting& n) {
  heading(out, "nesting (could a container runtime run inside this one?)");
  print_step(out, "userns", n.userns);
  print_step(out, "proc mount", n.proc_mount);
  print_step(out, "sysfs mount", n.sysfs_mount);
  print_step(out, "tmpfs mount", n.tmpfs_mount);
  print_step(out, "overlay mount", n.overlay_mount);
  print_step(out, "/dev/net/tun", n.dev_net_tun);
  print_step(out, "/dev/fuse", n.dev_fuse);
  out << "  verdict: " << n.verdict << (n.timed_out ? " (timed out)" : "") << "\n";
  for (const auto& b : n.blockers)
    out << "    - " << b.id << ": " << b.reason << "\n      remedy: " << b.remedy << "\n";
}

}  // namespace

void print_table(std::ostream& out, const Report& r) {
  out << "procprobe " << r.version << "  kernel " << r.environment.kernel << " "
      << r.environment.arch << "  cgroup " << r.environment.cgroup << "  runtime "
      << r.environment.runtime_hint << "  scan " << r.elapsed_us << " us\n";
  if (r.identity) print_identity(out, *r.identity);
  if (r.paths) print_paths(out, *r.paths);
  if (r.devices) print_devices(out, *r.devices);
  if (r.nesting) print_nesting(out, *r.nesting);
  heading(out, "findings");
  if (r.findings.empty()) out << "  none\n";
  for (const auto& f : r.findings)
    out << "  [" << f.severity << "] " << f.id << ": " << f.title << "\n      " << f.evidence << "\n";
}

void print_catalog_table(std::ostream& out) {
  out << std::left << std::setw(42) << "id" << std::setw(48) << "path" << "why\n";
  for (const auto& c : path_catalog())
    out << std::setw(42) << c.id << std::setw(48) << c.path << c.why << "\n";
  for (const auto& c : device_catalog())
    out << std::setw(42) << c.id << std::setw(48) << c.path << c.why << "\n";
}

}  // namespace procmatrix::probe
