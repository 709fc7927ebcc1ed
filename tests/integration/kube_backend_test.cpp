// `procmatrix run --backend kubernetes` end to end against a TEST DOUBLE of kubectl
// (fake-kubectl-test-double.py beside this file): no Kubernetes API server can run here. The
// double keeps its "cluster" in a temporary directory, fakes three nodes (one whose runtime
// handler has no user namespaces), emulates validation and Pod Security admission, and runs each
// Pod's container here under real runc with the real probe. What is tested is procmatrix's side:
// apply, wait, logs, refusals as observations, node fan-out and grouping, and cleanup (also after
// SIGINT). The real end-to-end run is the kind workflow (manifests/github/procmatrix-kind.yml).
#include <gtest/gtest.h>
#include <gmock/gmock.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "support.hpp"

namespace procmatrix::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::HasSubstr;

const std::string kDouble = std::string(TESTS_DATA_DIR) + "/../integration/fake-kubectl-test-double.py";

class KubeBackend : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!have_program("runc")) GTEST_SKIP() << "runc is not installed (the test double runs Pods with it)";
    if (!have_program("python3")) GTEST_SKIP() << "python3 is not installed (the test double is a Python script)";
    fs::permissions(dir_.path(), fs::perms(0755));  // the user-namespaced Pods' rootfs lies below
    env("FAKE_KUBECTL_STATE", (dir_.path() / "cluster").string());
    env("FAKE_KUBECTL_PROBE", PROCPROBE_BIN);
  }
  void TearDown() override {
    for (const auto& name : set_) ::unsetenv(name.c_str());
  }
  void env(const std::string& name, const std::string& value) {
    ::setenv(name.c_str(), value.c_str(), 1);
    set_.push_back(name);
  }
  std::vector<std::string> argv(std::vector<std::string> extra) {
    std::vector<std::string> a = {PROCMATRIX_BIN, "run", "--backend", "kubernetes", "--kubectl", kDouble,
                                  "--out", out().string(), "--no-color", "--timeout", "60", "--jobs", "4"};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }
  fs::path out() const { return dir_.path() / "out"; }
  json results() const { return json::parse(std::ifstream(out() / "results.json")); }
  // Whatever the double still holds: namespaces, Pods, runc containers.
  std::vector<std::string> leftovers() const {
    std::vector<std::string> left;
    const fs::path state = dir_.path() / "cluster";
    for (const char* sub : {"namespaces", "pods"})
      if (fs::exists(state / sub))
        for (const auto& e : fs::recursive_directory_iterator(state / sub)) left.push_back(e.path().string());
    auto list = run({"runc", "--root", (state / "runc").string(), "list", "-q"});
    if (!list.out.empty()) left.push_back("runc containers: " + list.out);
    return left;
  }

  TempDir dir_{"procmatrix-kube-test"};
  std::vector<std::string> set_;
};

const json* cell(const json& results, const std::string& id) {
  for (const auto& c : results["cells"])
    if (c["id"] == id) return &c;
  return nullptr;
}

const json* admission(const json& cell) {
  for (const auto& v : cell["verdicts"])
    if (v["check"] == "api.admission") return &v;
  return nullptr;
}

TEST_F(KubeBackend, SweepsNodesJudgesAdmissionAndCleansUp) {
  auto r = run(argv({"--nodes", "all", "--pod-security", "all"}), std::chrono::seconds(240));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  json res = results();
  EXPECT_EQ(res["run"]["backend"], "kubernetes");
  EXPECT_EQ(res["run"]["cluster"]["serverVersion"], "1.35");
  ASSERT_EQ(res["run"]["cluster"]["nodes"].size(), 3u);
  EXPECT_FALSE(res["run"]["cluster"]["nodes"][0]["kernel"].get<std::string>().empty());
  EXPECT_EQ(res["cells"].size(), 3u * 8u + 2u * 8u) << "8 cells per node, admission checks once per level";

  // A Pod per cell and node that ran, with the probe's own observation.
  const json* ran = cell(res, "default@fake-node-a/Default/unprivileged/userns");
  ASSERT_NE(ran, nullptr);
  EXPECT_EQ((*ran)["status"], "ran") << (*ran)["reason"];
  EXPECT_EQ((*ran)["observation"]["identity"]["user_namespace"], true);
  EXPECT_EQ((*ran)["spec"]["spec"]["nodeName"], "fake-node-a");

  // The node whose handler has no user namespaces: its hostUsers:false cells are skipped, named.
  const json* no_userns = cell(res, "default@fake-node-c/Default/unprivileged/userns");
  ASSERT_NE(no_userns, nullptr);
  EXPECT_EQ((*no_userns)["status"], "skipped");
  EXPECT_THAT((*no_userns)["reason"].get<std::string>(), HasSubstr("does not support user namespaces"));

  // Validation: Unmasked with host users is refused, and that refusal is a pass.
  const json* invalid = cell(res, "default@fake-node-b/Unmasked/unprivileged/hostUsers");
  ASSERT_NE(invalid, nullptr);
  EXPECT_EQ((*invalid)["status"], "rejected");
  EXPECT_THAT((*invalid)["reason"].get<std::string>(), HasSubstr("`hostUsers` must be false to use `Unmasked`"));
  ASSERT_NE(admission(*invalid), nullptr);
  EXPECT_EQ((*admission(*invalid))["result"], "pass");

  // Pod Security admission, checked by server-side dry runs in labelled namespaces.
  const std::map<std::string, std::string> expected = {
      {"default/Unmasked/unprivileged/userns/podsecurity=baseline", "admitted"},  // policy 1.35
      {"default/Unmasked/unprivileged/userns/podsecurity=restricted", "rejected"},
      {"default/Default/privileged/hostUsers/podsecurity=baseline", "rejected"},
      {"default/Default/unprivileged/hostUsers/podsecurity=restricted", "admitted"}};
  for (const auto& [id, observed] : expected) {
    const json* c = cell(res, id);
    ASSERT_NE(c, nullptr) << id;
    ASSERT_NE(admission(*c), nullptr) << id;
    EXPECT_EQ((*admission(*c))["observed"], observed) << id;
    EXPECT_EQ((*admission(*c))["result"], "pass") << id << ": " << (*admission(*c))["why"];
  }

  // Identical nodes grouped: a and b agree, c differs (its userns cells were skipped).
  const json& groups = res["run"]["node_groups"];
  ASSERT_EQ(groups.size(), 2u) << groups.dump(2);
  EXPECT_EQ(groups[0]["nodes"], json::parse(R"(["fake-node-a", "fake-node-b"])"));
  EXPECT_EQ(groups[1]["nodes"], json::parse(R"(["fake-node-c"])"));
  EXPECT_THAT(r.out, HasSubstr("Nodes: 2 nodes agree (fake-node-a, fake-node-b); 1 node differs:"));

  EXPECT_THAT(leftovers(), ::testing::IsEmpty());
}

