// Profiles: every shipped one loads and decides every check in every cell; a bad one is refused
// with its file, field and value named.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "profile.hpp"

namespace procmatrix::harness {
namespace {

using ::testing::HasSubstr;

Cell make_cell(const std::string& runtime, ProcMount pm, bool priv, bool host) {
  Cell c;
  c.runtime.name = runtime;
  c.proc_mount = pm;
  c.privileged = priv;
  c.host_users = host;
  return c;
}

TEST(BuiltinProfiles, AllFiveShipAndLoad) {
  auto names = builtin_profile_names();
  for (const char* want : {"kubernetes", "kubernetes-crio", "docker", "podman", "gvisor"})
    EXPECT_NE(std::find(names.begin(), names.end(), want), names.end()) << want;
  for (const auto& name : names) {
    auto p = builtin_profile(name);
    ASSERT_TRUE(p.ok()) << p.error().message();
    EXPECT_EQ(p->name, name);  // the file name and the name inside agree
    EXPECT_FALSE(p->holds_for.empty()) << name;
    EXPECT_FALSE(p->sources.empty()) << name;
    EXPECT_TRUE(ProfileSet::make(*p).ok()) << name;
  }
}

TEST(BuiltinProfiles, UnknownNameListsTheKnownOnes) {
  auto p = builtin_profile("k8s");
  ASSERT_FALSE(p.ok());
  EXPECT_THAT(p.error().message(), HasSubstr("kubernetes-crio"));
}

TEST(KubernetesProfile, KeepsKep4265Promises) {
  auto set = ProfileSet::make(*builtin_profile("kubernetes"));
  ASSERT_TRUE(set.ok());
  auto expect = [&](const char* id, Cell c) { return set->expect(*find_check(id), c).expect; };
  using PM = ProcMount;
  EXPECT_EQ(expect("proc.keys", make_cell("runc", PM::Default, false, true)), Expect::masked);
  EXPECT_EQ(expect("proc.keys", make_cell("runc", PM::Default, true, true)), Expect::not_masked);
  EXPECT_EQ(expect("proc.keys", make_cell("runc", PM::Unmasked, false, false)), Expect::not_masked);
  EXPECT_EQ(expect("proc.sys", make_cell("runc", PM::Default, false, false)), Expect::readonly);
  EXPECT_EQ(expect("proc.sys", make_cell("runc", PM::Unmasked, false, false)), Expect::not_readonly);
  EXPECT_EQ(expect("proc.sys.kernel.core_pattern", make_cell("runc", PM::Unmasked, false, false)), Expect::not_writable);
  EXPECT_EQ(expect("nesting.proc_mount", make_cell("runc", PM::Default, false, false)), Expect::blocked);
  EXPECT_EQ(expect("nesting.proc_mount", make_cell("runc", PM::Unmasked, false, false)), Expect::ok);
  EXPECT_EQ(expect("dev.net.tun", make_cell("runc", PM::Default, false, true)), Expect::not_usable);
  EXPECT_EQ(expect("identity.user_namespace", make_cell("crun", PM::Default, false, false)), Expect::yes);
  // runsc cells are judged by the gvisor profile.
  EXPECT_EQ(expect("proc.keys", make_cell("runsc", PM::Default, false, true)), Expect::absent_or_masked);
  EXPECT_EQ(set->expect(*find_check("proc.keys"), make_cell("runsc", PM::Default, false, true)).profile, "gvisor");
}

TEST(KubernetesProfile, ApiRejectsUnmaskedWithHostUsers) {
  auto p = builtin_profile("kubernetes");
  ASSERT_TRUE(p.ok());
  EXPECT_NE(p->api_reject(make_cell("runc", ProcMount::Unmasked, false, true)), nullptr);
  EXPECT_NE(p->api_reject(make_cell("runc", ProcMount::Unmasked, true, true)), nullptr);
  EXPECT_EQ(p->api_reject(make_cell("runc", ProcMount::Unmasked, false, false)), nullptr);
  EXPECT_EQ(p->api_reject(make_cell("runc", ProcMount::Default, false, true)), nullptr);
  EXPECT_THAT(p->api_reject(make_cell("runc", ProcMount::Unmasked, false, true))->reason,
              HasSubstr("`hostUsers` must be false to use `Unmasked`"));
  EXPECT_TRUE(builtin_profile("docker")->api_rejects.empty());
}

TEST(PodmanProfile, AsoundIsReadOnlyNotMasked) {
  auto set = ProfileSet::make(*builtin_profile("podman"));
  ASSERT_TRUE(set.ok());
  EXPECT_EQ(set->expect(*find_check("proc.asound"), make_cell("runc", ProcMount::Default, false, true)).expect,
            Expect::readonly);
  EXPECT_EQ(set->expect(*find_check("proc.interrupts"), make_cell("runc", ProcMount::Default, false, true)).expect,
            Expect::masked);
}

// A small valid profile: one rule per family decides everything.
std::string profile_with(const std::string& rules, const std::string& extra = "") {
  return R"({"schema": "procmatrix.profile/v1", "name": "t", "title": "T", "holds_for": {"x": "1"},
             "sources": ["here"], )" + extra + R"("rules": [)" + rules + "]}";
}

