// kubectl's output parsed: tests/data/kubectl/ holds the real formats, written by hand (its
// README says so: no API server runs here).
#include <gtest/gtest.h>
#include <gmock/gmock.h>

#include <fstream>
#include <sstream>

#include "kube_parse.hpp"

namespace procmatrix::harness {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string data(const std::string& name) {
  std::ifstream in(std::string(TESTS_DATA_DIR) + "/kubectl/" + name);
  EXPECT_TRUE(in) << name;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(KubeVersionJson, ServerVersionOfKindAndOfAManagedCluster) {
  auto v = parse_server_version(data("version.json"));
  ASSERT_TRUE(v.ok()) << v.error().message();
  EXPECT_EQ(*v, (KubeVersion{1, 35}));
  auto managed = parse_server_version(data("version-managed.json"));
  ASSERT_TRUE(managed.ok()) << managed.error().message();
  EXPECT_EQ(*managed, (KubeVersion{1, 30})) << "minor \"30+\"";
}

TEST(KubeVersionJson, NoServerIsAnErrorThatSaysSo) {
  auto v = parse_server_version(data("version-no-server.json"));
  ASSERT_FALSE(v.ok());
  EXPECT_THAT(v.error().message(), HasSubstr("no serverVersion"));
  EXPECT_FALSE(parse_server_version("not json").ok());
}

TEST(KubeNodesJson, ProvenanceAndUserNamespaceSupportPerHandler) {
  auto nodes = parse_nodes(data("nodes.json"));
  ASSERT_TRUE(nodes.ok()) << nodes.error().message();
  ASSERT_EQ(nodes->size(), 3u);
  const NodeInfo& cp = (*nodes)[0];  // sorted by name
  const NodeInfo& worker = (*nodes)[1];
  const NodeInfo& old = (*nodes)[2];
  EXPECT_EQ(cp.name, "kind-control-plane");
  EXPECT_EQ(worker.name, "kind-worker");
  EXPECT_EQ(worker.kernel, "6.8.0-90-generic");
  EXPECT_EQ(worker.os_image, "Debian GNU/Linux 12 (bookworm)");
  EXPECT_EQ(worker.container_runtime, "containerd://2.2.0");
  EXPECT_EQ(worker.kubelet, "v1.35.0");
  EXPECT_TRUE(worker.ready);
  EXPECT_EQ(worker.userns("default"), true) << "the default handler is named \"\"";
  EXPECT_EQ(worker.userns("gvisor"), false);
  EXPECT_EQ(worker.userns("kata"), false) << "a handler the node lacks cannot give one";
  EXPECT_EQ(cp.userns("default"), false);
  EXPECT_EQ(old.userns("default"), std::nullopt) << "a 1.29 kubelet reports no runtimeHandlers";
  EXPECT_FALSE(old.ready);
  EXPECT_EQ(old.arch, "arm64");
  json p = worker.provenance();
  EXPECT_EQ(p["runtimeHandlers"]["(default)"]["userNamespaces"], true);
  EXPECT_TRUE(old.provenance()["runtimeHandlers"].is_null());
}

TEST(KubePodJson, Succeeded) {
  auto s = parse_pod(data("pod-succeeded.json"));
  ASSERT_TRUE(s.ok()) << s.error().message();
  EXPECT_EQ(s->phase, PodPhase::succeeded);
  EXPECT_EQ(s->node, "kind-worker");
  EXPECT_EQ(s->exit_code, 0);
  EXPECT_FALSE(s->hopeless);
}

TEST(KubePodJson, ImagePullIsHopelessWithKubeletsMessage) {
  auto s = parse_pod(data("pod-imagepull.json"));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->phase, PodPhase::pending);
  EXPECT_TRUE(s->hopeless);
  EXPECT_THAT(s->reason, StartsWith("ErrImagePull: failed to pull and unpack image"));
}

TEST(KubePodJson, UnschedulableSaysWhy) {
  auto s = parse_pod(data("pod-unschedulable.json"));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->phase, PodPhase::pending);
  EXPECT_FALSE(s->hopeless) << "the scheduler may still place it: wait for the timeout";
  EXPECT_THAT(s->reason, StartsWith("Unschedulable: 0/3 nodes are available"));
}

TEST(KubePodJson, FieldsDroppedByAServerWithTheGatesOff) {
  json sent = json::parse(R"({"spec": {"hostUsers": false, "containers": [{"securityContext": {"procMount": "Unmasked"}}]}})");
  EXPECT_EQ(dropped_fields(sent, json::parse(data("pod-stored-gate-off.json"))),
            (std::vector<std::string>{"procMount", "hostUsers"}));
  EXPECT_TRUE(dropped_fields(sent, sent).empty());
  json default_sent = json::parse(R"({"spec": {"hostUsers": true, "containers": [{"securityContext": {"procMount": "Default"}}]}})");
  EXPECT_TRUE(dropped_fields(default_sent, json::parse(data("pod-stored-gate-off.json"))).empty())
      << "Default stored as absent is the same Pod";
}

TEST(KubeEventsJson, WarningsNewestLast) {
  auto w = warning_events(data("events.json"));
  ASSERT_EQ(w.size(), 2u);
  EXPECT_THAT(w[0], StartsWith("Failed: Failed to pull image"));
  EXPECT_THAT(w[1], StartsWith("BackOff: Back-off pulling image"));
  EXPECT_TRUE(warning_events("garbage").empty());
}

TEST(KubeRefusal, PodSecurityForbidden) {
  auto r = parse_refusal(data("create-forbidden.txt"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->kind, RefusalKind::forbidden);
  EXPECT_THAT(r->message, StartsWith("pods \"pm-3fa2c1-default-unmasked-unpriv-userns\" is forbidden: violates PodSecurity \"restricted:latest\": procMount"));
  EXPECT_EQ(r->message.find('\n'), std::string::npos);
}

TEST(KubeRefusal, ValidationInvalid) {
  auto r = parse_refusal(data("create-invalid.txt"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->kind, RefusalKind::invalid);
  EXPECT_THAT(r->message, StartsWith("The Pod \"pm-3fa2c1-default-unmasked-unpriv-hostusers\" is invalid: spec.containers[0]"));
  EXPECT_THAT(r->message, HasSubstr("`hostUsers` must be false to use `Unmasked`"));
}

TEST(KubeRefusal, OtherFailuresAreNotRefusalsOfTheCell) {
  EXPECT_FALSE(parse_refusal(data("create-no-namespace.txt")).has_value());
  EXPECT_FALSE(parse_refusal("Error from server (Forbidden): pods is forbidden: User \"x\" cannot create resource \"pods\"").has_value())
      << "RBAC says nothing about the cell";
  EXPECT_FALSE(parse_refusal("The connection to the server localhost:8080 was refused").has_value());
}

}  // namespace
}  // namespace procmatrix::harness
