// Who the process is: ids and id maps, capabilities, NoNewPrivs, seccomp, LSM labels, namespaces;
// and where it runs: kernel, arch, cgroup version, a runtime hint. Parsers are pure functions.
#pragma once

#include <cstdint>
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
  bool no_new_privs = false;
  int seccomp = -1;           // 0 disabled, 1 strict, 2 filter, -1 unknown
};
Result<StatusFields> parse_status(std::string_view text);

Identity probe_identity();
Environment probe_environment(const MountTable& mounts);

}  // namespace procmatrix::probe
