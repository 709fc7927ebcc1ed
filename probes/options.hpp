// procprobe's command line, parsed into a value (tested apart from main).
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "support/error.hpp"

namespace procmatrix::probe {

enum class Format { json, table };

struct Families {
  bool identity = true, paths = true, devices = true, nesting = true;
};

struct Options {
  Format format = Format::json;
  bool format_given = false;  // without --format: table on a terminal, JSON otherwise
  Families only;
  bool list = false, help = false, version = false;
  std::chrono::milliseconds nesting_timeout{2000};
};

Result<Options> parse_options(const std::vector<std::string>& args);

extern const char* const kUsage;

}  // namespace procmatrix::probe
