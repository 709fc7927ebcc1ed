// The nesting test: decide_nesting on constructed outcomes (NestingVerdict.*), and probe_nesting
// on this kernel (Nesting.*): real user, mount, PID and network namespaces, real masks made the
// way runc makes them, and the kernel's own EPERM for a fresh proc behind them.
#include "nesting.hpp"

#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <sys/syscall.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace procmatrix::probe {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using std::chrono::milliseconds;

// ---------------------------------------------------------------------------------------------
// Constructed outcomes.

NestingStep ok() { return {Attempt::success(), true, ""}; }
NestingStep failed(int err, std::string call = "") { return {Attempt::failure(err), true, std::move(call)}; }
NestingStep not_attempted() { return {}; }

Nesting all_working() {
  Nesting n;
  for (NestingStep Nesting::*s : {&Nesting::userns, &Nesting::proc_mount, &Nesting::sysfs_mount,
                                  &Nesting::tmpfs_mount, &Nesting::overlay_mount,
                                  &Nesting::dev_net_tun, &Nesting::dev_fuse})
    n.*s = ok();
  return n;
}

std::vector<std::string> ids(const Nesting& n) {
  std::vector<std::string> out;
  for (const Blocker& b : n.blockers) out.push_back(b.id);
  return out;
}

const Blocker* blocker(const Nesting& n, const std::string& id) {
  for (const Blocker& b : n.blockers)
    if (b.id == id) return &b;
  return nullptr;
}

Nesting decided(Nesting n) {
  decide_nesting(n);
  return n;
}

TEST(NestingVerdict, EverythingWorkingIsReadyWithoutBlockers) {
  const Nesting n = decided(all_working());
  EXPECT_EQ(n.verdict, "ready");
  EXPECT_TRUE(n.blockers.empty());
}

// One step fails, the rest work: exactly its blocker appears, and the verdict follows the rule.
struct OneFailure {
  NestingStep Nesting::*step;
  int err;
  const char* call;
  const char* blocker;
  const char* verdict;
};

class NestingOneFailure : public ::testing::TestWithParam<OneFailure> {};

TEST_P(NestingOneFailure, AddsExactlyItsBlocker) {
  const OneFailure& c = GetParam();
  Nesting n = all_working();
  n.*c.step = failed(c.err, c.call);
  decide_nesting(n);
  EXPECT_THAT(ids(n), ::testing::ElementsAre(c.blocker));
  EXPECT_EQ(n.verdict, c.verdict);
  const Blocker* b = blocker(n, c.blocker);
  ASSERT_NE(b, nullptr);
  EXPECT_FALSE(b->reason.empty());
  EXPECT_FALSE(b->remedy.empty());
  EXPECT_THAT(b->reason, Not(HasSubstr("{"))) << "a placeholder left unfilled";
}

