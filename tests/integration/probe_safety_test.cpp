// The probe's promise to its host, checked on the system calls it really makes: under strace it
// never writes under /proc or /sys (its own child namespace's uid_map, gid_map and setgroups
// aside), never reads /proc/kmsg or /proc/sysrq-trigger, never opens anything there to create
// or truncate, and finishes well inside its time limit.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "support.hpp"

namespace procmatrix::testing {
namespace {

struct Syscall {
  std::string name, fd_path, line;
};

// strace -y prints an fd with its path: write(3</proc/4242/uid_map>, "0 0 1", 5) = 5.
std::vector<Syscall> parse_strace(const std::string& text) {
  static const std::regex call(R"(^(?:\[pid\s+\d+\]\s+|\d+\s+)?(\w+)\((\d+)<([^>]*)>)");
  std::vector<Syscall> calls;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::smatch m;
    if (std::regex_search(line, m, call)) calls.push_back({m[1], m[3], line});
  }
  return calls;
}

bool under_proc_or_sys(const std::string& path) {
  return path.rfind("/proc/", 0) == 0 || path.rfind("/sys/", 0) == 0 || path == "/proc" || path == "/sys";
}

bool own_namespace_map(const std::string& path) {
  static const std::regex allowed(R"(^/proc/\d+/(uid_map|gid_map|setgroups)$)");
  return std::regex_match(path, allowed);
}

bool is_write_call(const std::string& name) {
  return name == "write" || name == "writev" || name == "pwrite64" || name == "pwritev" ||
         name == "pwritev2" || name == "sendfile" || name == "splice" || name == "copy_file_range";
}

bool is_read_call(const std::string& name) {
  return name == "read" || name == "readv" || name == "pread64" || name == "preadv" ||
         name == "preadv2";
}

class ProbeUnderStrace : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!have_program("strace")) GTEST_SKIP() << "strace is not installed (scripts/bootstrap installs it)";
    TempDir dir("procprobe-strace");
    auto log = dir.path() / "trace";
    result_ = run({"strace", "-f", "-qq", "-y", "-s", "64", "-o", log.string(),
                   "-e", "trace=%file,%desc,%process", PROCPROBE_BIN, "--format", "json"},
                  std::chrono::seconds(60));
    std::ifstream in(log);
    std::stringstream buffer;
    buffer << in.rdbuf();
    trace_ = buffer.str();
    calls_ = parse_strace(trace_);
  }

  ProcessResult result_;
  std::string trace_;
  std::vector<Syscall> calls_;
};

TEST_F(ProbeUnderStrace, RunsToCompletionAndPrintsItsReport) {
  ASSERT_FALSE(result_.timed_out);
  ASSERT_EQ(result_.exit_code, 0) << result_.err;
  auto report = nlohmann::json::parse(result_.out);
  EXPECT_EQ(report["schema"], "procmatrix.probe/v1");
  // The trace saw the scan: the catalog's paths were opened.
  EXPECT_NE(trace_.find("/proc/keys"), std::string::npos);
  EXPECT_GT(calls_.size(), 50u);
}

TEST_F(ProbeUnderStrace, NeverWritesUnderProcOrSysButItsOwnNamespaceMaps) {
  int own_map_writes = 0;
  for (const auto& c : calls_) {
    if (!is_write_call(c.name) || !under_proc_or_sys(c.fd_path)) continue;
    if (own_namespace_map(c.fd_path)) {
      ++own_map_writes;
      continue;
    }
    ADD_FAILURE() << "write reached " << c.fd_path << ": " << c.line;
  }
  // The nesting test writes its child namespace's setgroups, uid_map and gid_map: if these were
  // missing the check above would prove nothing about the writes that do happen.
  EXPECT_GE(own_map_writes, 3) << "the nesting test's own map writes were not seen in the trace";
}

TEST_F(ProbeUnderStrace, NeverReadsKmsgOrSysrqTrigger) {
  bool opened_kmsg = false;
  for (const auto& c : calls_) {
    if (c.fd_path == "/proc/kmsg") opened_kmsg = true;
    if (is_read_call(c.name) && (c.fd_path == "/proc/kmsg" || c.fd_path == "/proc/sysrq-trigger"))
      ADD_FAILURE() << "read of a consuming file: " << c.line;
  }
  // /proc/kmsg exists on this kernel and the catalog opens it: the trace must show the open,
  // or the absence of a read proves nothing.
  if (access("/proc/kmsg", F_OK) == 0) {
    EXPECT_TRUE(opened_kmsg) << "the trace shows no fd on /proc/kmsg";
  }
}

TEST_F(ProbeUnderStrace, NeverCreatesOrTruncatesUnderProcOrSys) {
  static const std::regex open_call(R"re(open(?:at)?\([^"]*"((?:/proc|/sys)[^"]*)",\s*([A-Z_|]+))re");
  std::istringstream in(trace_);
  std::string line;
  while (std::getline(in, line)) {
    std::smatch m;
    if (!std::regex_search(line, m, open_call)) continue;
    std::string flags = m[2];
    EXPECT_EQ(flags.find("O_TRUNC"), std::string::npos) << line;
    EXPECT_EQ(flags.find("O_CREAT"), std::string::npos) << line;
    EXPECT_EQ(flags.find("O_APPEND"), std::string::npos) << line;
  }
}

}  // namespace
}  // namespace procmatrix::testing
