// The device family: present? what kind, which major:minor, can it be opened read-write, and a
// harmless ioctl that proves it works (TUNGETFEATURES, KVM_GET_API_VERSION, DM_VERSION,
// VHOST_GET_FEATURES). Never creates an interface, a loop device or a mapping.
#pragma once

#include <vector>

#include "catalog.hpp"
#include "model.hpp"

namespace procmatrix::probe {

DeviceResult probe_device(const DeviceCheck& check, const std::string& path);

// Every catalog device; a glob with no match is one result with state absent.
std::vector<DeviceResult> probe_devices();

}  // namespace procmatrix::probe
