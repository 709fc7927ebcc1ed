// The probe's report as procmatrix.probe/v1 JSON (DESIGN.md, "Probe JSON").
#pragma once

#include <nlohmann/json.hpp>

#include "model.hpp"

namespace procmatrix::probe {

nlohmann::json to_json(const Report& report);

}  // namespace procmatrix::probe
