#include "mountinfo.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>

#include "support/fd.hpp"

namespace procmatrix::probe {
namespace {

// The kernel escapes space, tab, newline and backslash in paths and options as \ooo
// (fs/proc_namespace.c, mangle()); anything else after a backslash is kept as it is.
std::string decode_octal(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto is_octal = [&](std::size_t k) { return k < s.size() && s[k] >= '0' && s[k] <= '7'; };
    if (s[i] == '\\' && is_octal(i + 1) && is_octal(i + 2) && is_octal(i + 3)) {
      const int value = (s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0');
      if (value <= 0xff) {
        out.push_back(static_cast<char>(value));
        i += 3;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

// Fields are separated by exactly one space; an empty field (an empty source, which some
// kernels print as such) stays an empty token instead of shifting the others.
std::vector<std::string_view> split_fields(std::string_view line) {
  std::vector<std::string_view> fields;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = line.find(' ', start);
    fields.push_back(line.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return fields;
    start = end + 1;
  }
}

template <class T>
bool parse_number(std::string_view s, T& out) {
  const auto* end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(s.data(), end, out);
  return ec == std::errc() && ptr == end && !s.empty();
}

Error line_error(std::size_t number, std::string_view line, std::string_view why) {
  constexpr std::size_t kShown = 200;
  std::string shown(line.substr(0, kShown));
  if (line.size() > kShown) shown += "...";
  return Error(0, "mountinfo line " + std::to_string(number) + ": " + std::string(why) + ": `" +
                      shown + "`");
}

// "36 35 98:0 /mnt1 /mnt/parent rw,noatime master:1 - ext3 /dev/root rw,errors=continue"
Result<MountEntry> parse_line(std::string_view line, std::size_t number) {
  const auto f = split_fields(line);
  // Six fixed fields, zero or more optional ones, "-", then fstype, source, super options.
  std::size_t sep = 6;
  while (sep < f.size() && f[sep] != "-") ++sep;
  if (sep >= f.size()) return line_error(number, line, "no ` - ` separator after six fields");
  if (f.size() - sep - 1 != 3)
    return line_error(number, line, "expected fstype, source and super options after ` - `");

  MountEntry e;
  if (!parse_number(f[0], e.mount_id) || !parse_number(f[1], e.parent_id))
    return line_error(number, line, "mount id or parent id is not a number");
  const std::size_t colon = f[2].find(':');
  if (colon == std::string_view::npos || !parse_number(f[2].substr(0, colon), e.major) ||
      !parse_number(f[2].substr(colon + 1), e.minor))
    return line_error(number, line, "device is not major:minor");
  if (f[3].empty() || f[4].empty() || f[4].front() != '/')
    return line_error(number, line, "root or mount point is not a path");
  e.root = decode_octal(f[3]);
  e.mount_point = decode_octal(f[4]);
  e.mount_options = decode_octal(f[5]);
  for (std::size_t i = 6; i < sep; ++i) e.optional_fields.emplace_back(f[i]);
  e.fstype = decode_octal(f[sep + 1]);
  e.source = decode_octal(f[sep + 2]);
  e.super_options = decode_octal(f[sep + 3]);
  if (e.fstype.empty()) return line_error(number, line, "empty filesystem type");
  return e;
}

bool is_path_prefix(std::string_view prefix, std::string_view path) {
  if (prefix == "/") return !path.empty() && path.front() == '/';
  if (!path.starts_with(prefix)) return false;
  return path.size() == prefix.size() || path[prefix.size()] == '/';
}

}  // namespace

bool has_option(std::string_view options, std::string_view name) {
  std::size_t start = 0;
  while (start <= options.size()) {
    std::size_t end = options.find(',', start);
    if (end == std::string_view::npos) end = options.size();
    if (options.substr(start, end - start) == name) return true;
    start = end + 1;
  }
  return false;
}

bool MountEntry::read_only() const { return has_option(mount_options, "ro"); }
bool MountEntry::super_read_only() const { return has_option(super_options, "ro"); }

std::string MountEntry::combined_options() const {
  // The superblock's rw says nothing a reader needs; its ro matters only when the mount is rw.
  std::string_view super = super_options;
  const std::string_view access = super.substr(0, super.find(','));
  if (access == "rw" || (access == "ro" && read_only()))
    super.remove_prefix(std::min(super.size(), access.size() + 1));
  if (super.empty()) return mount_options;
  return mount_options + "," + std::string(super);
}

Result<std::vector<MountEntry>> parse_mountinfo(std::string_view text) {
  std::vector<MountEntry> entries;
  std::size_t number = 0, start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(start, end - start);
    ++number;
    start = end + 1;
    if (line.empty()) continue;
    auto entry = parse_line(line, number);
    if (!entry) return entry.error();
    entries.push_back(std::move(*entry));
  }
  return entries;
}

Result<MountTable> MountTable::read_self() {
  constexpr const char* kPath = "/proc/self/mountinfo";
  // A container has tens of mounts, a busy node thousands (~150 bytes each): 16 MiB is far
  // beyond any real table and keeps a pathological one from exhausting memory.
  constexpr std::size_t kMaxBytes = 16 << 20;
  UniqueFd fd(::open(kPath, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
  if (!fd) return Error::from_errno(std::string("open ") + kPath);
  std::string text;
  char buf[65536];
  while (true) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::from_errno(std::string("read ") + kPath);
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
    if (text.size() > kMaxBytes) return Error(EFBIG, std::string("read ") + kPath + ": larger than 16 MiB");
  }
  auto entries = parse_mountinfo(text);
  if (!entries) return entries.error().with_context(kPath);
  return MountTable(std::move(*entries));
}

const MountEntry* MountTable::covering(std::string_view path) const {
  const MountEntry* best = nullptr;
  for (const auto& e : entries_) {
    if (!is_path_prefix(e.mount_point, path)) continue;
    // >=: on an equal mount point the later line is the one mounted on top.
    if (!best || e.mount_point.size() >= best->mount_point.size()) best = &e;
  }
  return best;
}

const MountEntry* MountTable::by_id(int mount_id) const {
  for (const auto& e : entries_)
    if (e.mount_id == mount_id) return &e;
  return nullptr;
}

bool MountTable::binds_onto_itself(const MountEntry& m) const {
  const MountEntry* beneath = by_id(m.parent_id);
  if (!beneath || beneath == &m) return false;
  if (beneath->major != m.major || beneath->minor != m.minor) return false;
  if (!is_path_prefix(beneath->mount_point, m.mount_point)) return false;
  // Where m's mount point lies inside the filesystem that `beneath` shows.
  std::string_view rest = m.mount_point;
  if (beneath->mount_point != "/") rest.remove_prefix(beneath->mount_point.size());
  if (beneath->root == "/") return rest.empty() ? m.root == "/" : m.root == rest;
  return m.root == beneath->root + std::string(rest);
}

}  // namespace procmatrix::probe
