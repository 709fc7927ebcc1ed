// The path family: for each catalog path, its state (DESIGN.md rules), mask kind, mount, and the
// errnos of its read and write opens. Never write()s; opens with O_NONBLOCK; reads at most a page.
#pragma once

#include <sys/types.h>

#include <optional>
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
  dev_t rdev = 0;                  // for a char device
  bool mounted_exactly = false;    // a mount point equals the path
  std::string exact_fstype;        // fstype of that mount
  bool mount_read_only = false;    // the covering mount's ro flag
  bool dir_empty = false;          // for a directory: no entries but . and ..
  Attempt read, write;
};

struct Classification {
  PathState state = PathState::absent;
  MaskKind mask = MaskKind::none;
  std::string mask_defect;  // non-empty: mounted over like a mask, but not a real one
};

Classification classify(const PathFacts& facts);

// Expands a catalog path with one '*' component into the paths that exist (sorted);
// a pattern without '*' comes back as itself.
std::vector<std::string> expand_glob(std::string_view pattern);

// Probes one concrete path for a catalog check.
PathResult probe_path(const PathCheck& check, const std::string& path, const MountTable& mounts);

// Every catalog path; a glob with no match is one result with state absent and the pattern as path.
std::vector<PathResult> probe_paths(const MountTable& mounts);

}  // namespace procmatrix::probe
