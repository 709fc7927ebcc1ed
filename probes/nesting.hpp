// The nesting test (what KEP-4265 is for): could a container runtime run inside this one?
// In a forked child with a timeout: a new user namespace, then in a new mount + PID + network
// namespace a fresh proc, sysfs, tmpfs and overlay mount. All of it in namespaces the child made
// and that vanish with it; the only writes under /proc are that child's own uid_map, gid_map
// and setgroups.
#pragma once

#include <chrono>
#include <vector>

#include "model.hpp"

namespace procmatrix::probe {

// `devices` (may be empty) gives the state of /dev/net/tun and /dev/fuse for the verdict; a
// device not among them is tried with open(O_RDWR | O_NONBLOCK). The forked processes must
// report and exit within `timeout` (0 always times out); past it they are killed, and the steps
// reported so far are kept. Both forked processes are the caller's children and are reaped before
// this returns; the caller must not ignore SIGCHLD meanwhile (that would reap them at once).
Nesting probe_nesting(const std::vector<DeviceResult>& devices, std::chrono::milliseconds timeout);

// The verdict and its blockers from the steps' outcomes: a pure function (the rule is written at
// the top of nesting.cpp). Replaces nesting.verdict and nesting.blockers.
void decide_nesting(Nesting& nesting);

}  // namespace procmatrix::probe
