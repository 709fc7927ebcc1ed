// SIGINT and SIGTERM as a cancel flag. The signals are blocked in every thread and taken with
// sigtimedwait by a thread of our own, so nothing runs in a signal handler: the runner sees the
// flag, running cells clean up, finished cells are still written.
#pragma once

#include <atomic>
#include <functional>
#include <thread>

#include <signal.h>

namespace procmatrix::harness {

class SignalCancel {
 public:
  // Blocks SIGINT and SIGTERM in the calling thread (and so in every thread it starts later:
  // construct this before any worker) and starts waiting for them. `on_signal` runs in the
  // waiting thread for each signal that arrives (the first one set the flag).
  explicit SignalCancel(std::function<void(int signo, bool first)> on_signal = {});
  SignalCancel(const SignalCancel&) = delete;
  SignalCancel& operator=(const SignalCancel&) = delete;
  ~SignalCancel();  // stops waiting and restores the signal mask

  const std::atomic<bool>& cancelled() const { return cancel_; }
  int signal() const { return signo_; }  // the first signal, or 0

 private:
  void wait_loop();

  std::atomic<bool> cancel_{false};
  std::atomic<int> signo_{0};
  std::atomic<bool> stop_{false};
  std::function<void(int, bool)> on_signal_;
  sigset_t old_mask_{};
  std::thread waiter_;
};

}  // namespace procmatrix::harness
