// DESIGN.md's state rules as the pure classify() applies them, every rule and every defect kind;
// then probe_path() and expand_glob() on real paths of this kernel.
#include "paths.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace procmatrix::probe {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

// ---- classify(): the rules in order ----

PathFacts file_facts() {
  PathFacts f;
  f.exists = true;
  f.kind = FileKind::file;
  return f;
}

PathFacts dir_facts() {
  PathFacts f;
  f.exists = true;
  f.kind = FileKind::directory;
  return f;
}

// /dev/null (or another device) bound over a proc file, as runc masks.
PathFacts device_over_file(unsigned major_number, unsigned minor_number) {
  PathFacts f = file_facts();
  f.kind = FileKind::chardev;
  f.rdev = makedev(major_number, minor_number);
  f.mounted_exactly = true;
  f.exact_fstype = "tmpfs";
  f.exact_root = "/null";
  f.read = Attempt::success();
  f.write = Attempt::success();
  return f;
}

// A tmpfs mounted over a directory, as runc masks directories.
PathFacts tmpfs_over_dir(bool read_only, bool empty) {
  PathFacts f = dir_facts();
  f.mounted_exactly = true;
  f.exact_fstype = "tmpfs";
  f.exact_root = "/";
  f.mount_read_only = read_only;
  f.dir_empty = empty;
  f.read = Attempt::success();
  return f;
}

TEST(PathState, MissingPathIsAbsent) {
  const Classification c = classify(PathFacts{});
  EXPECT_EQ(c.state, PathState::absent);
  EXPECT_EQ(c.mask, MaskKind::none);
  EXPECT_THAT(c.mask_defect, IsEmpty());
}

TEST(PathState, DevNullOverFileIsMasked) {
  const Classification c = classify(device_over_file(1, 3));
  EXPECT_EQ(c.state, PathState::masked);
  EXPECT_EQ(c.mask, MaskKind::devnull);
  EXPECT_THAT(c.mask_defect, IsEmpty());
}

TEST(PathState, ReadOnlyDevNullOverFileIsMasked) {
  // crun's mask: the host's /dev/null, bound read-only; opening a device ignores the ro flag.
  PathFacts f = device_over_file(1, 3);
  f.exact_fstype = "devtmpfs";
  f.mount_read_only = true;
  EXPECT_EQ(classify(f).mask, MaskKind::devnull);
}

TEST(PathState, EmptyReadOnlyTmpfsOverDirectoryIsMasked) {
  const Classification c = classify(tmpfs_over_dir(true, true));
  EXPECT_EQ(c.state, PathState::masked);
  EXPECT_EQ(c.mask, MaskKind::tmpfs);
  EXPECT_THAT(c.mask_defect, IsEmpty());
}

TEST(PathState, MaskWinsOverTheLaterRules) {
  PathFacts f = device_over_file(1, 3);
  f.write = Attempt::success();  // /dev/null opens for writing: still a mask, not "writable"
  EXPECT_EQ(classify(f).state, PathState::masked);
}

TEST(PathState, FileThatOpensForWritingIsWritable) {
  PathFacts f = file_facts();
  f.read = Attempt::success();
  f.write = Attempt::success();
  EXPECT_EQ(classify(f).state, PathState::writable);
}

TEST(PathState, WriteOpenGivingErofsIsReadonly) {
  PathFacts f = file_facts();
  f.read = Attempt::success();
  f.write = Attempt::failure(EROFS);
  EXPECT_EQ(classify(f).state, PathState::readonly);
}

TEST(PathState, DirectoryOnReadOnlyMountIsReadonly) {
  PathFacts f = dir_facts();
  f.mount_read_only = true;
  f.read = Attempt::success();
  EXPECT_EQ(classify(f).state, PathState::readonly);
}

TEST(PathState, DirectoryOnWritableMountThatListsIsReadable) {
  PathFacts f = dir_facts();
  f.read = Attempt::success();
  EXPECT_EQ(classify(f).state, PathState::readable);
}

TEST(PathState, FileWhoseWriteOpenIsRefusedButReadWorksIsReadable) {
  PathFacts f = file_facts();
  f.read = Attempt::success();
  f.write = Attempt::failure(EACCES);
  EXPECT_EQ(classify(f).state, PathState::readable);
}

TEST(PathState, FileOnReadOnlyMountRefusedWithEaccesIsReadable) {
  // Rule 4 for a file is EROFS: a 0444 sysctl under a read-only /proc/sys says EACCES first.
  PathFacts f = file_facts();
  f.mount_read_only = true;
  f.read = Attempt::success();
  f.write = Attempt::failure(EACCES);
  EXPECT_EQ(classify(f).state, PathState::readable);
}

