// The kubernetes flags: taken out before `run`'s own parser, checked one line per mistake.
#include <gtest/gtest.h>
#include <gmock/gmock.h>

#include "cli.hpp"
#include "kube_manifests.hpp"
#include "kube_options.hpp"

namespace procmatrix::harness {
namespace {

using ::testing::HasSubstr;

TEST(KubeFlags, TakenOutLeavingTheRunFlags) {
  KubeOptions k;
  auto rest = take_kube_flags({"--backend", "kubernetes", "--context", "kind-procmatrix", "--nodes=all",
                               "--jobs", "8", "--runtime-class", "gvisor,kata", "--pod-security", "all",
                               "--policy-version", "v1.35", "--keep", "--kubectl", "/opt/kubectl"},
                              k);
  ASSERT_TRUE(rest.ok()) << rest.error().message();
  EXPECT_EQ(*rest, (std::vector<std::string>{"--backend", "kubernetes", "--jobs", "8"}));
  EXPECT_EQ(k.context, "kind-procmatrix");
  EXPECT_EQ(k.nodes, "all");
  EXPECT_EQ(k.runtime_classes, (std::vector<std::string>{"gvisor", "kata"}));
  EXPECT_EQ(k.admission_levels, (std::vector<PodSecurityLevel>{PodSecurityLevel::baseline, PodSecurityLevel::restricted}));
  EXPECT_EQ(k.policy.label(), "v1.35");
  EXPECT_TRUE(k.keep);
  EXPECT_EQ(k.kubectl, "/opt/kubectl");
  EXPECT_EQ(k.image, default_probe_image());
}

TEST(KubeFlags, MistakesAreOneLineNamingTheFlag) {
  const std::pair<std::vector<std::string>, std::string> cases[] = {
      {{"--pod-security", "strict"}, "--pod-security: \"strict\""},
      {{"--policy-version", "1.35"}, "--policy-version: "},
      {{"--runtime-class", "default"}, "reserved"},
      {{"--context"}, "--context: needs a value"},
      {{"--image", ""}, "--image: \"\" is empty"},
      {{"--nodes", "a", "--nodes", "b"}, "--nodes: given twice"},
  };
  for (const auto& [args, says] : cases) {
    KubeOptions k;
    auto r = take_kube_flags(args, k);
    ASSERT_FALSE(r.ok()) << args[0];
    EXPECT_THAT(r.error().message(), HasSubstr(says));
  }
}

TEST(KubeFlags, OnlyWithTheKubernetesBackend) {
  EXPECT_EQ(cli_main({"run", "--context", "x"}), 2);
  EXPECT_EQ(cli_main({"manifests", "--jobs", "2"}), 2) << "run-only flags mean nothing to manifests";
  EXPECT_EQ(cli_main({"manifests", "--help"}), 0);
}

TEST(KubeCells, RuntimeClassesTimesTheMatrixTimesNodes) {
  auto cells = kube_cells(MatrixSpec{}, {"gvisor", "kata"});
  ASSERT_EQ(cells.size(), 16u);
  EXPECT_EQ(cells[0].id(), "gvisor/Default/unprivileged/hostUsers");
  EXPECT_EQ(cells[0].backend, "kubernetes");
  auto swept = fan_out(cells, {"n1", "n2", "n3"});
  ASSERT_EQ(swept.size(), 48u);
  EXPECT_EQ(swept[0].id(), "gvisor@n1/Default/unprivileged/hostUsers");
  EXPECT_EQ(kube_cells(MatrixSpec{}, {})[0].runtime.name, "default");
}

}  // namespace
}  // namespace procmatrix::harness
