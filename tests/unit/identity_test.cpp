// Identity and environment: the parsers on literal text (this host's and gVisor's), the
// deciders on constructed facts, and probe_identity()/probe_environment() against this process.
#include "identity.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <linux/capability.h>
#include <linux/magic.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <utility>

namespace procmatrix::probe {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Not;

std::string slurp(const char* path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// /proc/self/status of a root shell on this machine (CapBnd lacks bit 24, CAP_SYS_RESOURCE).
constexpr std::string_view kHostStatus =
    "Name:\tcat\nUmask:\t0022\nState:\tR (running)\nTgid:\t3620\nPid:\t3620\nPPid:\t3618\n"
    "Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nFDSize:\t256\nGroups:\t \n"
    "CapInh:\t0000000000000000\nCapPrm:\t000001fffeffffff\nCapEff:\t000001fffeffffff\n"
    "CapBnd:\t000001fffeffffff\nCapAmb:\t0000000000000000\nNoNewPrivs:\t0\nSeccomp:\t0\n"
    "Seccomp_filters:\t0\nSpeculation_Store_Bypass:\tvulnerable\nCpus_allowed_list:\t0-1\n";

// /proc/self/status inside runsc (2022-12-19) here: no NoNewPrivs, no CapAmb.
constexpr std::string_view kGvisorStatus =
    "Name:\tcat\nState:\tR (running)\nTgid:\t1\nPid:\t1\nPPid:\t0\nTracerPid:\t0\n"
    "Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nFDSize:\t4\nGroups:\t  \nVmSize:\t9032 kB\n"
    "CapInh:\t0000000000000000\nCapPrm:\t0000000020000420\nCapEff:\t0000000020000420\n"
    "CapBnd:\t0000000020000420\nSeccomp:\t0\nMems_allowed:\t1\n";

// ---- capabilities --------------------------------------------------------------------------

TEST(Capabilities, NamesBitsInOrder) {
  EXPECT_THAT(capability_names(0b111),
              ElementsAre("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH"));
}

TEST(Capabilities, TableMatchesTheKernelHeader) {
#define PAIR(cap) std::pair<int, const char*>(cap, #cap)
  const std::pair<int, const char*> kernel[] = {
      PAIR(CAP_CHOWN),
      PAIR(CAP_DAC_OVERRIDE),
      PAIR(CAP_DAC_READ_SEARCH),
      PAIR(CAP_FOWNER),
      PAIR(CAP_FSETID),
      PAIR(CAP_KILL),
      PAIR(CAP_SETGID),
      PAIR(CAP_SETUID),
      PAIR(CAP_SETPCAP),
      PAIR(CAP_LINUX_IMMUTABLE),
      PAIR(CAP_NET_BIND_SERVICE),
      PAIR(CAP_NET_BROADCAST),
      PAIR(CAP_NET_ADMIN),
      PAIR(CAP_NET_RAW),
      PAIR(CAP_IPC_LOCK),
      PAIR(CAP_IPC_OWNER),
      PAIR(CAP_SYS_MODULE),
      PAIR(CAP_SYS_RAWIO),
      PAIR(CAP_SYS_CHROOT),
      PAIR(CAP_SYS_PTRACE),
      PAIR(CAP_SYS_PACCT),
      PAIR(CAP_SYS_ADMIN),
      PAIR(CAP_SYS_BOOT),
      PAIR(CAP_SYS_NICE),
      PAIR(CAP_SYS_RESOURCE),
      PAIR(CAP_SYS_TIME),
      PAIR(CAP_SYS_TTY_CONFIG),
      PAIR(CAP_MKNOD),
      PAIR(CAP_LEASE),
      PAIR(CAP_AUDIT_WRITE),
      PAIR(CAP_AUDIT_CONTROL),
      PAIR(CAP_SETFCAP),
      PAIR(CAP_MAC_OVERRIDE),
      PAIR(CAP_MAC_ADMIN),
      PAIR(CAP_SYSLOG),
      PAIR(CAP_WAKE_ALARM),
      PAIR(CAP_BLOCK_SUSPEND),
      PAIR(CAP_AUDIT_READ),
      PAIR(CAP_PERFMON),
      PAIR(CAP_BPF),
      PAIR(CAP_CHECKPOINT_RESTORE),
  };
#undef PAIR
  for (const auto& [bit, name] : kernel)
    EXPECT_THAT(capability_names(std::uint64_t{1} << bit), ElementsAre(name)) << "bit " << bit;
  EXPECT_EQ(std::size(kernel), 41u);
  EXPECT_EQ(capability_names((std::uint64_t{1} << (CAP_LAST_CAP + 1)) - 1).size(), 41u);
}

TEST(Capabilities, UnknownBitsAreNumbered) {
  EXPECT_THAT(capability_names((std::uint64_t{1} << 41) | (std::uint64_t{1} << 63)),
              ElementsAre("CAP_41", "CAP_63"));
}

TEST(Capabilities, EmptyMaskHasNoNames) { EXPECT_THAT(capability_names(0), IsEmpty()); }

// ---- id maps -------------------------------------------------------------------------------

TEST(IdMap, InitialNamespaceIsIdentity) {
  auto map = parse_id_map("         0          0 4294967295\n");
  ASSERT_TRUE(map.ok()) << map.error().describe();
  ASSERT_EQ(map->size(), 1u);
  EXPECT_EQ((*map)[0].count, 4294967295u);
  EXPECT_FALSE(is_user_namespace(*map));
}

TEST(IdMap, ContainerMappingIsAUserNamespace) {
  auto map = parse_id_map("         0     100000      65536\n");
  ASSERT_TRUE(map.ok()) << map.error().describe();
  ASSERT_EQ(map->size(), 1u);
  EXPECT_EQ((*map)[0].inside, 0u);
  EXPECT_EQ((*map)[0].outside, 100000u);
  EXPECT_EQ((*map)[0].count, 65536u);
  EXPECT_TRUE(is_user_namespace(*map));
}

TEST(IdMap, ParsesSeveralLines) {
  auto map = parse_id_map("0 1000 1\n1 100000 65536\n");
  ASSERT_TRUE(map.ok()) << map.error().describe();
  ASSERT_EQ(map->size(), 2u);
  EXPECT_EQ((*map)[1].inside, 1u);
  EXPECT_EQ((*map)[1].outside, 100000u);
}

TEST(IdMap, UnmappedNamespaceIsEmptyAndAUserNamespace) {
  auto map = parse_id_map("");
  ASSERT_TRUE(map.ok());
  EXPECT_THAT(*map, IsEmpty());
  EXPECT_TRUE(is_user_namespace(*map));
}

TEST(IdMap, PartialIdentityIsAUserNamespace) {
  auto map = parse_id_map("0 0 65536\n");
  ASSERT_TRUE(map.ok());
  EXPECT_TRUE(is_user_namespace(*map));
}

TEST(IdMap, GarbageIsAnErrorNamingTheLine) {
  auto map = parse_id_map("0 0 1\n0 x 1\n");
  ASSERT_FALSE(map.ok());
  EXPECT_THAT(map.error().message(), ::testing::HasSubstr("line 2"));
  EXPECT_THAT(map.error().message(), ::testing::HasSubstr("0 x 1"));
}

// ---- status --------------------------------------------------------------------------------

TEST(Status, ParsesThisHostsRootShell) {
  auto st = parse_status(kHostStatus);
  ASSERT_TRUE(st.ok()) << st.error().describe();
  EXPECT_EQ(st->uid, 0u);
  EXPECT_EQ(st->gid, 0u);
  EXPECT_EQ(st->cap_eff, 0x1fffeffffffu);
  EXPECT_EQ(st->cap_bnd, 0x1fffeffffffu);
  EXPECT_EQ(st->cap_inh, 0u);
  EXPECT_EQ(st->no_new_privs, false);
  EXPECT_EQ(st->seccomp, 0);
  EXPECT_THAT(capability_names(st->cap_bnd), Not(Contains("CAP_SYS_RESOURCE")));
  EXPECT_THAT(capability_names(st->cap_eff), Contains("CAP_SYS_ADMIN"));
}

TEST(Status, TakesTheEffectiveIdNotTheReal) {
  auto st = parse_status("Uid:\t1000\t0\t0\t0\nGid:\t1000\t5\t1000\t1000\nCapEff:\t0\n");
  ASSERT_TRUE(st.ok()) << st.error().describe();
  EXPECT_EQ(st->uid, 0u);
  EXPECT_EQ(st->gid, 5u);
}

TEST(Status, ParsesSeccompFilterAndNoNewPrivs) {
  auto st = parse_status(
      "Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nCapEff:\t00000000a80425fb\n"
      "NoNewPrivs:\t1\nSeccomp:\t2\nSeccomp_filters:\t1\n");
  ASSERT_TRUE(st.ok()) << st.error().describe();
  EXPECT_EQ(st->seccomp, 2);
  EXPECT_EQ(st->no_new_privs, true);
  EXPECT_STREQ(seccomp_mode_name(st->seccomp), "filter");
  // Docker's and containerd's default set.
  EXPECT_THAT(
      capability_names(st->cap_eff),
      ElementsAre("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
                  "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_NET_RAW",
                  "CAP_SYS_CHROOT", "CAP_MKNOD", "CAP_AUDIT_WRITE", "CAP_SETFCAP"));
}

TEST(Status, GvisorStatusWithoutNoNewPrivsAndCapAmbParses) {
  auto st = parse_status(kGvisorStatus);
  ASSERT_TRUE(st.ok()) << st.error().describe();
  EXPECT_FALSE(st->no_new_privs.has_value());
  EXPECT_EQ(st->cap_amb, 0u);
  EXPECT_EQ(st->seccomp, 0);
  // `runc spec`'s default set: AUDIT_WRITE, KILL, NET_BIND_SERVICE.
  EXPECT_THAT(capability_names(st->cap_eff),
              ElementsAre("CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_AUDIT_WRITE"));
}

TEST(Status, MissingSeccompLineIsUnknown) {
  auto st = parse_status("Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nCapEff:\t0\n");
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->seccomp, -1);
  EXPECT_STREQ(seccomp_mode_name(st->seccomp), "unknown");
  EXPECT_STREQ(seccomp_mode_name(0), "disabled");
  EXPECT_STREQ(seccomp_mode_name(1), "strict");
}

TEST(Status, MissingCapEffIsAnError) {
  auto st = parse_status("Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n");
  ASSERT_FALSE(st.ok());
  EXPECT_THAT(st.error().message(), ::testing::HasSubstr("CapEff"));
}

TEST(Status, MalformedCapabilityIsAnErrorNamingTheField) {
  auto st = parse_status("Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nCapEff:\t0\nCapBnd:\tzz\n");
  ASSERT_FALSE(st.ok());
  EXPECT_THAT(st.error().message(), ::testing::HasSubstr("CapBnd"));
  EXPECT_THAT(st.error().message(), ::testing::HasSubstr("zz"));
}

// ---- this process --------------------------------------------------------------------------

TEST(IdentityOfThisProcess, MatchesItsIdsAndStatus) {
  const Identity id = probe_identity();
  EXPECT_EQ(id.uid, ::geteuid());
  EXPECT_EQ(id.gid, ::getegid());
  const std::string uid_map = slurp("/proc/self/uid_map");
  auto map = parse_id_map(uid_map);
  ASSERT_TRUE(map.ok());
  EXPECT_EQ(id.user_namespace, is_user_namespace(*map)) << uid_map;
  EXPECT_EQ(id.uid_map.size(), map->size());
  EXPECT_NE(id.seccomp, "unknown");
}

TEST(IdentityOfThisProcess, RootInTheInitialNamespaceHasSysAdmin) {
  if (::geteuid() != 0) GTEST_SKIP() << "not root (euid " << ::geteuid() << ")";
  if (slurp("/proc/self/uid_map").find("4294967295") == std::string::npos)
    GTEST_SKIP() << "in a user namespace: " << slurp("/proc/self/uid_map");
  const Identity id = probe_identity();
  EXPECT_EQ(id.uid, 0u);
  EXPECT_FALSE(id.user_namespace);
  EXPECT_THAT(id.capabilities.effective, Contains("CAP_SYS_ADMIN"));
}

// The expected bounding set comes from the status text itself, read here independently.
TEST(IdentityOfThisProcess, BoundingSetHasSysResourceExactlyWhenStatusSaysSo) {
  const std::string status = slurp("/proc/self/status");
  const std::size_t at = status.find("CapBnd:");
  ASSERT_NE(at, std::string::npos) << status;
  const std::uint64_t bounding =
      std::stoull(status.substr(at + 7, status.find('\n', at) - at - 7), nullptr, 16);
  const bool expected = (bounding >> CAP_SYS_RESOURCE) & 1;
  const Identity id = probe_identity();
  EXPECT_EQ(contains(id.capabilities.bounding, "CAP_SYS_RESOURCE"), expected)
      << "CapBnd " << std::hex << bounding;
  EXPECT_EQ(id.capabilities.bounding.size(),
            static_cast<std::size_t>(__builtin_popcountll(bounding)));
}

TEST(IdentityOfThisProcess, NamespacesAreTheNsLinks) {
  const Identity id = probe_identity();
  for (const char* ns : {"ipc", "mnt", "net", "pid", "user", "uts"}) {
    char target[256];
    const std::string link = std::string("/proc/self/ns/") + ns;
    const ssize_t n = ::readlink(link.c_str(), target, sizeof target);
    ASSERT_GT(n, 0) << link;
    ASSERT_TRUE(id.namespaces.contains(ns)) << ns;
    EXPECT_EQ(id.namespaces.at(ns), std::string(target, static_cast<std::size_t>(n)));
    EXPECT_TRUE(id.namespaces.at(ns).starts_with(std::string(ns) + ":[")) << id.namespaces.at(ns);
  }
}

// attr/current gives EINVAL when no LSM answers for it (this machine): no key, no error.
TEST(IdentityOfThisProcess, AbsentLsmIsNoKey) {
  std::ifstream current("/proc/self/attr/current");
  std::string label;
  const bool readable = current && std::getline(current, label) && !label.empty();
  const bool apparmor_dir = ::access("/proc/self/attr/apparmor/current", F_OK) == 0;
  if (readable || apparmor_dir) GTEST_SKIP() << "an LSM labels this process: " << label;
  EXPECT_THAT(probe_identity().lsm, IsEmpty());
}

// ---- cgroup --------------------------------------------------------------------------------

TEST(Cgroup, Cgroup2AtTheRootIsV2) {
  EXPECT_STREQ(classify_cgroup({.root_exists = true, .root_fstype = CGROUP2_SUPER_MAGIC}), "v2");
}

TEST(Cgroup, TmpfsWithUnifiedCgroup2IsHybrid) {
  EXPECT_STREQ(classify_cgroup({.root_exists = true,
                                .root_fstype = TMPFS_MAGIC,
                                .unified_fstype = CGROUP2_SUPER_MAGIC,
                                .v1_hierarchies = true}),
               "hybrid");
}

TEST(Cgroup, TmpfsWithV1HierarchiesOnlyIsV1) {
  EXPECT_STREQ(
      classify_cgroup({.root_exists = true, .root_fstype = TMPFS_MAGIC, .v1_hierarchies = true}),
      "v1");
}

TEST(Cgroup, NothingMountedIsNone) {
  EXPECT_STREQ(classify_cgroup({}), "none");
  EXPECT_STREQ(classify_cgroup({.root_exists = true, .root_fstype = TMPFS_MAGIC}), "none");
  EXPECT_STREQ(classify_cgroup({.root_exists = true, .root_fstype = SYSFS_MAGIC}), "none");
}

TEST(Cgroup, UnexaminableIsUnknown) {
  EXPECT_STREQ(classify_cgroup({.root_error = true}), "unknown");
}

// FACTS.md: this machine is hybrid. Decided from statfs here, so the test says which fact failed.
TEST(EnvironmentOfThisHost, HybridCgroupsAreHybrid) {
  struct statfs root {
  }, unified{};
  if (::statfs("/sys/fs/cgroup", &root) != 0 || root.f_type != TMPFS_MAGIC ||
      ::statfs("/sys/fs/cgroup/unified", &unified) != 0 || unified.f_type != CGROUP2_SUPER_MAGIC)
    GTEST_SKIP() << "/sys/fs/cgroup is not tmpfs with cgroup2 at unified/ here";
  EXPECT_EQ(probe_environment(MountTable()).cgroup, "hybrid");
}

TEST(EnvironmentOfThisHost, KernelAndArchComeFromUname) {
  struct utsname u {};
  ASSERT_EQ(::uname(&u), 0);
  const Environment env = probe_environment(MountTable());
  EXPECT_EQ(env.kernel, u.release);
  EXPECT_EQ(env.arch, u.machine);
}

// ---- runtime hint --------------------------------------------------------------------------

MountEntry mount(std::string root, std::string point, std::string options, std::string fstype,
                 std::string source, std::string super) {
  MountEntry m;
  m.root = std::move(root);
  m.mount_point = std::move(point);
  m.mount_options = std::move(options);
  m.fstype = std::move(fstype);
  m.source = std::move(source);
  m.super_options = std::move(super);
  return m;
}

// The lines that matter of each runtime's mountinfo, as runc 1.1.5 and crun 1.8.1 made them here.
MountTable runc_masks() {
  return MountTable({
      mount("/", "/dev", "rw,nosuid", "tmpfs", "tmpfs", "rw,size=65536k,mode=755"),
      mount("/sys", "/proc/sys", "ro,relatime", "proc", "proc", "rw"),
      mount("/", "/proc/acpi", "ro,relatime", "tmpfs", "tmpfs", "ro"),
      mount("/null", "/proc/keys", "rw,nosuid", "tmpfs", "tmpfs", "rw,size=65536k,mode=755"),
      mount("/", "/sys/firmware", "ro,relatime", "tmpfs", "tmpfs", "ro"),
  });
}

MountTable runc_userns_masks() {
  return MountTable({
      mount("/null", "/dev/null", "rw,relatime", "devtmpfs", "devtmpfs",
            "rw,size=12334076k,mode=755"),
      mount("/", "/proc/acpi", "ro,relatime", "tmpfs", "tmpfs", "ro,uid=100000,gid=100000"),
      mount("/null", "/proc/keys", "rw,relatime", "devtmpfs", "devtmpfs",
            "rw,size=12334076k,mode=755"),
  });
}

MountTable crun_masks() {
  return MountTable({
      mount("/", "/proc/acpi", "ro,relatime", "tmpfs", "tmpfs", "rw,size=0k"),
      mount("/null", "/proc/keys", "ro,relatime", "devtmpfs", "devtmpfs",
            "rw,size=12334076k,mode=755"),
      mount("/", "/sys/firmware", "ro,relatime", "tmpfs", "tmpfs", "rw,size=0k"),
  });
}

const RuntimeFacts kLinux{"6.18.44-fc-v1147", "#1 SMP PREEMPT_DYNAMIC @0", "console=ttyS0 quiet"};

TEST(Runtime, GvisorByItsUnameVersion) {
  EXPECT_EQ(runtime_hint({"4.4.0", "#1 SMP Sun Jan 10 15:06:54 PST 2016", ""}, MountTable()),
            "gvisor");
}

TEST(Runtime, GvisorByItsCmdline) {
  EXPECT_EQ(
      runtime_hint({"4.19.0", "#1", "BOOT_IMAGE=/vmlinuz-4.19.0-gvisor quiet\n"}, MountTable()),
      "gvisor");
}

TEST(Runtime, KataByItsSharedFsTag) {
  MountTable mounts({mount("/c1/rootfs", "/", "rw,relatime", "virtiofs", "kataShared", "rw")});
  EXPECT_EQ(runtime_hint(kLinux, mounts), "kata");
}

TEST(Runtime, RuncMasksWithItsTmpfsNull) { EXPECT_EQ(runtime_hint(kLinux, runc_masks()), "runc"); }

TEST(Runtime, RuncInAUserNamespaceMasksWithARwHostNull) {
  EXPECT_EQ(runtime_hint(kLinux, runc_userns_masks()), "runc");
}

TEST(Runtime, CrunMasksWithAReadOnlyHostNull) {
  EXPECT_EQ(runtime_hint(kLinux, crun_masks()), "crun");
}

// crun nested in a container whose /dev is a tmpfs binds that tmpfs's null: still read-only.
TEST(Runtime, CrunMaskIsReadOnlyWhateverTheNullsFilesystem) {
  MountTable nested(
      {mount("/null", "/proc/keys", "ro,relatime", "tmpfs", "tmpfs", "rw,size=65536k")});
  EXPECT_EQ(runtime_hint(kLinux, nested), "crun");
}

TEST(Runtime, NoMasksIsUnknown) {
  MountTable unmasked({mount("/", "/proc", "rw,relatime", "proc", "proc", "rw")});
  EXPECT_EQ(runtime_hint(kLinux, unmasked), "unknown");
}

TEST(Runtime, DisagreeingMasksAreUnknown) {
  const MountTable runc = runc_masks(), crun = crun_masks();
  std::vector<MountEntry> both = runc.entries();
  both.insert(both.end(), crun.entries().begin(), crun.entries().end());
  EXPECT_EQ(runtime_hint(kLinux, MountTable(both)), "unknown");
}

}  // namespace
}  // namespace procmatrix::probe