INSTANTIATE_TEST_SUITE_P(
    NestingVerdict, NestingOneFailure,
    ::testing::Values(
        OneFailure{&Nesting::userns, EPERM, "unshare(CLONE_NEWUSER)", "nesting.userns.denied", "blocked"},
        OneFailure{&Nesting::userns, ENOSPC, "unshare(CLONE_NEWUSER)", "nesting.userns.limit", "blocked"},
        OneFailure{&Nesting::userns, EPERM, "write /proc/self/uid_map", "nesting.userns.setfcap", "blocked"},
        OneFailure{&Nesting::userns, EPERM, "write /proc/self/gid_map", "nesting.userns.failed", "blocked"},
        OneFailure{&Nesting::userns, EINVAL, "unshare(CLONE_NEWUSER)", "nesting.userns.failed", "blocked"},
        OneFailure{&Nesting::proc_mount, EPERM, "mount(proc)", "nesting.proc.masked", "blocked"},
        OneFailure{&Nesting::proc_mount, EPERM, "unshare(CLONE_NEWPID)", "nesting.proc.failed", "blocked"},
        OneFailure{&Nesting::proc_mount, EACCES, "mount(proc)", "nesting.mount.lsm", "blocked"},
        OneFailure{&Nesting::proc_mount, EBUSY, "mount(proc)", "nesting.proc.failed", "blocked"},
        OneFailure{&Nesting::sysfs_mount, EPERM, "mount(sysfs)", "nesting.sysfs.denied", "blocked"},
        OneFailure{&Nesting::sysfs_mount, EPERM, "unshare(CLONE_NEWNET)", "nesting.sysfs.failed", "blocked"},
        OneFailure{&Nesting::tmpfs_mount, EPERM, "mount(tmpfs)", "nesting.tmpfs.failed", "blocked"},
        OneFailure{&Nesting::tmpfs_mount, EACCES, "mount(tmpfs)", "nesting.mount.lsm", "blocked"},
        // Soft ones: something else still does the job.
        OneFailure{&Nesting::overlay_mount, EINVAL, "mount(overlay)", "nesting.overlay.unsupported", "ready"},
        OneFailure{&Nesting::overlay_mount, EPERM, "mount(overlay)", "nesting.overlay.unsupported", "ready"},
        OneFailure{&Nesting::dev_net_tun, ENOENT, "open /dev/net/tun", "nesting.tun.missing", "ready"},
        OneFailure{&Nesting::dev_net_tun, EPERM, "open /dev/net/tun", "nesting.tun.missing", "ready"},
        OneFailure{&Nesting::dev_fuse, ENOENT, "open /dev/fuse", "nesting.fuse.missing", "ready"},
        OneFailure{&Nesting::dev_fuse, EPERM, "open /dev/fuse", "nesting.fuse.missing", "ready"}));

TEST(NestingVerdict, DefaultMasksBlockProcMountWithTheKepRemedy) {
  Nesting n = all_working();
  n.proc_mount = failed(EPERM, "mount(proc)");
  decide_nesting(n);
  const Blocker* b = blocker(n, "nesting.proc.masked");
  ASSERT_NE(b, nullptr);
  EXPECT_THAT(b->reason, HasSubstr("mount_too_revealing"));
  EXPECT_THAT(b->remedy, HasSubstr("procMount: Unmasked"));
  EXPECT_THAT(b->remedy, HasSubstr("hostUsers: false"));
}

TEST(NestingVerdict, AStepWithoutItsCallIsJudgedByItsErrno) {
  // JSON read back, or a caller that knows no call: the errno row still speaks.
  Nesting n = all_working();
  n.proc_mount = failed(EPERM);
  EXPECT_THAT(ids(decided(n)), ::testing::ElementsAre("nesting.proc.masked"));
}

TEST(NestingVerdict, MissingTunNamesTheErrorNestedPodmanPrints) {
  Nesting n = all_working();
  n.dev_net_tun = failed(ENOENT, "open /dev/net/tun");
  n = decided(n);
  const Blocker* b = blocker(n, "nesting.tun.missing");
  ASSERT_NE(b, nullptr);
  EXPECT_THAT(b->reason, HasSubstr("Failed to open() /dev/net/tun: No such file or directory"));
  EXPECT_THAT(b->remedy, HasSubstr("--network=host"));
  EXPECT_THAT(b->remedy, HasSubstr("/dev/net/tun"));
}

TEST(NestingVerdict, MissingFuseNamesTheErrorFuseOverlayfsPrints) {
  Nesting n = all_working();
  n.dev_fuse = failed(ENOENT, "open /dev/fuse");
  n = decided(n);
  const Blocker* b = blocker(n, "nesting.fuse.missing");
  ASSERT_NE(b, nullptr);
  EXPECT_THAT(b->reason, HasSubstr("fuse: device not found, try 'modprobe fuse' first"));
  EXPECT_THAT(b->remedy, HasSubstr("native overlay"));
  EXPECT_THAT(b->remedy, HasSubstr("vfs"));
}

TEST(NestingVerdict, NoOverlayAndNoFuseLeavesNoStorageAndBlocks) {
  Nesting n = all_working();
  n.overlay_mount = failed(EINVAL, "mount(overlay)");
  n.dev_fuse = failed(ENOENT, "open /dev/fuse");
  n = decided(n);
  EXPECT_EQ(n.verdict, "blocked");
  EXPECT_THAT(ids(n), ::testing::ElementsAre("nesting.overlay.unsupported", "nesting.fuse.missing"));
}

