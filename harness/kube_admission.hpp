// What the Kubernetes API does with a cell's Pod, by cluster version: validation (since 1.30
// Unmasked needs hostUsers false), Pod Security admission per level and policy version, and the
// feature gates that make the API server drop a field it does not serve. Data from FACTS.md
// ("KEP-4265: procMount"), as tables; pure functions, tested on literal versions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "cell.hpp"
#include "support/error.hpp"

namespace procmatrix::harness {

// A Kubernetes minor version: 1.35 is {1, 35}.
struct KubeVersion {
  int major = 1;
  int minor = 0;
  auto operator<=>(const KubeVersion&) const = default;
  std::string str() const;  // "1.35"
};
// "1.35", "v1.35", "v1.35.2", "1.35+" (GKE and EKS append "+" to the minor).
Result<KubeVersion> parse_kube_version(std::string_view text);

enum class PodSecurityLevel { privileged, baseline, restricted };
const char* to_string(PodSecurityLevel l);
std::optional<PodSecurityLevel> parse_pod_security_level(std::string_view s);

// A namespace's enforce-version: "latest" (no value) or a pinned "v1.35".
struct PolicyVersion {
  std::optional<KubeVersion> pinned;
  std::string label() const;  // "latest" or "v1.35"
  // What the server applies: the pinned version, or the server's own for "latest".
  KubeVersion effective(KubeVersion server) const;
};
Result<PolicyVersion> parse_policy_version(std::string_view s);

// Why the API refuses a cell's Pod, or nothing when it admits it.
struct Refusal {
  std::string by;      // "validation" or "PodSecurity baseline:v1.34"
  std::string reason;  // one line, with the source
};

// Validation of the API server of version `server` (pkg/apis/core/validation).
std::optional<Refusal> validation_refuses(const Cell& cell, KubeVersion server);
// Pod Security admission at `level` with `policy` (pod-security-admission/policy/check_*.go),
// for the Pod that kube_manifests makes for that level (restricted namespaces get a Pod that
// meets every restricted check but procMount and privileged).
std::optional<Refusal> pod_security_refuses(const Cell& cell, PodSecurityLevel level, KubeVersion policy);
// Either, validation first: it runs before validating admission in the API server.
std::optional<Refusal> api_refuses(const Cell& cell, PodSecurityLevel level, KubeVersion server,
                                   const PolicyVersion& policy);

// The lowest level whose namespace admits every cell (privileged when one is privileged or
// needs Unmasked where baseline forbids it).
PodSecurityLevel level_needed(const Cell& cell, KubeVersion policy);

// A field the API server drops when its feature gate is off: the cell then runs without it.
struct GateFact {
  std::string_view field;   // "procMount", "hostUsers"
  std::string_view gate;    // "ProcMountType"
  KubeVersion on_by_default;
};
// The gate behind a field of a cell that is not its default; nothing when the cell needs none.
std::optional<GateFact> gate_for(std::string_view field);
// Whether a field's gate is on by default in `server` (if not, the kind config turns it on).
bool gate_on_by_default(std::string_view field, KubeVersion server);

}  // namespace procmatrix::harness
