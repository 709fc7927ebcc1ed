// The probe in real runc containers, with kubelet's Default lists and with empty lists
// (Unmasked), with and without a user namespace. What is checked is the kernel's real answer on
// this machine: masks where the kernel has the path, n/a where it does not.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>

#include "support.hpp"

namespace procmatrix::testing {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;

// kubelet's lists (kubernetes pkg/securitycontext/util.go; FACTS.md).
const std::vector<std::string> kKubeletMasked = {
    "/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
    "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware",
    "/sys/devices/virtual/powercap"};
const std::vector<std::string> kKubeletReadonly = {"/proc/bus", "/proc/fs", "/proc/irq",
                                                   "/proc/sys", "/proc/sysrq-trigger"};

const std::vector<std::string> kContainerdCaps = {
    "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW",
    "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
    "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE"};

struct BundleSettings {
  bool unmasked = false;
  bool user_namespace = false;
};

// A bundle made from `runc spec` (runc's own defaults), changed the way kubelet's lists and a
// user namespace would change it. The rootfs holds only the probe.
class RuncBundle {
 public:
  explicit RuncBundle(const BundleSettings& settings) : dir_("procprobe-runc") {
    fs::permissions(dir_.path(), fs::perms(0755));  // the mapped root must reach its rootfs
    auto rootfs = dir_.path() / "rootfs";
    // Mount points made here: in a user namespace the mapped root cannot create them in a
    // rootfs owned by the host's root.
    for (const char* dir : {"proc", "sys", "dev"}) fs::create_directories(rootfs / dir);
    fs::copy_file(PROCPROBE_BIN, rootfs / "procprobe");
    fs::permissions(rootfs / "procprobe", fs::perms(0755));

    auto spec = run({"runc", "spec", "--bundle", dir_.path().string()});
    if (spec.exit_code != 0) throw std::runtime_error("runc spec: " + spec.err);
    json config = json::parse(std::ifstream(dir_.path() / "config.json"));
    config["process"]["args"] = {"/procprobe", "--format", "json"};
    config["process"]["terminal"] = false;
    // containerd's default capabilities (runc spec's three lack CAP_SETFCAP, without which root
    // cannot be mapped into the nested user namespace the probe makes).
    const json caps = kContainerdCaps;
    for (const char* set : {"bounding", "effective", "permitted"}) config["process"]["capabilities"][set] = caps;
    config["linux"]["maskedPaths"] = settings.unmasked ? json::array() : json(kKubeletMasked);
    config["linux"]["readonlyPaths"] = settings.unmasked ? json::array() : json(kKubeletReadonly);
    if (settings.user_namespace) {
      config["linux"]["namespaces"].push_back({{"type", "user"}});
      config["linux"]["uidMappings"] = {{{"containerID", 0}, {"hostID", 200000}, {"size", 65536}}};
      config["linux"]["gidMappings"] = {{{"containerID", 0}, {"hostID", 200000}, {"size", 65536}}};
      // A new sysfs cannot be mounted in a user namespace without its own network namespace,
      // which runc spec gives; cgroupfs neither: bind the host's read-only as containerd does.
      for (auto& m : config["mounts"])
        if (m["destination"] == "/sys/fs/cgroup") m = {{"destination", "/sys/fs/cgroup"}, {"type", "bind"}, {"source", "/sys/fs/cgroup"}, {"options", {"rbind", "ro", "nosuid", "noexec", "nodev"}}};
    }
    std::ofstream(dir_.path() / "config.json") << config.dump(2);
  }

  // Runs the container to completion and returns the probe's report.
  json run_probe() {
    static std::atomic<int> counter{0};
    std::string id = "procprobe-test-" + std::to_string(getpid()) + "-" + std::to_string(counter++);
    auto result = run({"runc", "--root", (dir_.path() / "state").string(), "run", "--bundle",
                       dir_.path().string(), id},
                      std::chrono::seconds(60));
    run({"runc", "--root", (dir_.path() / "state").string(), "delete", "--force", id});
    if (result.exit_code != 0)
      throw std::runtime_error("runc run exited " + std::to_string(result.exit_code) + ": " + result.err);
    return json::parse(result.out);
  }

 private:
  TempDir dir_;
};

std::string state_of(const json& report, const std::string& id) {
  const json* p = find_path(report, id);
  return p ? (*p)["state"].get<std::string>() : "missing from report";
}

bool host_has(const std::string& path) { return access(path.c_str(), F_OK) == 0; }

class ProbeInRunc : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!have_program("runc")) GTEST_SKIP() << "runc is not installed (scripts/bootstrap installs it)";
  }
};

