// Running one child process to completion: stdout and stderr captured, a timeout, a cancel flag,
// and, when a runtime needs it, a private mount namespace with some mounts detached (crun 1.8 on a
// hybrid-cgroup host). fork/exec rather than Boost.Process because of that pre-exec step and
// because the child leads its own process group, so a timeout kills everything it started.
#pragma once

#include <atomic>
#include <chrono>
#include <shared_mutex>
#include <string>
#include <vector>

#include "support/error.hpp"

namespace procmatrix::harness {

struct ProcessSpec {
  std::vector<std::string> argv;  // argv[0]: an absolute path (no PATH search after fork)
  std::chrono::milliseconds timeout{std::chrono::seconds(60)};
  const std::atomic<bool>* cancel = nullptr;  // polled every few tens of milliseconds
  // Unmounted (MNT_DETACH) in a private mount namespace of the child before exec; empty: the
  // child shares ours.
  std::vector<std::string> detach_mounts;
  std::size_t output_limit = 16u << 20;  // per stream; the rest is read and dropped
};

enum class ProcessEnd { exited, signaled, timed_out, cancelled };

struct ProcessResult {
  ProcessEnd end = ProcessEnd::exited;
  int exit_code = -1;  // when exited
  int signal = 0;      // when signaled
  std::string out, err;
  bool truncated = false;  // a stream passed output_limit
  std::chrono::milliseconds elapsed{0};
};

// Go's ForkLock, for the same reason: run_process holds it shared around fork(); whoever writes a
// file that a container will exec (the probe copied into a rootfs) holds it exclusively while
// the file is open for writing. Otherwise a child forked meanwhile by another thread inherits the
// write descriptor until it execs, and the container's exec fails with ETXTBSY ("text file busy").
std::shared_mutex& fork_lock();

// "exit 1", "killed by SIGSEGV", "timed out after 2 s", "cancelled".
std::string describe_end(const ProcessResult& r, std::chrono::milliseconds timeout);

// Runs the child and reaps it (never a zombie). On timeout or cancel the child's process group
// gets SIGKILL. An Error only when the child could not be started at all (pipe, fork); a failed
// exec is an exit 127 with the reason on stderr.
Result<ProcessResult> run_process(const ProcessSpec& spec);

}  // namespace procmatrix::harness
