// String building for messages. cat({"lstat `", path.string(), "`"}) rather than
// "lstat `" + path.string() + "`": GCC 12 at -O3 warns falsely (-Wrestrict, GCC bug 105651) on
// operator+(const char*, std::string&&), and the warning is an error under PROCMATRIX_WERROR.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

namespace procmatrix::harness {

inline std::string cat(std::initializer_list<std::string_view> parts) {
  std::size_t size = 0;
  for (auto p : parts) size += p.size();
  std::string out;
  out.reserve(size);
  for (auto p : parts) out.append(p);
  return out;
}

}  // namespace procmatrix::harness
