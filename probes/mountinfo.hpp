// /proc/self/mountinfo: a pure parser (tested on literal text) and a table that answers
// "which mount holds this path".
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "support/error.hpp"

namespace procmatrix::probe {

// One line of mountinfo (proc(5)). Octal escapes (\040 for a space) are decoded.
struct MountEntry {
  int mount_id = 0, parent_id = 0;
  unsigned major = 0, minor = 0;
  std::string root;            // the path inside the filesystem that is mounted (bind roots)
  std::string mount_point;
  std::string mount_options;   // per-mount: "ro,nosuid,nodev,noexec,relatime"
  std::vector<std::string> optional_fields;  // "shared:1", "master:2"
  std::string fstype;
  std::string source;
  std::string super_options;   // per-superblock: "rw"
  bool read_only() const;        // the per-mount "ro" flag
  bool super_read_only() const;  // the superblock's "ro": writes fail even through an rw mount
  // What mount(8) prints: per-mount options, then the superblock's without its "rw"
  // ("ro,nosuid,nodev,noexec,relatime" for runc's read-only /proc/sys).
  std::string combined_options() const;
};

// True if `name` is one of the comma-separated `options` ("ro" in "ro,nosuid", not in "errors=ro").
bool has_option(std::string_view options, std::string_view name);

// Parses the whole text; an unparsable line is an error naming its number and content.
Result<std::vector<MountEntry>> parse_mountinfo(std::string_view text);

class MountTable {
 public:
  MountTable() = default;
  explicit MountTable(std::vector<MountEntry> entries) : entries_(std::move(entries)) {}
  // Reads and parses /proc/self/mountinfo (bounded, non-blocking reads).
  static Result<MountTable> read_self();

  // The mount that holds `path` (an absolute, normalized path): the last-mounted entry whose
  // mount point is the longest prefix of it, component-wise (/proc does not hold /procfoo).
  // Later lines shadow earlier ones on the same point.
  const MountEntry* covering(std::string_view path) const;
  // The entry with this mount id; nullptr when it is not in the table (outside our root).
  const MountEntry* by_id(int mount_id) const;
  // True if `m` binds a place of a filesystem onto that same place: same device as the mount
  // beneath it and a root that is where the mount point lies in that one. This is how runc and
  // crun make a read-only path (`proc /proc/sys proc ro` with root /sys), and never a mask.
  bool binds_onto_itself(const MountEntry& m) const;
  const std::vector<MountEntry>& entries() const { return entries_; }

 private:
  std::vector<MountEntry> entries_;
};

}  // namespace procmatrix::probe
