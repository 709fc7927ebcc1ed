// Devices: this machine's real nodes, opened and queried the way the probe does in a container.
// Where a device is missing here, the test skips with that fact.
#include "devices.hpp"

#include <gmock/gmock.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <linux/if_tun.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <string>

#include "support/errno_name.hpp"

namespace procmatrix::probe {
namespace {

using ::testing::IsEmpty;

bool exists(const char* path) {
  struct stat st {};
  return ::stat(path, &st) == 0;
}

DeviceCheck check(std::string_view path, DeviceQuery query = DeviceQuery::none) {
  return {"test.device", path, query, "a device of the test"};
}

std::string err(const Attempt& a) { return errno_name(a.err).value_or("none"); }

TEST(Devices, NullDeviceIsUsableCharDevice1_3) {
  const DeviceResult r = probe_device(check("/dev/null"), "/dev/null");
  EXPECT_EQ(r.id, "test.device");
  EXPECT_EQ(r.path, "/dev/null");
  EXPECT_EQ(r.state, DeviceState::usable);
  EXPECT_EQ(r.kind, FileKind::chardev);
  EXPECT_EQ(r.major, 1u);
  EXPECT_EQ(r.minor, 3u);
  EXPECT_TRUE(r.open_rw.ok) << err(r.open_rw);
  EXPECT_EQ(r.query, "");
  EXPECT_FALSE(r.query_result.has_value());
}

TEST(Devices, AbsentPathIsAbsent) {
  const DeviceResult r =
      probe_device(check("/dev/procmatrix-no-such-device"), "/dev/procmatrix-no-such-device");
  EXPECT_EQ(r.state, DeviceState::absent);
  EXPECT_EQ(r.kind, FileKind::none);
  EXPECT_FALSE(r.major.has_value());
  EXPECT_FALSE(r.open_rw.ok);
  EXPECT_EQ(r.open_rw.err, 0) << "no open is attempted on what is not there";
}

TEST(Devices, UnmatchedGlobIsOneAbsentResultNamedByThePattern) {
  const auto results =
      probe_device_check(check("/dev/procmatrix-none*", DeviceQuery::tun_features));
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].path, "/dev/procmatrix-none*");
  EXPECT_EQ(results[0].state, DeviceState::absent);
  EXPECT_EQ(results[0].query, "TUNGETFEATURES");
}

TEST(Devices, GlobInAMissingDirectoryMatchesNothing) {
  auto paths = expand_device_pattern("/dev/procmatrix-no-dir/*");
  ASSERT_TRUE(paths.ok()) << paths.error().describe();
  EXPECT_THAT(*paths, IsEmpty());
}

// /dev holds directories (net, pts, shm) and symlinks (fd, stdin): only device nodes match.
TEST(Devices, GlobMatchesOnlyDeviceNodesSorted) {
  auto paths = expand_device_pattern("/dev/*");
  ASSERT_TRUE(paths.ok()) << paths.error().describe();
  ASSERT_FALSE(paths->empty());
  EXPECT_TRUE(std::is_sorted(paths->begin(), paths->end()));
  EXPECT_THAT(*paths, ::testing::Contains("/dev/null"));
  for (const std::string& p : *paths) {
    struct stat st {};
    ASSERT_EQ(::lstat(p.c_str(), &st), 0) << p;
    EXPECT_TRUE(S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) << p;
  }
}

TEST(Devices, GlobMatchesPrefixAndSuffix) {
  auto paths = expand_device_pattern("/dev/nu*ll");
  ASSERT_TRUE(paths.ok());
  EXPECT_THAT(*paths, ::testing::ElementsAre("/dev/null"));
}

TEST(Devices, PatternWithoutStarIsItself) {
  auto paths = expand_device_pattern("/dev/procmatrix-no-such-device");
  ASSERT_TRUE(paths.ok());
  EXPECT_THAT(*paths, ::testing::ElementsAre("/dev/procmatrix-no-such-device"));
}

// A device that opens but does not answer its query is what its user meets: denied.
TEST(Devices, FailedQueryMakesAnOpenDeviceDenied) {
  const DeviceResult r = probe_device(check("/dev/null", DeviceQuery::tun_features), "/dev/null");
  EXPECT_TRUE(r.open_rw.ok);
  ASSERT_TRUE(r.query_result.has_value());
  EXPECT_FALSE(r.query_result->ok);
  EXPECT_EQ(err(*r.query_result), "ENOTTY");
  EXPECT_EQ(r.state, DeviceState::denied);
}

