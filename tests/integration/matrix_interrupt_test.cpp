// Ctrl-C in the middle of a matrix: the real `procmatrix run`, real runc containers that are
// alive (created, not yet started) when SIGINT arrives. The run must stop, write the results of
// what finished, exit 130, and leave nothing behind: no container, no process, no cgroup, no
// mount, no bundle or state directory.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "support.hpp"

namespace procmatrix::testing {
namespace {
namespace fs = std::filesystem;

// A runtime that turns `run` into `create` and then waits: the container exists, its init is
// parked in its namespaces and cgroups, when the user presses Ctrl-C. Everything else (delete,
// --version) goes to runc as it is.
fs::path write_slow_runtime(const fs::path& dir) {
  fs::path script = dir / "slowrunc";
  std::ofstream(script) << R"(#!/bin/bash
args=("$@")
for i in "${!args[@]}"; do
  if [ "${args[$i]}" = run ]; then
    args[$i]=create
    runc "${args[@]}" || exit 1
    exec sleep 60
  fi
done
exec runc "$@"
)";
  fs::permissions(script, fs::perms(0755));
  return script;
}

std::string read_all(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

int count_lines(const char* path) {
  std::ifstream in(path);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) ++n;
  return n;
}

// Processes whose command line mentions `needle` (our work dir or container ids).
std::vector<std::string> processes_mentioning(const std::string& needle) {
  std::vector<std::string> found;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string cmdline = read_all(entry.path() / "cmdline");
    for (auto& c : cmdline)
      if (c == '\0') c = ' ';
    bool zombie = read_all(entry.path() / "status").find("State:\tZ") != std::string::npos;  // this sandbox's pid 1 reaps late
    if (!zombie && cmdline.find(needle) != std::string::npos) found.push_back(name + ": " + cmdline);
  }
  return found;
}

std::vector<std::string> cgroups_named(const std::string& prefix) {
  std::vector<std::string> found;
  std::error_code ec;
  for (const auto& hierarchy : fs::directory_iterator("/sys/fs/cgroup", ec))
    for (const auto& child : fs::directory_iterator(hierarchy.path(), ec))
      if (child.path().filename().string().rfind(prefix, 0) == 0) found.push_back(child.path());
  return found;
}

TEST(MatrixInterrupt, CtrlCStopsTheRunWritesWhatFinishedAndLeavesNothing) {
  REQUIRE_ROOT_AND_RUNC();
  TempDir dir("procmatrix-interrupt");
  fs::permissions(dir.path(), fs::perms(0711));  // the mapped root of userns cells walks through it
  fs::path work = dir.path() / "work";
  fs::create_directories(work);
  fs::permissions(work, fs::perms(0711));
  fs::path out = dir.path() / "out";
  fs::path slow = write_slow_runtime(dir.path());
  const int mounts_before = count_lines("/proc/self/mountinfo");

  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    setenv("TMPDIR", work.c_str(), 1);
    int null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    dup2(null, 2);
    execl(PROCMATRIX_BIN, PROCMATRIX_BIN, "run", "--runtime", ("slowrunc=" + slow.string()).c_str(),
          "--probe", PROCPROBE_BIN, "--jobs", "2", "--timeout", "120", "--out", out.c_str(),
          "--no-color", static_cast<char*>(nullptr));
    _exit(127);
  }
  const std::string ids = "procmatrix-" + std::to_string(pid) + "-";

  // Wait until two containers are alive (their runc init processes name our work dir).
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (processes_mentioning("runc init").empty() && std::chrono::steady_clock::now() < deadline)
    usleep(20000);
  usleep(300000);
  ASSERT_FALSE(cgroups_named(ids).empty()) << "no live container to interrupt: the test proves nothing";

  ASSERT_EQ(kill(pid, SIGINT), 0);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 130);

  std::ifstream in(out / "results.json");
  ASSERT_TRUE(in.good()) << "the results of the run so far were not written";
  auto results = nlohmann::json::parse(in);
  EXPECT_EQ(results["run"]["interrupted"], "SIGINT");
  EXPECT_EQ(results["cells"].size(), 8u) << "every cell is reported, run or not";

  EXPECT_TRUE(fs::is_empty(work)) << "bundles or state dirs left in " << work;
  EXPECT_TRUE(processes_mentioning(work.string()).empty());
  EXPECT_TRUE(processes_mentioning(ids).empty());
  EXPECT_TRUE(cgroups_named(ids).empty()) << "a container's cgroup was left behind";
  EXPECT_EQ(count_lines("/proc/self/mountinfo"), mounts_before);
}

}  // namespace
}  // namespace procmatrix::testing
