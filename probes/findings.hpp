// Findings: what in a report is a security problem in its own right, whatever the profile says
// (a writable core_pattern, a cgroup v1 release_agent, real kallsyms addresses, the host's pid 1).
#pragma once

#include <vector>

#include "model.hpp"

namespace procmatrix::probe {

std::vector<Finding> derive_findings(const Report& report);

}  // namespace procmatrix::probe
