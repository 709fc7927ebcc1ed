#include "identity.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <array>
#include <charconv>
#include <climits>
#include <utility>

#include "support/fd.hpp"

namespace procmatrix::probe {
namespace {

// Bit order of linux/capability.h, CAP_CHOWN (0) to CAP_CHECKPOINT_RESTORE (40). A newer kernel's
// extra bits come out as "CAP_<n>" rather than being dropped.
constexpr std::array<std::string_view, 41> kCapabilityNames = {
    "CAP_CHOWN",               // 0
    "CAP_DAC_OVERRIDE",        // 1
    "CAP_DAC_READ_SEARCH",     // 2
    "CAP_FOWNER",              // 3
    "CAP_FSETID",              // 4
    "CAP_KILL",                // 5
    "CAP_SETGID",              // 6
    "CAP_SETUID",              // 7
    "CAP_SETPCAP",             // 8
    "CAP_LINUX_IMMUTABLE",     // 9
    "CAP_NET_BIND_SERVICE",    // 10
    "CAP_NET_BROADCAST",       // 11
    "CAP_NET_ADMIN",           // 12
    "CAP_NET_RAW",             // 13
    "CAP_IPC_LOCK",            // 14
    "CAP_IPC_OWNER",           // 15
    "CAP_SYS_MODULE",          // 16
    "CAP_SYS_RAWIO",           // 17
    "CAP_SYS_CHROOT",          // 18
    "CAP_SYS_PTRACE",          // 19
    "CAP_SYS_PACCT",           // 20
    "CAP_SYS_ADMIN",           // 21
    "CAP_SYS_BOOT",            // 22
    "CAP_SYS_NICE",            // 23
    "CAP_SYS_RESOURCE",        // 24
    "CAP_SYS_TIME",            // 25
    "CAP_SYS_TTY_CONFIG",      // 26
    "CAP_MKNOD",               // 27
    "CAP_LEASE",               // 28
    "CAP_AUDIT_WRITE",         // 29
    "CAP_AUDIT_CONTROL",       // 30
    "CAP_SETFCAP",             // 31
    "CAP_MAC_OVERRIDE",        // 32
    "CAP_MAC_ADMIN",           // 33
    "CAP_SYSLOG",              // 34
    "CAP_WAKE_ALARM",          // 35
    "CAP_BLOCK_SUSPEND",       // 36
    "CAP_AUDIT_READ",          // 37
    "CAP_PERFMON",             // 38
    "CAP_BPF",                 // 39
    "CAP_CHECKPOINT_RESTORE",  // 40
};

constexpr const char* kSeccompModes[] = {"disabled", "strict", "filter"};

constexpr std::string_view kNamespaces[] = {"cgroup", "ipc",  "mnt",  "net",
                                            "pid",    "time", "user", "uts"};

// Bounds of the reads. One page for labels and the cmdline; status and the id maps may outgrow a
// page (a long Groups: line comes before the Cap* lines; a map may hold 340 lines), so 16 KiB.
constexpr std::size_t kPage = 4096;
constexpr std::size_t kLongRead = 4 * kPage;

// Reads at most `limit` bytes, non-blocking: procfs and sysfs files never block, but a file put in
// their place (a FIFO bound over a path) must not hang the probe.
Result<std::string> read_bounded(const std::string& path, std::size_t limit) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
  if (!fd) return Error::from_errno("open `" + path + "`");
  std::string text(limit, '\0');
  std::size_t used = 0;
  while (used < limit) {
    const ssize_t n = ::read(fd.get(), text.data() + used, limit - used);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::from_errno("read `" + path + "`");
    if (n == 0) break;
    used += static_cast<std::size_t>(n);
  }
  text.resize(used);
  return text;
}

std::string_view trim(std::string_view s) {
  constexpr std::string_view kSpace = " \t\n\r";
  // LSM attr files end in "\n" (AppArmor) or a NUL (SELinux).
  while (!s.empty() && (kSpace.find(s.back()) != std::string_view::npos || s.back() == '\0'))
    s.remove_suffix(1);
  while (!s.empty() && kSpace.find(s.front()) != std::string_view::npos) s.remove_prefix(1);
  return s;
}

template <class T>
bool parse_number(std::string_view s, T& out, int base = 10) {
  s = trim(s);
  if (s.empty()) return false;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out, base);
  return ec == std::errc() && end == s.data() + s.size();
}

