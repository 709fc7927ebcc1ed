// Errno values by their symbolic names ("EPERM"), as the probe's JSON carries them.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace procmatrix {

// "EPERM" for EPERM; "E<number>" for a value the table does not know; nullopt for 0.
std::optional<std::string> errno_name(int err);

// The inverse, for reading JSON back: 0 when the name is unknown.
int errno_from_name(std::string_view name);

}  // namespace procmatrix
