#include "bundle.hpp"

#include <fcntl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cstdlib>
#include <fstream>
#include <mutex>

#include "process.hpp"
#include "support/fd.hpp"
#include "text.hpp"

namespace procmatrix::harness {
namespace fs = std::filesystem;
namespace {

// Mount points the runtimes mount proc, sysfs and the /dev tmpfs on.
constexpr std::array<const char*, 3> kMountPoints = {"proc", "sys", "dev"};
constexpr mode_t kPassThrough = 0711;  // others may traverse, not list
constexpr mode_t kRootfsMode = 0755;

Status make_dir(const fs::path& p, mode_t mode) {
  if (::mkdir(p.c_str(), mode) != 0) return Error::from_errno(cat({"mkdir `", p.string(), "`"}));
  if (::chmod(p.c_str(), mode) != 0) return Error::from_errno(cat({"chmod `", p.string(), "`"}));
  return Ok{};
}

Status give_to(const fs::path& p, std::optional<RootOwner> owner) {
  if (!owner) return Ok{};
  if (::lchown(p.c_str(), owner->uid, owner->gid) != 0)
    return Error::from_errno(cat({"chown `", p.string(), "` to the mapped root"}));
  return Ok{};
}

Status write_config(const fs::path& p, const nlohmann::json& config) {
  std::ofstream out(p, std::ios::trunc);
  out << config.dump(2) << '\n';
  out.close();
  if (!out) return Error::from_errno(cat({"write `", p.string(), "`"}));
  return Ok{};
}

// Our own copy rather than fs::copy_file: the descriptor must be O_CLOEXEC and written under
// fork_lock() (see there), or a container started by another thread may fail with ETXTBSY.
Status copy_probe(const fs::path& probe, const fs::path& dest, std::optional<RootOwner> owner) {
  UniqueFd in(::open(probe.c_str(), O_RDONLY | O_CLOEXEC));
  if (!in) return Error::from_errno(cat({"open the probe `", probe.string(), "`"}));
  struct stat st {};
  if (::fstat(in.get(), &st) != 0) return Error::from_errno(cat({"fstat `", probe.string(), "`"}));
  std::unique_lock writing(fork_lock());
  UniqueFd out(::open(dest.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755));
  if (!out) return Error::from_errno(cat({"create `", dest.string(), "`"}));
  for (off_t left = st.st_size; left > 0;) {
    const ssize_t n = ::sendfile(out.get(), in.get(), nullptr, static_cast<std::size_t>(left));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Error::from_errno(cat({"copy the probe into `", dest.string(), "`"}));
    left -= n;
  }
  if (::fchmod(out.get(), 0755) != 0)
    return Error::from_errno(cat({"chmod `", dest.string(), "`"}));
  out.reset();
  writing.unlock();
  return give_to(dest, owner);
}

Status fill(const fs::path& top, const fs::path& probe, const nlohmann::json& config,
            std::optional<RootOwner> owner) {
  const fs::path bundle = top / "bundle", rootfs = bundle / "rootfs";
  if (Status st = make_dir(bundle, kPassThrough); !st) return st;
  if (Status st = make_dir(rootfs, kRootfsMode); !st) return st;
  if (Status st = give_to(rootfs, owner); !st) return st;
  if (Status st = make_dir(top / "state", 0700); !st) return st;
  for (const char* m : kMountPoints) {
    if (Status st = make_dir(rootfs / m, kRootfsMode); !st) return st;
    if (Status st = give_to(rootfs / m, owner); !st) return st;
  }
  const fs::path in_rootfs = rootfs / "procprobe";
  if (Status st = copy_probe(probe, in_rootfs, owner); !st) return st;
  return write_config(bundle / "config.json", config);
}

// A user namespace's root is "others" to every directory of the host: it needs the x bit of
// every ancestor of the rootfs, or the runtime fails with a bare "permission denied".
Status check_reachable_by_others(const fs::path& dir) {
  for (fs::path p = fs::absolute(dir); !p.empty(); p = p.parent_path()) {
    struct stat st {};
    if (::stat(p.c_str(), &st) != 0) return Error::from_errno(cat({"stat `", p.string(), "`"}));
    if ((st.st_mode & S_IXOTH) == 0)
      return Error(EACCES,
                   cat({"a user namespace's root cannot pass through `", p.string(),
                        "` (no search permission for others); use a work dir it can reach"}));
    if (p == p.root_path()) break;
  }
  return Ok{};
}

Status remove_entry(const fs::path& p, dev_t root_dev);

Status remove_children(const fs::path& dir, dev_t root_dev) {
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) return Error(ec.value(), cat({"list `", dir.string(), "`"}));
  for (const auto& entry : it)
    if (Status st = remove_entry(entry.path(), root_dev); !st) return st;
  return Ok{};
}

Status remove_entry(const fs::path& p, dev_t root_dev) {
  struct stat st {};
  if (::lstat(p.c_str(), &st) != 0) {
    if (errno == ENOENT) return Ok{};
    return Error::from_errno(cat({"lstat `", p.string(), "`"}));
  }
  if (st.st_dev != root_dev)
    return Error(EBUSY, cat({"`", p.string(), "` is on another filesystem (a mount left behind)"}));
  if (S_ISDIR(st.st_mode)) {
    if (Status s = remove_children(p, root_dev); !s) return s;
    if (::rmdir(p.c_str()) != 0) return Error::from_errno(cat({"rmdir `", p.string(), "`"}));
    return Ok{};
  }
  if (::unlink(p.c_str()) != 0) return Error::from_errno(cat({"unlink `", p.string(), "`"}));
  return Ok{};
}

}  // namespace

Status remove_tree_one_filesystem(const fs::path& root) {
  struct stat st {};
  if (::lstat(root.c_str(), &st) != 0) {
    if (errno == ENOENT) return Ok{};
    return Error::from_errno(cat({"lstat `", root.string(), "`"}));
  }
  return remove_entry(root, st.st_dev);
}

Result<Bundle> Bundle::create(const fs::path& parent, const fs::path& probe,
                              const nlohmann::json& config, std::optional<RootOwner> owner) {
  if (owner)
    if (Status st = check_reachable_by_others(parent); !st) return st.error();
  std::string templ = (parent / "procmatrix-XXXXXX").string();
  if (::mkdtemp(templ.data()) == nullptr) return Error::from_errno(cat({"mkdtemp `", templ, "`"}));
  Bundle bundle{fs::path(templ)};
  if (::chmod(templ.c_str(), kPassThrough) != 0)
    return Error::from_errno(cat({"chmod `", templ, "`"}));
  if (Status st = fill(bundle.top_, probe, config, owner); !st)
    return st.error().with_context("making the bundle");
  return bundle;
}

Bundle::Bundle(Bundle&& other) noexcept : top_(std::move(other.top_)) { other.top_.clear(); }

Bundle::~Bundle() { (void)remove(); }

Status Bundle::remove() {
  if (top_.empty()) return Ok{};
  Status st = remove_tree_one_filesystem(top_);
  if (st) top_.clear();
  return st;
}

}  // namespace procmatrix::harness
