// Findings: derive_findings() on constructed reports. A clean container gives none; each way out
// gives its finding, with a stable id, its severity and the observation quoted as evidence.
#include "findings.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

namespace procmatrix::probe {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

PathResult path(std::string id, std::string p, PathState state) {
  PathResult r;
  r.id = std::move(id);
  r.path = std::move(p);
  r.state = state;
  r.kind = FileKind::file;
  r.read = state == PathState::absent ? Attempt{} : Attempt::success();
  r.write = state == PathState::writable ? Attempt::success() : Attempt::failure(EROFS);
  return r;
}

DeviceResult device(std::string id, std::string p, DeviceState state, unsigned major,
                    unsigned minor, FileKind kind = FileKind::chardev) {
  DeviceResult d;
  d.id = std::move(id);
  d.path = std::move(p);
  d.state = state;
  d.kind = kind;
  d.major = major;
  d.minor = minor;
  d.open_rw = state == DeviceState::usable ? Attempt::success() : Attempt::failure(EPERM);
  return d;
}

// What kubelet's Default gives an unprivileged Pod with hostUsers false: nothing to find.
Report clean_report() {
  Report r;
  Identity id;
  id.uid = 0;
  id.user_namespace = true;
  id.uid_map = {{0, 100000, 65536}};
  id.capabilities.effective = {"CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"};
  id.seccomp = "filter";
  r.identity = id;
  PathResult keys = path("proc.keys", "/proc/keys", PathState::masked);
  keys.mask = MaskKind::devnull;
  PathResult kcore = path("proc.kcore", "/proc/kcore", PathState::masked);
  kcore.mask = MaskKind::devnull;
  PathResult kallsyms = path("proc.kallsyms", "/proc/kallsyms", PathState::readable);
  kallsyms.details["addresses"] = "zeroed";
  PathResult pid1 = path("proc.1.root", "/proc/1/root", PathState::denied);
  pid1.read = Attempt::failure(EACCES);
  pid1.details["host_pid1"] = "false";
  r.paths = std::vector<PathResult>{
      keys,
      kcore,
      path("proc.sys.kernel.core_pattern", "/proc/sys/kernel/core_pattern", PathState::readonly),
      path("proc.sys.kernel.modprobe", "/proc/sys/kernel/modprobe", PathState::readonly),
      path("proc.sysrq-trigger", "/proc/sysrq-trigger", PathState::absent),
      path("proc.sys.vm.drop_caches", "/proc/sys/vm/drop_caches", PathState::readonly),
      path("sys.kernel.uevent_helper", "/sys/kernel/uevent_helper", PathState::readonly),
      path("sys.fs.cgroup.release_agent", "/sys/fs/cgroup/*/release_agent", PathState::absent),
      kallsyms,
      pid1,
  };
  r.devices = std::vector<DeviceResult>{
      device("dev.net.tun", "/dev/net/tun", DeviceState::usable, 10, 200),
      device("dev.mem", "/dev/mem", DeviceState::absent, 0, 0),
      device("dev.kmsg", "/dev/kmsg", DeviceState::denied, 1, 11),
      device("dev.block.vd", "/dev/vda", DeviceState::denied, 254, 0, FileKind::blockdev),
  };
  return r;
}

std::vector<std::string> ids(const std::vector<Finding>& findings) {
  std::vector<std::string> out;
  for (const Finding& f : findings) out.push_back(f.id);
  return out;
}

const Finding* find(const std::vector<Finding>& findings, const std::string& id) {
  const auto it =
      std::find_if(findings.begin(), findings.end(), [&](const Finding& f) { return f.id == id; });
  return it == findings.end() ? nullptr : &*it;
}

PathResult& path_of(Report& r, const std::string& id) {
  return *std::find_if(r.paths->begin(), r.paths->end(),
                       [&](const PathResult& p) { return p.id == id; });
}

TEST(Findings, CleanReportHasNone) { EXPECT_THAT(ids(derive_findings(clean_report())), IsEmpty()); }

TEST(Findings, ReportWithoutFamiliesHasNone) { EXPECT_THAT(derive_findings(Report{}), IsEmpty()); }

TEST(Findings, WritableCorePatternIsHigh) {
  Report r = clean_report();
  PathResult& core = path_of(r, "proc.sys.kernel.core_pattern");
  core.state = PathState::writable;
  core.mount = MountRef{"/proc", "proc", "proc", "rw,nosuid,nodev,noexec,relatime", false, false};
  const auto findings = derive_findings(r);
  ASSERT_EQ(findings.size(), 1u) << ::testing::PrintToString(ids(findings));
  EXPECT_EQ(findings[0].id, "escape.core_pattern.writable");
  EXPECT_EQ(findings[0].severity, "high");
  EXPECT_FALSE(findings[0].title.empty());
  EXPECT_THAT(findings[0].evidence, HasSubstr("/proc/sys/kernel/core_pattern"));
  EXPECT_THAT(findings[0].evidence, HasSubstr("O_WRONLY"));
  EXPECT_THAT(findings[0].evidence, HasSubstr("rw,nosuid"));
}

struct WritableCase {
  const char* check;
  const char* finding;
  const char* severity;
};

TEST(Findings, EachWritableEscapePathHasItsFinding) {
  const WritableCase cases[] = {
      {"proc.sys.kernel.modprobe", "escape.modprobe.writable", "high"},
      {"sys.kernel.uevent_helper", "escape.uevent_helper.writable", "high"},
      {"sys.fs.cgroup.release_agent", "escape.release_agent.writable", "high"},
      {"proc.sysrq-trigger", "host.sysrq_trigger.writable", "high"},
      {"proc.sys.vm.drop_caches", "host.drop_caches.writable", "medium"},
  };
  for (const WritableCase& c : cases) {
    Report r = clean_report();
    path_of(r, c.check).state = PathState::writable;
    const auto findings = derive_findings(r);
    ASSERT_EQ(findings.size(), 1u) << c.check;
    EXPECT_EQ(findings[0].id, c.finding);
    EXPECT_EQ(findings[0].severity, c.severity) << c.check;
  }
}

TEST(Findings, EveryWritableReleaseAgentIsOneFinding) {
  Report r = clean_report();
  r.paths->push_back(path("sys.fs.cgroup.release_agent", "/sys/fs/cgroup/memory/release_agent",
                          PathState::writable));
  r.paths->push_back(path("sys.fs.cgroup.release_agent", "/sys/fs/cgroup/pids/release_agent",
                          PathState::writable));
  const auto findings = derive_findings(r);
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_THAT(findings[0].evidence, HasSubstr("/sys/fs/cgroup/memory/release_agent"));
  EXPECT_THAT(findings[1].evidence, HasSubstr("/sys/fs/cgroup/pids/release_agent"));
}

TEST(Findings, WritableBinfmtRegisterIsHigh) {
  Report r = clean_report();
  PathResult binfmt = path("proc.sys.fs.binfmt_misc.register", "/proc/sys/fs/binfmt_misc/register",
                           PathState::writable);
  binfmt.write = Attempt::success();
  r.paths->push_back(binfmt);
  const auto findings = derive_findings(r);
  const Finding* f = find(findings, "escape.binfmt_misc.register_writable");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, "high");
  EXPECT_THAT(f->evidence, HasSubstr("/proc/sys/fs/binfmt_misc/register"));
}

