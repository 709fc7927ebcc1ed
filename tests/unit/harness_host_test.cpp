// Host facts: the CapBnd parser on literal text, the cgroup mode rule on filesystem magics, and
// the device scan on this machine's real /dev.
#include "host.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <linux/magic.h>

#include <algorithm>

namespace procmatrix::harness {
namespace {

using ::testing::HasSubstr;

TEST(ParseCapBounding, ReadsTheHexMaskOfTheCapBndLine) {
  constexpr std::string_view kStatus =
      "Name:\tcat\nCapInh:\t0000000000000000\nCapPrm:\t000001fffeffffff\n"
      "CapEff:\t000001fffeffffff\nCapBnd:\t000001fffeffffff\nCapAmb:\t0000000000000000\n";
  auto mask = parse_cap_bounding(kStatus);
  ASSERT_TRUE(mask) << mask.error().describe();
  EXPECT_EQ(*mask, 0x000001fffeffffffULL);
  EXPECT_EQ(*mask & (1ULL << 24), 0u);  // CAP_SYS_RESOURCE, missing on this kind of machine
}

TEST(ParseCapBounding, FailsWithoutTheLineOrOnGarbage) {
  EXPECT_FALSE(parse_cap_bounding("Name:\tcat\n"));
  EXPECT_FALSE(parse_cap_bounding("XCapBnd:\t00ff\n"));
  auto bad = parse_cap_bounding("CapBnd:\tzz\n");
  ASSERT_FALSE(bad);
  EXPECT_THAT(bad.error().message(), HasSubstr("not a hex mask"));
}

TEST(CgroupMode, FollowsContainerdsRule) {
  EXPECT_EQ(cgroup_mode_from_magic(CGROUP2_SUPER_MAGIC, 0), CgroupMode::v2);
  EXPECT_EQ(cgroup_mode_from_magic(TMPFS_MAGIC, CGROUP2_SUPER_MAGIC), CgroupMode::hybrid);
  EXPECT_EQ(cgroup_mode_from_magic(TMPFS_MAGIC, 0), CgroupMode::v1);
}

TEST(ScanHostDevices, FindsDevNullAndSkipsPtsAndTheConsole) {
  auto devices = scan_host_devices("/dev");
  ASSERT_TRUE(devices) << devices.error().describe();
  auto null = std::find_if(devices->begin(), devices->end(),
                           [](const HostDevice& d) { return d.path == "/dev/null"; });
  ASSERT_NE(null, devices->end());
  EXPECT_EQ(null->type, 'c');
  EXPECT_EQ(null->major, 1u);
  EXPECT_EQ(null->minor, 3u);
  for (const auto& d : *devices) {
    EXPECT_NE(d.path, "/dev/console");
    EXPECT_EQ(d.path.rfind("/dev/pts/", 0), std::string::npos) << d.path;
    EXPECT_EQ(d.path.rfind("/dev/shm/", 0), std::string::npos) << d.path;
  }
  EXPECT_TRUE(
      std::is_sorted(devices->begin(), devices->end(),
                     [](const HostDevice& a, const HostDevice& b) { return a.path < b.path; }));
}

TEST(ReadHostFacts, ReadsThisProcess) {
  auto facts = read_host_facts();
  ASSERT_TRUE(facts) << facts.error().describe();
  EXPECT_NE(facts->cap_bounding, 0u);
  EXPECT_FALSE(facts->devices.empty());
}

}  // namespace
}  // namespace procmatrix::harness
