// Cell -> OCI config.json, the way kubelet (pkg/securitycontext, pkg/kubelet/kuberuntime) and
// containerd's CRI plugin (internal/cri/server/container_create_linux.go, oci/spec_opts.go) make
// it for a Pod with that securityContext. FACTS.md, "From securityContext to OCI spec".
//
// Choices where the local backend cannot or need not copy a real node (each also recorded in the
// spec's annotations, so a reader of results.json sees them):
// - root.readonly false: readOnlyRootFilesystem is false unless a Pod asks; containerd keeps the
//   root writable.
// - seccomp: none. kubelet sends Unconfined when a Pod sets no seccompProfile (and its
//   --seccomp-default is off, the default); containerd then adds no profile. Privileged never
//   gets one.
// - AppArmor: unset. containerd would set cri-containerd.apparmor.d for unprivileged containers
//   on an AppArmor host; this harness cannot load that profile.
// - cgroup namespace: only on a cgroup v2 host and only unprivileged, as containerd does; none on
//   v1 and hybrid hosts (this machine is hybrid).
// - Sandbox mounts (/etc/hosts, /etc/hostname, /etc/resolv.conf, /dev/termination-log, the pause
//   container's /dev/shm) and joined sandbox namespaces are not reproduced: every cell has its own
//   namespaces and a tmpfs /dev/shm. They do not change what /proc, /sys and /dev show.
// - privileged devices: containerd's WithHostDevices + WithAllDevicesAllowed: every char and block
//   device under /dev in linux.devices, and one device-cgroup rule allowing all.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "cell.hpp"
#include "host.hpp"
#include "runtimes.hpp"

namespace procmatrix::harness {

// Where the probe sits in the rootfs and how it is called.
inline constexpr std::string_view kProbeInRootfs = "/procprobe";

// One 65536-id range of a hostUsers:false cell. Slots are handed out by the backend so that cells
// running at the same time never share host ids.
struct IdMapping {
  std::uint32_t container_id = 0;
  std::uint32_t host_id = 0;
  std::uint32_t size = 65536;
};
IdMapping userns_mapping(unsigned slot);

struct OciSpec {
  nlohmann::json config;
  // Workarounds applied to the spec: "runsc: left out CAP_BPF, ...".
  std::vector<std::string> notes;
};

OciSpec make_oci_spec(const Cell& cell, const HostFacts& host, const RuntimeTraits& runtime,
                      unsigned userns_slot);

// The tables the spec is made of, for tests and reports.
std::span<const std::string_view> kubelet_masked_paths();
std::span<const std::string_view> kubelet_readonly_paths();
std::span<const std::string_view> containerd_default_capabilities();

}  // namespace procmatrix::harness
