// What the harness needs to know about the machine it runs on, read once: the bounding capability
// set (a privileged cell asks for exactly these, as containerd's WithAllCurrentCapabilities does),
// the cgroup mode (containerd adds a cgroup namespace only on v2; crun 1.8 refuses hybrid) and the
// host's devices (containerd's WithHostDevices for privileged cells).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "support/error.hpp"

namespace procmatrix::harness {

// containerd's cgroups.Mode(): Unified when /sys/fs/cgroup is cgroup2, Hybrid when only
// /sys/fs/cgroup/unified is, Legacy otherwise.
enum class CgroupMode { v1, hybrid, v2 };
const char* to_string(CgroupMode m);
// From the statfs f_type of /sys/fs/cgroup and of /sys/fs/cgroup/unified (0 when absent).
CgroupMode cgroup_mode_from_magic(std::int64_t root_magic, std::int64_t unified_magic);

// One device node under /dev, as containerd's oci.DeviceFromPath reads it.
struct HostDevice {
  std::string path;  // "/dev/kvm"
  char type = 'c';   // 'c' or 'b'
  unsigned major = 0, minor = 0;
  unsigned file_mode = 0;  // permission bits only
  unsigned uid = 0, gid = 0;
};

struct HostFacts {
  std::uint64_t cap_bounding = 0;  // CapBnd of this process
  CgroupMode cgroup = CgroupMode::v2;
  std::vector<HostDevice> devices;
};

// The CapBnd mask from /proc/<pid>/status text.
Result<std::uint64_t> parse_cap_bounding(std::string_view status_text);

// containerd's oci.HostDevices(): char and block devices under `dir`, recursively, skipping
// pts, shm, fd, mqueue, .lxc, .lxd-mounts, .udev and the console; symlinks are not followed.
// Sorted by path.
Result<std::vector<HostDevice>> scan_host_devices(const std::filesystem::path& dir);

// All of the above for this process and machine.
Result<HostFacts> read_host_facts();

}  // namespace procmatrix::harness
