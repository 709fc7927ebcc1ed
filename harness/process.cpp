#include "process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstring>

#include "support/fd.hpp"
#include "text.hpp"

extern char** environ;

namespace procmatrix::harness {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// How often a waiting parent looks at the cancel flag, and how long it keeps reading pipes after
// the child exited (a grandchild that outlives it, such as a runtime's shim, may hold them open):
// until they have been quiet for kDrainQuiet, and never longer than kDrainMax.
constexpr milliseconds kTick{25};
constexpr milliseconds kDrainQuiet{200};
constexpr milliseconds kDrainMax{1000};

// Dispositions that survive exec when ignored: a runner that ignores SIGPIPE or SIGINT must not
// hand that on to the runtime and the probe (an ignored SIGCHLD would even break the runtime's
// own wait for the container).
constexpr std::array<int, 6> kResetSignals = {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD};

// Everything the child needs, prepared before fork: after fork in a threaded program only
// async-signal-safe calls are allowed (no allocation).
struct ChildPlan {
  std::vector<char*> argv;
  std::vector<const char*> detach;
  int in = -1, out = -1, err = -1;
};

void write_str(const char* s) {
  const ssize_t ignored = ::write(2, s, std::strlen(s));
  (void)ignored;
}

[[noreturn]] void child_fail(const char* what, const char* arg) {
  const int err = errno;
  char num[16];
  int n = 0;
  for (int v = err; n == 0 || v != 0; v /= 10) num[n++] = static_cast<char>('0' + v % 10);
  char digits[16];
  for (int i = 0; i < n; ++i) digits[i] = num[n - 1 - i];
  digits[n] = '\0';
  write_str("procmatrix: ");
  write_str(what);
  write_str(arg);
  write_str(": errno ");
  write_str(digits);
  write_str("\n");
  ::_exit(127);
}

[[noreturn]] void exec_child(const ChildPlan& plan) {
  ::setpgid(0, 0);
  if (::dup2(plan.in, 0) < 0 || ::dup2(plan.out, 1) < 0 || ::dup2(plan.err, 2) < 0)
    child_fail("dup2", "");
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  for (int sig : kResetSignals) ::signal(sig, SIG_DFL);
  if (!plan.detach.empty()) {
    if (::unshare(CLONE_NEWNS) != 0) child_fail("unshare(CLONE_NEWNS)", "");
    // Private first, or the unmount would propagate back to the host's namespace.
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
      child_fail("make / rprivate", "");
    for (const char* path : plan.detach)
      if (::umount2(path, MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT)
        child_fail("umount ", path);
  }
  ::execve(plan.argv[0], plan.argv.data(), environ);
  child_fail("exec ", plan.argv[0]);
}

// Reads what is there without blocking; false at EOF.
bool read_some(int fd, std::string& sink, std::size_t limit, bool& truncated) {
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
      const std::size_t room = sink.size() < limit ? limit - sink.size() : 0;
      const std::size_t take = std::min(room, static_cast<std::size_t>(n));
      sink.append(buf, take);
      if (take < static_cast<std::size_t>(n)) truncated = true;
      continue;
    }
    if (n == 0) return false;
    if (errno == EINTR) continue;
    return errno == EAGAIN || errno == EWOULDBLOCK ? true : false;
  }
}

void kill_group(pid_t pid) {
  ::kill(-pid, SIGKILL);
  ::kill(pid, SIGKILL);  // in case it has not reached setpgid yet
}

struct Pipes {
  UniqueFd out_r, out_w, err_r, err_w, null_r;
};

// The child's ends must not be 0, 1 or 2 (a harness started with a closed stdin or stdout gets
// them from pipe2): dup2 onto the same number would keep O_CLOEXEC, and one dup2 could clobber
// the next one's source.
UniqueFd above_stdio(int fd) {
  if (fd < 0 || fd > 2) return UniqueFd(fd);
  UniqueFd low(fd);
  return UniqueFd(::fcntl(low.get(), F_DUPFD_CLOEXEC, 3));
}