TEST(NestingVerdict, NoUserNamespaceMeansNothingElseWasTried) {
  Nesting n = all_working();
  n.userns = failed(EPERM, "unshare(CLONE_NEWUSER)");
  for (NestingStep Nesting::*s : {&Nesting::proc_mount, &Nesting::sysfs_mount, &Nesting::tmpfs_mount,
                                  &Nesting::overlay_mount})
    n.*s = not_attempted();
  n = decided(n);
  EXPECT_EQ(n.verdict, "blocked");
  EXPECT_THAT(ids(n), ::testing::ElementsAre("nesting.userns.denied")) << "no blocker for steps not tried";
}

TEST(NestingVerdict, OverlayNotTriedWithoutTmpfsIsNotIncomplete) {
  Nesting n = all_working();
  n.tmpfs_mount = failed(EPERM, "mount(tmpfs)");
  n.overlay_mount = not_attempted();
  EXPECT_THAT(ids(decided(n)), ::testing::ElementsAre("nesting.tmpfs.failed"));
}

TEST(NestingVerdict, OneLsmBlockerForEveryMountItRefuses) {
  Nesting n = all_working();
  n.proc_mount = failed(EACCES, "mount(proc)");
  n.sysfs_mount = failed(EACCES, "mount(sysfs)");
  n.tmpfs_mount = failed(EACCES, "mount(tmpfs)");
  n.overlay_mount = not_attempted();
  EXPECT_THAT(ids(decided(n)), ::testing::ElementsAre("nesting.mount.lsm"));
}

TEST(NestingVerdict, TimeoutBlocksAndKeepsWhatWasReported) {
  Nesting n = all_working();
  n.timed_out = true;
  n.proc_mount = failed(EPERM, "mount(proc)");
  n.sysfs_mount = n.tmpfs_mount = n.overlay_mount = not_attempted();
  n = decided(n);
  EXPECT_EQ(n.verdict, "blocked");
  EXPECT_THAT(ids(n), ::testing::ElementsAre("nesting.timeout", "nesting.proc.masked"))
      << "a timeout explains the silent steps: no nesting.incomplete";
}

TEST(NestingVerdict, TimeoutBlocksEvenWhenEveryStepReportedOk) {
  Nesting n = all_working();
  n.timed_out = true;
  n = decided(n);
  EXPECT_EQ(n.verdict, "blocked");
  EXPECT_THAT(ids(n), ::testing::ElementsAre("nesting.timeout"));
}

TEST(NestingVerdict, ASilentStepWithoutTimeoutIsIncomplete) {
  Nesting n = all_working();
  n.sysfs_mount = n.tmpfs_mount = n.overlay_mount = not_attempted();
  n.error = "the nesting test's grandchild was killed by signal 31 (SIGSYS: a seccomp filter that kills)";
  n = decided(n);
  EXPECT_EQ(n.verdict, "blocked");
  ASSERT_THAT(ids(n), ::testing::ElementsAre("nesting.incomplete"));
  EXPECT_THAT(n.blockers[0].reason, HasSubstr("SIGSYS"));
}

TEST(NestingVerdict, NothingRanIsIncomplete) {
  Nesting n;  // fork failed: no step at all
  n.error = "fork: Resource temporarily unavailable";
  n = decided(n);
  EXPECT_EQ(n.verdict, "blocked");
  EXPECT_THAT(ids(n), ::testing::ElementsAre("nesting.incomplete"));
}

TEST(NestingVerdict, ReasonsCarryTheCallAndErrnoWhereTheRowIsGeneric) {
  Nesting n = all_working();
  n.proc_mount = failed(EBUSY, "mount(proc)");
  n = decided(n);
  ASSERT_EQ(n.blockers.size(), 1U);
  EXPECT_THAT(n.blockers[0].reason, HasSubstr("mount(proc): EBUSY"));
}

TEST(NestingVerdict, DecidingTwiceGivesTheSameAnswer) {
  Nesting n = all_working();
  n.dev_net_tun = failed(ENOENT, "open /dev/net/tun");
  n.proc_mount = failed(EPERM, "mount(proc)");
  decide_nesting(n);
  const auto first = ids(n);
  decide_nesting(n);
  EXPECT_EQ(ids(n), first);
}