TEST_F(KubeBackend, AnApiServerThatDoesNotValidateFails) {
  env("FAKE_KUBECTL_SKIP_VALIDATION", "1");
  auto r = run(argv({"--proc-mount", "Unmasked", "--privileged", "false", "--host-users", "true"}), std::chrono::seconds(120));
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const json res = results();
  const json* c = cell(res, "default/Unmasked/unprivileged/hostUsers");
  ASSERT_NE(c, nullptr);
  ASSERT_NE(admission(*c), nullptr);
  EXPECT_EQ((*admission(*c))["result"], "fail");
  EXPECT_EQ((*admission(*c))["kind"], "unexpectedly-open");
  EXPECT_THAT((*admission(*c))["why"].get<std::string>(), HasSubstr("API server did not enforce hostUsers false for Unmasked"));
  EXPECT_THAT(leftovers(), ::testing::IsEmpty());
}

TEST_F(KubeBackend, AnUnexpectedRefusalFails) {
  env("FAKE_KUBECTL_PSA_POLICY", "1.34");  // admission ignores enforce-version: latest on 1.35
  auto r = run(argv({"--proc-mount", "Unmasked", "--privileged", "false", "--host-users", "false",
                     "--pod-security", "baseline"}), std::chrono::seconds(120));
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const json res = results();
  const json* c = cell(res, "default/Unmasked/unprivileged/userns/podsecurity=baseline");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ((*c)["status"], "rejected");
  EXPECT_EQ((*admission(*c))["result"], "fail");
  EXPECT_EQ((*admission(*c))["kind"], "unexpectedly-closed");
  EXPECT_THAT(leftovers(), ::testing::IsEmpty());
}

TEST_F(KubeBackend, GatesOffBefore133SkipWithTheGateNamed) {
  env("FAKE_KUBECTL_VERSION", "1.31");
  auto r = run(argv({"--proc-mount", "Unmasked", "--privileged", "false", "--host-users", "false"}), std::chrono::seconds(120));
  const json res = results();
  const json* c = cell(res, "default/Unmasked/unprivileged/userns");
  ASSERT_NE(c, nullptr) << r.out << r.err;
  EXPECT_EQ((*c)["status"], "skipped");
  EXPECT_THAT((*c)["reason"].get<std::string>(), HasSubstr("feature gate ProcMountType off"));
  EXPECT_THAT(leftovers(), ::testing::IsEmpty());
}

TEST_F(KubeBackend, SigintStillDeletesEverything) {
  env("FAKE_KUBECTL_DELAY", "60");  // Pods stay Pending: the interrupt finds them there
  auto args = argv({"--nodes", "all"});
  pid_t pid = ::fork();
  if (pid == 0) {
    std::vector<char*> a;
    for (auto& s : args) a.push_back(s.data());
    a.push_back(nullptr);
    ::execv(a[0], a.data());
    ::_exit(127);
  }
  ASSERT_GT(pid, 0);
  const fs::path pods = dir_.path() / "cluster" / "pods";
  for (int i = 0; i < 300 && !(fs::exists(pods) && !fs::is_empty(pods)); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  ::kill(pid, SIGINT);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 128 + SIGINT);
  EXPECT_EQ(results()["run"]["interrupted"], "SIGINT");
  EXPECT_THAT(leftovers(), ::testing::IsEmpty());
}

}  // namespace
}  // namespace procmatrix::testing
