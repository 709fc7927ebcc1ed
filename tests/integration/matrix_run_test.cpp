// `procmatrix run` end to end: the real binary, the real probe, real runc containers on this
// kernel. The expectations are FACTS.md's: Default masks keys, timer_list and acpi and makes bus,
// fs, irq and sys read-only; Unmasked with a user namespace lifts them and lets a nested proc
// mount work; Default blocks it; Unmasked with hostUsers true is marked rejected by the API.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "support.hpp"

namespace procmatrix::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::HasSubstr;

json read_json(const fs::path& p) {
  std::ifstream in(p);
  return json::parse(in);
}

ProcessResult procmatrix(std::vector<std::string> args) {
  args.insert(args.begin(), {PROCMATRIX_BIN, "run"});
  args.insert(args.end(), {"--probe", PROCPROBE_BIN, "--no-color"});
  return run(args, std::chrono::seconds(240));
}

const json& cell(const json& results, const std::string& id) {
  for (const auto& c : results["cells"])
    if (c["id"] == id) return c;
  static const json none;
  ADD_FAILURE() << "no cell " << id;
  return none;
}

const json& verdict(const json& c, const std::string& check) {
  for (const auto& v : c["verdicts"])
    if (v["check"] == check) return v;
  static const json none = json::object();
  ADD_FAILURE() << "no verdict " << check << " in " << c["id"];
  return none;
}

void expect_verdict(const json& c, const std::string& check, const std::string& observed) {
  const json& v = verdict(c, check);
  EXPECT_EQ(v.value("observed", ""), observed) << c["id"] << " " << check << ": " << v.value("why", "");
  EXPECT_EQ(v.value("result", ""), "pass") << c["id"] << " " << check << ": " << v.value("why", "");
}

TEST(MatrixRun, EightRuncCellsGiveTheExpectedVerdicts) {
  REQUIRE_ROOT_AND_RUNC();
  TempDir out("procmatrix-run");
  ProcessResult r = procmatrix({"--runtime", "runc", "--out", out.path().string()});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  json results = read_json(out.path() / "results.json");
  EXPECT_EQ(results["schema"], "procmatrix.results/v1");
  ASSERT_EQ(results["cells"].size(), 8u);
  EXPECT_EQ(results["summary"]["fail"], 0);
  EXPECT_EQ(results["summary"]["error"], 0);

  for (const char* id : {"runc/Default/unprivileged/hostUsers", "runc/Default/unprivileged/userns"}) {
    const json& c = cell(results, id);
    EXPECT_EQ(c["status"], "ran");
    for (const char* masked : {"proc.keys", "proc.timer_list", "proc.acpi"}) expect_verdict(c, masked, "masked");
    for (const char* ro : {"proc.bus", "proc.fs", "proc.irq", "proc.sys"}) expect_verdict(c, ro, "readonly");
    expect_verdict(c, "nesting.proc_mount", "EPERM");
    // This kernel lacks some of kubelet's paths: an absent path is n/a, never a pass.
    for (const char* absent : {"kcore", "sysrq-trigger", "scsi", "sched_debug"}) {
      if (fs::exists(std::string("/proc/") + absent)) continue;
      EXPECT_EQ(verdict(c, std::string("proc.") + absent)["result"], "n/a") << absent;
    }
  }
  const json& unmasked = cell(results, "runc/Unmasked/unprivileged/userns");
  EXPECT_EQ(unmasked["status"], "ran");
  for (const char* id : {"proc.keys", "proc.timer_list", "proc.acpi"})
    EXPECT_NE(verdict(unmasked, id)["observed"], "masked") << id;
  EXPECT_EQ(verdict(unmasked, "proc.keys")["result"], "pass");
  expect_verdict(unmasked, "nesting.proc_mount", "ok");
  expect_verdict(unmasked, "identity.user_namespace", "yes");

  for (const char* id : {"runc/Unmasked/unprivileged/hostUsers", "runc/Unmasked/privileged/hostUsers"}) {
    const json& c = cell(results, id);
    EXPECT_EQ(c["status"], "rejected") << id;
    EXPECT_TRUE(c["api_rejected"].get<bool>());
    EXPECT_THAT(c["reason"].get<std::string>(), HasSubstr("`hostUsers` must be false to use `Unmasked`"));
    EXPECT_FALSE(c["observation"].is_null());
    for (const auto& v : c["verdicts"]) EXPECT_EQ(v["result"], "n/a") << v["check"];
  }
  EXPECT_THAT(r.out, HasSubstr("⊘ rejected by the API"));
  EXPECT_EQ(r.out.find('\033'), std::string::npos);
}

TEST(MatrixRun, ARuntimeThatDropsTheMasksIsUnexpectedlyOpen) {
  REQUIRE_ROOT_AND_RUNC();
  TempDir dir("procmatrix-broken");
  fs::path broken = kRuncWithoutMasks;
  ProcessResult r = procmatrix({"--runtime", "brokenrunc=" + broken.string(), "--proc-mount", "Default",
                                "--privileged", "false", "--out", (dir.path() / "out").string()});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("unexpectedly-open"));
  EXPECT_THAT(r.err, HasSubstr("failed"));
  json results = read_json(dir.path() / "out" / "results.json");
  ASSERT_EQ(results["cells"].size(), 2u);
  for (const auto& c : results["cells"]) {
    const json& keys = verdict(c, "proc.keys");
    EXPECT_EQ(keys["result"], "fail") << c["id"];
    EXPECT_EQ(keys["kind"], "unexpectedly-open") << c["id"];
    EXPECT_THAT(keys["why"].get<std::string>(), HasSubstr("expected masked"));
    EXPECT_EQ(verdict(c, "proc.sys")["kind"], "unexpectedly-open") << c["id"];
  }
}

TEST(MatrixRun, BadMatrixFileExitsTwoNamingFileFieldAndValue) {
  TempDir dir("procmatrix-badmatrix");
  fs::path file = dir.path() / "matrix.json";
  std::ofstream(file) << R"({"runtimes": ["runc"], "procMount": ["Default", "unmasked"]})";
  ProcessResult r = procmatrix({"--matrix", file.string(), "--out", (dir.path() / "out").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr(file.string()));
  EXPECT_THAT(r.err, HasSubstr("procMount[1]"));
  EXPECT_THAT(r.err, HasSubstr("\"unmasked\""));
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_FALSE(fs::exists(dir.path() / "out"));
}

TEST(MatrixRun, ANamedRuntimeThatDoesNotExistExitsTwo) {
  ProcessResult r = procmatrix({"--runtime", "mycrun=/nonexistent/crun"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("/nonexistent/crun"));
}

}  // namespace
}  // namespace procmatrix::testing