TEST(Findings, ReadableKcoreIsHighMaskedKcoreIsNot) {
  Report r = clean_report();
  path_of(r, "proc.kcore").state = PathState::readable;
  path_of(r, "proc.kcore").mask = MaskKind::none;
  const auto findings = derive_findings(r);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].id, "leak.kcore.readable");
  EXPECT_EQ(findings[0].severity, "high");
}

TEST(Findings, RealKallsymsAddressesAreMedium) {
  Report r = clean_report();
  path_of(r, "proc.kallsyms").details["addresses"] = "real";
  const auto findings = derive_findings(r);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].id, "leak.kallsyms.real_addresses");
  EXPECT_EQ(findings[0].severity, "medium");
}

TEST(Findings, HostPid1RootReadableIsHigh) {
  Report r = clean_report();
  PathResult& pid1 = path_of(r, "proc.1.root");
  pid1.state = PathState::readable;
  pid1.read = Attempt::success();
  EXPECT_THAT(derive_findings(r), IsEmpty()) << "pid 1 is the container's own";
  pid1.details["host_pid1"] = "true";
  const auto findings = derive_findings(r);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].id, "escape.host_pid1_root.readable");
  EXPECT_EQ(findings[0].severity, "high");
}

TEST(Findings, MaskDefectIsHighWhateverThePath) {
  Report r = clean_report();
  path_of(r, "proc.keys").mask_defect = "bind of char 1:5 (/dev/zero), not the null device 1:3";
  const auto findings = derive_findings(r);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].id, "mask.not_a_real_mask");
  EXPECT_EQ(findings[0].severity, "high");
  EXPECT_THAT(findings[0].title, HasSubstr("CVE-2025-31133"));
  EXPECT_THAT(findings[0].evidence, HasSubstr("/proc/keys: bind of char 1:5"));
}