// Splits on runs of blanks.
std::vector<std::string_view> fields(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    const std::size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

// Calls f(line_number, line) for each line, numbered from 1.
template <class F>
void for_each_line(std::string_view text, F&& f) {
  std::size_t number = 0;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    const std::string_view line = text.substr(0, nl);
    f(++number, line);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
}

bool path_exists(const char* path) {
  struct stat st {};
  return ::stat(path, &st) == 0;
}

// ---- status --------------------------------------------------------------------------------

// The status fields read as hex capability masks, and where each goes.
struct CapField {
  std::string_view key;
  std::uint64_t StatusFields::*slot;
};
constexpr CapField kCapFields[] = {
    {"CapInh", &StatusFields::cap_inh}, {"CapPrm", &StatusFields::cap_prm},
    {"CapEff", &StatusFields::cap_eff}, {"CapBnd", &StatusFields::cap_bnd},
    {"CapAmb", &StatusFields::cap_amb},
};

Error status_error(std::string_view key, std::string_view value) {
  return Error(EINVAL,
               "status field " + std::string(key) + ": cannot parse `" + std::string(value) + "`");
}

// "Uid:\treal\teffective\tsaved\tfs": the effective id is the second.
std::optional<unsigned> effective_id(std::string_view value) {
  const auto ids = fields(value);
  unsigned id = 0;
  if (ids.size() < 2 || !parse_number(ids[1], id)) return std::nullopt;
  return id;
}

// The required fields that were seen.
struct StatusSeen {
  bool uid = false, gid = false, cap_eff = false;
};

// Stores one "Key:\tvalue" line of status if the probe uses it; an error if its value is malformed.
std::optional<Error> apply_status_field(StatusFields& st, StatusSeen& seen, std::string_view key,
                                        std::string_view value) {
  if (key == "Uid" || key == "Gid") {
    const auto id = effective_id(value);
    if (!id) return status_error(key, value);
    (key == "Uid" ? st.uid : st.gid) = *id;
    (key == "Uid" ? seen.uid : seen.gid) = true;
  } else if (key == "NoNewPrivs") {
    unsigned v = 0;
    if (!parse_number(value, v) || v > 1) return status_error(key, value);
    st.no_new_privs = v == 1;
  } else if (key == "Seccomp") {
    if (!parse_number(value, st.seccomp)) return status_error(key, value);
  } else {
    for (const CapField& cap : kCapFields) {
      if (key != cap.key) continue;
      if (!parse_number(value, st.*cap.slot, 16)) return status_error(key, value);
      if (key == "CapEff") seen.cap_eff = true;
    }
  }
  return std::nullopt;
}

// ---- identity ------------------------------------------------------------------------------

std::optional<std::string> read_label(const std::string& path) {
  auto text = read_bounded(path, kPage);
  // Absent, or EINVAL when no LSM answers for this attr: simply no label.
  if (!text) return std::nullopt;
  const std::string_view label = trim(*text);
  if (label.empty()) return std::nullopt;
  return std::string(label);
}

std::map<std::string, std::string> probe_lsm() {
  std::map<std::string, std::string> lsm;
  // Since Linux 5.8 AppArmor answers in its own directory, whichever LSM owns attr/current.
  if (auto label = read_label("/proc/self/attr/apparmor/current")) lsm["apparmor"] = *label;
  auto current = read_label("/proc/self/attr/current");
  if (!current) return lsm;
  if (path_exists("/sys/fs/selinux")) {
    lsm["selinux"] = *current;
  } else if (!lsm.contains("apparmor")) {
    // Before 5.8, attr/current is AppArmor's when AppArmor is enabled.
    auto enabled = read_label("/sys/module/apparmor/parameters/enabled");
    if (enabled && *enabled == "Y") lsm["apparmor"] = *current;
  }
  return lsm;
}

std::map<std::string, std::string> probe_namespaces() {
  std::map<std::string, std::string> ids;
  for (std::string_view name : kNamespaces) {
    const std::string link = "/proc/self/ns/" + std::string(name);
    char target[PATH_MAX];
    const ssize_t n = ::readlink(link.c_str(), target, sizeof target);
    // A kernel without that namespace type (time before 5.6) has no link: no key.
    if (n > 0) ids[std::string(name)] = std::string(target, static_cast<std::size_t>(n));
  }
  return ids;
}

std::optional<std::vector<IdMapEntry>> read_id_map(const char* path) {
  auto text = read_bounded(path, kLongRead);
  if (!text) return std::nullopt;
  auto map = parse_id_map(*text);
  if (!map) return std::nullopt;
  return std::move(map).value();
}

void fill_from_status(Identity& id, const StatusFields& st) {
  id.uid = st.uid;
  id.gid = st.gid;
  id.capabilities.effective = capability_names(st.cap_eff);
  id.capabilities.permitted = capability_names(st.cap_prm);
  id.capabilities.bounding = capability_names(st.cap_bnd);
  id.capabilities.inheritable = capability_names(st.cap_inh);
  id.capabilities.ambient = capability_names(st.cap_amb);
  // gVisor's status has no NoNewPrivs line but answers prctl, which has no side effect.
  id.no_new_privs =
      st.no_new_privs ? *st.no_new_privs : ::prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1;
  id.seccomp = seccomp_mode_name(st.seccomp);
}

// ---- environment ---------------------------------------------------------------------------

std::int64_t fstype_of(const char* path, int& err) {
  struct statfs sfs {};
  if (::statfs(path, &sfs) != 0) {
    err = errno;
    return 0;
  }
  err = 0;
  return static_cast<std::int64_t>(sfs.f_type);
}

bool under(std::string_view path, std::string_view dir) {
  return path.size() > dir.size() && path.starts_with(dir) && path[dir.size()] == '/';
}

CgroupFacts gather_cgroup_facts(const MountTable& mounts) {
  CgroupFacts facts;
  int err = 0;
  facts.root_fstype = fstype_of("/sys/fs/cgroup", err);
  facts.root_exists = err == 0;
  facts.root_error = err != 0 && err != ENOENT && err != ENOTDIR;
  facts.unified_fstype = fstype_of("/sys/fs/cgroup/unified", err);
  for (const MountEntry& m : mounts.entries())
    if (m.fstype == "cgroup" && under(m.mount_point, "/sys/fs/cgroup")) facts.v1_hierarchies = true;
  return facts;
}

// ---- runtime hint --------------------------------------------------------------------------

// gVisor's sentry reports a fixed uname version (pkg/sentry/kernel/version.go; the release has
// been "4.4.0" and later "4.19.0-gvisor") and a synthetic /proc/cmdline
// "BOOT_IMAGE=/vmlinuz-<release>-gvisor quiet" (checked here with runsc 2022-12-19).
constexpr std::string_view kGvisorUnameVersion = "#1 SMP Sun Jan 10 15:06:54 PST 2016";

bool is_gvisor(const RuntimeFacts& f, const MountTable&) {
  if (f.kernel_version == kGvisorUnameVersion || f.kernel_release.ends_with("-gvisor")) return true;
  for (std::string_view word : fields(trim(f.cmdline)))
    if (word.starts_with("BOOT_IMAGE=") && word.ends_with("-gvisor")) return true;
  return false;
}

// Kata's agent mounts the host's shared directory by the virtio-fs (or 9p) tag "kataShared"
// (kata-containers src/agent, MOUNT_GUEST_TAG); the container's rootfs or its /etc/hosts,
// hostname and resolv.conf are binds from it, so the tag shows as a mount source.
bool is_kata(const RuntimeFacts&, const MountTable& mounts) {
  for (const MountEntry& m : mounts.entries())
    if (m.source == "kataShared") return true;
  return false;
}

// How runc and crun mask, as seen in mountinfo (runc 1.1.5 and crun 1.8.1 here, with and without
// a user namespace):
//  - a masked file: runc binds the container's /dev/null (from its /dev tmpfs or, in a user
//    namespace, its bind of the host's devtmpfs node) and leaves the bind rw; crun binds the
//    host's /dev/null read-only. The ro flag, not the fstype, tells them apart.
//  - a masked directory: runc mounts a tmpfs read-only at the superblock ("ro"); crun mounts a
//    "size=0k" tmpfs and makes only the mount read-only.
// Returns "runc", "crun", or "" when nothing is masked or the masks disagree.
std::string mask_style(const MountTable& mounts) {
  bool runc = false, crun = false;
  for (const MountEntry& m : mounts.entries()) {
    if (!under(m.mount_point, "/proc") && !under(m.mount_point, "/sys")) continue;
    const bool tmpfs = m.fstype == "tmpfs";
    const bool file_mask = m.root.ends_with("/null") && (tmpfs || m.fstype == "devtmpfs");
    if (file_mask) (m.read_only() ? crun : runc) = true;
    const bool dir_mask = tmpfs && m.root == "/" && m.read_only();
    if (dir_mask && m.super_read_only()) runc = true;
    if (dir_mask && has_option(m.super_options, "size=0k")) crun = true;
  }
  if (runc == crun) return "";
  return runc ? "runc" : "crun";
}

bool is_runc(const RuntimeFacts&, const MountTable& mounts) { return mask_style(mounts) == "runc"; }
bool is_crun(const RuntimeFacts&, const MountTable& mounts) { return mask_style(mounts) == "crun"; }

// First signal that holds wins: sandboxes first (they may mask like runc inside their guest).
struct RuntimeSignal {
  const char* hint;
  bool (*holds)(const RuntimeFacts&, const MountTable&);
};
constexpr RuntimeSignal kRuntimeSignals[] = {
    {"gvisor", is_gvisor},
    {"kata", is_kata},
    {"crun", is_crun},
    {"runc", is_runc},
};

}  // namespace

