#include "kube_assess.hpp"

#include "text.hpp"

namespace procmatrix::harness {
namespace {

constexpr KubeVersion kValidationSince{1, 30};  // FACTS.md: the hostUsers/Unmasked check

Verdict admission_verdict(const std::optional<Refusal>& expected, bool refused, const CellRun& run,
                          PodSecurityLevel level, const ClusterExpect& c) {
  Verdict v;
  v.check = kAdmissionCheck;
  v.path = cat({"Pod admission in a ", to_string(level), " namespace (", c.policy.label(), ", server ", c.server.str(), ")"});
  v.expected = expected ? "rejected" : "admitted";
  v.observed = refused ? "rejected" : "admitted";
  if (static_cast<bool>(expected) == refused) {
    v.result = VerdictResult::pass;
    v.why = refused ? cat({"refused as expected (", expected->by, "): ", run.reason}) : "admitted as expected";
    return v;
  }
  v.result = VerdictResult::fail;
  if (refused) {
    v.kind = FailKind::unexpectedly_closed;
    v.why = cat({"refused, but nothing should refuse it: ", run.reason});
  } else {
    v.kind = FailKind::unexpectedly_open;
    v.why = expected->by == "validation"
                ? cat({"API server did not enforce hostUsers false for Unmasked (", expected->reason, ")"})
                : cat({expected->by, " admitted a Pod it must refuse: ", expected->reason});
  }
  return v;
}

}  // namespace

std::optional<Refusal> expected_refusal(const Profile& profile, const Cell& cell, PodSecurityLevel level,
                                        const ClusterExpect& cluster) {
  if (const ApiReject* r = profile.api_reject(cell); r && cluster.server >= kValidationSince)
    return Refusal{"validation", r->reason};
  return pod_security_refuses(cell, level, cluster.policy.effective(cluster.server));
}

CellOutcome assess_kube(const ProfileSet& profiles, const HostLookup& host, const Cell& cell, CellRun run,
                        PodSecurityLevel level, const ClusterExpect& cluster, bool admitted) {
  CellOutcome out{cell, std::move(run), {}, false};
  const auto expected = expected_refusal(profiles.main(), cell, level, cluster);
  out.api_rejected = expected.has_value();
  const bool refused = out.run.status == CellStatus::rejected;
  if (refused || admitted || out.run.status == CellStatus::ran)
    out.verdicts.push_back(admission_verdict(expected, refused, out.run, level, cluster));
  if (out.run.status == CellStatus::ran) {
    auto observed = judge_cell(profiles, cell, out.run.observation, host);
    out.verdicts.insert(out.verdicts.end(), observed.begin(), observed.end());
  }
  return out;
}

}  // namespace procmatrix::harness
