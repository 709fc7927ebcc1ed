#include "devices.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/dm-ioctl.h>
#include <linux/if_tun.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <cstdio>
#include <iterator>
#include <memory>

#include "support/fd.hpp"

namespace procmatrix::probe {
namespace {

// linux/vhost.h includes virtio_ring.h, which does not compile as C++: VHOST_GET_FEATURES as
// linux/vhost.h defines it (VHOST_VIRTIO is 0xAF).
constexpr unsigned long kVhostGetFeatures = _IOR(0xAF, 0x00, __u64);

std::string hex(unsigned long long value) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", value);
  return buf;
}

// ---- the harmless queries ------------------------------------------------------------------
// Each asks the driver a question that changes nothing: no interface, VM, mapping or owner.

struct QueryOutcome {
  Attempt attempt;
  std::string value;
};

QueryOutcome failed() { return {Attempt::failure(errno), {}}; }

// The IFF_* flags the tun driver supports; answered before any interface is attached.
QueryOutcome query_tun_features(int fd) {
  unsigned int features = 0;
  if (::ioctl(fd, TUNGETFEATURES, &features) < 0) return failed();
  return {Attempt::success(), hex(features)};
}

// The KVM API version (12 since Linux 2.6.22); creates no VM.
QueryOutcome query_kvm_api_version(int fd) {
  const int version = ::ioctl(fd, KVM_GET_API_VERSION, 0);
  if (version < 0) return failed();
  return {Attempt::success(), std::to_string(version)};
}

// The device-mapper interface version; the kernel answers DM_VERSION before looking at any
// device. Needs CAP_SYS_ADMIN: without it the answer is EACCES, as for lvm.
QueryOutcome query_dm_version(int fd) {
  struct dm_ioctl dmi {};
  dmi.version[0] = DM_VERSION_MAJOR;
  dmi.data_size = sizeof dmi;
  dmi.data_start = sizeof dmi;
  if (::ioctl(fd, DM_VERSION, &dmi) < 0) return failed();
  return {Attempt::success(), std::to_string(dmi.version[0]) + "." +
                                  std::to_string(dmi.version[1]) + "." +
                                  std::to_string(dmi.version[2])};
}

// The virtio feature bits of vhost-net or vhost-vsock; needs no VHOST_SET_OWNER.
QueryOutcome query_vhost_features(int fd) {
  __u64 features = 0;
  if (::ioctl(fd, kVhostGetFeatures, &features) < 0) return failed();
  return {Attempt::success(), hex(features)};
}

struct QueryRow {
  DeviceQuery query;
  QueryOutcome (*run)(int fd);
};
constexpr QueryRow kQueries[] = {
    {DeviceQuery::tun_features, query_tun_features},
    {DeviceQuery::kvm_api_version, query_kvm_api_version},
    {DeviceQuery::dm_version, query_dm_version},
    {DeviceQuery::vhost_features, query_vhost_features},
};

void run_query(DeviceQuery query, int fd, DeviceResult& r) {
  for (const QueryRow& row : kQueries) {
    if (row.query != query) continue;
    QueryOutcome out = row.run(fd);
    r.query_result = out.attempt;
    r.query_value = std::move(out.value);
    if (!out.attempt.ok) r.state = DeviceState::denied;
  }
}

// ---- glob ----------------------------------------------------------------------------------

bool matches(std::string_view name, std::string_view prefix, std::string_view suffix) {
  return name.size() >= prefix.size() + suffix.size() && name.starts_with(prefix) &&
         name.ends_with(suffix);
}

bool is_device_node(int dir_fd, const char* name) {
  struct stat st {};
  if (::fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) return false;
  return S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode);
}

// A result that has observed nothing yet: state absent.
DeviceResult blank(const DeviceCheck& check, std::string path) {
  DeviceResult r;
  r.id = check.id;
  r.path = std::move(path);
  r.query = to_string(check.query);
  return r;
}

struct DirCloser {
  void operator()(DIR* d) const { ::closedir(d); }
};

}  // namespace

DeviceResult probe_device(const DeviceCheck& check, const std::string& path) {
  DeviceResult r = blank(check, path);
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    const int err = errno;
    if (err == ENOENT || err == ENOTDIR) {
      // Absent; a dangling symlink is still worth naming as such.
      struct stat lst {};
      if (::lstat(path.c_str(), &lst) == 0) r.kind = file_kind_of(lst.st_mode);
      return r;
    }
    // Present or not, the process cannot tell (EACCES on a parent directory): denied.
    r.state = DeviceState::denied;
    r.open_rw = Attempt::failure(err);
    return r;
  }
  r.kind = file_kind_of(st.st_mode);
  if (r.kind == FileKind::chardev || r.kind == FileKind::blockdev) {
    r.major = ::major(st.st_rdev);
    r.minor = ::minor(st.st_rdev);
  }
  // The device cgroup (EPERM), a missing driver (ENXIO, ENODEV) or the mode bits (EACCES) decide
  // here. O_NONBLOCK: no open waits for a carrier or a medium; O_NOCTTY: none becomes our tty.
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
  if (!fd) {
    r.state = DeviceState::denied;
    r.open_rw = Attempt::failure(errno);
    return r;
  }
  r.open_rw = Attempt::success();
  r.state = DeviceState::usable;
  run_query(check.query, fd.get(), r);
  return r;
}

Result<std::vector<std::string>> expand_device_pattern(std::string_view pattern) {
  const std::size_t slash = pattern.rfind('/');
  const std::string_view name =
      slash == std::string_view::npos ? pattern : pattern.substr(slash + 1);
  const std::size_t star = name.find('*');
  if (star == std::string_view::npos) return std::vector<std::string>{std::string(pattern)};
  const std::string dir = slash == 0 ? "/" : std::string(pattern.substr(0, slash));
  const std::string_view prefix = name.substr(0, star), suffix = name.substr(star + 1);

  std::unique_ptr<DIR, DirCloser> d(::opendir(dir.c_str()));
  if (!d) {
    if (errno == ENOENT || errno == ENOTDIR) return std::vector<std::string>{};
    return Error::from_errno("list `" + dir + "`");
  }
  std::vector<std::string> found;
  const std::string base = dir == "/" ? "" : dir;
  while (const dirent* e = ::readdir(d.get())) {
    const std::string_view entry = e->d_name;
    if (entry == "." || entry == ".." || !matches(entry, prefix, suffix)) continue;
    if (is_device_node(::dirfd(d.get()), e->d_name))
      found.push_back(base + "/" + std::string(entry));
  }
  std::sort(found.begin(), found.end());
  return found;
}

std::vector<DeviceResult> probe_device_check(const DeviceCheck& check) {
  const std::string pattern(check.path);
  auto paths = expand_device_pattern(pattern);
  if (!paths) {
    // The directory exists but cannot be listed: the devices in it are out of reach.
    DeviceResult r = blank(check, pattern);
    r.state = DeviceState::denied;
    r.open_rw = Attempt::failure(paths.error().err());
    return {r};
  }
  if (paths->empty()) return {blank(check, pattern)};
  std::vector<DeviceResult> results;
  for (const std::string& path : *paths) results.push_back(probe_device(check, path));
  return results;
}

std::vector<DeviceResult> probe_devices() {
  std::vector<DeviceResult> results;
  for (const DeviceCheck& check : device_catalog()) {
    auto one = probe_device_check(check);
    std::move(one.begin(), one.end(), std::back_inserter(results));
  }
  return results;
}

}  // namespace procmatrix::probe
