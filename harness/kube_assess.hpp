// A kubernetes cell's outcome: the API's answer judged first (an expected refusal is a pass, an
// unexpected one a fail, an admission of a Pod that must be refused a fail), then, for a Pod that
// ran, the probe's observation as the local backend judges it. The expectation of the API comes
// from the profile's api_rejects (validation; only from the version FACTS.md gives) and from Pod
// Security admission at the namespace's level and policy version (kube_admission).
#pragma once

#include <optional>

#include "kube_admission.hpp"
#include "outcome.hpp"

namespace procmatrix::harness {

// The check id of the admission verdict every answered kubernetes cell carries.
inline constexpr const char* kAdmissionCheck = "api.admission";

struct ClusterExpect {
  KubeVersion server;
  PolicyVersion policy;
};

// What the API should do with the cell's Pod in a namespace at `level`; nothing: admit it.
std::optional<Refusal> expected_refusal(const Profile& profile, const Cell& cell, PodSecurityLevel level,
                                        const ClusterExpect& cluster);

// `run.status` rejected: the API refused (reason: its message); skipped with `admitted` true: a
// dry run the API admitted; ran: a Pod that ran.
CellOutcome assess_kube(const ProfileSet& profiles, const HostLookup& host, const Cell& cell, CellRun run,
                        PodSecurityLevel level, const ClusterExpect& cluster, bool admitted);

}  // namespace procmatrix::harness
