// mountinfo parsing on literal text (lines as runc, crun and the kernel write them) and the
// table's answer to "which mount holds this path".
#include "mountinfo.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace procmatrix::probe {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// Lines of a runc container (Default procMount) as its /proc/self/mountinfo shows them.
constexpr std::string_view kRuncContainer =
    "1190 1130 0:64 / / rw,relatime - overlay overlay rw,lowerdir=/l,upperdir=/u,workdir=/w\n"
    "1200 1190 0:22 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw\n"
    "1201 1190 0:5 / /dev rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755\n"
    "1210 1190 0:23 / /sys ro,nosuid,nodev,noexec,relatime - sysfs sysfs ro\n"
    "1230 1200 0:22 /bus /proc/bus ro,nosuid,nodev,noexec,relatime - proc proc rw\n"
    "1231 1200 0:22 /fs /proc/fs ro,nosuid,nodev,noexec,relatime - proc proc rw\n"
    "1232 1200 0:22 /irq /proc/irq ro,nosuid,nodev,noexec,relatime - proc proc rw\n"
    "1233 1200 0:22 /sys /proc/sys ro,nosuid,nodev,noexec,relatime - proc proc rw\n"
    "1234 1200 0:5 /null /proc/keys rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755\n"
    "1235 1200 0:5 /null /proc/timer_list rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755\n"
    "1236 1200 0:70 / /proc/acpi ro,relatime - tmpfs tmpfs ro,inode64\n"
    "1237 1210 0:71 / /sys/firmware ro,relatime - tmpfs tmpfs ro,inode64\n";

MountTable table(std::string_view text) {
  auto entries = parse_mountinfo(text);
  EXPECT_TRUE(entries.ok()) << (entries.ok() ? "" : entries.error().describe());
  return entries.ok() ? MountTable(std::move(*entries)) : MountTable();
}

MountEntry one(std::string_view line) {
  auto entries = parse_mountinfo(line);
  EXPECT_TRUE(entries.ok()) << (entries.ok() ? "" : entries.error().describe());
  if (!entries.ok() || entries->size() != 1) {
    ADD_FAILURE() << "expected one entry from: " << line;
    return {};
  }
  return entries->front();
}

std::string parse_error(std::string_view text) {
  auto entries = parse_mountinfo(text);
  EXPECT_FALSE(entries.ok()) << "parsed: " << text;
  return entries.ok() ? "" : entries.error().describe();
}

TEST(Mountinfo, ParsesAllFieldsOfAPlainLine) {
  const MountEntry e = one("22 27 0:21 / /proc rw,relatime - proc proc rw");
  EXPECT_EQ(e.mount_id, 22);
  EXPECT_EQ(e.parent_id, 27);
  EXPECT_EQ(e.major, 0u);
  EXPECT_EQ(e.minor, 21u);
  EXPECT_EQ(e.root, "/");
  EXPECT_EQ(e.mount_point, "/proc");
  EXPECT_EQ(e.mount_options, "rw,relatime");
  EXPECT_THAT(e.optional_fields, IsEmpty());
  EXPECT_EQ(e.fstype, "proc");
  EXPECT_EQ(e.source, "proc");
  EXPECT_EQ(e.super_options, "rw");
  EXPECT_FALSE(e.read_only());
}

TEST(Mountinfo, DecodesOctalEscapedSpace) {
  const MountEntry e =
      one("36 35 98:0 /mnt\\0401 /mnt/my\\040dir rw,noatime - ext3 /dev/my\\040disk rw,errors=continue");
  EXPECT_EQ(e.root, "/mnt 1");
  EXPECT_EQ(e.mount_point, "/mnt/my dir");
  EXPECT_EQ(e.source, "/dev/my disk");
}

TEST(Mountinfo, DecodesOctalTabNewlineAndBackslash) {
  const MountEntry e = one("36 35 98:0 / /a\\011b\\012c\\134d rw - ext4 /dev/vda rw");
  EXPECT_EQ(e.mount_point, "/a\tb\nc\\d");
}