TEST_F(ProbeInRunc, DefaultMasksEveryKubeletPathThisKernelHas) {
  json report = RuncBundle({}).run_probe();
  const std::vector<std::pair<std::string, std::string>> masked = {
      {"proc.keys", "/proc/keys"}, {"proc.timer_list", "/proc/timer_list"},
      {"proc.acpi", "/proc/acpi"}, {"proc.kcore", "/proc/kcore"},
      {"proc.sched_debug", "/proc/sched_debug"}, {"proc.scsi", "/proc/scsi"},
      {"sys.firmware", "/sys/firmware"}};
  for (const auto& [id, path] : masked) {
    if (host_has(path)) {
      EXPECT_EQ(state_of(report, id), "masked") << id;
      const json* p = find_path(report, id);
      ASSERT_NE(p, nullptr);
      EXPECT_TRUE((*p)["mask_defect"].is_null()) << id << ": " << (*p)["mask_defect"];
    } else {
      EXPECT_EQ(state_of(report, id), "absent") << id << " does not exist on this kernel";
    }
  }
  EXPECT_EQ((*find_path(report, "proc.keys"))["mask"], "devnull");
  if (host_has("/proc/acpi")) {
    EXPECT_EQ((*find_path(report, "proc.acpi"))["mask"], "tmpfs");
  }
}

TEST_F(ProbeInRunc, DefaultReadonlyPathsReadAsReadonly) {
  json report = RuncBundle({}).run_probe();
  for (const char* id : {"proc.bus", "proc.fs", "proc.irq", "proc.sys"}) {
    EXPECT_EQ(state_of(report, id), "readonly") << id;
  }
  // A file below a read-only path: open(O_WRONLY) answers EROFS.
  const json* core = find_path(report, "proc.sys.kernel.core_pattern");
  ASSERT_NE(core, nullptr);
  EXPECT_EQ((*core)["state"], "readonly");
  EXPECT_EQ((*core)["write"]["errno"], "EROFS");
}

TEST_F(ProbeInRunc, UnmaskedLeavesKubeletPathsOpen) {
  json report = RuncBundle({.unmasked = true, .user_namespace = true}).run_probe();
  EXPECT_EQ(state_of(report, "proc.keys"), "readable");
  EXPECT_NE(state_of(report, "proc.sys"), "readonly");
  if (host_has("/proc/acpi")) {
    EXPECT_EQ(state_of(report, "proc.acpi"), "readable");
  }
}

TEST_F(ProbeInRunc, UserNamespaceIsReportedWithItsMap) {
  json report = RuncBundle({.user_namespace = true}).run_probe();
  EXPECT_TRUE(report["identity"]["user_namespace"].get<bool>());
  EXPECT_EQ(report["identity"]["uid_map"], json::parse("[[0, 200000, 65536]]"));
}

TEST_F(ProbeInRunc, NestedProcMountIsBlockedUnderDefault) {
  json report = RuncBundle({.user_namespace = true}).run_probe();
  const json& nesting = report["nesting"];
  EXPECT_TRUE(nesting["userns"]["ok"].get<bool>()) << nesting.dump();
  EXPECT_FALSE(nesting["proc_mount"]["ok"].get<bool>());
  EXPECT_EQ(nesting["proc_mount"]["errno"], "EPERM") << "the kernel's mount_too_revealing answer";
  EXPECT_EQ(nesting["verdict"], "blocked");
}

TEST_F(ProbeInRunc, NestedProcMountWorksWhenUnmasked) {
  json report = RuncBundle({.unmasked = true, .user_namespace = true}).run_probe();
  const json& nesting = report["nesting"];
  EXPECT_TRUE(nesting["userns"]["ok"].get<bool>()) << nesting.dump();
  EXPECT_TRUE(nesting["proc_mount"]["ok"].get<bool>()) << nesting.dump();
}

TEST_F(ProbeInRunc, DefaultWithoutUserNamespaceAlsoBlocksNestedProc) {
  // containerd's capabilities lack CAP_SYS_ADMIN; a nested runtime makes its own user
  // namespace, and the masks still make a fresh proc "too revealing" there.
  json report = RuncBundle({}).run_probe();
  const json& nesting = report["nesting"];
  if (!nesting["userns"]["ok"].get<bool>()) GTEST_SKIP() << "user namespaces refused here: " << nesting["userns"];
  EXPECT_EQ(nesting["proc_mount"]["errno"], "EPERM");
}

}  // namespace
}  // namespace procmatrix::testing
