// Every check the harness judges, with its family and group: the probe's catalog (paths,
// devices) plus the nesting steps and the identity facts of probe JSON. Profiles name checks by
// id or by group; verdicts are made for each of these in each cell.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace procmatrix::harness {

// The family decides which expectation words apply (verdict.hpp) and where in the probe's JSON
// the observation is.
enum class Family { path, device, nesting, identity };

struct CheckInfo {
  std::string id;      // "proc.keys", "dev.net.tun", "nesting.proc_mount", "identity.user_namespace"
  Family family;
  std::string group;   // "kubelet-masked", "kubelet-readonly", "runtime-masked", "escape",
                       // "devices", "nesting", "identity"
  std::string path;    // the catalog's path or pattern; the probe JSON's key for nesting/identity
};

// In report order: paths by catalog order, then devices, nesting, identity.
const std::vector<CheckInfo>& all_checks();
const CheckInfo* find_check(std::string_view id);
// Every group name, in report order.
const std::vector<std::string>& all_groups();

const char* to_string(Family f);

}  // namespace procmatrix::harness
