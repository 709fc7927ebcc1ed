#include "model.hpp"

#include <sys/stat.h>

namespace procmatrix::probe {

FileKind file_kind_of(unsigned mode) {
  if (S_ISREG(mode)) return FileKind::file;
  if (S_ISDIR(mode)) return FileKind::directory;
  if (S_ISCHR(mode)) return FileKind::chardev;
  if (S_ISBLK(mode)) return FileKind::blockdev;
  if (S_ISLNK(mode)) return FileKind::symlink;
  return FileKind::other;
}

const char* to_string(PathState s) {
  switch (s) {
    case PathState::absent: return "absent";
    case PathState::masked: return "masked";
    case PathState::writable: return "writable";
    case PathState::readonly: return "readonly";
    case PathState::readable: return "readable";
    case PathState::denied: return "denied";
  }
  return "?";
}

const char* to_string(MaskKind m) {
  switch (m) {
    case MaskKind::none: return "none";
    case MaskKind::devnull: return "devnull";
    case MaskKind::tmpfs: return "tmpfs";
  }
  return "?";
}

const char* to_string(FileKind k) {
  switch (k) {
    case FileKind::none: return "none";
    case FileKind::file: return "file";
    case FileKind::directory: return "directory";
    case FileKind::chardev: return "chardev";
    case FileKind::blockdev: return "blockdev";
    case FileKind::symlink: return "symlink";
    case FileKind::other: return "other";
  }
  return "?";
}

const char* to_string(DeviceState s) {
  switch (s) {
    case DeviceState::usable: return "usable";
    case DeviceState::denied: return "denied";
    case DeviceState::absent: return "absent";
  }
  return "?";
}

}  // namespace procmatrix::probe