TEST(Mountinfo, KeepsABackslashThatIsNotAnOctalEscape) {
  const MountEntry e = one("36 35 98:0 / /a\\x\\08 rw - ext4 /dev/vda rw");
  EXPECT_EQ(e.mount_point, "/a\\x\\08");
}

TEST(Mountinfo, DecodesEscapesInSuperOptions) {
  // Overlay layer paths with spaces are escaped in the superblock options.
  const MountEntry e = one("1190 1130 0:64 / / rw - overlay overlay rw,lowerdir=/a\\040b");
  EXPECT_EQ(e.super_options, "rw,lowerdir=/a b");
}

TEST(Mountinfo, ParsesZeroOptionalFields) {
  EXPECT_THAT(one("25 24 0:23 / /dev/shm rw,relatime - tmpfs tmpfs rw").optional_fields, IsEmpty());
}

TEST(Mountinfo, ParsesSeveralOptionalFields) {
  const MountEntry e =
      one("61 60 0:5 / /dev rw,nosuid shared:2 master:1 propagate_from:3 - devtmpfs udev rw,mode=755");
  EXPECT_THAT(e.optional_fields, ElementsAre("shared:2", "master:1", "propagate_from:3"));
  EXPECT_EQ(e.fstype, "devtmpfs");
  EXPECT_EQ(e.source, "udev");
  EXPECT_EQ(e.super_options, "rw,mode=755");
}

TEST(Mountinfo, KeepsAnEmptySourceAsAnEmptyField) {
  const MountEntry e = one("70 60 0:40 / /mnt rw - tmpfs  rw");
  EXPECT_EQ(e.fstype, "tmpfs");
  EXPECT_EQ(e.source, "");
  EXPECT_EQ(e.super_options, "rw");
}

TEST(Mountinfo, RuncDevNullBindOverProcKeysHasBindRootNull) {
  const MountEntry e = one("1234 1200 0:5 /null /proc/keys rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755");
  EXPECT_EQ(e.root, "/null");
  EXPECT_EQ(e.mount_point, "/proc/keys");
  EXPECT_EQ(e.fstype, "tmpfs");
  EXPECT_FALSE(e.read_only());
}

TEST(Mountinfo, CrunDevtmpfsNullBindIsReadOnly) {
  // crun masks files with the host's /dev/null, a read-only bind from devtmpfs.
  const MountEntry e = one(
      "640 620 0:6 /null /proc/kcore ro,nosuid,noexec,relatime master:9 - devtmpfs udev "
      "rw,size=4007396k,nr_inodes=1001849,mode=755,inode64");
  EXPECT_EQ(e.root, "/null");
  EXPECT_EQ(e.fstype, "devtmpfs");
  EXPECT_THAT(e.optional_fields, ElementsAre("master:9"));
  EXPECT_TRUE(e.read_only());
  EXPECT_FALSE(e.super_read_only());
}

TEST(Mountinfo, ReadOnlyProcSysBindKeepsSuperblockRw) {
  const MountEntry e = one("1233 1200 0:22 /sys /proc/sys ro,nosuid,nodev,noexec,relatime - proc proc rw");
  EXPECT_EQ(e.root, "/sys");
  EXPECT_TRUE(e.read_only());
  EXPECT_FALSE(e.super_read_only());
  EXPECT_EQ(e.combined_options(), "ro,nosuid,nodev,noexec,relatime");
}

TEST(Mountinfo, ReadOnlyTmpfsOverProcAcpi) {
  const MountEntry e = one("1236 1200 0:70 / /proc/acpi ro,relatime - tmpfs tmpfs ro,inode64");
  EXPECT_TRUE(e.read_only());
  EXPECT_TRUE(e.super_read_only());
  EXPECT_EQ(e.combined_options(), "ro,relatime,inode64");
}

TEST(Mountinfo, CombinedOptionsDropsTheSuperblockRw) {
  EXPECT_EQ(one("1 0 0:5 / /dev rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755").combined_options(),
            "rw,nosuid,size=65536k,mode=755");
  EXPECT_EQ(one("1 0 0:21 / /proc rw,relatime - proc proc rw").combined_options(), "rw,relatime");
}

