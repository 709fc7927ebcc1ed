// The path states of DESIGN.md on real mounts: the test makes its own private mount namespace,
// masks paths the way runc does (a /dev/null bind over a proc file, an empty read-only tmpfs over
// a directory, a read-only bind of /proc/sys onto itself), adds one broken mask of each kind
// (CVE-2025-31133: masked means really masked), runs the real probe binary inside and checks
// what it reports for each path. Every mount lives in that namespace and dies with the child.
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support.hpp"

namespace procmatrix::testing {
namespace {

using ::testing::HasSubstr;
using nlohmann::json;

void check(int rc, const std::string& what) {
  if (rc != 0) throw std::runtime_error(what + ": " + std::strerror(errno));
}

void bind(const char* source, const char* target) {
  check(::mount(source, target, nullptr, MS_BIND, nullptr), std::string("bind ") + source + " on " + target);
}

void tmpfs(const char* target) {
  check(::mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=64k"),
        std::string("mount tmpfs on ") + target);
}

void remount_read_only(const char* target) {
  check(::mount(nullptr, target, nullptr, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr),
        std::string("remount ro ") + target);
}

void create_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  check(fd < 0 ? -1 : 0, "create " + path);
  ::close(fd);
}

// Runs in the forked child before the probe is exec'd.
void set_up_masks() {
  check(::unshare(CLONE_NEWNS), "unshare(CLONE_NEWNS)");
  // Nothing below may propagate back to the host's mount namespace.
  check(::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr), "make / private");

  // runc's masks: /dev/null over a file, an empty read-only tmpfs over a directory.
  bind("/dev/null", "/proc/keys");
  tmpfs("/proc/acpi");
  remount_read_only("/proc/acpi");

  // Broken masks. A char device that is not the null device (/dev/zero, 1:5) over a file.
  bind("/dev/zero", "/proc/timer_list");
  // A regular proc file bound where /dev/null should be: the CVE-2025-31133 shape, writable.
  bind("/proc/sys/kernel/core_pattern", "/proc/interrupts");
  // A writable, non-empty tmpfs over a directory.
  tmpfs("/proc/fs");
  create_file("/proc/fs/planted");
  // A read-only but non-empty tmpfs over a directory.
  tmpfs("/proc/irq");
  create_file("/proc/irq/planted");
  remount_read_only("/proc/irq");

  // runc's read-only path: /proc/sys bound onto itself, then remounted read-only.
  check(::mount("/proc/sys", "/proc/sys", nullptr, MS_BIND | MS_REC, nullptr), "bind /proc/sys onto itself");
  check(::mount(nullptr, "/proc/sys", nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                nullptr),
        "remount /proc/sys read-only");
}

int mount_count() {
  std::ifstream in("/proc/self/mountinfo");
  int lines = 0;
  for (std::string line; std::getline(in, line);) ++lines;
  return lines;
}

bool exists(const char* path) {
  struct stat st {};
  return ::lstat(path, &st) == 0;
}

class ProbeStates : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (::geteuid() != 0) {
      skip_reason_ = "needs root: the test mounts masks in its own mount namespace";
      return;
    }
    mounts_before_ = mount_count();
    result_ = run({PROCPROBE_BIN, "--only", "paths", "--format", "json"}, std::chrono::seconds(30), set_up_masks);
    mounts_after_ = mount_count();
    if (result_.exit_code == 0) report_ = json::parse(result_.out, nullptr, false);
  }

  void SetUp() override {
    if (skip_reason_) GTEST_SKIP() << *skip_reason_;
    ASSERT_FALSE(result_.timed_out);
    ASSERT_EQ(result_.exit_code, 0) << result_.err;
    ASSERT_FALSE(report_.is_discarded()) << result_.out;
  }

  // The path entry of `id`; fails the test when the report lacks it.
  static const json& path(const std::string& id) {
    static const json missing = json::object();
    const json* p = find_path(report_, id);
    EXPECT_NE(p, nullptr) << "no path entry " << id;
    return p ? *p : missing;
  }

  static inline std::optional<std::string> skip_reason_;
  static inline ProcessResult result_;
  static inline json report_;
  static inline int mounts_before_ = 0, mounts_after_ = 0;
};

TEST_F(ProbeStates, NoMountLeaksOntoTheHost) {
  EXPECT_EQ(mounts_after_, mounts_before_);
}

TEST_F(ProbeStates, ReportHasThePathsFamilyOnly) {
  EXPECT_EQ(report_["schema"], "procmatrix.probe/v1");
  ASSERT_TRUE(report_["paths"].is_array());
  EXPECT_FALSE(report_["paths"].empty());
}

TEST_F(ProbeStates, DevNullOverProcKeysIsMasked) {
  if (!exists("/proc/keys")) GTEST_SKIP() << "this kernel has no /proc/keys (CONFIG_KEYS off)";
  const json& p = path("proc.keys");
  EXPECT_EQ(p["state"], "masked");
  EXPECT_EQ(p["mask"], "devnull");
  EXPECT_EQ(p["kind"], "chardev");
  EXPECT_TRUE(p["mask_defect"].is_null());
  EXPECT_EQ(p["mount"]["mount_point"], "/proc/keys");
  EXPECT_EQ(p["mount"]["exact"], true);
}

