// results.json: the schema's fields, the summary and exit code, and the atomic write.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>

#include "atomic_file.hpp"
#include "json_strict.hpp"
#include "results.hpp"

namespace procmatrix::harness {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class TempDirForTest {
 public:
  TempDirForTest() {
    char templ[] = "/tmp/procmatrix-results-XXXXXX";
    path_ = ::mkdtemp(templ);
  }
  ~TempDirForTest() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::string slurp(const fs::path& p) {
  auto text = read_text_file(p.string());
  return text ? *text : "(unreadable)";
}

CellOutcome ran_cell(std::vector<VerdictResult> results) {
  CellOutcome o;
  o.cell.runtime = {"runc", "/usr/sbin/runc", false};
  o.run.status = CellStatus::ran;
  o.run.runtime_version = "runc version 1.1.5";
  o.run.spec = {{"ociVersion", "1.0.2"}};
  o.run.observation = {{"schema", "procmatrix.probe/v1"}};
  o.run.rerun = "cd /tmp/b && runc run --bundle . again";
  for (auto r : results) {
    Verdict v;
    v.check = "proc.keys";
    v.result = r;
    v.kind = r == VerdictResult::fail ? FailKind::unexpectedly_open : FailKind::none;
    o.verdicts.push_back(v);
  }
  return o;
}

TEST(Summary, CountsVerdictsAndCellsAndGivesTheExitCode) {
  std::vector<CellOutcome> outcomes = {ran_cell({VerdictResult::pass, VerdictResult::na})};
  EXPECT_EQ(exit_code(summarize(outcomes)), 0);
  outcomes.push_back(ran_cell({VerdictResult::fail}));
  Summary s = summarize(outcomes);
  EXPECT_EQ(s.pass, 1);
  EXPECT_EQ(s.fail, 1);
  EXPECT_EQ(s.na, 1);
  EXPECT_EQ(exit_code(s), 1);
  outcomes.push_back(not_run(Cell{}, CellStatus::error, "runc: exit 1"));
  s = summarize(outcomes);
  EXPECT_EQ(s.errored, 1);
  EXPECT_EQ(s.error, 1);
  EXPECT_EQ(exit_code(s), 2);  // an incomplete run outranks a failure
}

TEST(ResultsJson, HasTheFieldsOfDesignMd) {
  std::vector<CellOutcome> outcomes = {ran_cell({VerdictResult::fail}),
                                       not_run(Cell{}, CellStatus::error, "probe printed garbage")};
  RunInfo info;
  info.started = "2025-01-01T00:00:00Z";
  info.profile = "kubernetes";
  json r = results_json(info, outcomes);
  EXPECT_EQ(r["schema"], "procmatrix.results/v1");
  for (const char* k : {"started", "elapsed_ms", "backend", "profile", "host"}) EXPECT_TRUE(r["run"].contains(k)) << k;
  EXPECT_EQ(r["run"]["host"]["runtimes"][0]["version"], "runc version 1.1.5");
  const json& c = r["cells"][0];
  for (const char* k : {"id", "backend", "runtime", "node", "procMount", "privileged", "hostUsers",
                        "status", "reason", "spec", "observation", "verdicts"})
    EXPECT_TRUE(c.contains(k)) << k;
  EXPECT_EQ(c["id"], "runc/Default/unprivileged/hostUsers");
  EXPECT_EQ(c["status"], "ran");
  EXPECT_EQ(c["rerun"], "cd /tmp/b && runc run --bundle . again");  // the spec can be run by hand
  EXPECT_TRUE(c["reason"].is_null());
  EXPECT_TRUE(c["node"].is_null());
  const json& v = c["verdicts"][0];
  for (const char* k : {"check", "path", "expected", "observed", "result", "kind", "why"}) EXPECT_TRUE(v.contains(k)) << k;
  EXPECT_EQ(v["result"], "fail");
  EXPECT_EQ(v["kind"], "unexpectedly-open");
  const json& e = r["cells"][1];
  EXPECT_EQ(e["status"], "error");
  EXPECT_EQ(e["reason"], "probe printed garbage");
  EXPECT_TRUE(e["verdicts"].empty());
  EXPECT_TRUE(e["observation"].is_null());
  EXPECT_TRUE(e["rerun"].is_null());
  EXPECT_EQ(r["summary"], json({{"cells", 2}, {"pass", 0}, {"fail", 1}, {"na", 0}, {"error", 1},
                                 {"cells_by_status", {{"ran", 1}, {"rejected", 0}, {"skipped", 0}, {"error", 1}}}}));
}

TEST(AtomicWrite, WritesWholeAndReplaces) {
  TempDirForTest dir;
  fs::path p = dir.path() / "results.json";
  ASSERT_TRUE(write_file_atomically(p, "first").ok());
  ASSERT_TRUE(write_file_atomically(p, "second").ok());
  EXPECT_EQ(slurp(p), "second");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 1);
}

TEST(AtomicWrite, AFailedWriteLeavesNoPartialFileAndTheOldOneIntact) {
  TempDirForTest dir;
  fs::path p = dir.path() / "results.json";
  ASSERT_TRUE(write_file_atomically(p, "old").ok());
  // In a child: a file size limit of 1 KiB makes write() fail with EFBIG half way.
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    std::signal(SIGXFSZ, SIG_IGN);
    rlimit lim{1024, 1024};
    ::setrlimit(RLIMIT_FSIZE, &lim);
    Status s = write_file_atomically(p, std::string(64 * 1024, 'x'));
    ::_exit(s.ok() ? 0 : s.error().err() == EFBIG ? 3 : 4);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 3);
  EXPECT_EQ(slurp(p), "old");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 1);  // no temp left
}

TEST(AtomicWrite, AFailedRenameLeavesNoTemporaryFile) {
  TempDirForTest dir;
  fs::create_directory(dir.path() / "results.json");  // rename(file, dir) fails
  Status s = write_file_atomically(dir.path() / "results.json", "content");
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message(), ::testing::HasSubstr("rename"));
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 1);
}

TEST(WriteResults, CreatesTheDirectory) {
  TempDirForTest dir;
  auto p = write_results((dir.path() / "a" / "b").string(), json{{"schema", "x"}});
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(json::parse(slurp(*p))["schema"], "x");
}

TEST(Rfc3339, FormatsUtc) {
  EXPECT_EQ(rfc3339(std::chrono::system_clock::time_point{}), "1970-01-01T00:00:00Z");
}

}  // namespace
}  // namespace procmatrix::harness
