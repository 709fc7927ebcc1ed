// What the API does with each cell, by version and Pod Security level: FACTS.md as a table.
#include <gtest/gtest.h>

#include "kube_admission.hpp"
#include "kube_assess.hpp"

namespace procmatrix::harness {
namespace {

Cell cell(ProcMount pm, bool privileged, bool host_users) {
  Cell c;
  c.runtime.name = "default";
  c.proc_mount = pm;
  c.privileged = privileged;
  c.host_users = host_users;
  return c;
}

TEST(KubeVersionText, Forms) {
  EXPECT_EQ(*parse_kube_version("1.35"), (KubeVersion{1, 35}));
  EXPECT_EQ(*parse_kube_version("v1.30.2"), (KubeVersion{1, 30}));
  EXPECT_EQ(*parse_kube_version("1.31+"), (KubeVersion{1, 31}));
  EXPECT_FALSE(parse_kube_version("one.two").ok());
  EXPECT_FALSE(parse_kube_version("135").ok());
  EXPECT_EQ(parse_policy_version("latest")->label(), "latest");
  EXPECT_EQ(parse_policy_version("v1.34")->label(), "v1.34");
  EXPECT_FALSE(parse_policy_version("1.34").ok()) << "the label's own form has the v";
}

TEST(KubeValidation, UnmaskedNeedsHostUsersFalseSince130) {
  auto unmasked_host = cell(ProcMount::Unmasked, false, true);
  EXPECT_FALSE(validation_refuses(unmasked_host, {1, 29}).has_value());
  ASSERT_TRUE(validation_refuses(unmasked_host, {1, 30}).has_value());
  EXPECT_FALSE(validation_refuses(cell(ProcMount::Unmasked, false, false), {1, 35}).has_value());
  EXPECT_FALSE(validation_refuses(cell(ProcMount::Default, true, true), {1, 35}).has_value());
}

struct AdmissionRow {
  ProcMount pm;
  bool privileged, host_users;
  PodSecurityLevel level;
  KubeVersion policy;
  bool refused;
};

TEST(KubePodSecurity, TheTableOfFacts) {
  using L = PodSecurityLevel;
  const ProcMount D = ProcMount::Default, U = ProcMount::Unmasked;
  const AdmissionRow rows[] = {
      {U, false, true, L::privileged, {1, 35}, false},  // privileged: no procMount check
      {U, false, false, L::baseline, {1, 34}, true},    // before 1.35 baseline forbids Unmasked
      {U, false, false, L::baseline, {1, 35}, false},   // from 1.35 allowed with hostUsers false
      {U, false, true, L::baseline, {1, 35}, true},     // but not with host users
      {U, false, false, L::restricted, {1, 35}, true},  // restricted always forbids it
      {D, true, true, L::baseline, {1, 35}, true},      // privileged containers
      {D, false, true, L::baseline, {1, 35}, false},
      {D, false, false, L::restricted, {1, 35}, false},
  };
  for (const auto& r : rows)
    EXPECT_EQ(pod_security_refuses(cell(r.pm, r.privileged, r.host_users), r.level, r.policy).has_value(), r.refused)
        << to_string(r.pm) << " priv=" << r.privileged << " hostUsers=" << r.host_users << " at "
        << to_string(r.level) << ":v" << r.policy.str();
}

TEST(KubePodSecurity, LatestFollowsTheServer) {
  PolicyVersion latest;
  auto c = cell(ProcMount::Unmasked, false, false);
  EXPECT_TRUE(api_refuses(c, PodSecurityLevel::baseline, {1, 34}, latest).has_value());
  EXPECT_FALSE(api_refuses(c, PodSecurityLevel::baseline, {1, 35}, latest).has_value());
  EXPECT_TRUE(api_refuses(c, PodSecurityLevel::baseline, {1, 36}, PolicyVersion{KubeVersion{1, 34}}).has_value())
      << "a namespace pinned to an older enforce-version keeps the old rule";
}

TEST(KubeGates, OnByDefaultSince133) {
  EXPECT_FALSE(gate_on_by_default("procMount", {1, 32}));
  EXPECT_TRUE(gate_on_by_default("procMount", {1, 33}));
  EXPECT_FALSE(gate_on_by_default("hostUsers", {1, 30}));
  EXPECT_EQ(gate_for("procMount")->gate, "ProcMountType");
}

}  // namespace
}  // namespace procmatrix::harness
