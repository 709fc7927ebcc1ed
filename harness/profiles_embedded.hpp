// The profile files of harness/profiles/, compiled in by embed_profiles.cmake so that
// `procmatrix` needs no files at run time. The .cpp is generated in the build tree.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

namespace procmatrix::harness {

struct EmbeddedFile {
  std::string_view name;  // file name without .json: "kubernetes"
  std::string_view text;
};

std::span<const EmbeddedFile> embedded_profiles();

}  // namespace procmatrix::harness
