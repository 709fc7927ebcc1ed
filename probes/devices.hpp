// The device family: present? what kind, which major:minor, can it be opened read-write, and a
// harmless ioctl that proves it works (TUNGETFEATURES, KVM_GET_API_VERSION, DM_VERSION,
// VHOST_GET_FEATURES). Never creates an interface, a loop device or a mapping; never reads or
// writes a device: open and close, and the query.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "catalog.hpp"
#include "model.hpp"
#include "support/error.hpp"

namespace procmatrix::probe {

// Probes one concrete path for a catalog check. A device whose open works but whose query fails
// is "denied" with the query's errno: that is what its user meets.
DeviceResult probe_device(const DeviceCheck& check, const std::string& path);

// The device nodes (char or block; not directories such as /dev/dri/by-path) that match a
// pattern with one '*' in its last component, sorted. A pattern without '*' comes back as itself.
// A missing directory is no match; another failure to list it is an error.
Result<std::vector<std::string>> expand_device_pattern(std::string_view pattern);

// One check: every match of its pattern; no match is one result, state absent, path the pattern.
std::vector<DeviceResult> probe_device_check(const DeviceCheck& check);

// Every catalog device.
std::vector<DeviceResult> probe_devices();

}  // namespace procmatrix::probe
