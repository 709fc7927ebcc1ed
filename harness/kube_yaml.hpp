// JSON objects as block-style YAML, for `procmatrix manifests`. Deterministic: keys in the
// json's order (sorted), strings quoted (JSON style, which YAML reads the same) whenever a plain
// scalar could be read as something else (true, 1.30, "a: b", a leading dash).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace procmatrix::harness {

std::string to_yaml(const nlohmann::json& doc);

}  // namespace procmatrix::harness