TEST(Mountinfo, CombinedOptionsKeepsASuperblockRoUnderAnRwMount) {
  EXPECT_EQ(one("1 0 0:70 / /mnt rw,relatime - tmpfs tmpfs ro,inode64").combined_options(),
            "rw,relatime,ro,inode64");
}

TEST(Mountinfo, HasOptionMatchesWholeOptionsOnly) {
  EXPECT_TRUE(has_option("ro,nosuid", "ro"));
  EXPECT_TRUE(has_option("nosuid,ro", "ro"));
  EXPECT_FALSE(has_option("rw,errors=remount-ro", "ro"));
  EXPECT_FALSE(has_option("", "ro"));
}

TEST(Mountinfo, SkipsEmptyLinesAndTrailingNewline) {
  auto entries = parse_mountinfo("22 27 0:21 / /proc rw - proc proc rw\n\n23 27 0:22 / /sys rw - sysfs sysfs rw\n");
  ASSERT_TRUE(entries.ok());
  EXPECT_EQ(entries->size(), 2u);
  EXPECT_TRUE(parse_mountinfo("").ok());
}

TEST(Mountinfo, ParsesAWholeRuncContainerTable) {
  auto entries = parse_mountinfo(kRuncContainer);
  ASSERT_TRUE(entries.ok()) << entries.error().describe();
  EXPECT_EQ(entries->size(), 12u);
}

TEST(Mountinfo, MissingSeparatorIsAnErrorNamingLineAndContent) {
  const std::string err =
      parse_error("22 27 0:21 / /proc rw - proc proc rw\n23 27 0:22 / /sys rw sysfs sysfs rw\n");
  EXPECT_THAT(err, HasSubstr("line 2"));
  EXPECT_THAT(err, HasSubstr("`23 27 0:22 / /sys rw sysfs sysfs rw`"));
}

TEST(Mountinfo, NonNumericMountIdIsAnError) {
  EXPECT_THAT(parse_error("x 27 0:21 / /proc rw - proc proc rw"), HasSubstr("line 1"));
}

TEST(Mountinfo, DeviceWithoutColonIsAnError) {
  EXPECT_THAT(parse_error("22 27 021 / /proc rw - proc proc rw"), HasSubstr("major:minor"));
}

TEST(Mountinfo, MissingSuperOptionsIsAnError) {
  EXPECT_THAT(parse_error("22 27 0:21 / /proc rw - proc proc"), HasSubstr("after ` - `"));
}

TEST(Mountinfo, ExtraFieldAfterSeparatorIsAnError) {
  EXPECT_THAT(parse_error("22 27 0:21 / /proc rw - proc proc rw extra"), HasSubstr("line 1"));
}

TEST(Mountinfo, RelativeMountPointIsAnError) {
  EXPECT_THAT(parse_error("22 27 0:21 / proc rw - proc proc rw"), HasSubstr("not a path"));
}

TEST(Mountinfo, TooShortLineIsAnError) {
  EXPECT_THAT(parse_error("22 27 0:21 /"), HasSubstr("line 1"));
}

TEST(Mountinfo, ReadSelfParsesOwnMountTable) {
  auto mounts = MountTable::read_self();
  ASSERT_TRUE(mounts.ok()) << mounts.error().describe();
  ASSERT_FALSE(mounts->entries().empty());
  const MountEntry* proc = mounts->covering("/proc/self/status");
  ASSERT_NE(proc, nullptr);
  EXPECT_EQ(proc->fstype, "proc");
}

TEST(MountTableCovering, ChoosesTheLongestMountPoint) {
  const MountTable t = table(kRuncContainer);
  const MountEntry* m = t.covering("/proc/sys/kernel/core_pattern");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->mount_point, "/proc/sys");
  EXPECT_TRUE(m->read_only());
}

TEST(MountTableCovering, ExactMountPointCoversItself) {
  const MountTable t = table(kRuncContainer);
  const MountEntry* m = t.covering("/proc/keys");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->mount_id, 1234);
}

