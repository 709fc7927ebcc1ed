// The catalog: every check the probe makes, as data. Adding a path or a device is a new row in
// catalog.cpp, not new code. Ids are stable: reports, profiles and diffs key on them.
#pragma once

#include <span>
#include <string_view>

namespace procmatrix::probe {

// Which list a path comes from: what the profiles reason about.
enum class PathGroup {
  kubelet_masked,    // kubelet's maskedPaths (pkg/securitycontext/util.go)
  kubelet_readonly,  // kubelet's readonlyPaths
  runtime_masked,    // what CRI-O, Docker or Podman mask on top
  escape,            // how a container escapes or learns about its host
};

enum class ReadPolicy {
  bounded_read,  // open(O_RDONLY | O_NONBLOCK) and read at most one page
  open_only,     // open, never read: the read consumes or triggers (/proc/kmsg, sysrq-trigger)
};

struct PathCheck {
  std::string_view id;    // "proc.keys"
  std::string_view path;  // may hold one '*' in a component: /sys/devices/system/cpu/cpu*/thermal_throttle
  PathGroup group;
  ReadPolicy read;
  std::string_view why;   // one line: why a user should care
};

// The harmless query that proves a device works, beyond open().
enum class DeviceQuery { none, tun_features, kvm_api_version, dm_version, vhost_features };

struct DeviceCheck {
  std::string_view id;    // "dev.net.tun"
  std::string_view path;  // may be a glob: /dev/dri/*
  DeviceQuery query;
  std::string_view why;
};

std::span<const PathCheck> path_catalog();
std::span<const DeviceCheck> device_catalog();

const char* to_string(PathGroup g);
const char* to_string(DeviceQuery q);

}  // namespace procmatrix::probe
