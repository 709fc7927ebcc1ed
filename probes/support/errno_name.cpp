#include "support/errno_name.hpp"

#include <cerrno>
#include <string>
#include <utility>

namespace procmatrix {
namespace {

// The errnos a probe of files, devices, mounts and namespaces can meet.
constexpr std::pair<int, std::string_view> kErrnoNames[] = {
    {EPERM, "EPERM"},       {ENOENT, "ENOENT"},     {ESRCH, "ESRCH"},
    {EINTR, "EINTR"},       {EIO, "EIO"},           {ENXIO, "ENXIO"},
    {E2BIG, "E2BIG"},       {ENOEXEC, "ENOEXEC"},   {EBADF, "EBADF"},
    {ECHILD, "ECHILD"},     {EAGAIN, "EAGAIN"},     {ENOMEM, "ENOMEM"},
    {EACCES, "EACCES"},     {EFAULT, "EFAULT"},     {ENOTBLK, "ENOTBLK"},
    {EBUSY, "EBUSY"},       {EEXIST, "EEXIST"},     {EXDEV, "EXDEV"},
    {ENODEV, "ENODEV"},     {ENOTDIR, "ENOTDIR"},   {EISDIR, "EISDIR"},
    {EINVAL, "EINVAL"},     {ENFILE, "ENFILE"},     {EMFILE, "EMFILE"},
    {ENOTTY, "ENOTTY"},     {ETXTBSY, "ETXTBSY"},   {EFBIG, "EFBIG"},
    {ENOSPC, "ENOSPC"},     {ESPIPE, "ESPIPE"},     {EROFS, "EROFS"},
    {EMLINK, "EMLINK"},     {EPIPE, "EPIPE"},       {ERANGE, "ERANGE"},
    {EDEADLK, "EDEADLK"},   {ENAMETOOLONG, "ENAMETOOLONG"},
    {ENOSYS, "ENOSYS"},     {ENOTEMPTY, "ENOTEMPTY"}, {ELOOP, "ELOOP"},
    {ENODATA, "ENODATA"},   {ENOTSUP, "EOPNOTSUPP"}, {EUSERS, "EUSERS"},
    {ETIMEDOUT, "ETIMEDOUT"}, {ECONNREFUSED, "ECONNREFUSED"},
    {ENOMEDIUM, "ENOMEDIUM"}, {EOVERFLOW, "EOVERFLOW"}, {EBADMSG, "EBADMSG"},
};

}  // namespace

std::optional<std::string> errno_name(int err) {
  if (err == 0) return std::nullopt;
  for (const auto& [value, name] : kErrnoNames)
    if (value == err) return std::string(name);
  // Built in two steps: GCC 12 warns falsely (-Wrestrict, GCC bug 105329) on "E" + to_string.
  std::string unknown = "E";
  unknown += std::to_string(err);
  return unknown;
}

int errno_from_name(std::string_view name) {
  for (const auto& [value, known] : kErrnoNames)
    if (known == name) return value;
  if (name == "ENOTSUP") return ENOTSUP;
  return 0;
}

}  // namespace procmatrix
