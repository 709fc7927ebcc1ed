// run_process on real, tiny children (/bin/sh): captured streams, exit codes and signals,
// timeouts and cancel that kill the whole process group, and the private mount namespace step.
#include "process.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace procmatrix::harness {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

ProcessResult sh(const std::string& script, std::chrono::milliseconds timeout = 10s,
                 const std::atomic<bool>* cancel = nullptr) {
  ProcessSpec spec;
  spec.argv = {"/bin/sh", "-c", script};
  spec.timeout = timeout;
  spec.cancel = cancel;
  auto r = run_process(spec);
  EXPECT_TRUE(r) << r.error().describe();
  return r ? std::move(*r) : ProcessResult{};
}

// Running, not a zombie: PID 1 on some machines (a VM's agent) never reaps orphans, so a killed
// grandchild may stay a zombie there.
bool alive(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  const auto close = line.rfind(')');
  return close != std::string::npos && close + 2 < line.size() && line[close + 2] != 'Z';
}

pid_t read_pid(const std::string& path) {
  std::ifstream in(path);
  pid_t pid = 0;
  in >> pid;
  return pid;
}

TEST(RunProcess, CapturesStdoutAndStderrApart) {
  const ProcessResult r = sh("echo out; echo err >&2; exit 3");
  EXPECT_EQ(r.end, ProcessEnd::exited);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.out, "out\n");
  EXPECT_EQ(r.err, "err\n");
  EXPECT_EQ(describe_end(r, 10s), "exit 3");
}

TEST(RunProcess, ReadsMoreThanAPipeHolds) {
  const ProcessResult r = sh("head -c 1000000 /dev/zero");
  EXPECT_EQ(r.out.size(), 1000000u);
  EXPECT_FALSE(r.truncated);
}

TEST(RunProcess, CutsOutputAtTheLimit) {
  ProcessSpec spec;
  spec.argv = {"/bin/sh", "-c", "head -c 100000 /dev/zero"};
  spec.output_limit = 1000;
  auto r = run_process(spec);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->out.size(), 1000u);
  EXPECT_TRUE(r->truncated);
}

TEST(RunProcess, NamesTheSignalThatKilledTheChild) {
  const ProcessResult r = sh("kill -SEGV $$");
  EXPECT_EQ(r.end, ProcessEnd::signaled);
  EXPECT_EQ(r.signal, SIGSEGV);
  EXPECT_EQ(describe_end(r, 10s), "killed by SIGSEGV");
}

TEST(RunProcess, ReportsAFailedExecAs127WithTheReason) {
  ProcessSpec spec;
  spec.argv = {"/nonexistent/binary"};
  auto r = run_process(spec);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->exit_code, 127);
  EXPECT_THAT(r->err, HasSubstr("exec /nonexistent/binary"));
}

TEST(RunProcess, KillsTheWholeGroupOnTimeout) {
  char dir[] = "/tmp/procmatrix-unit-XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  const std::string pidfile = std::string(dir) + "/pid";
  const auto start = std::chrono::steady_clock::now();
  const ProcessResult r = sh("sleep 60 & echo $! > " + pidfile + "; wait", 300ms);
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.end, ProcessEnd::timed_out);
  EXPECT_EQ(describe_end(r, 300ms), "timed out after 300 ms");
  EXPECT_LT(took, 2s);
  const pid_t grandchild = read_pid(pidfile);
  ASSERT_GT(grandchild, 0);
  for (int i = 0; i < 100 && alive(grandchild); ++i) std::this_thread::sleep_for(10ms);
  EXPECT_FALSE(alive(grandchild)) << "the background sleep survived";
  std::filesystem::remove_all(dir);
}

TEST(RunProcess, StopsSoonAfterCancel) {
  std::atomic<bool> cancel{false};
  std::thread canceller([&] {
    std::this_thread::sleep_for(200ms);
    cancel = true;
  });
  const auto start = std::chrono::steady_clock::now();
  const ProcessResult r = sh("sleep 60", 60s, &cancel);
  const auto took = std::chrono::steady_clock::now() - start;
  canceller.join();
  EXPECT_EQ(r.end, ProcessEnd::cancelled);
  EXPECT_LT(took, 1s);
}

TEST(RunProcess, StopsReadingAGrandchildThatKeepsWriting) {
  char dir[] = "/tmp/procmatrix-unit-XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  const std::string pidfile = std::string(dir) + "/pid";
  const auto start = std::chrono::steady_clock::now();
  const ProcessResult r =
      sh("while :; do echo chatter; sleep 0.05; done & echo $! > " + pidfile + "; exit 0");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
  const pid_t loop = read_pid(pidfile);  // outlives its parent by design: end it here
  if (loop > 0) ::kill(loop, SIGKILL);
  std::filesystem::remove_all(dir);
}

TEST(RunProcess, DoesNotWaitForAGrandchildHoldingThePipes) {
  char dir[] = "/tmp/procmatrix-unit-XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  const std::string pidfile = std::string(dir) + "/pid";
  const auto start = std::chrono::steady_clock::now();
  const ProcessResult r = sh("echo done; sleep 30 & echo $! > " + pidfile + "; exit 0");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "done\n");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  const pid_t sleeper = read_pid(pidfile);
  if (sleeper > 0) ::kill(sleeper, SIGKILL);
  std::filesystem::remove_all(dir);
}

std::string mountinfo() {
  std::ifstream in("/proc/self/mountinfo");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(RunProcess, DetachesMountsInAPrivateNamespaceOnly) {
  if (::geteuid() != 0) GTEST_SKIP() << "unshare(CLONE_NEWNS) needs CAP_SYS_ADMIN; not root";
  std::string victim;
  for (const char* m : {"/sys/fs/cgroup/unified", "/dev/shm", "/dev/mqueue", "/sys/fs/cgroup"})
    if (mountinfo().find(std::string(" ") + m + " ") != std::string::npos) {
      victim = m;
      break;
    }
  if (victim.empty()) GTEST_SKIP() << "none of the candidate mounts is mounted here";
  ProcessSpec spec;
  spec.argv = {"/bin/sh", "-c", "grep -c ' " + victim + " ' /proc/self/mountinfo"};
  spec.detach_mounts = {victim};
  auto r = run_process(spec);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->out, "0\n") << r->err;
  EXPECT_THAT(mountinfo(), HasSubstr(" " + victim + " ")) << "the host's mount must stay";
}

}  // namespace
}  // namespace procmatrix::harness
