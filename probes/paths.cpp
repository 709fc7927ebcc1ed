#include "paths.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>

#include "support/errno_name.hpp"
#include "support/fd.hpp"

namespace procmatrix::probe {
namespace {

// One page: enough to see what a file holds, never enough to make a kernel generate much.
constexpr std::size_t kReadBytes = 4096;
// A glob's directory (/sys/devices/system/cpu on a big machine, /sys/fs/cgroup) has hundreds of
// entries; this bound only stops a pathological one.
constexpr std::size_t kMaxGlobEntries = 1 << 16;
// PROC_PID_INIT_INO (include/linux/proc_ns.h): the inode of the initial pid namespace.
constexpr ino_t kInitPidNsInode = 4026531836;

// Directories the kernel makes only so that one filesystem is mounted on them
// (sysfs_create_mount_point, register_sysctl_mount_point, proc_create_mount_point). That
// filesystem mounted there is the directory's use, not a mask, and has no defect to report.
struct KernelMountPoint {
  std::string_view path;
  std::string_view fstypes;  // comma-separated
};
constexpr KernelMountPoint kKernelMountPoints[] = {
    {"/sys/fs/cgroup", "cgroup2,cgroup,tmpfs"},  // v2, or the tmpfs that holds v1's hierarchies
    {"/sys/fs/selinux", "selinuxfs"},
    {"/sys/fs/bpf", "bpf"},
    {"/sys/fs/pstore", "pstore"},
    {"/sys/fs/fuse/connections", "fusectl"},
    {"/sys/kernel/debug", "debugfs"},
    {"/sys/kernel/tracing", "tracefs"},
    {"/sys/kernel/security", "securityfs"},
    {"/sys/kernel/config", "configfs"},
    {"/proc/sys/fs/binfmt_misc", "binfmt_misc,autofs"},  // systemd automounts it
    {"/proc/fs/nfsd", "nfsd"},
};

// Filesystems whose files carry write bits exactly when the kernel has a write handler for them,
// but whose open(2) lets CAP_DAC_OVERRIDE open any file for writing: a 0444 file there opens
// O_WRONLY for root and still cannot be written (procfs has no check; cgroup's kernfs neither).
constexpr std::string_view kModeTellsWritability = "proc,cgroup,cgroup2";

bool is_kernel_mount_point_for(std::string_view path, std::string_view fstype) {
  for (const auto& k : kKernelMountPoints)
    if (k.path == path) return has_option(k.fstypes, fstype);
  return false;
}

std::string device_number(dev_t dev) {
  return std::to_string(major(dev)) + ":" + std::to_string(minor(dev));
}

// ---- the state rules (pure) ----

struct MaskVerdict {
  MaskKind mask = MaskKind::none;
  std::string defect;  // why the mount over the path is not a real mask
};

MaskVerdict judge_directory_mask(const PathFacts& f) {
  if (f.exact_fstype != "tmpfs")
    return {MaskKind::none, "a " + f.exact_fstype + " directory (root " + f.exact_root +
                                ") is mounted over the path, not an empty read-only tmpfs"};
  std::vector<std::string> wrong;
  if (!f.mount_read_only) wrong.emplace_back("is writable");
  if (!f.read.ok) wrong.push_back("cannot be listed (" + errno_name(f.read.err).value_or("?") + ")");
  else if (!f.dir_empty) wrong.emplace_back("is not empty");
  if (wrong.empty()) return {MaskKind::tmpfs, ""};
  std::string defect = "the tmpfs over the directory";
  for (std::size_t i = 0; i < wrong.size(); ++i) defect += (i ? " and " : " ") + wrong[i];
  return {MaskKind::none, defect + ": a mask is an empty read-only tmpfs"};
}

// Something is mounted exactly on the path: is it a mask, and if not, what is it?
MaskVerdict judge_mask(const PathFacts& f) {
  switch (f.kind) {
    case FileKind::chardev:
      if (major(f.rdev) == 1 && minor(f.rdev) == 3) return {MaskKind::devnull, ""};
      return {MaskKind::none,
              "char device " + device_number(f.rdev) + " is mounted over the path, not the null device 1:3"};
    case FileKind::directory:
      return judge_directory_mask(f);
    case FileKind::file:
      // The CVE-2025-31133 shape: a runtime told to bind /dev/null bound whatever that name led to.
      return {MaskKind::none, "a regular file (" + f.exact_fstype + " " + f.exact_root +
                                  ") is mounted over the path, not the null device 1:3"};
    case FileKind::blockdev:
      return {MaskKind::none,
              "block device " + device_number(f.rdev) + " is mounted over the path, not the null device 1:3"};
    default:
      return {MaskKind::none, std::string("a ") + to_string(f.kind) + " (" + f.exact_fstype + " " +
                                  f.exact_root + ") is mounted over the path, not a mask"};
  }
}

// Rules 3 to 6 of DESIGN.md, for a path that is not masked.
PathState access_state(const PathFacts& f) {
  const bool directory = f.kind == FileKind::directory;
  if (!directory && f.write.ok && !f.no_write_handler) return PathState::writable;
  if (directory ? f.mount_read_only : f.write.err == EROFS) return PathState::readonly;
  if (f.read.ok) return PathState::readable;
  return PathState::denied;
}

// ---- directories ----

// Calls fn(name, d_type) for each entry in one getdents64 buffer.
template <class Fn>
void for_each_dirent(const char* buf, std::size_t len, Fn&& fn) {
  std::size_t off = 0;
  while (off + offsetof(dirent64, d_name) <= len) {
    const auto* d = reinterpret_cast<const dirent64*>(buf + off);
    if (d->d_reclen == 0 || off + d->d_reclen > len) return;
    fn(std::string_view(d->d_name), d->d_type);
    off += d->d_reclen;
  }
}

bool is_dot(std::string_view name) { return name == "." || name == ".."; }

struct Listing {
  Attempt attempt;
  bool empty = false;
};

// The bounded read of a directory: one buffer of entries. Only when that shows nothing but
// . and .. (a mask) do further calls confirm the end, so that "empty" is a fact.
Listing list_bounded(int fd) {
  alignas(dirent64) char buf[kReadBytes];
  for (int call = 0; call < 4; ++call) {
    const ssize_t n = ::getdents64(fd, buf, sizeof buf);
    if (n < 0) return {Attempt::failure(errno), false};
    if (n == 0) return {Attempt::success(), true};
    bool only_dots = true;
    for_each_dirent(buf, static_cast<std::size_t>(n),
                    [&](std::string_view name, unsigned char) { only_dots = only_dots && is_dot(name); });
    if (!only_dots) return {Attempt::success(), false};
  }
  return {Attempt::success(), false};  // still more after four buffers of dots: not a mask
}

// ---- the system calls of one path ----

struct ReadOutcome {
  Attempt attempt;
  std::string bytes;  // what one bounded read returned (files only)
  bool dir_empty = false;
};

ReadOutcome read_path(const std::string& path, FileKind kind, ReadPolicy policy) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
  if (!fd) return {Attempt::failure(errno), {}, false};
  if (kind == FileKind::directory) {
    const Listing listing = list_bounded(fd.get());
    return {listing.attempt, {}, listing.empty};
  }
  // /proc/kmsg and /proc/sysrq-trigger: the open is the observation; a read would consume.
  if (policy == ReadPolicy::open_only) return {Attempt::success(), {}, false};
  char buf[kReadBytes];
  ssize_t n;
  do n = ::read(fd.get(), buf, sizeof buf);
  while (n < 0 && errno == EINTR);
  // EAGAIN: nothing to read right now, which still means reading is allowed.
  if (n < 0 && errno != EAGAIN) return {Attempt::failure(errno), {}, false};
  return {Attempt::success(), std::string(buf, n > 0 ? static_cast<std::size_t>(n) : 0), false};
}

// O_WRONLY without O_TRUNC, and never a write(2): the open alone asks every permission check
// (mode, capabilities, the mount's ro flag, LSMs) and changes nothing.
Attempt open_for_write(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
  if (!fd) return Attempt::failure(errno);
  return Attempt::success();
}

void add_mount_facts(const std::string& path, const MountTable& mounts, PathFacts& f, PathResult& r) {
  const MountEntry* m = mounts.covering(path);
  if (m == nullptr) return;
  const bool exact = m->mount_point == path;
  r.mount = MountRef{m->mount_point, m->fstype, m->source, m->combined_options(), exact, m->read_only()};
  f.mount_read_only = m->read_only() || m->super_read_only();
  if (!exact) return;
  f.mounted_exactly = true;
  f.exact_fstype = m->fstype;
  f.exact_root = m->root;
  f.exact_self_bind = mounts.binds_onto_itself(*m);
  f.exact_expected = is_kernel_mount_point_for(path, m->fstype);
}

// ---- details of a few special checks ----

// The first line of what a file holds, as printable ASCII: a file's bytes go into JSON, which
// must be valid UTF-8, and into terminals; anything else is shown as \xNN.
std::string printable_first_line(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (const char c : bytes.substr(0, bytes.find('\n'))) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f) {
      out.push_back(c);
    } else {
      out += "\\x";
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 0xf]);
    }
  }
  return out;
}

