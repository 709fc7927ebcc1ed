#include "checks.hpp"

#include "catalog.hpp"

namespace procmatrix::harness {
namespace {

// The nesting steps of probe JSON's "nesting" object, in the order the probe makes them.
constexpr std::string_view kNestingSteps[] = {"userns", "proc_mount", "sysfs_mount",
                                              "tmpfs_mount", "overlay_mount"};

// Identity facts that say whether a cell is what its settings claim (read_fact in verdict.cpp
// reads them).
constexpr std::string_view kIdentityFacts[] = {"user_namespace", "cap_sys_admin"};

std::vector<CheckInfo> build() {
  std::vector<CheckInfo> out;
  for (const auto& p : probe::path_catalog())
    out.push_back({std::string(p.id), Family::path, probe::to_string(p.group), std::string(p.path)});
  for (const auto& d : probe::device_catalog())
    out.push_back({std::string(d.id), Family::device, "devices", std::string(d.path)});
  for (auto step : kNestingSteps)
    out.push_back({"nesting." + std::string(step), Family::nesting, "nesting", std::string(step)});
  for (auto fact : kIdentityFacts)
    out.push_back({"identity." + std::string(fact), Family::identity, "identity", std::string(fact)});
  return out;
}

}  // namespace

const std::vector<CheckInfo>& all_checks() {
  static const std::vector<CheckInfo> checks = build();
  return checks;
}

const CheckInfo* find_check(std::string_view id) {
  for (const auto& c : all_checks())
    if (c.id == id) return &c;
  return nullptr;
}

const std::vector<std::string>& all_groups() {
  static const std::vector<std::string> groups = [] {
    std::vector<std::string> out;
    for (const auto& c : all_checks()) {
      bool seen = false;
      for (const auto& g : out) seen = seen || g == c.group;
      if (!seen) out.push_back(c.group);
    }
    return out;
  }();
  return groups;
}

const char* to_string(Family f) {
  switch (f) {
    case Family::path: return "path";
    case Family::device: return "device";
    case Family::nesting: return "nesting";
    case Family::identity: return "identity";
  }
  return "?";
}

}  // namespace procmatrix::harness