TEST(Devices, TunAnswersFeatures) {
  if (!exists("/dev/net/tun")) GTEST_SKIP() << "no /dev/net/tun on this machine";
  const DeviceResult r =
      probe_device(check("/dev/net/tun", DeviceQuery::tun_features), "/dev/net/tun");
  ASSERT_EQ(r.state, DeviceState::usable) << "open " << err(r.open_rw);
  EXPECT_EQ(r.major, 10u);
  EXPECT_EQ(r.minor, 200u);
  EXPECT_EQ(r.query, "TUNGETFEATURES");
  ASSERT_TRUE(r.query_result.has_value());
  EXPECT_TRUE(r.query_result->ok) << err(*r.query_result);
  const unsigned long features = std::stoul(r.query_value, nullptr, 16);
  EXPECT_NE(features & IFF_TUN, 0u) << r.query_value;
  EXPECT_NE(features & IFF_TAP, 0u) << r.query_value;
}

TEST(Devices, KvmAnswersApiVersion12) {
  if (!exists("/dev/kvm")) GTEST_SKIP() << "no /dev/kvm on this machine";
  const DeviceResult r = probe_device(check("/dev/kvm", DeviceQuery::kvm_api_version), "/dev/kvm");
  ASSERT_EQ(r.state, DeviceState::usable) << "open " << err(r.open_rw);
  ASSERT_TRUE(r.query_result.has_value());
  EXPECT_EQ(r.query_value, "12");  // KVM_API_VERSION, unchanged since Linux 2.6.22
}

TEST(Devices, DeviceMapperAnswersVersion4) {
  if (!exists("/dev/mapper/control")) GTEST_SKIP() << "no /dev/mapper/control on this machine";
  const DeviceResult r =
      probe_device(check("/dev/mapper/control", DeviceQuery::dm_version), "/dev/mapper/control");
  ASSERT_TRUE(r.query_result.has_value()) << "open " << err(r.open_rw);
  ASSERT_TRUE(r.query_result->ok) << err(*r.query_result);
  EXPECT_TRUE(r.query_value.starts_with("4.")) << r.query_value;
}

TEST(Devices, VhostNetAnswersFeatures) {
  if (!exists("/dev/vhost-net")) GTEST_SKIP() << "no /dev/vhost-net on this machine";
  const DeviceResult r =
      probe_device(check("/dev/vhost-net", DeviceQuery::vhost_features), "/dev/vhost-net");
  ASSERT_TRUE(r.query_result.has_value()) << "open " << err(r.open_rw);
  EXPECT_TRUE(r.query_result->ok) << err(*r.query_result);
  EXPECT_TRUE(r.query_value.starts_with("0x")) << r.query_value;
}

// A root-only node (crw-------) opened by another uid: the mode bits refuse with EACCES. Run in
// a forked child that drops to nobody; the child's exit status carries the verdict.
TEST(Devices, RootOnlyNodeIsDeniedEaccesToAnotherUser) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to become another user";
  struct stat st {};
  if (::stat("/dev/loop-control", &st) != 0 || (st.st_mode & 0077) != 0 || st.st_uid != 0)
    GTEST_SKIP() << "no root-only /dev/loop-control on this machine";
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    if (::setgroups(0, nullptr) != 0 || ::setresgid(65534, 65534, 65534) != 0 ||
        ::setresuid(65534, 65534, 65534) != 0)
      ::_exit(2);
    const DeviceResult r = probe_device(check("/dev/loop-control"), "/dev/loop-control");
    ::_exit(r.state == DeviceState::denied && r.open_rw.err == EACCES && r.kind == FileKind::chardev
                ? 0
                : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "1: not denied with EACCES; 2: could not drop to nobody";
}

TEST(Devices, EveryCatalogCheckHasAResult) {
  const auto results = probe_devices();
  for (const DeviceCheck& c : device_catalog()) {
    const auto it = std::find_if(results.begin(), results.end(),
                                 [&](const DeviceResult& r) { return r.id == c.id; });
    ASSERT_NE(it, results.end()) << c.id;
    EXPECT_EQ(it->query, to_string(c.query)) << c.id;
    if (it->state == DeviceState::absent) {
      EXPECT_EQ(it->path, c.path) << c.id;
    }
  }
}

}  // namespace
}  // namespace procmatrix::probe
