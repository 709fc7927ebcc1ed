// The path family: for each catalog path, its state (DESIGN.md rules), mask kind, mount, and the
// errnos of its read and write opens. Never write()s; opens with O_NONBLOCK; reads at most a page.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "catalog.hpp"
#include "model.hpp"
#include "mountinfo.hpp"

namespace procmatrix::probe {

// The facts the state rules decide on, gathered by the system calls; kept apart so the rules
// are a pure function, tested on every combination.
struct PathFacts {
  bool exists = false;
  FileKind kind = FileKind::none;  // what stat() (following the mount) sees at the path
  dev_t rdev = 0;                  // for a char or block device
  bool mounted_exactly = false;    // a mount point equals the path
  std::string exact_fstype;        // fstype of that mount
  std::string exact_root;          // its root: what it shows ("/null", "/sys/kernel/core_pattern")
  // The exact mount binds the path onto itself (a read-only path of runc or crun): not a mask.
  bool exact_self_bind = false;
  // The kernel made this directory to mount exact_fstype on (cgroup on /sys/fs/cgroup,
  // binfmt_misc on /proc/sys/fs/binfmt_misc): such a mount is the directory's use, not a mask.
  bool exact_expected = false;
  bool mount_read_only = false;    // the covering mount is read-only (per-mount or superblock)
  bool dir_empty = false;          // for a directory: listed, and no entries but . and ..
  // A proc or cgroup file whose mode has no write bit: open(O_WRONLY) succeeds with
  // CAP_DAC_OVERRIDE (those filesystems do not check), but the kernel has no write handler for
  // it and every write fails. Not writable, whatever the open said.
  bool no_write_handler = false;
  Attempt read, write;
};

struct Classification {
  PathState state = PathState::absent;
  MaskKind mask = MaskKind::none;
  std::string mask_defect;  // non-empty: mounted over like a mask, but not a real one
};

Classification classify(const PathFacts& facts);

// Expands a catalog path with one '*' in one component into the paths that exist (sorted).
// Symlinks matching the '*' are skipped: they alias a real match (/sys/fs/cgroup/cpu ->
// cpu,cpuacct). A pattern without '*' comes back as itself, existing or not.
std::vector<std::string> expand_glob(std::string_view pattern);

// Probes one concrete path for a catalog check.
PathResult probe_path(const PathCheck& check, const std::string& path, const MountTable& mounts);

// Every catalog path; a glob with no match is one result with state absent and the pattern as path.
std::vector<PathResult> probe_paths(const MountTable& mounts);

}  // namespace procmatrix::probe
