// The command line of `procmatrix run`: every flag, and one-line errors naming flag and value.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>

#include "cli.hpp"

namespace procmatrix::harness {
namespace {

using ::testing::HasSubstr;

TEST(RunArgs, DefaultsWhenNoFlag) {
  auto o = parse_run_args({});
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->backend, "local");
  EXPECT_EQ(o->out, "out");
  EXPECT_EQ(o->timeout, std::chrono::seconds(60));
  EXPECT_EQ(o->jobs, 0u);
  EXPECT_FALSE(o->runtimes);
}

TEST(RunArgs, EveryFlagBothSpellings) {
  auto o = parse_run_args({"--backend=local", "--runtime", "runc,my=/opt/x", "--proc-mount=Default",
                           "--privileged", "true", "--host-users=false", "--profile", "docker",
                           "--jobs=3", "--timeout", "5", "--out", "/tmp/o", "--probe=/p", "--no-color"});
  ASSERT_TRUE(o.ok()) << o.error().message();
  ASSERT_EQ(o->runtimes->size(), 2u);
  EXPECT_EQ((*o->runtimes)[1].path, "/opt/x");
  EXPECT_EQ(o->proc_mounts->size(), 1u);
  EXPECT_EQ(*o->privileged, std::vector<bool>{true});
  EXPECT_EQ(*o->host_users, std::vector<bool>{false});
  EXPECT_EQ(o->profile, "docker");
  EXPECT_EQ(o->jobs, 3u);
  EXPECT_EQ(o->timeout, std::chrono::seconds(5));
  EXPECT_EQ(o->out, "/tmp/o");
  EXPECT_EQ(o->probe, "/p");
  EXPECT_TRUE(o->no_color);
}

TEST(RunArgs, BadInputIsOneLineNamingFlagAndValue) {
  const std::pair<std::vector<std::string>, std::string> cases[] = {
      {{"--frobnicate"}, "unknown option \"--frobnicate\""},
      {{"extra"}, "unexpected argument \"extra\""},
      {{"--jobs", "0"}, "--jobs: \"0\" is not a whole number"},
      {{"--jobs=many"}, "--jobs: \"many\""},
      {{"--timeout", "-1"}, "--timeout: \"-1\""},
      {{"--timeout"}, "--timeout: needs a value"},
      {{"--backend", "docker"}, "--backend: \"docker\" is not implemented yet"},
      {{"--backend", "nomad"}, "--backend: \"nomad\" is not a backend"},
      {{"--proc-mount", "Masked"}, "--proc-mount: \"Masked\""},
      {{"--privileged", "1"}, "--privileged: \"1\""},
      {{"--out", ""}, "--out: \"\" is empty"},
      {{"--jobs", "2", "--jobs", "3"}, "--jobs: \"3\" is a second value"},
      {{"--profile", "a", "--profile-file", "b"}, "give one of them"},
  };
  for (const auto& [args, says] : cases) {
    auto o = parse_run_args(args);
    ASSERT_FALSE(o.ok()) << args[0];
    EXPECT_THAT(o.error().message(), HasSubstr(says));
    EXPECT_EQ(o.error().message().find('\n'), std::string::npos);
  }
}

TEST(RunArgs, FlagsOverrideTheMatrixFile) {
  char path[] = "/tmp/procmatrix-matrix-XXXXXX";
  int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  std::string text = R"({"procMount": ["Unmasked"], "privileged": [true], "profile": "docker"})";
  ASSERT_EQ(::write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  ::close(fd);
  auto o = parse_run_args({"--matrix", path, "--privileged", "false"});
  ASSERT_TRUE(o.ok());
  auto spec = matrix_spec(*o);
  ::unlink(path);
  ASSERT_TRUE(spec.ok()) << spec.error().message();
  EXPECT_EQ(spec->proc_mounts, std::vector<ProcMount>{ProcMount::Unmasked});  // from the file
  EXPECT_EQ(spec->privileged, std::vector<bool>{false});                      // the flag wins
  EXPECT_EQ(spec->profile, "docker");
}

TEST(RunArgs, MissingMatrixFileIsNamed) {
  auto o = parse_run_args({"--matrix", "/nonexistent/m.json"});
  ASSERT_TRUE(o.ok());
  auto spec = matrix_spec(*o);
  ASSERT_FALSE(spec.ok());
  EXPECT_THAT(spec.error().message(), HasSubstr("/nonexistent/m.json"));
}

TEST(Help, ListsOnlyWhatExists) {
  std::string help = program_help();
  EXPECT_THAT(help, HasSubstr("procmatrix run"));
  for (const char* command : {"procmatrix report", "procmatrix diff"}) EXPECT_THAT(help, HasSubstr(command));
  std::string run = run_help();
  for (const char* flag : {"--runtime", "--proc-mount", "--privileged", "--host-users", "--profile",
                           "--matrix", "--jobs", "--timeout", "--out", "--probe", "--no-color"})
    EXPECT_THAT(run, HasSubstr(flag));
  EXPECT_EQ(run.find("kubernetes|"), std::string::npos);
}

TEST(Dispatch, BadArgumentsExitTwo) {
  EXPECT_EQ(cli_main({"report", "/nonexistent/x.json", "--format", "md"}), 2);
  EXPECT_EQ(cli_main({"diff"}), 2);
  EXPECT_EQ(cli_main({"frob"}), 2);
  EXPECT_EQ(cli_main({"run", "--jobs", "0"}), 2);
  EXPECT_EQ(cli_main({"--version"}), 0);
  EXPECT_EQ(cli_main({"run", "--help"}), 0);
}

}  // namespace
}  // namespace procmatrix::harness
