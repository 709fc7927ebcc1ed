#include "atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

#include "text.hpp"

namespace procmatrix::harness {
namespace {

Status write_all(int fd, std::string_view content, const std::string& name) {
  while (!content.empty()) {
    ssize_t n = ::write(fd, content.data(), content.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::from_errno(cat({"write `", name, "`"}));
    content.remove_prefix(static_cast<std::size_t>(n));
  }
  return Ok{};
}

// The temporary file: removed by the destructor unless committed.
class TempFile {
 public:
  explicit TempFile(std::string templ) : name_(std::move(templ)) {
    fd_ = ::mkstemp(name_.data());
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_) ::unlink(name_.c_str());
  }
  int fd() const { return fd_; }
  const std::string& name() const { return name_; }
  Status close() {
    int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) return Error::from_errno(cat({"close `", name_, "`"}));
    return Ok{};
  }
  void commit() { committed_ = true; }

 private:
  std::string name_;
  int fd_ = -1;
  bool committed_ = false;
};

}  // namespace

Status write_file_atomically(const std::string& path, std::string_view content) {
  namespace fs = std::filesystem;
  fs::path target(path);
  fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  TempFile tmp((dir / cat({".", target.filename().string(), ".XXXXXX"})).string());
  if (tmp.fd() < 0) return Error::from_errno(cat({"create a temporary file in `", dir.string(), "`"}));
  if (::fchmod(tmp.fd(), 0644) != 0) return Error::from_errno(cat({"chmod `", tmp.name(), "`"}));
  if (auto s = write_all(tmp.fd(), content, tmp.name()); !s) return s;
  if (::fsync(tmp.fd()) != 0) return Error::from_errno(cat({"fsync `", tmp.name(), "`"}));
  if (auto s = tmp.close(); !s) return s;
  if (::rename(tmp.name().c_str(), path.c_str()) != 0)
    return Error::from_errno(cat({"rename `", tmp.name(), "` to `", path, "`"}));
  tmp.commit();
  // The rename is durable only once the directory is on disk; a failure here loses nothing.
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return Ok{};
}

}  // namespace procmatrix::harness
