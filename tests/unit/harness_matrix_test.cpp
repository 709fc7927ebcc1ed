// Matrix expansion: defaults, flags, and matrix files whose errors name file, field and value.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "matrix.hpp"

namespace procmatrix::harness {
namespace {

using ::testing::HasSubstr;

// A resolver that finds exactly the runtimes named in `installed` (a test double of PATH).
RuntimeResolver FakePathForTest(std::vector<std::string> installed) {
  return [installed](Runtime& rt) -> Status {
    if (!rt.path.empty()) return Ok{};
    for (const auto& name : installed)
      if (name == rt.name) {
        rt.path = "/usr/bin/" + name;
        return Ok{};
      }
    return Error(ENOENT, "runtime " + rt.name + ": `" + rt.name + "` is not on PATH");
  };
}

TEST(MatrixExpand, DefaultsGiveEightCellsPerInstalledRuntime) {
  auto e = expand(MatrixSpec{}, FakePathForTest({"runc", "crun", "runsc"}));
  ASSERT_TRUE(e.ok()) << e.error().message();
  EXPECT_EQ(e->cells.size(), 24u);
  EXPECT_EQ(e->cells.front().id(), "runc/Default/unprivileged/hostUsers");
  EXPECT_EQ(e->cells[1].id(), "runc/Default/unprivileged/userns");
  EXPECT_EQ(e->cells[7].id(), "runc/Unmasked/privileged/userns");
  EXPECT_EQ(e->cells.back().id(), "runsc/Unmasked/privileged/userns");
  EXPECT_TRUE(e->notes.empty());
}

TEST(MatrixExpand, MissingDefaultRuntimeIsSkippedWithANote) {
  auto e = expand(MatrixSpec{}, FakePathForTest({"runc"}));
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->cells.size(), 8u);
  EXPECT_EQ(e->skipped.size(), 16u);
  ASSERT_EQ(e->notes.size(), 2u);
  EXPECT_THAT(e->notes[0], HasSubstr("crun: not installed"));
}

TEST(MatrixExpand, MissingNamedRuntimeIsAnError) {
  MatrixSpec spec;
  spec.runtimes = *parse_runtime_list("--runtime", "runc,crun");
  auto e = expand(spec, FakePathForTest({"runc"}));
  ASSERT_FALSE(e.ok());
  EXPECT_THAT(e.error().message(), HasSubstr("crun"));
}

TEST(MatrixExpand, NoRuntimeAtAllIsAnError) {
  EXPECT_FALSE(expand(MatrixSpec{}, FakePathForTest({})).ok());
}

TEST(MatrixExpand, FlagsChooseTheDimensions) {
  MatrixSpec spec;
  spec.runtimes = *parse_runtime_list("--runtime", "mycrun=/opt/crun");
  spec.proc_mounts = *parse_proc_mount_list("--proc-mount", "Unmasked");
  spec.privileged = *parse_bool_list("--privileged", "false");
  auto e = expand(spec, FakePathForTest({}));
  ASSERT_TRUE(e.ok());
  ASSERT_EQ(e->cells.size(), 2u);
  EXPECT_EQ(e->cells[0].id(), "mycrun/Unmasked/unprivileged/hostUsers");
  EXPECT_EQ(e->cells[0].runtime.path, "/opt/crun");
  EXPECT_TRUE(e->cells[0].runtime.explicitly_requested);
}

struct BadFlag {
  const char* flag;
  const char* value;
  const char* says;
};

TEST(MatrixFlags, BadValuesNameFlagAndValue) {
  const BadFlag cases[] = {
      {"--proc-mount", "Default,unmasked", "--proc-mount: \"unmasked\" is not Default or Unmasked"},
      {"--privileged", "yes", "--privileged: \"yes\" is not true or false"},
      {"--host-users", "true,true", "--host-users: \"true\" is given twice"},
      {"--host-users", "true,", "has an empty item"},
      {"--runtime", "runc,runc", "\"runc\" is given twice"},
      {"--runtime", "a=/x,a=/y", "\"a\" names two runtimes"},
      {"--runtime", "=/opt/x", "is not NAME or NAME=PATH"},
  };
  for (const auto& c : cases) {
    std::string flag = c.flag;
    Status s = Ok{};
    if (flag == "--proc-mount") {
      auto r = parse_proc_mount_list(flag, c.value);
      if (!r) s = r.error();
    } else if (flag == "--runtime") {
      auto r = parse_runtime_list(flag, c.value);
      if (!r) s = r.error();
    } else {
      auto r = parse_bool_list(flag, c.value);
      if (!r) s = r.error();
    }
    ASSERT_FALSE(s.ok()) << c.flag << " " << c.value;
    EXPECT_THAT(s.error().message(), HasSubstr(c.says)) << c.flag << " " << c.value;
  }
}

TEST(MatrixFile, ReadsEveryField) {
  auto spec = parse_matrix_file("m.json", R"({"runtimes": ["runc", {"name": "mycrun", "path": "/opt/crun"}],
      "procMount": ["Unmasked"], "privileged": [true], "hostUsers": [false], "profile": "podman"})");
  ASSERT_TRUE(spec.ok()) << spec.error().message();
  ASSERT_EQ(spec->runtimes.size(), 2u);
  EXPECT_EQ(spec->runtimes[1].name, "mycrun");
  EXPECT_EQ(spec->runtimes[1].path, "/opt/crun");
  EXPECT_EQ(spec->proc_mounts, std::vector<ProcMount>{ProcMount::Unmasked});
  EXPECT_EQ(spec->privileged, std::vector<bool>{true});
  EXPECT_EQ(spec->host_users, std::vector<bool>{false});
  EXPECT_EQ(spec->profile, "podman");
}

