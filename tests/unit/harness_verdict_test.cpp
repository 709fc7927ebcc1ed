// Verdict rules, table by table: for each expectation and observation, the result and the kind.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "verdict.hpp"

namespace procmatrix::harness {
namespace {

using ::testing::HasSubstr;
using nlohmann::json;
using R = VerdictResult;
using K = FailKind;

json path_entry(const std::string& state, bool ro_mount = false, const std::string& defect = "") {
  return {{"id", "proc.keys"}, {"path", "/proc/keys"}, {"state", state},
          {"mask", state == "masked" ? "devnull" : "none"}, {"kind", "file"},
          {"mount", {{"mount_point", "/proc"}, {"fstype", "proc"}, {"source", "proc"},
                     {"options", ro_mount ? "ro,nosuid" : "rw,nosuid"}, {"exact", false}, {"read_only", ro_mount}}},
          {"read", {{"ok", state != "denied"}, {"errno", state == "denied" ? json("EACCES") : json(nullptr)}}},
          {"write", {{"ok", state == "writable"}, {"errno", state == "writable" ? json(nullptr) : json("EACCES")}}},
          {"mask_defect", defect.empty() ? json(nullptr) : json(defect)}, {"details", json::object()}};
}

struct PathCase {
  Expect expect;
  const char* state;
  R result;
  K kind;
};

TEST(JudgePath, EveryExpectationAgainstEveryState) {
  const PathCase cases[] = {
      {Expect::masked, "masked", R::pass, K::none},
      {Expect::masked, "readable", R::fail, K::unexpectedly_open},
      {Expect::masked, "writable", R::fail, K::unexpectedly_open},
      {Expect::masked, "readonly", R::fail, K::unexpectedly_open},
      {Expect::masked, "denied", R::fail, K::unexpectedly_open},
      {Expect::masked, "absent", R::na, K::none},
      {Expect::not_masked, "readable", R::pass, K::none},
      {Expect::not_masked, "denied", R::pass, K::none},
      {Expect::not_masked, "masked", R::fail, K::unexpectedly_closed},
      {Expect::not_masked, "absent", R::na, K::none},
      {Expect::readonly, "readonly", R::pass, K::none},
      {Expect::readonly, "masked", R::fail, K::unexpectedly_closed},
      {Expect::readonly, "readable", R::fail, K::unexpectedly_open},
      {Expect::readonly, "writable", R::fail, K::unexpectedly_open},
      {Expect::not_readonly, "readable", R::pass, K::none},
      {Expect::not_readonly, "writable", R::pass, K::none},
      {Expect::not_readonly, "readonly", R::fail, K::unexpectedly_closed},
      {Expect::not_readonly, "masked", R::fail, K::unexpectedly_closed},
      {Expect::not_writable, "readable", R::pass, K::none},
      {Expect::not_writable, "readonly", R::pass, K::none},
      {Expect::not_writable, "masked", R::pass, K::none},
      {Expect::not_writable, "writable", R::fail, K::unexpectedly_open},
      {Expect::writable, "writable", R::pass, K::none},
      {Expect::writable, "readonly", R::fail, K::unexpectedly_closed},
      {Expect::absent, "absent", R::pass, K::none},
      {Expect::absent, "masked", R::fail, K::unexpectedly_open},
      {Expect::absent_or_masked, "masked", R::pass, K::none},
      {Expect::absent_or_masked, "absent", R::pass, K::none},
      {Expect::absent_or_masked, "readable", R::fail, K::unexpectedly_open},
      {Expect::any, "writable", R::pass, K::none},
      {Expect::any, "absent", R::na, K::none},
  };
  for (const auto& c : cases) {
    Verdict v = judge_path(c.expect, "because", path_entry(c.state));
    EXPECT_EQ(v.result, c.result) << to_string(c.expect) << " vs " << c.state << ": " << v.why;
    EXPECT_EQ(v.kind, c.kind) << to_string(c.expect) << " vs " << c.state;
    EXPECT_EQ(v.observed, c.state);
    EXPECT_EQ(v.expected, to_string(c.expect));
  }
}

TEST(JudgePath, ReadableOnAReadOnlyMountCountsAsReadOnly) {
  // In a user namespace open(O_WRONLY) meets EACCES before EROFS.
  EXPECT_EQ(judge_path(Expect::readonly, "b", path_entry("readable", true)).result, R::pass);
  EXPECT_EQ(judge_path(Expect::not_readonly, "b", path_entry("denied", true)).kind, K::unexpectedly_closed);
}

TEST(JudgePath, AnUnsoundMaskIsUnexpectedlyOpen) {
  Verdict v = judge_path(Expect::masked, "b", path_entry("masked", false, "char device 1:5, not 1:3"));
  EXPECT_EQ(v.result, R::fail);
  EXPECT_EQ(v.kind, K::unexpectedly_open);
  EXPECT_THAT(v.why, HasSubstr("char device 1:5"));
}

TEST(JudgePath, WhySaysWhatItMeansWithTheEvidence) {
  Verdict v = judge_path(Expect::masked, "kubelet's maskedPaths", path_entry("readable"));
  EXPECT_EQ(v.why, "/proc/keys is readable (open O_RDONLY ok, O_WRONLY EACCES), expected masked: "
                   "kubelet's maskedPaths; mount: proc on /proc (rw,nosuid)");
  EXPECT_THAT(judge_path(Expect::masked, "b", path_entry("absent")).why, HasSubstr("does not exist"));
}

TEST(JudgePath, AnEntryWithoutStateIsAnError) {
  EXPECT_EQ(judge_path(Expect::masked, "b", json{{"id", "proc.keys"}}).result, R::error);
  EXPECT_EQ(judge_path(Expect::masked, "b", json("garbage")).result, R::error);
}

json device_entry(const std::string& state) {
  return {{"id", "dev.net.tun"}, {"path", "/dev/net/tun"}, {"state", state}, {"kind", "chardev"},
          {"open_rw", {{"ok", state == "usable"}, {"errno", state == "usable" ? json(nullptr) : json("EPERM")}}},
          {"query", {{"name", "TUNGETFEATURES"}, {"result", {{"ok", true}, {"errno", nullptr}}}, {"value", "0x7133"}}}};
}

TEST(JudgeDevice, EveryExpectationAgainstEveryState) {
  HostLookup host_has{[](const std::string&) { return true; }};
  HostLookup host_lacks{[](const std::string&) { return false; }};
  struct Case {
    Expect expect;
    const char* state;
    const HostLookup* host;
    R result;
    K kind;
  };
  const Case cases[] = {
      {Expect::usable, "usable", &host_has, R::pass, K::none},
      {Expect::usable, "denied", &host_has, R::fail, K::unexpectedly_closed},
      {Expect::usable, "absent", &host_has, R::fail, K::unexpectedly_closed},
      {Expect::usable, "absent", &host_lacks, R::na, K::none},
      {Expect::not_usable, "absent", &host_has, R::pass, K::none},
      {Expect::not_usable, "denied", &host_has, R::pass, K::none},
      {Expect::not_usable, "usable", &host_has, R::fail, K::unexpectedly_open},
      {Expect::any, "usable", &host_has, R::pass, K::none},
      {Expect::any, "absent", &host_has, R::na, K::none},
  };
  for (const auto& c : cases) {
    Verdict v = judge_device(c.expect, "b", device_entry(c.state), *c.host);
    EXPECT_EQ(v.result, c.result) << to_string(c.expect) << " vs " << c.state << ": " << v.why;
    EXPECT_EQ(v.kind, c.kind) << to_string(c.expect) << " vs " << c.state;
  }
  EXPECT_THAT(judge_device(Expect::not_usable, "b", device_entry("usable"), host_has).why,
              HasSubstr("TUNGETFEATURES 0x7133"));
}

json nesting_with(json step) { return {{"proc_mount", std::move(step)}}; }

TEST(JudgeNesting, OkBlockedAndNotAttempted) {
  json ok = {{"ok", true}, {"errno", nullptr}, {"attempted", true}};
  json eperm = {{"ok", false}, {"errno", "EPERM"}, {"attempted", true}, {"call", "mount(proc)"}};
  json skipped = {{"ok", false}, {"errno", nullptr}, {"attempted", false}};
  struct Case {
    Expect expect;
    json* step;
    R result;
    K kind;
    const char* observed;
  };
  const Case cases[] = {
      {Expect::ok, &ok, R::pass, K::none, "ok"},
      {Expect::ok, &eperm, R::fail, K::unexpectedly_closed, "EPERM"},
      {Expect::ok, &skipped, R::fail, K::unexpectedly_closed, "not-attempted"},
      {Expect::blocked, &eperm, R::pass, K::none, "EPERM"},
      {Expect::blocked, &ok, R::fail, K::unexpectedly_open, "ok"},
      {Expect::blocked, &skipped, R::na, K::none, "not-attempted"},
      {Expect::any, &eperm, R::pass, K::none, "EPERM"},
  };
  for (const auto& c : cases) {
    Verdict v = judge_nesting(c.expect, "b", "proc_mount", nesting_with(*c.step));
    EXPECT_EQ(v.result, c.result) << to_string(c.expect) << " vs " << c.observed << ": " << v.why;
    EXPECT_EQ(v.kind, c.kind);
    EXPECT_EQ(v.observed, c.observed);
  }
  EXPECT_THAT(judge_nesting(Expect::ok, "b", "proc_mount", nesting_with(eperm)).why, HasSubstr("mount(proc) EPERM"));
  EXPECT_EQ(judge_nesting(Expect::ok, "b", "proc_mount", json::object()).result, R::error);
}

TEST(JudgeIdentity, FactsAndWhichWayIsOpen) {
  json host = {{"user_namespace", false}, {"capabilities", {{"effective", {"CAP_SYS_ADMIN"}}}}};
  json userns = {{"user_namespace", true}, {"capabilities", {{"effective", json::array()}}}};
  EXPECT_EQ(judge_identity(Expect::yes, "b", "user_namespace", userns).result, R::pass);
  // hostUsers false promised, the container is in the host's namespace: a security regression.
  EXPECT_EQ(judge_identity(Expect::yes, "b", "user_namespace", host).kind, K::unexpectedly_open);
  EXPECT_EQ(judge_identity(Expect::no, "b", "cap_sys_admin", host).kind, K::unexpectedly_open);
  EXPECT_EQ(judge_identity(Expect::yes, "b", "cap_sys_admin", userns).kind, K::unexpectedly_closed);
  EXPECT_EQ(judge_identity(Expect::no, "b", "cap_sys_admin", json::object()).result, R::error);
}

TEST(JudgeCell, MissingChecksAreErrorsAndNotCountedMarksNa) {
  auto set = ProfileSet::make(*builtin_profile("kubernetes"));
  ASSERT_TRUE(set.ok());
  Cell cell;
  cell.runtime.name = "runc";
  json observation = {{"paths", json::array({path_entry("readable")})}};
  auto verdicts = judge_cell(*set, cell, observation, HostLookup{});
  ASSERT_EQ(verdicts.size(), all_checks().size());
  EXPECT_EQ(verdicts[3].check, "proc.keys");
  EXPECT_EQ(verdicts[3].result, R::fail);
  EXPECT_EQ(verdicts[0].result, R::error);  // proc.asound: the probe said nothing
  EXPECT_THAT(verdicts[0].why, HasSubstr("reported nothing"));
  mark_not_counted(verdicts);
  for (const auto& v : verdicts) EXPECT_EQ(v.result, R::na);
  EXPECT_THAT(verdicts[3].why, HasSubstr("would fail (unexpectedly-open)"));
}

}  // namespace
}  // namespace procmatrix::harness
