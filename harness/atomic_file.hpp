// Writing a file whole or not at all (DESIGN.md: "a half-written output is never left behind").
#pragma once

#include <string>
#include <string_view>

#include "support/error.hpp"

namespace procmatrix::harness {

// Writes `content` to a temporary file beside `path`, fsyncs it, renames it over `path` and
// fsyncs the directory. On any failure the temporary file is removed and `path` is untouched.
Status write_file_atomically(const std::string& path, std::string_view content);

}  // namespace procmatrix::harness