Result<Pipes> make_pipes() {
  Pipes p;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return Error::from_errno("pipe2");
  p.out_r = above_stdio(fds[0]);
  p.out_w = above_stdio(fds[1]);
  if (::pipe2(fds, O_CLOEXEC) != 0) return Error::from_errno("pipe2");
  p.err_r = above_stdio(fds[0]);
  p.err_w = above_stdio(fds[1]);
  p.null_r = above_stdio(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (!p.out_r || !p.out_w || !p.err_r || !p.err_w || !p.null_r)
    return Error::from_errno("pipes for a child");
  ::fcntl(p.out_r.get(), F_SETFL, O_NONBLOCK);
  ::fcntl(p.err_r.get(), F_SETFL, O_NONBLOCK);
  return p;
}

// The parent's side: read both pipes until the child exits, the deadline passes or cancel.
class Watcher {
 public:
  Watcher(const ProcessSpec& spec, pid_t pid, Pipes& pipes, ProcessResult& r)
      : spec_(spec), pid_(pid), pipes_(pipes), r_(r), start_(Clock::now()) {}

  Status watch() {
    // The raw syscall: glibc 2.36's <sys/pidfd.h> lacks extern "C" (fixed in 2.37).
    UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0)));
    if (!pidfd) {
      kill_group(pid_);
      reap();
      return Error::from_errno("pidfd_open");
    }
    if (wait_exit(pidfd.get()))
      drain_after_exit();
    else
      kill_group(pid_);
    reap();
    r_.elapsed = std::chrono::duration_cast<milliseconds>(Clock::now() - start_);
    return Ok{};
  }

 private:
  // True when the child exited by itself; false when it must be killed (timeout, cancel).
  bool wait_exit(int pidfd) {
    const auto deadline = start_ + spec_.timeout;
    for (;;) {
      if (spec_.cancel && spec_.cancel->load()) return stop(ProcessEnd::cancelled);
      const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) return stop(ProcessEnd::timed_out);
      const int wait_ms = static_cast<int>(std::min(left, kTick).count()) + 1;
      std::array<pollfd, 3> fds = {pollfd{pidfd, POLLIN, 0}, pollfd{out_fd(), POLLIN, 0},
                                   pollfd{err_fd(), POLLIN, 0}};
      if (::poll(fds.data(), fds.size(), wait_ms) < 0 && errno != EINTR) return stop(r_.end);
      pump(fds[1].revents, fds[2].revents);
      if (fds[0].revents != 0) return true;
    }
  }

  bool stop(ProcessEnd end) {
    r_.end = end;
    return false;
  }

  void drain_after_exit() {
    const auto until = Clock::now() + kDrainMax;
    while ((out_fd() >= 0 || err_fd() >= 0) && Clock::now() < until) {
      std::array<pollfd, 2> fds = {pollfd{out_fd(), POLLIN, 0}, pollfd{err_fd(), POLLIN, 0}};
      if (::poll(fds.data(), fds.size(), static_cast<int>(kDrainQuiet.count())) <= 0) break;
      pump(fds[0].revents, fds[1].revents);
    }
  }

  void pump(short out_events, short err_events) {
    if (out_events != 0 && !read_some(out_fd(), r_.out, spec_.output_limit, r_.truncated))
      pipes_.out_r.reset();
    if (err_events != 0 && !read_some(err_fd(), r_.err, spec_.output_limit, r_.truncated))
      pipes_.err_r.reset();
  }

  void reap() {
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    if (r_.end == ProcessEnd::timed_out || r_.end == ProcessEnd::cancelled) return;
    if (WIFEXITED(status)) {
      r_.end = ProcessEnd::exited;
      r_.exit_code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
      r_.end = ProcessEnd::signaled;
      r_.signal = WTERMSIG(status);
    }
  }

  int out_fd() const { return pipes_.out_r.get(); }
  int err_fd() const { return pipes_.err_r.get(); }

  const ProcessSpec& spec_;
  pid_t pid_;
  Pipes& pipes_;
  ProcessResult& r_;
  Clock::time_point start_;
};

std::string format_duration(milliseconds d) {
  if (d.count() % 1000 == 0) return cat({std::to_string(d.count() / 1000), " s"});
  return cat({std::to_string(d.count()), " ms"});
}

}  // namespace

std::shared_mutex& fork_lock() {
  static std::shared_mutex lock;
  return lock;
}

std::string describe_end(const ProcessResult& r, milliseconds timeout) {
  switch (r.end) {
    case ProcessEnd::exited:
      return cat({"exit ", std::to_string(r.exit_code)});
    case ProcessEnd::signaled: {
      const char* abbrev = ::sigabbrev_np(r.signal);
      return abbrev ? cat({"killed by SIG", abbrev})
                    : cat({"killed by signal ", std::to_string(r.signal)});
    }
    case ProcessEnd::timed_out:
      return cat({"timed out after ", format_duration(timeout)});
    case ProcessEnd::cancelled:
      return "cancelled";
  }
  return "?";
}

Result<ProcessResult> run_process(const ProcessSpec& spec) {
  if (spec.argv.empty()) return Error(EINVAL, "run_process: empty argv");
  Result<Pipes> pipes = make_pipes();
  if (!pipes) return pipes.error();
  ChildPlan plan;
  for (const auto& a : spec.argv) plan.argv.push_back(const_cast<char*>(a.c_str()));
  plan.argv.push_back(nullptr);
  for (const auto& m : spec.detach_mounts) plan.detach.push_back(m.c_str());
  plan.in = pipes->null_r.get();
  plan.out = pipes->out_w.get();
  plan.err = pipes->err_w.get();

  std::shared_lock forking(fork_lock());
  const pid_t pid = ::fork();
  if (pid == 0) exec_child(plan);
  forking.unlock();
  if (pid < 0) return Error::from_errno(cat({"fork for `", spec.argv[0], "`"}));
  ::setpgid(pid, pid);  // both sides set it: whichever runs first wins the race
  pipes->out_w.reset();
  pipes->err_w.reset();
  pipes->null_r.reset();

  ProcessResult result;
  Status st = Watcher(spec, pid, *pipes, result).watch();
  if (!st) return st.error().with_context(cat({"running `", spec.argv[0], "`"}));
  return result;
}

}  // namespace procmatrix::harness
