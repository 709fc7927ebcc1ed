// The Kubernetes objects of the matrix: golden YAML (tests/data/golden/manifests-*.yaml;
// PROCMATRIX_REGEN_GOLDEN=1 rewrites them, then review the diff), and the properties the backend
// relies on, checked on the objects themselves.
#include <gtest/gtest.h>
#include <gmock/gmock.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "kube_manifests.hpp"
#include "kube_options.hpp"
#include "kube_yaml.hpp"

namespace procmatrix::harness {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

std::string golden_path(const std::string& name) {
  return std::string(TESTS_DATA_DIR) + "/golden/manifests-" + name + ".yaml";
}

void expect_golden(const std::string& name, const std::string& text) {
  const std::string path = golden_path(name);
  if (const char* regen = std::getenv("PROCMATRIX_REGEN_GOLDEN"); regen && *regen == '1') {
    std::ofstream(path) << text;
    GTEST_SKIP() << "rewrote " << path;
  }
  std::ifstream in(path);
  ASSERT_TRUE(in) << path << " is missing; PROCMATRIX_REGEN_GOLDEN=1 makes it";
  std::stringstream want;
  want << in.rdbuf();
  EXPECT_EQ(text, want.str()) << "differs from " << path << " (PROCMATRIX_REGEN_GOLDEN=1 rewrites it)";
}

MatrixSpec all8() { return MatrixSpec{}; }

ManifestOptions fixed(std::vector<PodSecurityLevel> levels = {}) {
  ManifestOptions o;
  o.image = "ghcr.io/procmatrix/procprobe:0.1.0";  // not the build's version: goldens stay put
  o.run_id = "golden";
  o.admission_levels = std::move(levels);
  return o;
}

TEST(KubeManifests, GoldenEightCells) {
  auto o = fixed();
  expect_golden("default", render_manifests_yaml(plan_manifests(kube_cells(all8(), {}), o), o));
}

TEST(KubeManifests, GoldenAllPodSecurityLevelsPinnedTo135) {
  auto o = fixed({PodSecurityLevel::baseline, PodSecurityLevel::restricted});
  o.policy = PolicyVersion{KubeVersion{1, 35}};
  o.policy_assumed = KubeVersion{1, 35};
  expect_golden("pod-security-all", render_manifests_yaml(plan_manifests(kube_cells(all8(), {}), o), o));
}

TEST(KubeManifests, GoldenNodeSweepWithRuntimeClass) {
  MatrixSpec spec;
  spec.proc_mounts = {ProcMount::Unmasked};
  spec.host_users = {false};
  auto o = fixed();
  auto cells = fan_out(kube_cells(spec, {"gvisor"}), {"kind-worker", "kind-worker2"});
  expect_golden("sweep", render_manifests_yaml(plan_manifests(cells, o), o));
}

TEST(KubeManifests, SameInputSameBytes) {
  auto o = fixed({PodSecurityLevel::baseline});
  auto cells = kube_cells(all8(), {});
  EXPECT_EQ(render_manifests_yaml(plan_manifests(cells, o), o), render_manifests_yaml(plan_manifests(cells, o), o));
}

TEST(KubeManifests, EveryPodHasWhatTheBackendRelies) {
  auto o = fixed({PodSecurityLevel::baseline, PodSecurityLevel::restricted});
  auto plan = plan_manifests(fan_out(kube_cells(all8(), {}), {"n1", "n2"}), o);
  ASSERT_EQ(plan.pods.size(), 16u + 8u + 8u);  // per node; admission checks once per cell
  std::set<std::string> keys;
  for (const auto& p : plan.pods) {
    const json& spec = p.object["spec"];
    const json& sc = spec["containers"][0]["securityContext"];
    EXPECT_EQ(sc["procMount"], to_string(p.cell.proc_mount));
    EXPECT_EQ(sc["privileged"], p.cell.privileged);
    EXPECT_EQ(spec["hostUsers"], p.cell.host_users) << "hostUsers is a Pod field, not a container's";
    EXPECT_EQ(spec["automountServiceAccountToken"], false);
    EXPECT_EQ(spec["restartPolicy"], "Never");
    EXPECT_EQ(spec["tolerations"], json::parse(R"([{"operator": "Exists"}])"));
    EXPECT_TRUE(spec["containers"][0]["resources"].contains("requests"));
    EXPECT_EQ(p.object["metadata"]["labels"]["procmatrix.io/run"], "golden");
    EXPECT_LE(p.object["metadata"]["labels"]["procmatrix.io/cell"].get<std::string>().size(), 63u);
    EXPECT_EQ(spec.contains("nodeName"), p.cell.pod_security.empty()) << p.cell.id();
    EXPECT_TRUE(keys.insert(p.ns + "/" + p.name).second) << "two Pods named " << p.name;
  }
}

TEST(KubeManifests, RunNamespaceLevelIsTheLowestThatAdmitsEveryCell) {
  MatrixSpec plain;
  plain.proc_mounts = {ProcMount::Default};
  plain.privileged = {false};
  EXPECT_EQ(plan_manifests(kube_cells(plain, {}), fixed()).namespaces[0].level, PodSecurityLevel::baseline);
  EXPECT_EQ(plan_manifests(kube_cells(all8(), {}), fixed()).namespaces[0].level, PodSecurityLevel::privileged);
  MatrixSpec userns_unmasked;
  userns_unmasked.proc_mounts = {ProcMount::Unmasked};
  userns_unmasked.privileged = {false};
  userns_unmasked.host_users = {false};
  auto o = fixed();
  EXPECT_EQ(plan_manifests(kube_cells(userns_unmasked, {}), o).namespaces[0].level, PodSecurityLevel::privileged)
      << "latest is unknown offline: assume a policy before 1.35";
  o.policy_assumed = {1, 35};
  EXPECT_EQ(plan_manifests(kube_cells(userns_unmasked, {}), o).namespaces[0].level, PodSecurityLevel::baseline);
}

TEST(KubeManifests, RestrictedPodsMeetEveryRestrictedCheckButTheCells) {
  auto plan = plan_manifests(kube_cells(all8(), {}), fixed({PodSecurityLevel::restricted}));
  for (const auto& p : plan.pods) {
    if (p.level != PodSecurityLevel::restricted) continue;
    const json& sc = p.object["spec"]["containers"][0]["securityContext"];
    EXPECT_EQ(sc["runAsNonRoot"], true);
    EXPECT_EQ(sc["seccompProfile"]["type"], "RuntimeDefault");
    EXPECT_EQ(sc["capabilities"]["drop"], json::parse(R"(["ALL"])"));
    // allowPrivilegeEscalation false beside privileged true is invalid: validation would
    // refuse the Pod before admission looked at it.
    EXPECT_EQ(sc.contains("allowPrivilegeEscalation"), !p.cell.privileged);
  }
}

TEST(KubeManifests, NamesAreDns1123AndLabelsFit) {
  Cell c;
  c.runtime.name = "Kata_QEMU";
  c.node = std::string(80, 'N') + ".example.com";
  c.proc_mount = ProcMount::Unmasked;
  std::string name = pod_name(c, "run1");
  EXPECT_LE(name.size(), 253u);
  for (char ch : name) EXPECT_TRUE((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-') << name;
  std::string label = cell_label(c);
  EXPECT_LE(label.size(), 63u);
  EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(label.back())));
}

TEST(KubeYaml, QuotesWhatYamlWouldReadAsSomethingElse) {
  json doc = {{"a", "true"}, {"b", "1.30"}, {"c", "x: y"}, {"d", "-x"}, {"e", "plain-text_1.2/x"},
              {"f", true}, {"g", 3}, {"h", json::array()}, {"i", "No"}, {"j", ""}};
  EXPECT_EQ(to_yaml(doc),
            "a: \"true\"\nb: \"1.30\"\nc: \"x: y\"\nd: \"-x\"\ne: plain-text_1.2/x\nf: true\ng: 3\nh: []\n"
            "i: \"No\"\nj: \"\"\n");
}

TEST(KubeYaml, NestsListsOfObjectsAsKubectlDoes) {
  json doc = json::parse(R"({"l": [{"a": 1, "b": {"c": [1, 2]}}, "s"]})");
  EXPECT_EQ(to_yaml(doc), "l:\n- a: 1\n  b:\n    c:\n    - 1\n    - 2\n- s\n");
}

}  // namespace
}  // namespace procmatrix::harness