TEST(PathState, NeitherReadNorWriteIsDenied) {
  PathFacts f = file_facts();
  f.read = Attempt::failure(EACCES);
  f.write = Attempt::failure(EACCES);
  EXPECT_EQ(classify(f).state, PathState::denied);
}

TEST(PathState, UnlistableDirectoryIsDenied) {
  PathFacts f = dir_facts();
  f.read = Attempt::failure(EACCES);
  EXPECT_EQ(classify(f).state, PathState::denied);
}

TEST(PathState, WriteOnlyFileIsWritable) {
  // /proc/sys/vm/drop_caches: mode 0200, read refused, write open accepted.
  PathFacts f = file_facts();
  f.read = Attempt::failure(EACCES);
  f.write = Attempt::success();
  EXPECT_EQ(classify(f).state, PathState::writable);
}

TEST(PathState, ProcFileWithoutWriteHandlerIsNotWritable) {
  // /proc/keys (0444) opens O_WRONLY for root through CAP_DAC_OVERRIDE but cannot be written.
  PathFacts f = file_facts();
  f.no_write_handler = true;
  f.read = Attempt::success();
  f.write = Attempt::success();
  EXPECT_EQ(classify(f).state, PathState::readable);
}

// ---- mounts over the path that are not masks ----

TEST(PathState, NonNullCharDeviceOverFileIsADefectAndWritable) {
  const Classification c = classify(device_over_file(1, 5));  // /dev/zero
  EXPECT_EQ(c.state, PathState::writable);
  EXPECT_EQ(c.mask, MaskKind::none);
  EXPECT_THAT(c.mask_defect, HasSubstr("char device 1:5"));
  EXPECT_THAT(c.mask_defect, HasSubstr("not the null device 1:3"));
}

TEST(PathState, BlockDeviceOverFileIsADefect) {
  PathFacts f = device_over_file(7, 0);
  f.kind = FileKind::blockdev;
  f.write = Attempt::failure(EACCES);
  const Classification c = classify(f);
  EXPECT_EQ(c.state, PathState::readable);
  EXPECT_THAT(c.mask_defect, HasSubstr("block device 7:0"));
}

TEST(PathState, RegularFileBoundOverFileIsADefect) {
  // CVE-2025-31133: the runtime's /dev/null was a link to core_pattern when it bound the "mask".
  PathFacts f = file_facts();
  f.mounted_exactly = true;
  f.exact_fstype = "proc";
  f.exact_root = "/sys/kernel/core_pattern";
  f.read = Attempt::success();
  f.write = Attempt::success();
  const Classification c = classify(f);
  EXPECT_EQ(c.state, PathState::writable);
  EXPECT_EQ(c.mask, MaskKind::none);
  EXPECT_THAT(c.mask_defect, HasSubstr("regular file"));
  EXPECT_THAT(c.mask_defect, HasSubstr("/sys/kernel/core_pattern"));
}

TEST(PathState, WritableTmpfsOverDirectoryIsADefect) {
  const Classification c = classify(tmpfs_over_dir(false, true));
  EXPECT_EQ(c.state, PathState::readable);
  EXPECT_EQ(c.mask, MaskKind::none);
  EXPECT_THAT(c.mask_defect, HasSubstr("is writable"));
  EXPECT_THAT(c.mask_defect, ::testing::Not(HasSubstr("not empty")));
}

TEST(PathState, NonEmptyReadOnlyTmpfsOverDirectoryIsADefectAndReadonly) {
  const Classification c = classify(tmpfs_over_dir(true, false));
  EXPECT_EQ(c.state, PathState::readonly);
  EXPECT_EQ(c.mask, MaskKind::none);
  EXPECT_THAT(c.mask_defect, HasSubstr("is not empty"));
}

TEST(PathState, WritableNonEmptyTmpfsNamesBothFaults) {
  const Classification c = classify(tmpfs_over_dir(false, false));
  EXPECT_THAT(c.mask_defect, HasSubstr("is writable and is not empty"));
}

TEST(PathState, UnlistableTmpfsOverDirectoryIsADefect) {
  PathFacts f = tmpfs_over_dir(true, false);
  f.read = Attempt::failure(EACCES);
  const Classification c = classify(f);
  EXPECT_EQ(c.state, PathState::readonly);
  EXPECT_THAT(c.mask_defect, HasSubstr("cannot be listed (EACCES)"));
}