// "ffffffff81000000 T _stext": with kptr_restrict, or without CAP_SYSLOG, every address reads 0.
void kallsyms_details(const std::string&, std::string_view bytes, PathResult& r) {
  bool any_line = false, any_real = false;
  std::size_t start = 0, end;
  // Complete lines only: the page may end inside an address.
  while ((end = bytes.find('\n', start)) != std::string_view::npos) {
    const std::string_view line = bytes.substr(start, end - start);
    start = end + 1;
    const std::string_view address = line.substr(0, line.find(' '));
    if (address.empty()) continue;
    any_line = true;
    any_real = any_real || address.find_first_not_of('0') != std::string_view::npos;
  }
  if (any_line) r.details["addresses"] = any_real ? "real" : "zeroed";
}

// Which hierarchy's release_agent this is, and what it holds (empty: not set).
void release_agent_details(const std::string& path, std::string_view bytes, PathResult& r) {
  const std::string_view p = path;
  const std::size_t file = p.rfind('/');
  const std::size_t dir = file == 0 || file == std::string_view::npos ? file : p.rfind('/', file - 1);
  if (dir != std::string_view::npos && dir < file)
    r.details["hierarchy"] = std::string(p.substr(dir + 1, file - dir - 1));
  if (r.read.ok && r.kind == FileKind::file) r.details["release_agent"] = printable_first_line(bytes);
}

