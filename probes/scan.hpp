// One scan: the families the options ask for, in the order their results depend on each other
// (devices before nesting, everything before findings).
#pragma once

#include "model.hpp"
#include "options.hpp"
#include "support/error.hpp"

namespace procmatrix::probe {

Result<Report> run_scan(const Families& families, std::chrono::milliseconds nesting_timeout);

}  // namespace procmatrix::probe