TEST_F(ProbeStates, EmptyReadOnlyTmpfsOverProcAcpiIsMasked) {
  if (!exists("/proc/acpi")) GTEST_SKIP() << "this kernel has no /proc/acpi";
  const json& p = path("proc.acpi");
  EXPECT_EQ(p["state"], "masked");
  EXPECT_EQ(p["mask"], "tmpfs");
  EXPECT_EQ(p["kind"], "directory");
  EXPECT_TRUE(p["mask_defect"].is_null());
  EXPECT_EQ(p["mount"]["fstype"], "tmpfs");
  EXPECT_EQ(p["mount"]["read_only"], true);
  EXPECT_EQ(p["read"]["ok"], true);
}

TEST_F(ProbeStates, ReadOnlyProcSysIsReadonlyWithoutDefect) {
  const json& p = path("proc.sys");
  EXPECT_EQ(p["state"], "readonly");
  EXPECT_EQ(p["mask"], "none");
  EXPECT_TRUE(p["mask_defect"].is_null()) << p["mask_defect"];
  EXPECT_EQ(p["mount"]["fstype"], "proc");
  EXPECT_EQ(p["mount"]["exact"], true);
  EXPECT_EQ(p["mount"]["read_only"], true);
  EXPECT_THAT(p["mount"]["options"].get<std::string>(), ::testing::StartsWith("ro,"));
  EXPECT_EQ(p["write"]["ok"], false);
  EXPECT_TRUE(p["write"]["errno"].is_null());  // a directory is never opened for writing
}

TEST_F(ProbeStates, CorePatternUnderReadOnlyProcSysGivesErofs) {
  const json& p = path("proc.sys.kernel.core_pattern");
  EXPECT_EQ(p["state"], "readonly");
  EXPECT_EQ(p["write"]["errno"], "EROFS");
  EXPECT_EQ(p["read"]["ok"], true);
  EXPECT_EQ(p["mount"]["mount_point"], "/proc/sys");
  EXPECT_EQ(p["mount"]["exact"], false);
}

TEST_F(ProbeStates, DropCachesUnderReadOnlyProcSysIsReadonly) {
  const json& p = path("proc.sys.vm.drop_caches");
  EXPECT_EQ(p["state"], "readonly");
  EXPECT_EQ(p["write"]["errno"], "EROFS");
}

TEST_F(ProbeStates, ZeroDeviceOverProcTimerListIsNotAMaskAndSaysWhy) {
  if (!exists("/proc/timer_list")) GTEST_SKIP() << "this kernel has no /proc/timer_list";
  const json& p = path("proc.timer_list");
  EXPECT_EQ(p["mask"], "none");
  EXPECT_EQ(p["state"], "writable");
  EXPECT_EQ(p["kind"], "chardev");
  ASSERT_TRUE(p["mask_defect"].is_string());
  EXPECT_THAT(p["mask_defect"].get<std::string>(), HasSubstr("char device 1:5"));
}

TEST_F(ProbeStates, CorePatternBoundOverProcInterruptsIsNotAMaskAndSaysWhy) {
  const json& p = path("proc.interrupts");
  EXPECT_EQ(p["mask"], "none");
  EXPECT_EQ(p["state"], "writable");
  EXPECT_EQ(p["kind"], "file");
  ASSERT_TRUE(p["mask_defect"].is_string());
  EXPECT_THAT(p["mask_defect"].get<std::string>(), HasSubstr("regular file (proc /sys/kernel/core_pattern)"));
}

TEST_F(ProbeStates, WritableNonEmptyTmpfsOverProcFsIsNotAMaskAndSaysWhy) {
  const json& p = path("proc.fs");
  EXPECT_EQ(p["mask"], "none");
  EXPECT_EQ(p["state"], "readable");
  ASSERT_TRUE(p["mask_defect"].is_string());
  EXPECT_THAT(p["mask_defect"].get<std::string>(), HasSubstr("is writable and is not empty"));
}

TEST_F(ProbeStates, ReadOnlyNonEmptyTmpfsOverProcIrqIsReadonlyAndSaysWhy) {
  const json& p = path("proc.irq");
  EXPECT_EQ(p["mask"], "none");
  EXPECT_EQ(p["state"], "readonly");
  ASSERT_TRUE(p["mask_defect"].is_string());
  EXPECT_THAT(p["mask_defect"].get<std::string>(), HasSubstr("is not empty"));
  EXPECT_THAT(p["mask_defect"].get<std::string>(), ::testing::Not(HasSubstr("writable")));
}

TEST_F(ProbeStates, UntouchedProcBusIsReadable) {
  const json& p = path("proc.bus");
  if (p["state"] == "absent") GTEST_SKIP() << "this kernel has no /proc/bus";
  EXPECT_EQ(p["state"], "readable");
  EXPECT_EQ(p["mask"], "none");
  EXPECT_TRUE(p["mask_defect"].is_null());
  EXPECT_EQ(p["mount"]["exact"], false);
}

TEST_F(ProbeStates, ProcKmsgIsOpenedNeverReadAndNotWritable) {
  const json& p = path("proc.kmsg");
  if (p["state"] == "absent") GTEST_SKIP() << "this kernel has no /proc/kmsg";
  // As root the open for reading works; /proc/kmsg has no write handler, so it is not writable
  // even though root's open(O_WRONLY) is accepted.
  EXPECT_EQ(p["state"], "readable");
}

}  // namespace
}  // namespace procmatrix::testing