TEST(MountTableCovering, ProcDoesNotCoverProcfoo) {
  const MountTable t = table(kRuncContainer);
  const MountEntry* m = t.covering("/procfoo");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->mount_point, "/");
  EXPECT_EQ(t.covering("/proc/keysfoo")->mount_point, "/proc");
}

TEST(MountTableCovering, RootCoversEverything) {
  const MountTable t = table(kRuncContainer);
  EXPECT_EQ(t.covering("/")->mount_id, 1190);
  EXPECT_EQ(t.covering("/etc/passwd")->mount_id, 1190);
}

TEST(MountTableCovering, LastLineWinsOnTheSameMountPoint) {
  // Two devpts stacked on /dev/pts (as on this machine): the later one is on top.
  const MountTable t = table(
      "27 1 254:0 / / rw - ext4 /dev/vda rw\n"
      "24 27 0:6 / /dev rw - devtmpfs devtmpfs rw\n"
      "26 24 0:24 / /dev/pts rw - devpts devpts rw,mode=600\n"
      "29 26 0:26 / /dev/pts rw - devpts devpts rw,mode=620\n");
  EXPECT_EQ(t.covering("/dev/pts/0")->mount_id, 29);
  EXPECT_EQ(t.covering("/dev/pts")->mount_id, 29);
}

TEST(MountTableCovering, EmptyTableCoversNothing) {
  EXPECT_EQ(MountTable().covering("/proc"), nullptr);
}

TEST(MountTableCovering, ByIdFindsAnEntryOrNothing) {
  const MountTable t = table(kRuncContainer);
  ASSERT_NE(t.by_id(1233), nullptr);
  EXPECT_EQ(t.by_id(1233)->mount_point, "/proc/sys");
  EXPECT_EQ(t.by_id(42), nullptr);
}

TEST(MountTableSelfBind, RuncReadOnlyProcSysBindsOntoItself) {
  const MountTable t = table(kRuncContainer);
  EXPECT_TRUE(t.binds_onto_itself(*t.by_id(1233)));
  EXPECT_TRUE(t.binds_onto_itself(*t.by_id(1230)));
}

TEST(MountTableSelfBind, DevNullBindIsNotASelfBind) {
  const MountTable t = table(kRuncContainer);
  EXPECT_FALSE(t.binds_onto_itself(*t.by_id(1234)));
}

TEST(MountTableSelfBind, TmpfsMaskIsNotASelfBind) {
  const MountTable t = table(kRuncContainer);
  EXPECT_FALSE(t.binds_onto_itself(*t.by_id(1236)));
}

TEST(MountTableSelfBind, CorePatternBoundOverProcKeysIsNotASelfBind) {
  // CVE-2025-31133: /dev/null swapped for a link to core_pattern; the "mask" is a proc file of
  // the same filesystem, but from another place in it.
  const MountTable t = table(
      "1200 1190 0:22 / /proc rw - proc proc rw\n"
      "1234 1200 0:22 /sys/kernel/core_pattern /proc/keys rw - proc proc rw\n");
  EXPECT_FALSE(t.binds_onto_itself(*t.by_id(1234)));
}

TEST(MountTableSelfBind, SelfBindUnderABindRootKeepsThatRoot) {
  // A proc mount that is itself a bind of /sys, then /sys/kernel bound onto itself in it.
  const MountTable t = table(
      "1200 1190 0:22 /sys /mnt/sys rw - proc proc rw\n"
      "1201 1200 0:22 /sys/kernel /mnt/sys/kernel ro - proc proc rw\n");
  EXPECT_TRUE(t.binds_onto_itself(*t.by_id(1201)));
}

TEST(MountTableSelfBind, ParentOutsideTheTableIsNotASelfBind) {
  const MountTable t = table("1233 1200 0:22 /sys /proc/sys ro - proc proc rw\n");
  EXPECT_FALSE(t.binds_onto_itself(*t.by_id(1233)));
}

}  // namespace
}  // namespace procmatrix::probe
