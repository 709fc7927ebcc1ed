#include "oci_spec.hpp"

#include <algorithm>
#include <array>

#include "identity.hpp"
#include "text.hpp"

namespace procmatrix::harness {
namespace {
using nlohmann::json;

// kubelet, pkg/securitycontext/util.go: defaultMaskedPaths / defaultReadonlyPaths (1.31+, and
// 1.28-1.30 with the powercap backport). Sent for Default, privileged or not.
constexpr std::array<std::string_view, 11> kMaskedPaths = {"/proc/asound",
                                                           "/proc/acpi",
                                                           "/proc/kcore",
                                                           "/proc/keys",
                                                           "/proc/latency_stats",
                                                           "/proc/timer_list",
                                                           "/proc/timer_stats",
                                                           "/proc/sched_debug",
                                                           "/proc/scsi",
                                                           "/sys/firmware",
                                                           "/sys/devices/virtual/powercap"};
constexpr std::array<std::string_view, 5> kReadonlyPaths = {"/proc/bus", "/proc/fs", "/proc/irq",
                                                            "/proc/sys", "/proc/sysrq-trigger"};

// containerd oci/spec.go defaultUnixCaps: bounding, effective and permitted; never inheritable
// or ambient (CVE-2022-24769).
constexpr std::array<std::string_view, 14> kDefaultCaps = {
    "CAP_CHOWN",   "CAP_DAC_OVERRIDE", "CAP_FSETID",           "CAP_FOWNER",
    "CAP_MKNOD",   "CAP_NET_RAW",      "CAP_SETGID",           "CAP_SETUID",
    "CAP_SETFCAP", "CAP_SETPCAP",      "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
    "CAP_KILL",    "CAP_AUDIT_WRITE"};

// containerd's default mounts (oci/mounts.go) without /run (CRI's WithoutRunMount), plus the
// cgroup mount CRI's WithMounts adds. `writable_when_privileged`: WithWriteableSysfs and
// WithWriteableCgroupfs turn their "ro" into "rw".
struct MountRow {
  std::string_view destination, type, source;
  std::array<std::string_view, 6> options;  // empty entries are unused
  bool writable_when_privileged;
};
constexpr std::array<MountRow, 7> kMounts = {{
    {"/proc", "proc", "proc", {"nosuid", "noexec", "nodev"}, false},
    {"/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}, false},
    {"/dev/pts",
     "devpts",
     "devpts",
     {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"},
     false},
    {"/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}, false},
    {"/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}, false},
    {"/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"}, true},
    {"/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev", "relatime", "ro"}, true},
}};

// containerd's populateDefaultUnixSpec namespaces; CRI joins the sandbox's ipc, uts and network
// namespaces, which for one container per Pod is the same as new ones.
constexpr std::array<std::string_view, 5> kNamespaces = {"pid", "ipc", "uts", "mount", "network"};

// containerd's WithDefaultPathEnv.
constexpr std::string_view kPathEnv =
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
constexpr std::string_view kHostname = "procmatrix";

// kubelet's user namespace manager hands out 65536-id blocks aligned to 65536 and never the
// first one (the host's own users).
constexpr std::uint32_t kIdsPerPod = 65536;

json string_list(std::span<const std::string_view> items) {
  json out = json::array();
  for (auto s : items) out.push_back(std::string(s));
  return out;
}

bool rejected(const RuntimeTraits& rt, const std::string& cap) {
  return std::find(rt.rejected_caps.begin(), rt.rejected_caps.end(), cap) != rt.rejected_caps.end();
}

// The privileged set: every capability the host's bounding set holds (containerd's
// WithAllCurrentCapabilities), minus what the runtime refuses. Bits the kernel has but the name
// table does not ("CAP_41") are left out, as containerd's cap.Current() knows only named ones.
std::vector<std::string> privileged_caps(const HostFacts& host, const RuntimeTraits& rt,
                                         OciSpec& spec) {
  std::vector<std::string> caps, dropped;
  for (auto& name : probe::capability_names(host.cap_bounding)) {
    if (name.size() > 4 && name[4] >= '0' && name[4] <= '9') continue;
    (rejected(rt, name) ? dropped : caps).push_back(name);
  }
  if (!dropped.empty()) {
    std::string list;
    for (const auto& d : dropped) {
      if (!list.empty()) list += ", ";
      list += d;
    }
    spec.notes.push_back(cat({rt.name, ": left out ", list, " (it rejects them)"}));
  }
  return caps;
}

json capabilities(const Cell& cell, const HostFacts& host, const RuntimeTraits& rt, OciSpec& spec) {
  std::vector<std::string> caps;
  if (cell.privileged) {
    caps = privileged_caps(host, rt, spec);
  } else {
    for (auto c : kDefaultCaps) caps.emplace_back(c);
  }
  return json{{"bounding", caps}, {"effective", caps}, {"permitted", caps}};
}

json process(const Cell& cell, const HostFacts& host, const RuntimeTraits& rt, OciSpec& spec) {
  return json{
      {"terminal", false},
      {"user", {{"uid", 0}, {"gid", 0}}},
      {"args", {std::string(kProbeInRootfs), "--format", "json"}},
      {"env", {std::string(kPathEnv), cat({"HOSTNAME=", kHostname})}},
      {"cwd", "/"},
      {"capabilities", capabilities(cell, host, rt, spec)},
      {"noNewPrivileges", false},  // allowPrivilegeEscalation defaults to true
  };
}

json mounts(const Cell& cell) {
  json out = json::array();
  for (const auto& row : kMounts) {
    json options = json::array();
    for (auto o : row.options) {
      if (o.empty()) continue;
      options.push_back(o == "ro" && cell.privileged && row.writable_when_privileged
                            ? std::string("rw")
                            : std::string(o));
    }
    out.push_back({{"destination", row.destination},
                   {"type", row.type},
                   {"source", row.source},
                   {"options", options}});
  }
  return out;
}

json namespaces(const Cell& cell, const HostFacts& host) {
  json out = json::array();
  for (auto ns : kNamespaces) out.push_back({{"type", ns}});
  if (!cell.host_users) out.push_back({{"type", "user"}});
  if (host.cgroup == CgroupMode::v2 && !cell.privileged) out.push_back({{"type", "cgroup"}});
  return out;
}

json devices(const HostFacts& host) {
  json out = json::array();
  for (const auto& d : host.devices)
    out.push_back({{"path", d.path},
                   {"type", std::string(1, d.type)},
                   {"major", d.major},
                   {"minor", d.minor},
                   {"fileMode", d.file_mode},
                   {"uid", d.uid},
                   {"gid", d.gid}});
  return out;
}

json linux_section(const Cell& cell, const HostFacts& host, unsigned userns_slot) {
  const bool masks = cell.proc_mount == ProcMount::Default && !cell.privileged;
  json linux = {
      {"namespaces", namespaces(cell, host)},
      {"maskedPaths", masks ? string_list(kMaskedPaths) : json::array()},
      {"readonlyPaths", masks ? string_list(kReadonlyPaths) : json::array()},
      {"resources", {{"devices", json::array({{{"allow", cell.privileged}, {"access", "rwm"}}})}}},
  };
  if (cell.privileged) linux["devices"] = devices(host);
  if (!cell.host_users) {
    const IdMapping m = userns_mapping(userns_slot);
    const json map =
        json::array({{{"containerID", m.container_id}, {"hostID", m.host_id}, {"size", m.size}}});
    linux["uidMappings"] = map;
    linux["gidMappings"] = map;
  }
  return linux;
}

json annotations(const Cell& cell, const HostFacts& host) {
  return json{
      {"org.procmatrix.cell", cell.id()},
      {"org.procmatrix.seccomp",
       cell.privileged ? "none: containerd's WithPrivileged"
                       : "none: kubelet sends Unconfined when a Pod sets no seccompProfile"},
      {"org.procmatrix.apparmor", "unset: the harness loads no AppArmor profile"},
      {"org.procmatrix.cgroupns",
       std::string("host cgroups ") + to_string(host.cgroup) +
           ": containerd adds a cgroup namespace only on v2, and not for privileged"},
      {"org.procmatrix.sandbox",
       "kubelet's /etc and /dev/termination-log binds and the pause container's namespaces are "
       "not reproduced"},
  };
}

}  // namespace

IdMapping userns_mapping(unsigned slot) {
  return IdMapping{0, (static_cast<std::uint32_t>(slot) + 1) * kIdsPerPod, kIdsPerPod};
}

OciSpec make_oci_spec(const Cell& cell, const HostFacts& host, const RuntimeTraits& runtime,
                      unsigned userns_slot) {
  OciSpec spec;
  spec.config = {
      {"ociVersion", "1.0.2"},
      {"process", process(cell, host, runtime, spec)},
      {"root", {{"path", "rootfs"}, {"readonly", false}}},
      {"hostname", kHostname},
      {"mounts", mounts(cell)},
      {"linux", linux_section(cell, host, userns_slot)},
      {"annotations", annotations(cell, host)},
  };
  return spec;
}

std::span<const std::string_view> kubelet_masked_paths() { return kMaskedPaths; }
std::span<const std::string_view> kubelet_readonly_paths() { return kReadonlyPaths; }
std::span<const std::string_view> containerd_default_capabilities() { return kDefaultCaps; }

}  // namespace procmatrix::harness
