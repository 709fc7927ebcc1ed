// The translation of a cell into an OCI config.json: kubelet's lists, containerd's defaults and
// WithPrivileged, user namespace ranges. Pure: constructed host facts, no runtime.
#include "oci_spec.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace procmatrix::harness {
namespace {

using nlohmann::json;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::UnorderedElementsAreArray;

// This machine's CapBnd: bits 0-40 without 24 (CAP_SYS_RESOURCE).
constexpr std::uint64_t kHostBounding = 0x000001fffeffffffULL;

HostFacts hybrid_host() {
  HostFacts h;
  h.cap_bounding = kHostBounding;
  h.cgroup = CgroupMode::hybrid;
  h.devices = {{"/dev/kvm", 'c', 10, 232, 0600, 0, 0}, {"/dev/loop0", 'b', 7, 0, 0660, 0, 6}};
  return h;
}

Cell cell(ProcMount pm, bool privileged, bool host_users, const std::string& runtime = "runc") {
  Cell c;
  c.runtime.name = runtime;
  c.proc_mount = pm;
  c.privileged = privileged;
  c.host_users = host_users;
  return c;
}

json spec_of(const Cell& c, const HostFacts& h = hybrid_host(), unsigned slot = 0) {
  return make_oci_spec(c, h, traits_for(c.runtime), slot).config;
}

std::vector<std::string> strings(const json& array) {
  return array.get<std::vector<std::string>>();
}

std::vector<std::string> namespaces(const json& spec) {
  std::vector<std::string> out;
  for (const auto& ns : spec["linux"]["namespaces"]) out.push_back(ns["type"]);
  return out;
}

const json& mount_at(const json& spec, const std::string& destination) {
  for (const auto& m : spec["mounts"])
    if (m["destination"] == destination) return m;
  static const json none;
  return none;
}

std::vector<std::string> as_strings(std::span<const std::string_view> items) {
  return {items.begin(), items.end()};
}

TEST(KubeletLists, AreTheElevenMaskedAndFiveReadOnlyPathsOfPkgSecuritycontext) {
  EXPECT_THAT(
      as_strings(kubelet_masked_paths()),
      ElementsAre("/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                  "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
                  "/sys/firmware", "/sys/devices/virtual/powercap"));
  EXPECT_THAT(
      as_strings(kubelet_readonly_paths()),
      ElementsAre("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"));
}

TEST(OciSpecDefault, CarriesKubeletsMaskedAndReadonlyLists) {
  const json s = spec_of(cell(ProcMount::Default, false, true));
  EXPECT_THAT(strings(s["linux"]["maskedPaths"]),
              ElementsAreArray(as_strings(kubelet_masked_paths())));
  EXPECT_THAT(strings(s["linux"]["readonlyPaths"]),
              ElementsAreArray(as_strings(kubelet_readonly_paths())));
}

TEST(OciSpecDefault, RunsTheProbeAsRootWithContainerdsProcessDefaults) {
  const json p = spec_of(cell(ProcMount::Default, false, true))["process"];
  EXPECT_THAT(strings(p["args"]), ElementsAre("/procprobe", "--format", "json"));
  EXPECT_EQ(p["terminal"], false);
  EXPECT_EQ(p["user"], (json{{"uid", 0}, {"gid", 0}}));
  EXPECT_EQ(p["cwd"], "/");
  EXPECT_THAT(strings(p["env"]),
              Contains("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"));
  EXPECT_EQ(p["noNewPrivileges"], false);
  EXPECT_FALSE(p.contains("apparmorProfile"));
  EXPECT_FALSE(p.contains("rlimits"));  // CRI's WithoutDefaultSecuritySettings drops them
}

TEST(OciSpecDefault, HasContainerdsFourteenCapabilitiesButNoInheritableOrAmbient) {
  const json caps = spec_of(cell(ProcMount::Default, false, true))["process"]["capabilities"];
  const auto expected = as_strings(containerd_default_capabilities());
  EXPECT_EQ(expected.size(), 14u);
  for (const char* set : {"bounding", "effective", "permitted"})
    EXPECT_THAT(strings(caps[set]), UnorderedElementsAreArray(expected)) << set;
  EXPECT_FALSE(caps.contains("inheritable"));
  EXPECT_FALSE(caps.contains("ambient"));
}

TEST(OciSpecDefault, HasAWritableRootAndNoSeccomp) {
  const json s = spec_of(cell(ProcMount::Default, false, true));
  EXPECT_EQ(s["root"], (json{{"path", "rootfs"}, {"readonly", false}}));
  EXPECT_FALSE(s["linux"].contains("seccomp"));
  EXPECT_THAT(s["annotations"]["org.procmatrix.seccomp"].get<std::string>(),
              ::testing::HasSubstr("Unconfined"));
}

TEST(OciSpecDefault, MountsContainerdsDefaultsWithoutRunAndWithReadOnlySysAndCgroup) {
  const json s = spec_of(cell(ProcMount::Default, false, true));
  std::vector<std::string> destinations;
  for (const auto& m : s["mounts"]) destinations.push_back(m["destination"]);
  EXPECT_THAT(destinations, ElementsAre("/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue",
                                        "/sys", "/sys/fs/cgroup"));
  EXPECT_THAT(strings(mount_at(s, "/sys")["options"]), Contains("ro"));
  EXPECT_THAT(strings(mount_at(s, "/sys/fs/cgroup")["options"]), Contains("ro"));
  EXPECT_EQ(mount_at(s, "/proc")["type"], "proc");
}

TEST(OciSpecDefault, HasNewNamespacesButNoCgroupNamespaceOnAHybridHost) {
  EXPECT_THAT(namespaces(spec_of(cell(ProcMount::Default, false, true))),
              ElementsAre("pid", "ipc", "uts", "mount", "network"));
}

TEST(OciSpecDefault, GetsACgroupNamespaceOnACgroupV2HostUnlessPrivileged) {
  HostFacts v2 = hybrid_host();
  v2.cgroup = CgroupMode::v2;
  EXPECT_THAT(namespaces(spec_of(cell(ProcMount::Default, false, true), v2)), Contains("cgroup"));
  EXPECT_THAT(namespaces(spec_of(cell(ProcMount::Default, true, true), v2)),
              Not(Contains("cgroup")));
  HostFacts v1 = hybrid_host();
  v1.cgroup = CgroupMode::v1;
  EXPECT_THAT(namespaces(spec_of(cell(ProcMount::Default, false, true), v1)),
              Not(Contains("cgroup")));
}

TEST(OciSpecDefault, DeniesAllDevicesInTheCgroupAndListsNone) {
  const json l = spec_of(cell(ProcMount::Default, false, true))["linux"];
  EXPECT_EQ(l["resources"]["devices"], json::parse(R"([{"allow": false, "access": "rwm"}])"));
  EXPECT_FALSE(l.contains("devices"));
}

TEST(OciSpecUnmasked, SendsBothListsEmpty) {
  for (bool host_users : {true, false}) {
    const json l = spec_of(cell(ProcMount::Unmasked, false, host_users))["linux"];
    ASSERT_TRUE(l.contains("maskedPaths"));
    ASSERT_TRUE(l.contains("readonlyPaths"));
    EXPECT_THAT(l["maskedPaths"], IsEmpty());
    EXPECT_THAT(l["readonlyPaths"], IsEmpty());
  }
}

TEST(OciSpecPrivileged, ClearsTheListsEvenForDefault) {
  const json l = spec_of(cell(ProcMount::Default, true, true))["linux"];
  EXPECT_THAT(l["maskedPaths"], IsEmpty());
  EXPECT_THAT(l["readonlyPaths"], IsEmpty());
}

TEST(OciSpecPrivileged, AsksForTheHostsBoundingSetNotAFixedAllList) {
  const json caps = spec_of(cell(ProcMount::Default, true, true))["process"]["capabilities"];
  const auto eff = strings(caps["effective"]);
  EXPECT_EQ(eff.size(), 40u);  // bits 0-40 less CAP_SYS_RESOURCE
  EXPECT_THAT(eff, Contains("CAP_SYS_ADMIN"));
  EXPECT_THAT(eff, Contains("CAP_CHECKPOINT_RESTORE"));
  EXPECT_THAT(eff, Not(Contains("CAP_SYS_RESOURCE")));
  EXPECT_EQ(caps["bounding"], caps["effective"]);
  EXPECT_EQ(caps["permitted"], caps["effective"]);
}

TEST(OciSpecPrivileged, LeavesOutWhatTheRuntimeRejectsAndSaysSo) {
  const Cell c = cell(ProcMount::Default, true, true, "runsc");
  const OciSpec s = make_oci_spec(c, hybrid_host(), traits_for(c.runtime), 0);
  const auto eff = strings(s.config["process"]["capabilities"]["effective"]);
  EXPECT_EQ(eff.size(), 37u);
  for (const char* cap : {"CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE"})
    EXPECT_THAT(eff, Not(Contains(cap)));
  EXPECT_THAT(s.notes, ElementsAre("runsc: left out CAP_PERFMON, CAP_BPF, CAP_CHECKPOINT_RESTORE "
                                   "(it rejects them)"));
}

TEST(OciSpecPrivileged, IgnoresBoundingBitsWithoutAName) {
  HostFacts h = hybrid_host();
  h.cap_bounding |= 1ULL << 41;
  const auto eff = strings(
      spec_of(cell(ProcMount::Default, true, true), h)["process"]["capabilities"]["effective"]);
  EXPECT_EQ(eff.size(), 40u);
}

TEST(OciSpecPrivileged, GetsHostDevicesAllowAllAndWritableSysfsAndCgroupfs) {
  const json s = spec_of(cell(ProcMount::Default, true, true));
  EXPECT_EQ(s["linux"]["resources"]["devices"],
            json::parse(R"([{"allow": true, "access": "rwm"}])"));
  EXPECT_EQ(s["linux"]["devices"], json::parse(R"([
      {"path": "/dev/kvm", "type": "c", "major": 10, "minor": 232, "fileMode": 384, "uid": 0, "gid": 0},
      {"path": "/dev/loop0", "type": "b", "major": 7, "minor": 0, "fileMode": 432, "uid": 0, "gid": 6}])"));
  EXPECT_THAT(strings(mount_at(s, "/sys")["options"]), Contains("rw"));
  EXPECT_THAT(strings(mount_at(s, "/sys")["options"]), Not(Contains("ro")));
  EXPECT_THAT(strings(mount_at(s, "/sys/fs/cgroup")["options"]), Contains("rw"));
  EXPECT_FALSE(s["linux"].contains("seccomp"));
}

TEST(OciSpecUserNamespace, AddsAUserNamespaceWithOneRangeOf65536Ids) {
  const json l = spec_of(cell(ProcMount::Unmasked, false, false), hybrid_host(), 0)["linux"];
  EXPECT_THAT(namespaces(spec_of(cell(ProcMount::Unmasked, false, false))), Contains("user"));
  ASSERT_EQ(l["uidMappings"].size(), 1u);
  EXPECT_EQ(l["uidMappings"][0]["containerID"], 0);
  EXPECT_EQ(l["uidMappings"][0]["size"], 65536);
  EXPECT_NE(l["uidMappings"][0]["hostID"], 0);  // never the host's own ids
  EXPECT_EQ(l["gidMappings"], l["uidMappings"]);
}

TEST(OciSpecUserNamespace, GivesEachSlotItsOwnRange) {
  std::vector<std::pair<std::uint32_t, std::uint32_t>> ranges;
  for (unsigned slot = 0; slot < 64; ++slot) {
    const IdMapping m = userns_mapping(slot);
    EXPECT_EQ(m.size, 65536u);
    EXPECT_GE(m.host_id, 65536u);
    ranges.emplace_back(m.host_id, m.host_id + m.size);
  }
  std::sort(ranges.begin(), ranges.end());
  for (std::size_t i = 1; i < ranges.size(); ++i)
    EXPECT_LE(ranges[i - 1].second, ranges[i].first) << "slots overlap at " << i;
  const json a = spec_of(cell(ProcMount::Unmasked, false, false), hybrid_host(), 0);
  const json b = spec_of(cell(ProcMount::Unmasked, false, false), hybrid_host(), 1);
  EXPECT_NE(a["linux"]["uidMappings"], b["linux"]["uidMappings"]);
}

TEST(OciSpecUserNamespace, IsAbsentWithHostUsers) {
  const json s = spec_of(cell(ProcMount::Default, false, true));
  EXPECT_THAT(namespaces(s), Not(Contains("user")));
  EXPECT_FALSE(s["linux"].contains("uidMappings"));
  EXPECT_FALSE(s["linux"].contains("gidMappings"));
}

TEST(OciSpecAnnotations, NameTheCell) {
  const Cell c = cell(ProcMount::Unmasked, true, false, "crun");
  EXPECT_EQ(spec_of(c)["annotations"]["org.procmatrix.cell"], "crun/Unmasked/privileged/userns");
}

}  // namespace
}  // namespace procmatrix::harness