// ---- public: pure functions ----------------------------------------------------------------

std::vector<std::string> capability_names(std::uint64_t mask) {
  std::vector<std::string> names;
  for (unsigned bit = 0; bit < 64; ++bit) {
    if ((mask & (std::uint64_t{1} << bit)) == 0) continue;
    if (bit < kCapabilityNames.size())
      names.emplace_back(kCapabilityNames[bit]);
    else
      names.push_back("CAP_" + std::to_string(bit));
  }
  return names;
}

Result<std::vector<IdMapEntry>> parse_id_map(std::string_view text) {
  std::vector<IdMapEntry> map;
  std::optional<Error> error;
  for_each_line(text, [&](std::size_t number, std::string_view line) {
    if (error) return;
    const auto f = fields(line);
    if (f.empty()) return;  // the trailing newline; an unmapped namespace's empty map
    IdMapEntry e;
    if (f.size() != 3 || !parse_number(f[0], e.inside) || !parse_number(f[1], e.outside) ||
        !parse_number(f[2], e.count)) {
      error = Error(EINVAL, "id map line " + std::to_string(number) +
                                ": expected three numbers, got `" + std::string(line) + "`");
      return;
    }
    map.push_back(e);
  });
  if (error) return *error;
  return map;
}

bool is_user_namespace(const std::vector<IdMapEntry>& uid_map) {
  return !(uid_map.size() == 1 && uid_map[0].inside == 0 && uid_map[0].outside == 0 &&
           uid_map[0].count == 4294967295u);
}

