// Who the process is: ids and id maps, capabilities, NoNewPrivs, seccomp, LSM labels, namespaces;
// and where it runs: kernel, arch, cgroup version, a runtime hint. Parsers and deciders are pure
// functions; probe_identity() and probe_environment() gather the facts and call them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model.hpp"
#include "mountinfo.hpp"
#include "support/error.hpp"

namespace procmatrix::probe {

// Capability names for the bits of a mask ("CAP_CHOWN" for bit 0; "CAP_<n>" past the table).
std::vector<std::string> capability_names(std::uint64_t mask);
// Parses /proc/<pid>/uid_map or gid_map text.
Result<std::vector<IdMapEntry>> parse_id_map(std::string_view text);
// True unless the map is the initial namespace's identity map "0 0 4294967295".
bool is_user_namespace(const std::vector<IdMapEntry>& uid_map);

// The fields of /proc/self/status the probe uses.
struct StatusFields {
  unsigned uid = 0, gid = 0;  // effective
  std::uint64_t cap_inh = 0, cap_prm = 0, cap_eff = 0, cap_bnd = 0, cap_amb = 0;
  // Absent before Linux 4.10 and in gVisor's status (which also lacks CapAmb).
  std::optional<bool> no_new_privs;
  int seccomp = -1;  // 0 disabled, 1 strict, 2 filter, -1 unknown
};
// Uid, Gid and CapEff are required; a malformed value of any used field is an error naming it.
Result<StatusFields> parse_status(std::string_view text);

// "disabled", "strict", "filter" for 0, 1, 2; "unknown" otherwise.
const char* seccomp_mode_name(int mode);

// What statfs(2) says of /sys/fs/cgroup and /sys/fs/cgroup/unified (f_type, 0 when absent).
struct CgroupFacts {
  bool root_exists = false;
  bool root_error = false;  // statfs failed for a reason other than ENOENT
  std::int64_t root_fstype = 0;
  std::int64_t unified_fstype = 0;
  bool v1_hierarchies = false;  // a "cgroup" (v1) filesystem is mounted below /sys/fs/cgroup
};
// "v2", "hybrid", "v1", "none", or "unknown" when /sys/fs/cgroup could not be examined.
const char* classify_cgroup(const CgroupFacts& facts);

// What the runtime hint is decided on: uname(2) and /proc/cmdline, plus the mount table.
struct RuntimeFacts {
  std::string kernel_release;  // utsname.release
  std::string kernel_version;  // utsname.version
  std::string cmdline;         // /proc/cmdline, empty when unreadable
};
// "gvisor", "kata", "crun", "runc" or "unknown": the first signal that holds (identity.cpp's
// table says which signal and why); runc and crun are told apart only by how they masked.
std::string runtime_hint(const RuntimeFacts& facts, const MountTable& mounts);

Identity probe_identity();
Environment probe_environment(const MountTable& mounts);

}  // namespace procmatrix::probe