TEST(MatrixFile, EmptyObjectKeepsTheDefaults) {
  auto spec = parse_matrix_file("m.json", "{}");
  ASSERT_TRUE(spec.ok());
  EXPECT_EQ(spec->proc_mounts.size(), 2u);
  EXPECT_TRUE(spec->runtimes.empty());
}

struct BadFile {
  const char* text;
  std::vector<const char*> says;  // each must be in the one-line error
};

TEST(MatrixFile, ErrorsNameFileFieldAndValue) {
  const BadFile cases[] = {
      {R"({"procMount": ["Default", "unmasked"]})", {"m.json", "procMount[1]", "\"unmasked\"", "Default, Unmasked"}},
      {R"({"procMounts": ["Default"]})", {"m.json", "unknown field \"procMounts\"", "[\"Default\"]"}},
      {R"({"privileged": ["yes"]})", {"m.json", "privileged[0]", "\"yes\"", "not a boolean"}},
      {R"({"hostUsers": true})", {"m.json", "hostUsers", "true", "not a list"}},
      {R"({"hostUsers": []})", {"m.json", "hostUsers", "is empty"}},
      {R"({"privileged": [true, true]})", {"m.json", "privileged[1]", "given twice"}},
      {R"({"runtimes": [{"name": "x", "path": "/p", "args": 1}]})", {"m.json", "runtimes[0].args", "unknown field"}},
      {R"({"runtimes": [{"path": "/p"}]})", {"m.json", "runtimes[0].name", "is missing"}},
      {R"({"runtimes": [7]})", {"m.json", "runtimes[0]", "7"}},
      {R"({"profile": 3})", {"m.json", "profile", "3", "not a string"}},
      {R"(["runc"])", {"m.json", "top level", "not an object"}},
      {"{\n  \"procMount\": [\"Default\",]\n}", {"m.json:2:", "bad JSON"}},
      {"{\"privileged\": [true", {"m.json:1:", "bad JSON"}},
  };
  for (const auto& c : cases) {
    auto spec = parse_matrix_file("m.json", c.text);
    ASSERT_FALSE(spec.ok()) << c.text;
    const std::string& msg = spec.error().message();
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
    for (const char* s : c.says) EXPECT_THAT(msg, HasSubstr(s)) << c.text;
  }
}

TEST(MatrixFile, MissingFileIsNamed) {
  auto spec = load_matrix_file("/nonexistent/m.json");
  ASSERT_FALSE(spec.ok());
  EXPECT_THAT(spec.error().message(), HasSubstr("/nonexistent/m.json"));
}

}  // namespace
}  // namespace procmatrix::harness