TEST(PathState, ForeignDirectoryBoundOverDirectoryIsADefect) {
  PathFacts f = dir_facts();
  f.mounted_exactly = true;
  f.exact_fstype = "ext4";
  f.exact_root = "/var/lib/x";
  f.read = Attempt::success();
  const Classification c = classify(f);
  EXPECT_EQ(c.state, PathState::readable);
  EXPECT_THAT(c.mask_defect, HasSubstr("ext4 directory"));
}

TEST(PathState, ReadOnlySelfBindIsNotAMaskAttempt) {
  // runc's read-only /proc/sys: `proc on /proc/sys type proc (ro,...)`, root /sys.
  PathFacts f = dir_facts();
  f.mounted_exactly = true;
  f.exact_fstype = "proc";
  f.exact_root = "/sys";
  f.exact_self_bind = true;
  f.mount_read_only = true;
  f.read = Attempt::success();
  const Classification c = classify(f);
  EXPECT_EQ(c.state, PathState::readonly);
  EXPECT_EQ(c.mask, MaskKind::none);
  EXPECT_THAT(c.mask_defect, IsEmpty());
}

TEST(PathState, ReadOnlySelfBindOfAFileIsNotAMaskAttempt) {
  // runc's read-only /proc/sysrq-trigger.
  PathFacts f = file_facts();
  f.mounted_exactly = true;
  f.exact_fstype = "proc";
  f.exact_root = "/sysrq-trigger";
  f.exact_self_bind = true;
  f.mount_read_only = true;
  f.write = Attempt::failure(EROFS);
  f.read = Attempt::success();
  const Classification c = classify(f);
  EXPECT_EQ(c.state, PathState::readonly);
  EXPECT_THAT(c.mask_defect, IsEmpty());
}

TEST(PathState, CgroupTmpfsOnSysFsCgroupIsNotAMaskAttempt) {
  // cgroup v1: a writable tmpfs holding the hierarchies, on the directory made for it.
  PathFacts f = tmpfs_over_dir(false, false);
  f.exact_expected = true;
  const Classification c = classify(f);
  EXPECT_EQ(c.state, PathState::readable);
  EXPECT_THAT(c.mask_defect, IsEmpty());
}

TEST(PathState, RealMaskOnAKernelMountPointIsStillMasked) {
  // CRI-O masks /sys/fs/selinux with an empty read-only tmpfs.
  PathFacts f = tmpfs_over_dir(true, true);
  f.exact_expected = true;
  EXPECT_EQ(classify(f).state, PathState::masked);
}

// ---- probe_path() on this kernel ----

const PathCheck kTestCheck{"test.path", "", PathGroup::escape, ReadPolicy::bounded_read, "test"};

MountTable self_mounts() {
  auto mounts = MountTable::read_self();
  EXPECT_TRUE(mounts.ok()) << (mounts.ok() ? "" : mounts.error().describe());
  return mounts.ok() ? std::move(*mounts) : MountTable();
}

