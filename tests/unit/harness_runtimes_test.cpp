// The table of runtimes and how a runtime is named, found and called. No runtime is run here
// except `sh` for the version line.
#include "runtimes.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

namespace procmatrix::harness {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

Runtime named(std::string name, std::string path = "") {
  Runtime r;
  r.name = std::move(name);
  r.path = std::move(path);
  return r;
}

TEST(ParseRuntimeArg, TakesANameOrNameEqualsPath) {
  auto plain = parse_runtime_arg("runc");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->name, "runc");
  EXPECT_EQ(plain->path, "");
  EXPECT_TRUE(plain->explicitly_requested);
  auto vendor = parse_runtime_arg("mycrun=/opt/crun-dev/crun");
  ASSERT_TRUE(vendor);
  EXPECT_EQ(vendor->name, "mycrun");
  EXPECT_EQ(vendor->path, "/opt/crun-dev/crun");
}

TEST(ParseRuntimeArg, RejectsEmptyPartsAndSlashesInTheName) {
  for (std::string_view bad : {"", "=x", "x=", "a/b"}) {
    auto r = parse_runtime_arg(bad);
    EXPECT_FALSE(r) << bad;
  }
}

TEST(TraitsFor, FindsKnownRuntimesByNameBinaryOrVersion) {
  EXPECT_EQ(traits_for(named("runsc")).name, "runsc");
  EXPECT_EQ(traits_for(named("mycrun", "/opt/crun-dev/crun")).name, "crun");
  EXPECT_EQ(traits_for(named("vendor", "/opt/x/oci"), "crun version 1.9").name, "crun");
  EXPECT_EQ(traits_for(named("vendor", "/opt/x/oci"), "youki 0.3").name, "");
}

TEST(TraitsTable, SaysWhatEachRuntimeNeeds) {
  const RuntimeTraits* runsc = find_traits("runsc");
  ASSERT_NE(runsc, nullptr);
  EXPECT_THAT(std::vector<std::string_view>(runsc->global_args.begin(), runsc->global_args.end()),
              ElementsAre("--network=none"));
  EXPECT_EQ(runsc->rejected_caps.size(), 3u);
  EXPECT_TRUE(find_traits("crun")->refuses_hybrid_cgroups);
  EXPECT_FALSE(find_traits("runc")->refuses_hybrid_cgroups);
}

TEST(MakeRuntimeCommand, GivesEveryRuntimeAPrivateRoot) {
  const RuntimeCommand c =
      make_runtime_command(*find_traits("runc"), "/usr/sbin/runc", "/tmp/s", CgroupMode::hybrid);
  EXPECT_THAT(c.argv({"run", "--bundle", "/b", "id"}),
              ElementsAre("/usr/sbin/runc", "--root", "/tmp/s", "run", "--bundle", "/b", "id"));
  EXPECT_THAT(c.detach_mounts, IsEmpty());
  EXPECT_THAT(c.notes, IsEmpty());
}

TEST(MakeRuntimeCommand, HidesTheUnifiedHierarchyFromCrunOnlyOnAHybridHost) {
  const RuntimeCommand hybrid =
      make_runtime_command(*find_traits("crun"), "/usr/bin/crun", "/s", CgroupMode::hybrid);
  EXPECT_THAT(hybrid.detach_mounts, ElementsAre("/sys/fs/cgroup/unified"));
  ASSERT_EQ(hybrid.notes.size(), 1u);
  EXPECT_THAT(hybrid.notes[0], HasSubstr("private mount namespace without /sys/fs/cgroup/unified"));
  EXPECT_EQ(hybrid.shell_line({"run", "--bundle", "$B", "x"}),
            "unshare --mount --propagation private sh -c \"umount -l /sys/fs/cgroup/unified && "
            "exec /usr/bin/crun --root /s run --bundle '$B' x\"");
  for (CgroupMode m : {CgroupMode::v1, CgroupMode::v2})
    EXPECT_THAT(make_runtime_command(*find_traits("crun"), "/c", "/s", m).detach_mounts, IsEmpty());
}

TEST(MakeRuntimeCommand, PassesRunscsNetworkFlagAndSaysWhy) {
  const RuntimeCommand c =
      make_runtime_command(*find_traits("runsc"), "/usr/bin/runsc", "", CgroupMode::hybrid);
  EXPECT_THAT(c.argv({"list"}), ElementsAre("/usr/bin/runsc", "--network=none", "list"));
  ASSERT_EQ(c.notes.size(), 1u);
  EXPECT_THAT(c.notes[0], HasSubstr("runsc: ran with --network=none"));
}

TEST(ResolveRuntimePath, FindsABinaryOnPathAndRejectsAMissingOne) {
  Runtime sh = named("sh");
  ASSERT_TRUE(resolve_runtime_path(sh));
  EXPECT_EQ(sh.path.front(), '/');
  Runtime missing = named("missing", "/nonexistent/runc");
  auto st = resolve_runtime_path(missing);
  ASSERT_FALSE(st);
  EXPECT_THAT(st.error().message(), HasSubstr("is not an executable file"));
  Runtime unknown = named("no-such-runtime-here");
  EXPECT_FALSE(resolve_runtime_path(unknown));
}

TEST(RuntimeVersion, IsTheFirstLineOfVersionOutput) {
  char dir[] = "/tmp/procmatrix-unit-XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  const std::filesystem::path script = std::filesystem::path(dir) / "fakert";
  std::ofstream(script) << "#!/bin/sh\necho \"fakert version 1.2 ($1)\"\necho commit: abc\n";
  std::filesystem::permissions(script, std::filesystem::perms::owner_all);
  auto v = runtime_version(script.string());
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(v) << v.error().describe();
  EXPECT_EQ(*v, "fakert version 1.2 (--version)");
}

TEST(RuntimeVersion, FailsWhenTheBinaryFails) {
  auto v = runtime_version("/bin/false");
  ASSERT_FALSE(v);
  EXPECT_THAT(v.error().message(), HasSubstr("exit 1"));
}

}  // namespace
}  // namespace procmatrix::harness