const std::string kAllAny =
    R"({"match": {"group": "kubelet-masked"}, "expect": "any", "because": "b"},
       {"match": {"group": "kubelet-readonly"}, "expect": "any", "because": "b"},
       {"match": {"group": "runtime-masked"}, "expect": "any", "because": "b"},
       {"match": {"group": "escape"}, "expect": "any", "because": "b"},
       {"match": {"group": "devices"}, "expect": "any", "because": "b"},
       {"match": {"group": "nesting"}, "expect": "any", "because": "b"},
       {"match": {"group": "identity"}, "expect": "any", "because": "b"})";

// The local backend makes kubelet + containerd's specs: judging them by another platform's
// promises is said, not left for the user to discover as failures.
TEST(BuiltinProfiles, OtherPlatformsSayWhatTheLocalBackendIs) {
  for (const char* name : {"docker", "podman", "kubernetes-crio"}) {
    auto p = builtin_profile(name);
    ASSERT_TRUE(p.ok()) << p.error().message();
    EXPECT_THAT(p->local_backend_note, HasSubstr("kubelet + containerd")) << name;
  }
  for (const char* name : {"kubernetes", "gvisor"}) {
    auto p = builtin_profile(name);
    ASSERT_TRUE(p.ok()) << p.error().message();
    EXPECT_EQ(p->local_backend_note, "") << name << " is what the local backend plays";
  }
}

TEST(LoadProfile, MinimalProfileLoads) {
  auto p = load_profile("t.json", profile_with(kAllAny));
  ASSERT_TRUE(p.ok()) << p.error().message();
  EXPECT_EQ(p->rules.size(), 7u);
}

TEST(LoadProfile, BadProfilesNameFileFieldAndValue) {
  const std::pair<std::string, std::vector<std::string>> cases[] = {
      {profile_with(R"({"match": {"group": "kubelet-masks"}, "expect": "any", "because": "b"},)" + kAllAny),
       {"t.json", "rules[0].match.group", "\"kubelet-masks\"", "not a group"}},
      {profile_with(R"({"match": {"id": ["proc.keys", "proc.kees"]}, "expect": "any", "because": "b"},)" + kAllAny),
       {"t.json", "rules[0].match.id[1]", "\"proc.kees\"", "not a check id"}},
      {profile_with(R"({"match": {"id": "dev.fuse"}, "expect": "masked", "because": "b"},)" + kAllAny),
       {"t.json", "rules[0].expect", "\"masked\"", "does not apply to dev.fuse"}},
      {profile_with(R"({"match": {"id": "proc.keys"}, "expect": "hidden", "because": "b"},)" + kAllAny),
       {"t.json", "rules[0].expect", "\"hidden\"", "not an expectation word"}},
      {profile_with(R"({"match": {"id": "proc.keys"}, "when": {"procMount": "unmasked"}, "expect": "any", "because": "b"},)" + kAllAny),
       {"t.json", "rules[0].when.procMount", "\"unmasked\""}},
      {profile_with(R"({"match": {"id": "proc.keys"}, "when": {"privileged": "no"}, "expect": "any", "because": "b"},)" + kAllAny),
       {"t.json", "rules[0].when.privileged", "\"no\"", "not a boolean"}},
      {profile_with(R"({"match": {"id": "proc.keys"}, "expect": "any"},)" + kAllAny),
       {"t.json", "rules[0].because", "is missing"}},
      {profile_with(R"({"match": {"id": "proc.keys"}, "expect": "any", "because": "b", "note": 1},)" + kAllAny),
       {"t.json", "unknown field \"rules[0].note\""}},
      {profile_with(R"({"match": {"id": "proc.keys", "group": "escape"}, "expect": "any", "because": "b"},)" + kAllAny),
       {"t.json", "rules[0].match", "exactly one of"}},
      {profile_with(kAllAny.substr(0, kAllAny.rfind("},\n") + 1)),
       {"t.json", "no rule decides identity.", "in cell"}},
      {profile_with(kAllAny, R"("api_rejects": [{"when": {"hostUsers": 1}, "reason": "r"}], )"),
       {"t.json", "api_rejects[0].when.hostUsers", "1"}},
      {profile_with(kAllAny, R"("colour": "blue", )"), {"t.json", "unknown field \"colour\""}},
      {profile_with(kAllAny, R"("local_backend_note": 3, )"), {"t.json", "local_backend_note", "3"}},
      {R"({"schema": "procmatrix.profile/v2"})", {"t.json", "is missing"}},
      {"{\"schema\": ", {"t.json:1:", "bad JSON"}},
  };
  for (const auto& [text, says] : cases) {
    auto p = load_profile("t.json", text);
    ASSERT_FALSE(p.ok()) << text;
    const std::string& msg = p.error().message();
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
    for (const auto& s : says) EXPECT_THAT(msg, HasSubstr(s)) << text;
  }
}

TEST(LoadProfile, FirstMatchingRuleDecides) {
  auto p = load_profile("t.json", profile_with(
      R"({"match": {"id": "proc.keys"}, "when": {"runtime": "crun"}, "expect": "masked", "because": "crun"},)" + kAllAny));
  ASSERT_TRUE(p.ok()) << p.error().message();
  auto set = ProfileSet::make(*p);
  ASSERT_TRUE(set.ok());
  EXPECT_EQ(set->expect(*find_check("proc.keys"), make_cell("crun", ProcMount::Default, false, true)).expect, Expect::masked);
  EXPECT_EQ(set->expect(*find_check("proc.keys"), make_cell("runc", ProcMount::Default, false, true)).expect, Expect::any);
}

}  // namespace
}  // namespace procmatrix::harness