Result<StatusFields> parse_status(std::string_view text) {
  StatusFields st;
  StatusSeen seen;
  std::optional<Error> error;
  for_each_line(text, [&](std::size_t, std::string_view line) {
    const std::size_t colon = line.find(':');
    if (error || colon == std::string_view::npos) return;
    error = apply_status_field(st, seen, line.substr(0, colon), line.substr(colon + 1));
  });
  if (error) return *error;
  for (const auto& [have, key] :
       {std::pair{seen.uid, "Uid"}, {seen.gid, "Gid"}, {seen.cap_eff, "CapEff"}})
    if (!have)
      return Error(EINVAL,
                   std::string("status: no ") + key + " line (truncated, or not a status file)");
  return st;
}

const char* seccomp_mode_name(int mode) {
  if (mode < 0 || mode >= static_cast<int>(std::size(kSeccompModes))) return "unknown";
  return kSeccompModes[mode];
}

const char* classify_cgroup(const CgroupFacts& f) {
  if (f.root_error) return "unknown";
  if (!f.root_exists) return "none";
  if (f.root_fstype == CGROUP2_SUPER_MAGIC) return "v2";
  if (f.root_fstype == CGROUP_SUPER_MAGIC) return "v1";  // one v1 hierarchy mounted right there
  if (f.root_fstype == TMPFS_MAGIC) {
    // systemd's hybrid layout: v1 controllers beside a cgroup2 tree at unified/.
    if (f.unified_fstype == CGROUP2_SUPER_MAGIC) return "hybrid";
    if (f.v1_hierarchies) return "v1";
  }
  return "none";  // a bare directory of sysfs (gVisor) or an empty tmpfs: nothing mounted
}

