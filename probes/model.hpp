// What the probe reports: the schema of procmatrix.probe/v1, declared apart from the code that
// fills it (paths.cpp, devices.cpp, identity.cpp, nesting.cpp, findings.cpp) and the code that
// prints it (json_output.cpp, table_output.cpp). DESIGN.md, "Probe JSON", is the contract.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace procmatrix::probe {

inline constexpr const char* kSchema = "procmatrix.probe/v1";

// The outcome of one open(2) (or mount(2), ioctl(2)) attempt: ok, or the errno it gave.
struct Attempt {
  bool ok = false;
  int err = 0;  // 0 when ok, or when the attempt was not made
  static Attempt success() { return {true, 0}; }
  static Attempt failure(int e) { return {false, e}; }
};

// DESIGN.md, a path's state: the first rule that holds, in this order.
enum class PathState { absent, masked, writable, readonly, readable, denied };
enum class MaskKind { none, devnull, tmpfs };
enum class FileKind { none, file, directory, chardev, blockdev, symlink, other };

// The mount that holds a path, from /proc/self/mountinfo.
struct MountRef {
  std::string mount_point;
  std::string fstype;
  std::string source;
  std::string options;        // as mount(8) prints them: per-mount, then the superblock's but "rw"
  bool exact = false;         // mounted exactly on the path (a mask or a read-only bind)
  bool read_only = false;     // the per-mount ro flag
};

struct PathResult {
  std::string id;             // stable check id from the catalog: "proc.keys"
  std::string path;           // the concrete path (a glob's match)
  PathState state = PathState::absent;
  MaskKind mask = MaskKind::none;
  FileKind kind = FileKind::none;
  std::optional<MountRef> mount;
  Attempt read;               // open(O_RDONLY) and, where the catalog allows, a bounded read
  Attempt write;              // open(O_WRONLY); never a write()
  // Something is mounted exactly on the path but it is not a real mask (a char device other
  // than 1:3, a writable or non-empty tmpfs): the CVE-2025-31133 class. Empty when sound.
  std::string mask_defect;
  // Check-specific facts: kallsyms "addresses": "real|zeroed", release_agent contents, ...
  std::map<std::string, std::string> details;
};

enum class DeviceState { usable, denied, absent };

struct DeviceResult {
  std::string id;             // "dev.net.tun"
  std::string path;
  DeviceState state = DeviceState::absent;
  FileKind kind = FileKind::none;
  std::optional<unsigned> major, minor;
  Attempt open_rw;            // open(O_RDWR | O_NONBLOCK)
  std::string query;          // the harmless ioctl that proves it works: "TUNGETFEATURES"
  std::optional<Attempt> query_result;
  std::string query_value;    // what it answered: "0x7133" features, "12" API version
};

struct IdMapEntry {
  std::uint64_t inside = 0, outside = 0, count = 0;
};

struct Capabilities {
  std::vector<std::string> effective, permitted, bounding, inheritable, ambient;
};

struct Identity {
  unsigned uid = 0, gid = 0;          // effective ids
  bool user_namespace = false;        // uid_map is not the identity map of the initial namespace
  std::vector<IdMapEntry> uid_map, gid_map;
  Capabilities capabilities;
  bool no_new_privs = false;
  std::string seccomp = "unknown";    // disabled | strict | filter | unknown
  std::map<std::string, std::string> lsm;         // "apparmor": "unconfined", "selinux": ...
  std::map<std::string, std::string> namespaces;  // "pid": "pid:[4026531836]"
};

struct Environment {
  std::string kernel, arch, runtime_hint = "unknown", cgroup = "unknown";
};

// One step of the nesting test, run in a forked child with a timeout.
struct NestingStep {
  Attempt result;
  bool attempted = false;             // false when an earlier step failed first
  // The call that gave result.err, when the step failed: "unshare(CLONE_NEWUSER)",
  // "write /proc/self/uid_map", "mount(proc)". A step's errno alone does not say which of
  // its calls refused (an EPERM from unshare is seccomp; from mount(proc) it is the masks).
  std::string call;
};

struct Blocker {
  std::string id, reason, remedy;
};

struct Nesting {
  NestingStep userns, proc_mount, sysfs_mount, tmpfs_mount, overlay_mount, dev_net_tun, dev_fuse;
  bool timed_out = false;
  // Why the test could not run or ended early, other than a timeout: the probe's own failure
  // ("fork: Resource temporarily unavailable") or a child's death ("killed by signal 31").
  // Empty when every process ran to its end. decide_nesting puts it into nesting.incomplete.
  std::string error;
  std::string verdict = "blocked";    // ready | blocked
  std::vector<Blocker> blockers;
};

struct Finding {
  std::string id, severity, title, evidence;
};

struct Report {
  std::string version;
  std::int64_t elapsed_us = 0;
  Environment environment;
  std::optional<Identity> identity;   // absent when --only left the family out
  std::optional<std::vector<PathResult>> paths;
  std::optional<std::vector<DeviceResult>> devices;
  std::optional<Nesting> nesting;
  std::vector<Finding> findings;
};

// What stat(2)'s st_mode says a path is.
FileKind file_kind_of(unsigned mode);

const char* to_string(PathState s);
const char* to_string(MaskKind m);
const char* to_string(FileKind k);
const char* to_string(DeviceState s);

}  // namespace procmatrix::probe