// Is /proc/1 the host's init? Its pid namespace is the initial one, and it is not us.
bool pid1_is_host_init() {
  char self[32] = {};
  const ssize_t n = ::readlink("/proc/self", self, sizeof self - 1);
  if (n > 0 && std::string_view(self, static_cast<std::size_t>(n)) == "1") return false;
  struct stat st {};
  // /proc/1/ns/pid names pid 1's namespace, but needs ptrace access to pid 1. Without it our
  // own namespace tells: in the initial one, the /proc we see shows the host's pid 1.
  if (::stat("/proc/1/ns/pid", &st) == 0) return st.st_ino == kInitPidNsInode;
  return ::stat("/proc/self/ns/pid", &st) == 0 && st.st_ino == kInitPidNsInode;
}

void pid1_details(const std::string&, std::string_view, PathResult& r) {
  r.details["host_pid1"] = pid1_is_host_init() ? "true" : "false";
}

using DetailFn = void (*)(const std::string& path, std::string_view bytes, PathResult& r);
struct DetailRule {
  std::string_view id;
  DetailFn fn;
};
constexpr DetailRule kDetailRules[] = {
    {"proc.kallsyms", kallsyms_details},
    {"sys.fs.cgroup.release_agent", release_agent_details},
    {"proc.1.root", pid1_details},
    {"proc.1.environ", pid1_details},
};

// ---- glob ----

// Calls fn(name, d_type) for every entry of the directory, up to kMaxGlobEntries.
template <class Fn>
void for_each_entry(int dirfd, Fn&& fn) {
  alignas(dirent64) char buf[16384];
  std::size_t seen = 0;
  while (seen < kMaxGlobEntries) {
    const ssize_t n = ::getdents64(dirfd, buf, sizeof buf);
    if (n <= 0) return;
    for_each_dirent(buf, static_cast<std::size_t>(n), [&](std::string_view name, unsigned char type) {
      ++seen;
      fn(name, type);
    });
  }
}

bool is_symlink_entry(int dirfd, std::string_view name, unsigned char type) {
  if (type != DT_UNKNOWN) return type == DT_LNK;
  struct stat st {};
  return ::fstatat(dirfd, std::string(name).c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode);
}

}  // namespace