TEST(Findings, UsableDevMemAndPortAreHigh) {
  Report r = clean_report();
  r.devices->push_back(device("dev.mem", "/dev/mem", DeviceState::usable, 1, 1));
  r.devices->push_back(device("dev.port", "/dev/port", DeviceState::usable, 1, 4));
  const auto findings = derive_findings(r);
  ASSERT_EQ(findings.size(), 2u) << ::testing::PrintToString(ids(findings));
  EXPECT_EQ(findings[0].id, "device.mem.usable");
  EXPECT_THAT(findings[0].evidence, HasSubstr("chardev 1:1"));
  EXPECT_EQ(findings[1].id, "device.port.usable");
}

TEST(Findings, NullDeviceBoundOverDevMemIsNoFinding) {
  Report r = clean_report();
  r.devices->push_back(device("dev.mem", "/dev/mem", DeviceState::usable, 1, 3));
  EXPECT_THAT(derive_findings(r), IsEmpty());
}

TEST(Findings, UsableKmsgIsMedium) {
  Report r = clean_report();
  r.devices->push_back(device("dev.kmsg", "/dev/kmsg", DeviceState::usable, 1, 11));
  const auto findings = derive_findings(r);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].id, "device.kmsg.writable");
  EXPECT_EQ(findings[0].severity, "medium");
}

TEST(Findings, UsableHostDiskIsHigh) {
  Report r = clean_report();
  r.devices->push_back(
      device("dev.block.sd", "/dev/sda", DeviceState::usable, 8, 0, FileKind::blockdev));
  const auto findings = derive_findings(r);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].id, "device.block.usable");
  EXPECT_THAT(findings[0].evidence, HasSubstr("/dev/sda"));
  EXPECT_THAT(findings[0].evidence, HasSubstr("blockdev 8:0"));
}

TEST(Findings, SysAdminWithoutUserNamespaceIsHigh) {
  Report r = clean_report();
  r.identity->capabilities.effective.push_back("CAP_SYS_ADMIN");
  EXPECT_THAT(derive_findings(r), IsEmpty())
      << "CAP_SYS_ADMIN of a user namespace is not the host's";
  r.identity->user_namespace = false;
  const auto findings = derive_findings(r);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].id, "privilege.cap_sys_admin.initial_userns");
  EXPECT_EQ(findings[0].severity, "high");
}

TEST(Findings, SeccompDisabledIsLow) {
  Report r = clean_report();
  r.identity->seccomp = "disabled";
  const auto findings = derive_findings(r);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].id, "hardening.seccomp.disabled");
  EXPECT_EQ(findings[0].severity, "low");
}

TEST(Findings, MostSevereComeFirst) {
  Report r = clean_report();
  r.identity->seccomp = "disabled";
  path_of(r, "proc.sys.vm.drop_caches").state = PathState::writable;
  path_of(r, "proc.sys.kernel.core_pattern").state = PathState::writable;
  const auto findings = derive_findings(r);
  ASSERT_EQ(findings.size(), 3u);
  EXPECT_EQ(findings[0].severity, "high");
  EXPECT_EQ(findings[1].severity, "medium");
  EXPECT_EQ(findings[2].severity, "low");
}

}  // namespace
}  // namespace procmatrix::probe
