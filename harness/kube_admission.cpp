#include "kube_admission.hpp"

#include <charconv>

#include "text.hpp"

namespace procmatrix::harness {
namespace {

// FACTS.md: the API validates "hostUsers must be false to use Unmasked" since 1.30 (PR 123520).
constexpr KubeVersion kUnmaskedNeedsUserns{1, 30};
// FACTS.md: baseline allows any procMount with hostUsers false from policy version 1.35.
constexpr KubeVersion kBaselineUsernsRelaxed{1, 35};

constexpr std::string_view kLevels[] = {"privileged", "baseline", "restricted"};

// FACTS.md, feature gates: both beta and on by default since 1.33 (kube_features.go).
constexpr GateFact kGates[] = {
    {"procMount", "ProcMountType", {1, 33}},
    {"hostUsers", "UserNamespacesSupport", {1, 33}},
};

Result<int> parse_int(std::string_view s, std::string_view whole) {
  int v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty())
    return Error(0, cat({"\"", whole, "\" is not a Kubernetes version (1.35, v1.35.2)"}));
  return v;
}

}  // namespace

std::string KubeVersion::str() const { return cat({std::to_string(major), ".", std::to_string(minor)}); }

Result<KubeVersion> parse_kube_version(std::string_view text) {
  std::string_view s = text;
  if (s.starts_with("v")) s.remove_prefix(1);
  auto dot = s.find('.');
  if (dot == std::string_view::npos) return Error(0, cat({"\"", text, "\" is not a Kubernetes version (1.35, v1.35.2)"}));
  std::string_view minor = s.substr(dot + 1);
  minor = minor.substr(0, minor.find('.'));
  if (minor.ends_with("+")) minor.remove_suffix(1);  // "35+" from managed clusters
  auto ma = parse_int(s.substr(0, dot), text);
  if (!ma) return ma.error();
  auto mi = parse_int(minor, text);
  if (!mi) return mi.error();
  return KubeVersion{*ma, *mi};
}

const char* to_string(PodSecurityLevel l) { return kLevels[static_cast<int>(l)].data(); }

std::optional<PodSecurityLevel> parse_pod_security_level(std::string_view s) {
  for (int i = 0; i < 3; ++i)
    if (kLevels[i] == s) return static_cast<PodSecurityLevel>(i);
  return std::nullopt;
}

std::string PolicyVersion::label() const { return pinned ? cat({"v", pinned->str()}) : "latest"; }

KubeVersion PolicyVersion::effective(KubeVersion server) const { return pinned ? *pinned : server; }

Result<PolicyVersion> parse_policy_version(std::string_view s) {
  if (s == "latest") return PolicyVersion{};
  if (!s.starts_with("v")) return Error(0, cat({"\"", s, "\" is not latest or a version like v1.35"}));
  auto v = parse_kube_version(s);
  if (!v) return v.error();
  return PolicyVersion{*v};
}

std::optional<Refusal> validation_refuses(const Cell& cell, KubeVersion server) {
  if (cell.proc_mount == ProcMount::Unmasked && cell.host_users && server >= kUnmaskedNeedsUserns)
    return Refusal{"validation",
                   "`hostUsers` must be false to use `Unmasked` (API validation since 1.30, kubernetes PR 123520)"};
  return std::nullopt;
}

std::optional<Refusal> pod_security_refuses(const Cell& cell, PodSecurityLevel level, KubeVersion policy) {
  if (level == PodSecurityLevel::privileged) return std::nullopt;
  const std::string by = cat({"PodSecurity ", to_string(level), ":v", policy.str()});
  if (cell.privileged) return Refusal{by, "privileged containers are forbidden at baseline and restricted"};
  if (cell.proc_mount == ProcMount::Default) return std::nullopt;
  if (level == PodSecurityLevel::restricted)
    return Refusal{by, "restricted forbids procMount Unmasked, also with hostUsers false (check_procMount_restricted.go)"};
  if (cell.host_users || policy < kBaselineUsernsRelaxed)
    return Refusal{by, "baseline forbids procMount Unmasked unless hostUsers is false and the policy version is 1.35 or later (check_procMount_baseline.go)"};
  return std::nullopt;
}

std::optional<Refusal> api_refuses(const Cell& cell, PodSecurityLevel level, KubeVersion server,
                                   const PolicyVersion& policy) {
  if (auto r = validation_refuses(cell, server)) return r;
  return pod_security_refuses(cell, level, policy.effective(server));
}

PodSecurityLevel level_needed(const Cell& cell, KubeVersion policy) {
  return pod_security_refuses(cell, PodSecurityLevel::baseline, policy) ? PodSecurityLevel::privileged
                                                                        : PodSecurityLevel::baseline;
}

std::optional<GateFact> gate_for(std::string_view field) {
  for (const auto& g : kGates)
    if (g.field == field) return g;
  return std::nullopt;
}

bool gate_on_by_default(std::string_view field, KubeVersion server) {
  auto g = gate_for(field);
  return !g || server >= g->on_by_default;
}

}  // namespace procmatrix::harness
