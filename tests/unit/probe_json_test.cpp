// The probe's JSON is a contract (DESIGN.md, procmatrix.probe/v1): these tests pin its shape.
#include <gtest/gtest.h>

#include <cerrno>

#include "json_output.hpp"

namespace procmatrix::probe {
namespace {

Report sample_report() {
  Report r;
  r.version = "test";
  r.environment = {"6.1.0", "x86_64", "runc", "hybrid"};
  PathResult keys;
  keys.id = "proc.keys";
  keys.path = "/proc/keys";
  keys.state = PathState::masked;
  keys.mask = MaskKind::devnull;
  keys.kind = FileKind::chardev;
  keys.mount = MountRef{"/proc/keys", "tmpfs", "tmpfs", "rw,nosuid", true, false};
  keys.read = Attempt::success();
  keys.write = Attempt::failure(EACCES);
  r.paths = std::vector<PathResult>{keys};
  Identity id;
  id.uid_map = {{0, 100000, 65536}};
  id.user_namespace = true;
  id.capabilities.effective = {"CAP_CHOWN"};
  id.seccomp = "filter";
  r.identity = id;
  return r;
}

TEST(ProbeJson, CarriesTheSchemaAndVersion) {
  auto j = to_json(sample_report());
  EXPECT_EQ(j["schema"], "procmatrix.probe/v1");
  EXPECT_EQ(j["probe"]["version"], "test");
  EXPECT_EQ(j["environment"]["cgroup"], "hybrid");
}

TEST(ProbeJson, PathCarriesStateMaskMountAndErrnoNames) {
  auto p = to_json(sample_report())["paths"][0];
  EXPECT_EQ(p["id"], "proc.keys");
  EXPECT_EQ(p["state"], "masked");
  EXPECT_EQ(p["mask"], "devnull");
  EXPECT_EQ(p["mount"]["fstype"], "tmpfs");
  EXPECT_EQ(p["read"]["ok"], true);
  EXPECT_TRUE(p["read"]["errno"].is_null());
  EXPECT_EQ(p["write"]["errno"], "EACCES");
  EXPECT_TRUE(p["mask_defect"].is_null());
}

TEST(ProbeJson, UidMapIsAListOfTriples) {
  auto j = to_json(sample_report());
  EXPECT_EQ(j["identity"]["uid_map"], nlohmann::json::parse("[[0,100000,65536]]"));
  EXPECT_EQ(j["identity"]["capabilities"]["effective"][0], "CAP_CHOWN");
}

TEST(ProbeJson, FamiliesLeftOutByOnlyAreAbsentNotEmpty) {
  auto j = to_json(sample_report());
  EXPECT_FALSE(j.contains("devices"));
  EXPECT_FALSE(j.contains("nesting"));
  EXPECT_TRUE(j["findings"].is_array());
}

}  // namespace
}  // namespace procmatrix::probe
