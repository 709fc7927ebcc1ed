#include "signals.hpp"

#include <pthread.h>

#include <cerrno>
#include <ctime>

namespace procmatrix::harness {
namespace {

sigset_t cancel_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

}  // namespace

SignalCancel::SignalCancel(std::function<void(int, bool)> on_signal) : on_signal_(std::move(on_signal)) {
  sigset_t set = cancel_signals();
  pthread_sigmask(SIG_BLOCK, &set, &old_mask_);
  waiter_ = std::thread([this] { wait_loop(); });
}

SignalCancel::~SignalCancel() {
  stop_ = true;
  waiter_.join();
  pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
}

// Polls with a short timeout so that the destructor can stop it without sending a signal.
void SignalCancel::wait_loop() {
  sigset_t set = cancel_signals();
  const timespec tick{0, 100'000'000};
  while (!stop_) {
    int signo = sigtimedwait(&set, nullptr, &tick);
    if (signo < 0) continue;  // EAGAIN (timeout) or EINTR
    bool first = !cancel_.exchange(true);
    if (first) signo_ = signo;
    if (on_signal_) on_signal_(signo, first);
  }
}

}  // namespace procmatrix::harness