// ---------------------------------------------------------------------------------------------
// This kernel.

constexpr milliseconds kTimeout{5000};

std::size_t mount_count() {
  std::ifstream in("/proc/self/mountinfo");
  return static_cast<std::size_t>(std::count(std::istreambuf_iterator<char>(in), {}, '\n'));
}

// The caller of probe_nesting has no child left: both forked processes were reaped.
bool no_children_left() {
  errno = 0;
  return ::waitpid(-1, nullptr, WNOHANG) == -1 && errno == ECHILD;
}

std::string describe(const Nesting& n) {
  std::ostringstream out;
  auto step = [&](const char* name, const NestingStep& s) {
    out << name << "=" << (!s.attempted ? "not-attempted" : s.result.ok ? "ok" : s.call + ":" + std::strerror(s.result.err)) << " ";
  };
  step("userns", n.userns);
  step("proc", n.proc_mount);
  step("sysfs", n.sysfs_mount);
  step("tmpfs", n.tmpfs_mount);
  step("overlay", n.overlay_mount);
  step("tun", n.dev_net_tun);
  step("fuse", n.dev_fuse);
  out << "timed_out=" << n.timed_out << " verdict=" << n.verdict << " error=" << n.error << " blockers:";
  for (const auto& b : n.blockers) out << " " << b.id;
  return out.str();
}

// Skips on the fact that keeps a user namespace from being made here, as the probe saw it.
#define SKIP_WITHOUT_USERNS(n)                                                                   \
  if (!(n).userns.result.ok)                                                                     \
  GTEST_SKIP() << "no user namespace here (" << (n).userns.call << ": "                         \
               << std::strerror((n).userns.result.err) << ")"

TEST(Nesting, OnThisHostEveryNamespaceStepWorks) {
  const std::size_t mounts_before = mount_count();
  const Nesting n = probe_nesting({}, kTimeout);
  SKIP_WITHOUT_USERNS(n);
  EXPECT_FALSE(n.timed_out) << describe(n);
  EXPECT_TRUE(n.error.empty()) << describe(n);
  EXPECT_TRUE(n.proc_mount.result.ok) << describe(n);
  EXPECT_TRUE(n.sysfs_mount.result.ok) << describe(n);
  EXPECT_TRUE(n.tmpfs_mount.result.ok) << describe(n);
  // This is a 6.x kernel: unprivileged overlay is there since 5.11.
  EXPECT_TRUE(n.overlay_mount.result.ok) << describe(n);
  EXPECT_EQ(n.verdict, "ready") << describe(n);
  EXPECT_EQ(mount_count(), mounts_before) << "a mount leaked onto the host";
  EXPECT_TRUE(no_children_left());
}

TEST(Nesting, DevicesComeFromTheDeviceScanWhenGiven) {
  DeviceResult tun, fuse;
  tun.id = "dev.net.tun";
  tun.path = "/dev/net/tun";
  tun.state = DeviceState::absent;
  fuse.id = "dev.fuse";
  fuse.path = "/dev/fuse";
  fuse.state = DeviceState::denied;
  fuse.open_rw = Attempt::failure(EPERM);
  const Nesting n = probe_nesting({tun, fuse}, kTimeout);
  EXPECT_EQ(n.dev_net_tun.result.err, ENOENT);
  EXPECT_EQ(n.dev_fuse.result.err, EPERM);
  EXPECT_NE(blocker(n, "nesting.tun.missing"), nullptr);
  EXPECT_NE(blocker(n, "nesting.fuse.missing"), nullptr);
  SKIP_WITHOUT_USERNS(n);
  EXPECT_EQ(n.verdict, "ready") << "overlay stores images, --network=host networks: " << describe(n);
}