// A directory under the test's temporary directory, removed afterwards.
class TempDir {
 public:
  TempDir() {
    std::string templ = (std::filesystem::temp_directory_path() / "path-state-XXXXXX").string();
    if (mkdtemp(templ.data()) != nullptr) path_ = templ;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(ProbePath, ProcSelfStatusIsReadableOnProc) {
  const PathResult r = probe_path(kTestCheck, "/proc/self/status", self_mounts());
  EXPECT_EQ(r.kind, FileKind::file);
  EXPECT_TRUE(r.read.ok);
  ASSERT_TRUE(r.mount.has_value());
  EXPECT_EQ(r.mount->fstype, "proc");
  EXPECT_EQ(r.mount->mount_point, "/proc");
  EXPECT_FALSE(r.mount->exact);
  // /proc/self/status is 0444 with no write handler: readable even for root.
  EXPECT_EQ(r.state, PathState::readable);
}

TEST(ProbePath, NonexistentPathIsAbsent) {
  const PathResult r = probe_path(kTestCheck, "/proc/procmatrix-no-such-file", self_mounts());
  EXPECT_EQ(r.state, PathState::absent);
  EXPECT_EQ(r.kind, FileKind::none);
  EXPECT_FALSE(r.mount.has_value());
}

TEST(ProbePath, PathUnderARegularFileIsAbsent) {
  const PathResult r = probe_path(kTestCheck, "/proc/self/status/x", self_mounts());
  EXPECT_EQ(r.state, PathState::absent);
}

TEST(ProbePath, FileInTempDirIsWritable) {
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  const std::string file = dir.path() + "/f";
  std::ofstream(file) << "content\n";
  const PathResult r = probe_path(kTestCheck, file, self_mounts());
  EXPECT_EQ(r.state, PathState::writable);
  EXPECT_TRUE(r.write.ok);
  EXPECT_TRUE(r.read.ok);
  // The open for writing must not truncate.
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "content");
}

TEST(ProbePath, DirectoryIsListedAndNeverOpenedForWriting) {
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  const PathResult r = probe_path(kTestCheck, dir.path(), self_mounts());
  EXPECT_EQ(r.kind, FileKind::directory);
  EXPECT_EQ(r.state, PathState::readable);
  EXPECT_TRUE(r.read.ok);
  EXPECT_FALSE(r.write.ok);
  EXPECT_EQ(r.write.err, 0);
}

TEST(ProbePath, ReadOnlyCgroupFileIsNotWritableForRoot) {
  // cgroup.controllers is 0444; root's open(O_WRONLY) is accepted there, a write never is.
  const char* path = "/sys/fs/cgroup/unified/cgroup.controllers";
  if (access(path, F_OK) != 0) path = "/sys/fs/cgroup/cgroup.controllers";
  if (access(path, F_OK) != 0) GTEST_SKIP() << "no cgroup2 mount at /sys/fs/cgroup or /sys/fs/cgroup/unified";
  const PathResult r = probe_path(kTestCheck, path, self_mounts());
  EXPECT_NE(r.state, PathState::writable);
  EXPECT_EQ(r.state, PathState::readable);
}

TEST(ProbePath, DevNullIsACharDeviceButNotAMaskWithoutAMount) {
  const PathResult r = probe_path(kTestCheck, "/dev/null", self_mounts());
  EXPECT_EQ(r.kind, FileKind::chardev);
  EXPECT_EQ(r.mask, MaskKind::none);
  EXPECT_THAT(r.mask_defect, IsEmpty());
}

TEST(ProbePath, OpenOnlyPolicyNeverReads) {
  // /proc/self/status read would work; open_only must still report read.ok from the open alone.
  const PathCheck open_only{"test.open_only", "", PathGroup::escape, ReadPolicy::open_only, "test"};
  const PathResult r = probe_path(open_only, "/proc/self/status", self_mounts());
  EXPECT_TRUE(r.read.ok);
}

TEST(ProbePath, KallsymsReportsWhetherAddressesAreReal) {
  const PathCheck* kallsyms = nullptr;
  for (const auto& c : path_catalog())
    if (c.id == "proc.kallsyms") kallsyms = &c;
  ASSERT_NE(kallsyms, nullptr);
  const PathResult r = probe_path(*kallsyms, "/proc/kallsyms", self_mounts());
  if (r.state == PathState::absent) GTEST_SKIP() << "this kernel has no /proc/kallsyms";
  ASSERT_TRUE(r.read.ok);
  ASSERT_TRUE(r.details.contains("addresses"));
  EXPECT_TRUE(r.details.at("addresses") == "real" || r.details.at("addresses") == "zeroed");
}

const PathCheck& catalog_check(std::string_view id) {
  for (const auto& c : path_catalog())
    if (c.id == id) return c;
  throw std::runtime_error("no catalog check " + std::string(id));
}

TEST(ProbePath, ReleaseAgentNamesItsHierarchyAndPrintableContent) {
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  ASSERT_EQ(mkdir((dir.path() + "/cpu").c_str(), 0755), 0);
  const std::string file = dir.path() + "/cpu/release_agent";
  std::ofstream(file) << "\xff/bin/agent\nsecond line\n";
  const PathResult r = probe_path(catalog_check("sys.fs.cgroup.release_agent"), file, self_mounts());
  EXPECT_EQ(r.details.at("hierarchy"), "cpu");
  EXPECT_EQ(r.details.at("release_agent"), "\\xff/bin/agent");
}

TEST(ProbePath, Proc1RootSaysWhetherPid1IsTheHosts) {
  const PathCheck* root = nullptr;
  for (const auto& c : path_catalog())
    if (c.id == "proc.1.root") root = &c;
  ASSERT_NE(root, nullptr);
  const PathResult r = probe_path(*root, "/proc/1/root", self_mounts());
  ASSERT_TRUE(r.details.contains("host_pid1"));
  struct stat st {};
  ASSERT_EQ(stat("/proc/self/ns/pid", &st), 0);
  // This test runs in the initial pid namespace when it runs on the host, never as pid 1.
  EXPECT_EQ(r.details.at("host_pid1"), st.st_ino == 4026531836 ? "true" : "false");
}

// ---- expand_glob() ----

TEST(ExpandGlob, PatternWithoutStarComesBackAsItself) {
  EXPECT_THAT(expand_glob("/proc/no-such"), ::testing::ElementsAre("/proc/no-such"));
}

TEST(ExpandGlob, MatchesAreSortedAndExist) {
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  for (const char* name : {"cpu1", "cpu0", "cpufreq", "other"}) mkdir((dir.path() + "/" + name).c_str(), 0755);
  mkdir((dir.path() + "/cpu0/thermal_throttle").c_str(), 0755);
  mkdir((dir.path() + "/cpu1/thermal_throttle").c_str(), 0755);
  EXPECT_THAT(expand_glob(dir.path() + "/cpu*/thermal_throttle"),
              ::testing::ElementsAre(dir.path() + "/cpu0/thermal_throttle", dir.path() + "/cpu1/thermal_throttle"));
  EXPECT_THAT(expand_glob(dir.path() + "/cpu*"),
              ::testing::ElementsAre(dir.path() + "/cpu0", dir.path() + "/cpu1", dir.path() + "/cpufreq"));
}

TEST(ExpandGlob, SkipsSymlinksThatAliasAMatch) {
  // cgroup v1: /sys/fs/cgroup/cpu -> cpu,cpuacct would list one release_agent twice.
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  mkdir((dir.path() + "/cpu,cpuacct").c_str(), 0755);
  std::ofstream(dir.path() + "/cpu,cpuacct/release_agent");
  ASSERT_EQ(symlink("cpu,cpuacct", (dir.path() + "/cpu").c_str()), 0);
  EXPECT_THAT(expand_glob(dir.path() + "/*/release_agent"),
              ::testing::ElementsAre(dir.path() + "/cpu,cpuacct/release_agent"));
}

TEST(ExpandGlob, NoMatchIsEmpty) {
  EXPECT_THAT(expand_glob("/proc/procmatrix-none*/x"), IsEmpty());
  EXPECT_THAT(expand_glob("/procmatrix-no-dir/*"), IsEmpty());
}

TEST(ExpandGlob, MoreThanOneStarMatchesNothing) {
  EXPECT_THAT(expand_glob("/sys/*/*"), IsEmpty());
}

TEST(ExpandGlob, SysFsCgroupReleaseAgentMatchesV1Hierarchies) {
  const auto matches = expand_glob("/sys/fs/cgroup/*/release_agent");
  for (const auto& m : matches) {
    EXPECT_THAT(m, ::testing::StartsWith("/sys/fs/cgroup/"));
    EXPECT_EQ(access(m.c_str(), F_OK), 0) << m;
  }
}

// ---- probe_paths(): the whole catalog ----

TEST(ProbePaths, CoversEveryCatalogCheckInOrder) {
  const auto results = probe_paths(self_mounts());
  std::size_t next = 0;
  for (const auto& check : path_catalog()) {
    ASSERT_LT(next, results.size()) << check.id;
    EXPECT_EQ(results[next].id, check.id);
    while (next < results.size() && results[next].id == check.id) ++next;
  }
  EXPECT_EQ(next, results.size());
}

TEST(ProbePaths, UnmatchedGlobIsOneAbsentResultWithThePattern) {
  const auto results = probe_paths(self_mounts());
  for (const auto& r : results) {
    if (r.path.find('*') == std::string::npos) continue;
    EXPECT_EQ(r.state, PathState::absent) << r.path;
  }
}

TEST(ProbePaths, ScanTakesWellUnderAFewMilliseconds) {
  const MountTable mounts = self_mounts();
  probe_paths(mounts);  // warm the dentry cache
  // The fastest of a few rounds: what the scan costs, not what a busy machine's scheduler adds.
  auto fastest = std::chrono::steady_clock::duration::max();
  for (int i = 0; i < 10; ++i) {
    const auto start = std::chrono::steady_clock::now();
    probe_paths(mounts);
    fastest = std::min(fastest, std::chrono::steady_clock::now() - start);
  }
  EXPECT_LT(fastest, std::chrono::milliseconds(5));
  RecordProperty("scan_us", static_cast<int>(std::chrono::duration_cast<std::chrono::microseconds>(fastest).count()));
}

}  // namespace
}  // namespace procmatrix::probe
