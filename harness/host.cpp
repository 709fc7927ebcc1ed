#include "host.hpp"

#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <fstream>
#include <sstream>

#include "text.hpp"

namespace procmatrix::harness {
namespace fs = std::filesystem;
namespace {

// Directories containerd's getDevices skips: not devices of the host, or not ours to pass on.
constexpr std::array<std::string_view, 7> kSkippedDeviceDirs = {
    "pts", "shm", "fd", "mqueue", ".lxc", ".lxd-mounts", ".udev"};
constexpr std::string_view kSkippedDeviceFile = "console";

std::int64_t fs_magic(const char* path) {
  struct statfs st {};
  if (::statfs(path, &st) != 0) return 0;
  return static_cast<std::int64_t>(st.f_type);
}

bool skipped_dir(const std::string& name) {
  return std::find(kSkippedDeviceDirs.begin(), kSkippedDeviceDirs.end(), name) !=
         kSkippedDeviceDirs.end();
}

// One entry: appended when it is a char or block device; recursed into when a directory.
Status scan_entry(const fs::directory_entry& entry, std::vector<HostDevice>& out);

Status scan_dir(const fs::path& dir, std::vector<HostDevice>& out) {
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) return Error(ec.value(), cat({"list `", dir.string(), "`"}));
  for (const auto& entry : it) {
    Status st = scan_entry(entry, out);
    if (!st) return st;
  }
  return Ok{};
}

Status scan_entry(const fs::directory_entry& entry, std::vector<HostDevice>& out) {
  const std::string name = entry.path().filename().string();
  struct stat st {};
  if (::lstat(entry.path().c_str(), &st) != 0) {
    if (errno == ENOENT) return Ok{};  // gone while we looked: containerd skips it too
    return Error::from_errno(cat({"lstat `", entry.path().string(), "`"}));
  }
  if (S_ISDIR(st.st_mode)) return skipped_dir(name) ? Status(Ok{}) : scan_dir(entry.path(), out);
  if (name == kSkippedDeviceFile) return Ok{};
  if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode)) return Ok{};
  out.push_back(HostDevice{entry.path().string(), S_ISCHR(st.st_mode) ? 'c' : 'b',
                           major(st.st_rdev), minor(st.st_rdev),
                           static_cast<unsigned>(st.st_mode & 07777), st.st_uid, st.st_gid});
  return Ok{};
}

Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Error::from_errno(cat({"open `", path, "`"}));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

const char* to_string(CgroupMode m) {
  switch (m) {
    case CgroupMode::v1:
      return "v1";
    case CgroupMode::hybrid:
      return "hybrid";
    case CgroupMode::v2:
      return "v2";
  }
  return "?";
}

CgroupMode cgroup_mode_from_magic(std::int64_t root_magic, std::int64_t unified_magic) {
  if (root_magic == CGROUP2_SUPER_MAGIC) return CgroupMode::v2;
  if (unified_magic == CGROUP2_SUPER_MAGIC) return CgroupMode::hybrid;
  return CgroupMode::v1;
}

Result<std::uint64_t> parse_cap_bounding(std::string_view text) {
  constexpr std::string_view kKey = "CapBnd:";
  std::size_t at = text.find(kKey);
  while (at != std::string_view::npos && at != 0 && text[at - 1] != '\n')
    at = text.find(kKey, at + 1);
  if (at == std::string_view::npos) return Error(0, "no CapBnd line in status");
  std::string_view rest = text.substr(at + kKey.size());
  rest = rest.substr(0, rest.find('\n'));
  while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
  std::uint64_t mask = 0;
  const auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), mask, 16);
  if (ec != std::errc() || end == rest.data())
    return Error(0, cat({"CapBnd is not a hex mask: `", rest, "`"}));
  return mask;
}

Result<std::vector<HostDevice>> scan_host_devices(const fs::path& dir) {
  std::vector<HostDevice> out;
  Status st = scan_dir(dir, out);
  if (!st) return st.error().with_context("scanning host devices");
  std::sort(out.begin(), out.end(),
            [](const HostDevice& a, const HostDevice& b) { return a.path < b.path; });
  return out;
}

Result<HostFacts> read_host_facts() {
  HostFacts facts;
  Result<std::string> status = read_file("/proc/self/status");
  if (!status) return status.error();
  Result<std::uint64_t> bnd = parse_cap_bounding(*status);
  if (!bnd) return bnd.error().with_context("/proc/self/status");
  facts.cap_bounding = *bnd;
  facts.cgroup =
      cgroup_mode_from_magic(fs_magic("/sys/fs/cgroup"), fs_magic("/sys/fs/cgroup/unified"));
  Result<std::vector<HostDevice>> devices = scan_host_devices("/dev");
  if (!devices) return devices.error();
  facts.devices = std::move(*devices);
  return facts;
}

}  // namespace procmatrix::harness