// What the probe found, carried out of a forked child as text: the child set up masks in a
// private mount namespace of its own, and ran the probe there.
std::string encode(const Nesting& n) {
  std::ostringstream out;
  for (const NestingStep* s : {&n.userns, &n.proc_mount, &n.sysfs_mount, &n.tmpfs_mount, &n.overlay_mount})
    out << s->attempted << " " << s->result.ok << " " << s->result.err << " " << (s->call.empty() ? "-" : s->call)
        << "\n";
  out << n.timed_out << " " << n.verdict << "\n";
  for (const Blocker& b : n.blockers) out << b.id << "\n";
  return out.str();
}

Nesting decode(const std::string& text) {
  Nesting n;
  std::istringstream in(text);
  for (NestingStep* s : {&n.userns, &n.proc_mount, &n.sysfs_mount, &n.tmpfs_mount, &n.overlay_mount}) {
    bool ok_flag = false;
    int err = 0;
    in >> s->attempted >> ok_flag >> err >> std::ws;
    std::getline(in, s->call);
    s->result = ok_flag ? Attempt::success() : Attempt::failure(err);
  }
  in >> n.timed_out >> n.verdict;
  for (std::string id; in >> id;) n.blockers.push_back({id, "", ""});
  return n;
}

// Runs probe_nesting in a forked child that first makes a private mount namespace and then calls
// `setup` in it (as root in the host's user namespace, like a runtime making a container).
Nesting probe_in_child_after(const std::function<bool()>& setup) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2");
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    if (::unshare(CLONE_NEWNS) != 0 || ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
      ::_exit(2);
    if (!setup()) ::_exit(3);
    const std::string text = encode(probe_nesting({}, kTimeout));
    if (::write(fds[1], text.data(), text.size()) != static_cast<ssize_t>(text.size())) ::_exit(4);
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string text;
  char buf[4096];
  for (ssize_t got; (got = ::read(fds[0], buf, sizeof buf)) > 0;) text.append(buf, static_cast<std::size_t>(got));
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw std::runtime_error("setting up the masks failed in the child, status " + std::to_string(status));
  return decode(text);
}

// runc's mask of a file: /dev/null bound over it.
bool mask_with_dev_null(const char* path) { return ::mount("/dev/null", path, nullptr, MS_BIND, nullptr) == 0; }

// runc's read-only path: a recursive bind on itself, remounted read-only.
bool make_read_only(const char* path) {
  return ::mount(path, path, nullptr, MS_BIND | MS_REC, nullptr) == 0 &&
         ::mount(nullptr, path, nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                 nullptr) == 0;
}

class NestingBehindMasks : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "making masks needs CAP_SYS_ADMIN (not root)";
    static const Nesting here = probe_nesting({}, kTimeout);  // once: the fact does not change
    SKIP_WITHOUT_USERNS(here);
    mounts_before_ = mount_count();
  }
  void TearDown() override {
    if (mounts_before_ != 0) {
      EXPECT_EQ(mount_count(), mounts_before_) << "a mount leaked onto the host";
    }
    EXPECT_TRUE(no_children_left());
  }
  std::size_t mounts_before_ = 0;
};

// Which file to mask: /proc/keys as kubelet asks, or /proc/timer_list on a kernel without keys.
const char* maskable_proc_file() {
  struct stat st {};
  return ::stat("/proc/keys", &st) == 0 ? "/proc/keys" : "/proc/timer_list";
}

TEST_F(NestingBehindMasks, DefaultMasksBlockProcMount) {
  const char* file = maskable_proc_file();
  const Nesting n = probe_in_child_after([file] { return mask_with_dev_null(file); });
  ASSERT_TRUE(n.userns.result.ok) << encode(n);
  EXPECT_FALSE(n.proc_mount.result.ok) << encode(n);
  EXPECT_EQ(n.proc_mount.result.err, EPERM) << "the kernel's mount_too_revealing answer: " << encode(n);
  EXPECT_EQ(n.proc_mount.call, "mount(proc)");
  EXPECT_EQ(n.verdict, "blocked");
  EXPECT_NE(blocker(n, "nesting.proc.masked"), nullptr) << encode(n);
  // The other steps do not depend on proc: they were still tried, and worked.
  EXPECT_TRUE(n.sysfs_mount.result.ok) << encode(n);
  EXPECT_TRUE(n.tmpfs_mount.result.ok) << encode(n);
}

