// `procmatrix diff` on real runs: a clean runc run against a run whose runtime drops the masks
// (a wrapper named runc, so that the cells' settings, and so their ids, are the same; the idea
// of matrix_run_test.cpp) reports "opened" and exits 1; a clean run against another exits 0.
// Also: `procmatrix run` writes results.json and every report into --out.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "support.hpp"

namespace procmatrix::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

ProcessResult pm(std::vector<std::string> args) {
  std::vector<std::string> argv{PROCMATRIX_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  return run(argv, std::chrono::seconds(240));
}

fs::path run_matrix(const fs::path& out, const std::string& runtime) {
  ProcessResult r = pm({"run", "--runtime", runtime, "--proc-mount", "Default", "--privileged", "false",
                        "--probe", PROCPROBE_BIN, "--no-color", "--out", out.string()});
  EXPECT_LE(r.exit_code, 1) << r.out << r.err;
  return out / "results.json";
}

TEST(DiffRun, ABrokenRuntimeAgainstACleanOneOpensAndExitsOne) {
  REQUIRE_ROOT_AND_RUNC();
  TempDir dir("diff-run");
  fs::path clean = run_matrix(dir.path() / "clean", "runc");
  fs::path broken = run_matrix(dir.path() / "broken", "runc=" + std::string(kRuncWithoutMasks));
  ProcessResult d = pm({"diff", clean.string(), broken.string()});
  EXPECT_EQ(d.exit_code, 1) << d.out << d.err;
  EXPECT_THAT(d.out, HasSubstr("2 cells matched"));
  EXPECT_THAT(d.out, HasSubstr("opened  runc/Default/unprivileged/hostUsers  proc.keys /proc/keys: pass (masked) -> fail (readable, unexpectedly-open)"));
  EXPECT_THAT(d.out, HasSubstr("opened  runc/Default/unprivileged/userns  proc.sys"));
  ProcessResult md = pm({"diff", clean.string(), broken.string(), "--format", "md"});
  EXPECT_EQ(md.exit_code, 1);
  EXPECT_THAT(md.out, HasSubstr("| **opened** | `runc/Default/unprivileged/hostUsers` |"));
  // Back again: the masks return, which is a fix, not a regression.
  ProcessResult back = pm({"diff", broken.string(), clean.string(), "--format", "json"});
  EXPECT_EQ(back.exit_code, 0) << back.out;
  EXPECT_THAT(back.out, HasSubstr("\"worse\": false"));
  EXPECT_THAT(back.out, HasSubstr("\"fixed\""));
}

TEST(DiffRun, TwoCleanRunsExitZero) {
  REQUIRE_ROOT_AND_RUNC();
  TempDir dir("diff-clean");
  fs::path a = run_matrix(dir.path() / "a", "runc");
  fs::path b = run_matrix(dir.path() / "b", "runc");
  ProcessResult d = pm({"diff", a.string(), b.string()});
  EXPECT_EQ(d.exit_code, 0) << d.out << d.err;
  EXPECT_THAT(d.out, HasSubstr("nothing changed for the worse"));
}

TEST(RunReports, RunWritesResultsAndEveryReportIntoOut) {
  REQUIRE_ROOT_AND_RUNC();
  TempDir dir("run-reports");
  run_matrix(dir.path() / "out", "runc");
  for (const char* f : {"results.json", "results.xml", "results.md", "results.html", "results.sarif"})
    EXPECT_GT(fs::file_size(dir.path() / "out" / f), 1000u) << f;
  // Nothing half-written is left beside them.
  for (const auto& e : fs::directory_iterator(dir.path() / "out"))
    EXPECT_NE(e.path().filename().string()[0], '.') << e.path();
}

}  // namespace
}  // namespace procmatrix::testing