std::string runtime_hint(const RuntimeFacts& facts, const MountTable& mounts) {
  for (const RuntimeSignal& signal : kRuntimeSignals)
    if (signal.holds(facts, mounts)) return signal.hint;
  return "unknown";
}

// ---- public: probes ------------------------------------------------------------------------

Identity probe_identity() {
  Identity id;
  auto status = read_bounded("/proc/self/status", kLongRead);
  auto parsed = status ? parse_status(*status) : Result<StatusFields>(status.error());
  if (parsed) {
    fill_from_status(id, *parsed);
  } else {
    // No status to read (an odd sandbox): the ids and NoNewPrivs still come from the system
    // calls; capabilities stay empty and seccomp "unknown" rather than guessed.
    id.uid = ::geteuid();
    id.gid = ::getegid();
    id.no_new_privs = ::prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1;
  }
  // A kernel without user namespaces has no uid_map: it is the initial namespace.
  if (auto map = read_id_map("/proc/self/uid_map")) {
    id.uid_map = std::move(*map);
    id.user_namespace = is_user_namespace(id.uid_map);
  }
  if (auto map = read_id_map("/proc/self/gid_map")) id.gid_map = std::move(*map);
  id.lsm = probe_lsm();
  id.namespaces = probe_namespaces();
  return id;
}

Environment probe_environment(const MountTable& mounts) {
  Environment env;
  RuntimeFacts facts;
  struct utsname u {};
  if (::uname(&u) == 0) {
    env.kernel = u.release;
    env.arch = u.machine;
    facts.kernel_release = u.release;
    facts.kernel_version = u.version;
  }
  if (auto cmdline = read_bounded("/proc/cmdline", kPage)) facts.cmdline = std::move(*cmdline);
  env.cgroup = classify_cgroup(gather_cgroup_facts(mounts));
  env.runtime_hint = runtime_hint(facts, mounts);
  return env;
}

}  // namespace procmatrix::probe
