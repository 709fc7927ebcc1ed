// The value of a flag in a subcommand's arguments: "--format=md" or "--format md".
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "support/error.hpp"
#include "text.hpp"

namespace procmatrix::harness {

// args[i] is `flag` or `flag=VALUE`: stores the value in `slot`, advancing i past a separate one.
inline Status take_flag_value(const std::vector<std::string>& args, std::size_t& i,
                              std::string_view flag, std::string& slot) {
  const std::string& a = args[i];
  if (a.size() > flag.size() && a.starts_with(flag) && a[flag.size()] == '=') slot = a.substr(flag.size() + 1);
  else if (i + 1 < args.size()) slot = args[++i];
  else return Error(0, cat({flag, ": needs a value"}));
  return Ok{};
}

}  // namespace procmatrix::harness