TEST_F(NestingBehindMasks, ReadOnlyProcSysBlocksProcMount) {
  const Nesting n = probe_in_child_after([] { return make_read_only("/proc/sys"); });
  ASSERT_TRUE(n.userns.result.ok) << encode(n);
  EXPECT_EQ(n.proc_mount.result.err, EPERM) << encode(n);
  EXPECT_NE(blocker(n, "nesting.proc.masked"), nullptr) << encode(n);
}

TEST_F(NestingBehindMasks, WithoutMasksProcMountWorks) {
  const Nesting n = probe_in_child_after([] { return true; });
  ASSERT_TRUE(n.userns.result.ok) << encode(n);
  EXPECT_TRUE(n.proc_mount.result.ok) << encode(n);
  EXPECT_EQ(blocker(n, "nesting.proc.masked"), nullptr) << encode(n);
}

TEST_F(NestingBehindMasks, MaskedSysFirmwareBlocksSysfsMount) {
  struct stat st {};
  if (::stat("/sys/firmware", &st) != 0) GTEST_SKIP() << "no /sys/firmware on this kernel";
  // kubelet masks /sys/firmware (a directory) with a read-only tmpfs, as runc does.
  const Nesting n = probe_in_child_after(
      [] { return ::mount("tmpfs", "/sys/firmware", "tmpfs", MS_RDONLY, nullptr) == 0; });
  ASSERT_TRUE(n.userns.result.ok) << encode(n);
  EXPECT_TRUE(n.proc_mount.result.ok) << encode(n);
  EXPECT_EQ(n.sysfs_mount.result.err, EPERM) << encode(n);
  EXPECT_NE(blocker(n, "nesting.sysfs.denied"), nullptr) << encode(n);
}

// What runc spec's default capabilities do: no CAP_SETFCAP in the effective set.
bool drop_effective_setfcap() {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2]{};
  if (::syscall(SYS_capget, &header, data) != 0) return false;
  data[CAP_SETFCAP / 32].effective &= ~(1U << (CAP_SETFCAP % 32));
  return ::syscall(SYS_capset, &header, data) == 0;
}

TEST_F(NestingBehindMasks, RootWithoutSetfcapCannotMapItself) {
  const Nesting n = probe_in_child_after(drop_effective_setfcap);
  EXPECT_FALSE(n.userns.result.ok) << encode(n);
  EXPECT_EQ(n.userns.result.err, EPERM) << "Linux 5.12+ verify_root_map: " << encode(n);
  EXPECT_EQ(n.userns.call, "write /proc/self/uid_map");
  EXPECT_NE(blocker(n, "nesting.userns.setfcap"), nullptr) << encode(n);
  EXPECT_FALSE(n.proc_mount.attempted) << "nothing is tried without the user namespace";
}

TEST(Nesting, ZeroTimeoutTimesOutAndLeavesNothing) {
  const std::size_t mounts_before = mount_count();
  const Nesting n = probe_nesting({}, milliseconds(0));
  EXPECT_TRUE(n.timed_out);
  EXPECT_EQ(n.verdict, "blocked");
  EXPECT_NE(blocker(n, "nesting.timeout"), nullptr) << describe(n);
  EXPECT_TRUE(no_children_left()) << "the child and the grandchild are reaped";
  EXPECT_EQ(mount_count(), mounts_before);
}

TEST(Nesting, KilledAtAnyPointLeavesNoProcess) {
  // Timeouts around the test's own duration, so the kill lands before, during and after the
  // clone of the grandchild.
  const std::size_t mounts_before = mount_count();
  for (int round = 0; round < 5; ++round) {
    for (const int ms : {0, 1, 2, 3}) {
      const Nesting n = probe_nesting({}, milliseconds(ms));
      if (n.timed_out) {
        EXPECT_EQ(n.verdict, "blocked");
        EXPECT_NE(blocker(n, "nesting.timeout"), nullptr) << describe(n);
      }
      ASSERT_TRUE(no_children_left()) << "timeout " << ms << " ms: " << describe(n);
    }
  }
  EXPECT_EQ(mount_count(), mounts_before);
}

}  // namespace
}  // namespace procmatrix::probe
