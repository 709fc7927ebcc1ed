// The words a profile uses to say what a check should show in a cell. Each family of checks has
// its own words (a device cannot be "masked"); `any` says the profile promises nothing.
//
//   paths     masked        hidden by a sound mask (/dev/null bind, empty read-only tmpfs)
//             not-masked    anything but masked (Unmasked, privileged)
//             readonly      on a read-only mount (kubelet's readonlyPaths)
//             not-readonly  neither masked nor on a read-only mount
//             not-writable  anything but writable (escape paths of an unprivileged container)
//             writable      open(O_WRONLY) works
//             absent        the path does not exist (gVisor's synthetic /proc)
//             absent-or-masked
//   devices   usable        present and working (a device the profile grants)
//             not-usable    absent or denied
//   nesting   ok            the step works
//             blocked       the step is refused
//   identity  yes, no       the fact holds / does not
//   all       any
#pragma once

#include <optional>
#include <string_view>

#include "checks.hpp"

namespace procmatrix::harness {

enum class Expect {
  any,
  masked, not_masked, readonly, not_readonly, not_writable, writable, absent, absent_or_masked,
  usable, not_usable,
  ok, blocked,
  yes, no,
};

const char* to_string(Expect e);
std::optional<Expect> parse_expect(std::string_view word);
// Whether a word means something for a family of checks.
bool applies_to(Expect e, Family f);
// The words of one family, for messages: "masked, not-masked, ..., any".
std::string words_for(Family f);

}  // namespace procmatrix::harness