Classification classify(const PathFacts& f) {
  Classification c;
  if (!f.exists) return c;  // rule 1: absent
  if (f.mounted_exactly) {
    MaskVerdict verdict = judge_mask(f);
    if (verdict.mask != MaskKind::none) {
      c.state = PathState::masked;  // rule 2
      c.mask = verdict.mask;
      return c;
    }
    // A read-only path (the path bound onto itself) or a filesystem on the directory the kernel
    // made for it is no attempt at a mask; anything else mounted over the path is a broken one.
    if (!f.exact_self_bind && !f.exact_expected) c.mask_defect = std::move(verdict.defect);
  }
  c.state = access_state(f);
  return c;
}

std::vector<std::string> expand_glob(std::string_view pattern) {
  const std::size_t star = pattern.find('*');
  if (star == std::string_view::npos) return {std::string(pattern)};
  // One '*' in one component is all the catalog needs; anything more matches nothing.
  if (pattern.find('*', star + 1) != std::string_view::npos) return {};
  const std::size_t slash = pattern.rfind('/', star);
  if (slash == std::string_view::npos) return {};
  std::size_t component_end = pattern.find('/', star);
  if (component_end == std::string_view::npos) component_end = pattern.size();

  const std::string dir = slash == 0 ? "/" : std::string(pattern.substr(0, slash));
  const std::string_view head = pattern.substr(slash + 1, star - slash - 1);
  const std::string_view tail = pattern.substr(star + 1, component_end - star - 1);
  const std::string_view rest = pattern.substr(component_end);  // "" or "/thermal_throttle"

  UniqueFd dirfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NONBLOCK | O_CLOEXEC));
  if (!dirfd) return {};
  std::vector<std::string> matches;
  for_each_entry(dirfd.get(), [&](std::string_view name, unsigned char type) {
    if (is_dot(name) || name.size() < head.size() + tail.size()) return;
    if (!name.starts_with(head) || !name.ends_with(tail)) return;
    if (is_symlink_entry(dirfd.get(), name, type)) return;
    const std::string relative = std::string(name) + std::string(rest);
    struct stat st {};
    if (!rest.empty() && ::fstatat(dirfd.get(), relative.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return;
    matches.push_back(dir == "/" ? "/" + relative : dir + "/" + relative);
  });
  std::sort(matches.begin(), matches.end());
  return matches;
}

PathResult probe_path(const PathCheck& check, const std::string& path, const MountTable& mounts) {
  PathResult r;
  r.id = std::string(check.id);
  r.path = path;

  struct stat lst {};
  const bool have_lstat = ::lstat(path.c_str(), &lst) == 0;
  if (!have_lstat && (errno == ENOENT || errno == ENOTDIR)) return r;  // rule 1: absent

  // It exists (or a parent hides it from us: EACCES, which the opens below will show too).
  PathFacts f;
  f.exists = true;
  struct stat st {};
  const bool have_stat = ::stat(path.c_str(), &st) == 0;
  if (have_stat) {
    f.kind = file_kind_of(st.st_mode);
    f.rdev = st.st_rdev;
  } else if (have_lstat) {
    f.kind = file_kind_of(lst.st_mode);  // a link we cannot follow: /proc/1/root without ptrace access
  }
  add_mount_facts(path, mounts, f, r);
  f.no_write_handler = have_stat && r.mount && has_option(kModeTellsWritability, r.mount->fstype) &&
                       f.kind == FileKind::file && (st.st_mode & 0222) == 0;

  ReadOutcome read = read_path(path, f.kind, check.read);
  f.read = read.attempt;
  f.dir_empty = read.dir_empty;
  // A directory cannot be opened for writing; its read-only-ness is its mount's flag.
  if (f.kind != FileKind::directory) f.write = open_for_write(path);

  Classification c = classify(f);
  r.state = c.state;
  r.mask = c.mask;
  r.mask_defect = std::move(c.mask_defect);
  r.kind = f.kind;
  r.read = f.read;
  r.write = f.write;
  for (const auto& rule : kDetailRules)
    if (rule.id == check.id) rule.fn(path, read.bytes, r);
  return r;
}

std::vector<PathResult> probe_paths(const MountTable& mounts) {
  std::vector<PathResult> results;
  for (const auto& check : path_catalog()) {
    const auto matches = expand_glob(check.path);
    if (matches.empty()) {
      PathResult absent;
      absent.id = std::string(check.id);
      absent.path = std::string(check.path);
      results.push_back(std::move(absent));
      continue;
    }
    for (const auto& path : matches) results.push_back(probe_path(check, path, mounts));
  }
  return results;
}

}  // namespace procmatrix::probe
