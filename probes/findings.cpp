#include "findings.hpp"

#include <algorithm>
#include <string_view>

namespace procmatrix::probe {
namespace {

// ---- what the rules ask of a path --------------------------------------------------------

std::string_view detail(const PathResult& r, const std::string& key) {
  const auto it = r.details.find(key);
  return it == r.details.end() ? std::string_view() : std::string_view(it->second);
}

bool is_writable(const PathResult& r) { return r.state == PathState::writable; }

// A mask reads as /dev/null or an empty directory: readable only counts when nothing masks it.
bool is_readable(const PathResult& r) {
  return r.read.ok && r.state != PathState::absent && r.state != PathState::masked;
}

bool has_real_addresses(const PathResult& r) {
  return is_readable(r) && detail(r, "addresses") == "real";
}
bool is_host_pid1(const PathResult& r) {
  return is_readable(r) && detail(r, "host_pid1") == "true";
}
bool has_mask_defect(const PathResult& r) { return !r.mask_defect.empty(); }

std::string mount_suffix(const PathResult& r) {
  if (!r.mount) return {};
  return " (mount " + r.mount->fstype + " " + r.mount->options + ")";
}

std::string opened_for_write(const PathResult& r) {
  return "open(\"" + r.path + "\", O_WRONLY) succeeded" + mount_suffix(r);
}
std::string opened_for_read(const PathResult& r) {
  return "open(\"" + r.path + "\", O_RDONLY) succeeded; state " + to_string(r.state) +
         mount_suffix(r);
}
std::string real_addresses(const PathResult& r) {
  return r.path + " lists real (non-zero) kernel addresses";
}
std::string host_pid1(const PathResult& r) {
  return r.path + " is readable and pid 1 is the host's";
}
std::string mask_defect(const PathResult& r) { return r.path + ": " + r.mask_defect; }

struct PathRule {
  std::string_view check;  // the catalog id it looks at; "*" for every path
  bool (*holds)(const PathResult&);
  std::string_view id, severity, title;
  std::string (*evidence)(const PathResult&);
};

constexpr PathRule kPathRules[] = {
    {"proc.sys.kernel.core_pattern", is_writable, "escape.core_pattern.writable", "high",
     "core_pattern is writable: a '|program' in it runs as root on the host", opened_for_write},
    {"proc.sys.kernel.modprobe", is_writable, "escape.modprobe.writable", "high",
     "modprobe is writable: the host's kernel runs that path as root", opened_for_write},
    {"sys.kernel.uevent_helper", is_writable, "escape.uevent_helper.writable", "high",
     "uevent_helper is writable: the host's kernel runs that path at every device event",
     opened_for_write},
    {"sys.fs.cgroup.release_agent", is_writable, "escape.release_agent.writable", "high",
     "a cgroup v1 release_agent is writable: the host runs it as root", opened_for_write},
    {"proc.sys.fs.binfmt_misc.register", is_writable, "escape.binfmt_misc.register_writable", "high",
     "binfmt_misc register is writable: an interpreter of the container's runs for host binaries",
     opened_for_write},
    {"proc.1.root", is_host_pid1, "escape.host_pid1_root.readable", "high",
     "the host's pid 1 root filesystem is reachable through /proc/1/root", host_pid1},
    {"proc.1.environ", is_host_pid1, "leak.host_pid1_environ.readable", "high",
     "the environment of the host's pid 1 is readable", host_pid1},
    {"proc.sysrq-trigger", is_writable, "host.sysrq_trigger.writable", "high",
     "sysrq-trigger is writable: one write reboots or crashes the host", opened_for_write},
    {"proc.kcore", is_readable, "leak.kcore.readable", "high",
     "/proc/kcore is readable: the host's kernel memory", opened_for_read},
    {"*", has_mask_defect, "mask.not_a_real_mask", "high",
     "mask is not a real mask (CVE-2025-31133 class): the path is covered but not hidden",
     mask_defect},
    {"proc.sys.vm.drop_caches", is_writable, "host.drop_caches.writable", "medium",
     "drop_caches is writable: the container can empty the host's page cache", opened_for_write},
    {"proc.kallsyms", has_real_addresses, "leak.kallsyms.real_addresses", "medium",
     "/proc/kallsyms shows real kernel addresses: KASLR is defeated", real_addresses},
};

// ---- devices -------------------------------------------------------------------------------

struct DeviceRule {
  std::string_view check;      // a catalog id, or a prefix ending in '.' ("dev.block.")
  int major = -1, minor = -1;  // the node it must be (a null device bound over /dev/mem is not
                               // /dev/mem); -1: any
  std::string_view id, severity, title;
};

constexpr DeviceRule kDeviceRules[] = {
    {"dev.mem", 1, 1, "device.mem.usable", "high",
     "/dev/mem opens read-write: the host's physical memory"},
    {"dev.port", 1, 4, "device.port.usable", "high",
     "/dev/port opens read-write: the host's I/O ports"},
    {"dev.block.", -1, -1, "device.block.usable", "high",
     "a host disk opens read-write: the container can rewrite the host's storage"},
    {"dev.kmsg", 1, 11, "device.kmsg.writable", "medium",
     "/dev/kmsg opens read-write: the container reads the host's kernel log and forges entries"},
};

bool applies(const DeviceRule& rule, const DeviceResult& d) {
  const bool id_matches = rule.check.ends_with('.') ? std::string_view(d.id).starts_with(rule.check)
                                                    : d.id == rule.check;
  if (!id_matches || d.state != DeviceState::usable) return false;
  if (rule.major < 0) return true;
  return d.major == static_cast<unsigned>(rule.major) &&
         d.minor == static_cast<unsigned>(rule.minor);
}

std::string device_evidence(const DeviceResult& d) {
  std::string e = "open(\"" + d.path + "\", O_RDWR) succeeded on " + to_string(d.kind);
  // Appended piecewise: "literal" + std::string&& trips GCC 12's -Wrestrict (GCC bug 105329).
  if (d.major && d.minor)
    e.append(" ").append(std::to_string(*d.major)).append(":").append(std::to_string(*d.minor));
  return e;
}

// ---- identity ------------------------------------------------------------------------------

bool has(const std::vector<std::string>& set, std::string_view name) {
  return std::find(set.begin(), set.end(), name) != set.end();
}

bool sys_admin_outside_userns(const Identity& id) {
  return !id.user_namespace && has(id.capabilities.effective, "CAP_SYS_ADMIN");
}
bool seccomp_disabled(const Identity& id) { return id.seccomp == "disabled"; }

std::string sys_admin_evidence(const Identity&) {
  return "CAP_SYS_ADMIN is in the effective set; "
         "uid_map is the initial namespace's (0 0 4294967295)";
}
std::string seccomp_evidence(const Identity&) {
  return "Seccomp: 0 (disabled) in /proc/self/status";
}

struct IdentityRule {
  bool (*holds)(const Identity&);
  std::string_view id, severity, title;
  std::string (*evidence)(const Identity&);
};

constexpr IdentityRule kIdentityRules[] = {
    {sys_admin_outside_userns, "privilege.cap_sys_admin.initial_userns", "high",
     "CAP_SYS_ADMIN without a user namespace: the container is root over the host's kernel",
     sys_admin_evidence},
    {seccomp_disabled, "hardening.seccomp.disabled", "low",
     "no seccomp filter: every system call reaches the kernel", seccomp_evidence},
};

Finding make(std::string_view id, std::string_view severity, std::string_view title,
             std::string evidence) {
  return {std::string(id), std::string(severity), std::string(title), std::move(evidence)};
}

int rank(const std::string& severity) {
  if (severity == "high") return 0;
  if (severity == "medium") return 1;
  return 2;
}

}  // namespace

std::vector<Finding> derive_findings(const Report& report) {
  std::vector<Finding> out;
  for (const PathRule& rule : kPathRules) {
    if (!report.paths) break;
    for (const PathResult& r : *report.paths)
      if ((rule.check == "*" || r.id == rule.check) && rule.holds(r))
        out.push_back(make(rule.id, rule.severity, rule.title, rule.evidence(r)));
  }
  for (const DeviceRule& rule : kDeviceRules) {
    if (!report.devices) break;
    for (const DeviceResult& d : *report.devices)
      if (applies(rule, d))
        out.push_back(make(rule.id, rule.severity, rule.title, device_evidence(d)));
  }
  for (const IdentityRule& rule : kIdentityRules)
    if (report.identity && rule.holds(*report.identity))
      out.push_back(make(rule.id, rule.severity, rule.title, rule.evidence(*report.identity)));
  // Most severe first; within a severity, the tables' order.
  std::stable_sort(out.begin(), out.end(), [](const Finding& a, const Finding& b) {
    return rank(a.severity) < rank(b.severity);
  });
  return out;
}

}  // namespace procmatrix::probe
