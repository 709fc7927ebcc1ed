#include "catalog.hpp"

namespace procmatrix::probe {
namespace {

using G = PathGroup;
using R = ReadPolicy;

// Sources: FACTS.md. Order is the order of reports.
constexpr PathCheck kPaths[] = {
    // kubelet's masked list (pkg/securitycontext/util.go, defaultMaskedPaths)
    {"proc.asound", "/proc/asound", G::kubelet_masked, R::bounded_read,
     "sound card state of the host; masked by kubelet since PR 112037"},
    {"proc.acpi", "/proc/acpi", G::kubelet_masked, R::bounded_read,
     "ACPI interface of the host firmware; some entries can change power state"},
    {"proc.kcore", "/proc/kcore", G::kubelet_masked, R::bounded_read,
     "the host's physical memory as an ELF core: reading it leaks kernel memory"},
    {"proc.keys", "/proc/keys", G::kubelet_masked, R::bounded_read,
     "kernel keyrings visible to the process: key ids and descriptions of the host"},
    {"proc.latency_stats", "/proc/latency_stats", G::kubelet_masked, R::bounded_read,
     "scheduler latency statistics of the whole host"},
    {"proc.timer_list", "/proc/timer_list", G::kubelet_masked, R::bounded_read,
     "every pending timer on the host, with the names of the processes that set them"},
    {"proc.timer_stats", "/proc/timer_stats", G::kubelet_masked, R::bounded_read,
     "timer statistics of the host (old kernels); writable to start collection"},
    {"proc.sched_debug", "/proc/sched_debug", G::kubelet_masked, R::bounded_read,
     "run queues of every CPU, with the names and pids of the host's tasks"},
    {"proc.scsi", "/proc/scsi", G::kubelet_masked, R::bounded_read,
     "SCSI host adapters; proc/scsi/scsi once accepted commands to add and remove devices"},
    {"sys.firmware", "/sys/firmware", G::kubelet_masked, R::bounded_read,
     "firmware tables (ACPI, DMI, EFI variables) of the host"},
    {"sys.devices.virtual.powercap", "/sys/devices/virtual/powercap", G::kubelet_masked,
     R::bounded_read, "RAPL energy counters: a side channel on the host's work (Platypus attack)"},

    // kubelet's read-only list (defaultReadonlyPaths)
    {"proc.bus", "/proc/bus", G::kubelet_readonly, R::bounded_read,
     "PCI and USB buses of the host; writable entries reach device configuration space"},
    {"proc.fs", "/proc/fs", G::kubelet_readonly, R::bounded_read,
     "filesystem driver settings of the host (nfsd, ext4, ...)"},
    {"proc.irq", "/proc/irq", G::kubelet_readonly, R::bounded_read,
     "interrupt affinity of the host's devices: writable, it moves the host's interrupts"},
    {"proc.sys", "/proc/sys", G::kubelet_readonly, R::bounded_read,
     "the host's sysctls: writable, a container changes the kernel for everyone"},
    {"proc.sysrq-trigger", "/proc/sysrq-trigger", G::kubelet_readonly, R::open_only,
     "magic SysRq: one write reboots or crashes the host (never read or written here)"},

    // what CRI-O, Docker and Podman mask on top of kubelet's list
    {"proc.interrupts", "/proc/interrupts", G::runtime_masked, R::bounded_read,
     "interrupt counts per CPU and device of the host (masked by CRI-O, Docker, Podman)"},
    {"sys.fs.selinux", "/sys/fs/selinux", G::runtime_masked, R::bounded_read,
     "SELinux policy interface (masked by CRI-O and Podman)"},
    {"sys.devices.system.cpu.thermal_throttle", "/sys/devices/system/cpu/cpu*/thermal_throttle",
     G::runtime_masked, R::bounded_read,
     "per-CPU thermal throttling counters (masked by CRI-O, Docker, Podman)"},

    // escapes and host information
    {"proc.sys.kernel.core_pattern", "/proc/sys/kernel/core_pattern", G::escape, R::bounded_read,
     "writable, a '|program' here runs as root on the host when any process dumps core"},
    {"proc.sys.kernel.modprobe", "/proc/sys/kernel/modprobe", G::escape, R::bounded_read,
     "writable, the kernel runs this path as root on the host to load a module"},
    {"proc.sys.fs.binfmt_misc", "/proc/sys/fs/binfmt_misc", G::escape, R::bounded_read,
     "a writable register file lets a container install an interpreter the host runs"},
    {"proc.sys.fs.binfmt_misc.register", "/proc/sys/fs/binfmt_misc/register", G::escape,
     R::open_only,
     "binfmt_misc's register file: writable, the container installs an interpreter for host binaries"},
    {"sys.kernel.uevent_helper", "/sys/kernel/uevent_helper", G::escape, R::bounded_read,
     "writable, the kernel runs this path as root on the host at every device event"},
    {"proc.kallsyms", "/proc/kallsyms", G::escape, R::bounded_read,
     "kernel symbol addresses: real ones defeat KASLR"},
    {"proc.kmsg", "/proc/kmsg", G::escape, R::open_only,
     "the kernel log; a read consumes it (opened only, never read)"},
    {"proc.sys.vm.drop_caches", "/proc/sys/vm/drop_caches", G::escape, R::bounded_read,
     "writable, a container empties the host's page cache (a denial of service)"},
    {"sys.fs.cgroup", "/sys/fs/cgroup", G::escape, R::bounded_read,
     "the cgroup tree: writable, a container escapes its limits"},
    {"sys.fs.cgroup.release_agent", "/sys/fs/cgroup/*/release_agent", G::escape, R::bounded_read,
     "cgroup v1 release_agent: writable, the host runs a program of the container's choice"},
    {"proc.1.root", "/proc/1/root", G::escape, R::bounded_read,
     "the root of pid 1: when pid 1 is the host's, its whole filesystem"},
    {"proc.1.environ", "/proc/1/environ", G::escape, R::bounded_read,
     "the environment of pid 1: when pid 1 is the host's, its secrets"},
};

constexpr DeviceCheck kDevices[] = {
    {"dev.net.tun", "/dev/net/tun", DeviceQuery::tun_features,
     "nested podman's networking (pasta, slirp4netns) and VPNs need it"},
    {"dev.fuse", "/dev/fuse", DeviceQuery::none,
     "fuse-overlayfs storage for nested podman and buildah"},
    {"dev.kvm", "/dev/kvm", DeviceQuery::kvm_api_version,
     "hardware virtualization: Kata, Firecracker, nested VMs"},
    {"dev.kmsg", "/dev/kmsg", DeviceQuery::none,
     "the kernel log: readable, it leaks host events; writable, it forges them"},
    {"dev.mem", "/dev/mem", DeviceQuery::none, "the host's physical memory"},
    {"dev.port", "/dev/port", DeviceQuery::none, "the host's I/O ports"},
    {"dev.loop-control", "/dev/loop-control", DeviceQuery::none,
     "allocates loop devices: mounting images, nested storage"},
    {"dev.mapper.control", "/dev/mapper/control", DeviceQuery::dm_version,
     "device mapper: LVM and devicemapper storage of the host"},
    {"dev.vhost-net", "/dev/vhost-net", DeviceQuery::vhost_features,
     "in-kernel virtio networking for nested VMs"},
    {"dev.vhost-vsock", "/dev/vhost-vsock", DeviceQuery::vhost_features,
     "host-guest sockets for nested VMs"},
    {"dev.block.sd", "/dev/sd*", DeviceQuery::none, "SCSI/SATA disks of the host"},
    {"dev.block.vd", "/dev/vd*", DeviceQuery::none, "virtio disks of the host"},
    {"dev.block.nvme", "/dev/nvme*", DeviceQuery::none, "NVMe disks of the host"},
    {"dev.gpu.dri", "/dev/dri/*", DeviceQuery::none, "GPU render and display nodes"},
    {"dev.gpu.nvidia", "/dev/nvidia*", DeviceQuery::none, "NVIDIA GPU nodes"},
};

}  // namespace

std::span<const PathCheck> path_catalog() { return kPaths; }
std::span<const DeviceCheck> device_catalog() { return kDevices; }

const char* to_string(PathGroup g) {
  switch (g) {
    case PathGroup::kubelet_masked: return "kubelet-masked";
    case PathGroup::kubelet_readonly: return "kubelet-readonly";
    case PathGroup::runtime_masked: return "runtime-masked";
    case PathGroup::escape: return "escape";
  }
  return "?";
}

const char* to_string(DeviceQuery q) {
  switch (q) {
    case DeviceQuery::none: return "";
    case DeviceQuery::tun_features: return "TUNGETFEATURES";
    case DeviceQuery::kvm_api_version: return "KVM_GET_API_VERSION";
    case DeviceQuery::dm_version: return "DM_VERSION";
    case DeviceQuery::vhost_features: return "VHOST_GET_FEATURES";
  }
  return "?";
}

}  // namespace procmatrix::probe
