// The nesting test (what KEP-4265 is for): could a container runtime run inside this container?
//
// THE VERDICT (decide_nesting, a pure function of the steps):
//   ready   when the test finished in time, and userns, proc_mount, sysfs_mount and tmpfs_mount
//           all worked (what every nested runtime needs: its own user namespace, and in it a
//           fresh /proc, /sys and a writable scratch mount), and there is a way to store images:
//           native overlay (overlay_mount) or fuse-overlayfs (dev_fuse).
//   blocked otherwise.
// Every failed step adds its blocker (kBlockerRules), also where the verdict is still ready:
// a missing /dev/net/tun never blocks alone (nested podman runs with --network=host), a
// missing /dev/fuse or overlay never blocks alone (the other one stores images; vfs is a slow
// last resort). A timeout adds nesting.timeout; a step that should have reported and did not,
// without a timeout (a child killed by seccomp's SIGSYS, say), adds nesting.incomplete. So a
// blocked verdict always has at least one blocker that says why.
//
// HOW IT RUNS. The caller forks a child. The child makes a user namespace and writes its own
// /proc/self/setgroups, uid_map and gid_map: the only writes under /proc the probe ever makes,
// and only in the namespace it has just made. Then it unshares mount, PID and network
// namespaces and clones the grandchild, pid 1 of the new PID namespace, which makes every mount
// private and tries proc, sysfs, tmpfs and overlay. Both send each step's outcome on a pipe as
// an 8-byte message (below PIPE_BUF, so their writes never interleave).
// The grandchild is cloned with CLONE_PARENT: both processes are the caller's own children, so
// on a timeout the caller kills and reaps both by pid (an unreaped child's pid cannot be reused),
// whoever reaps orphans (procprobe is often pid 1 of its container). CLONE_PARENT_SETTID has the
// kernel store the grandchild's pid in a page shared with the caller before the clone returns,
// so the caller knows it even when it kills the child mid-clone. Both die with the caller
// (PR_SET_PDEATHSIG). Everything the grandchild mounts lives in its own mount namespace and
// vanishes with it. Code after fork() only makes system calls: no allocation, no locks.
//
// WHERE IT MOUNTS. The probe may run FROM scratch: its root holds the probe binary and the
// runtime-made /proc, /sys and /dev, nothing else, and may be read-only, so it creates no
// directory outside a tmpfs of its own. proc goes over /proc and sysfs over /sys, shadowing the
// container's own only in the private namespace. The scratch tmpfs goes over /dev (else /proc,
// else /sys: whichever exists), and overlay's directories are made on that tmpfs.
#include "nesting.hpp"

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <string>
#include <string_view>

#include "support/errno_name.hpp"
#include "support/error.hpp"
#include "support/fd.hpp"

namespace procmatrix::probe {
namespace {

using Clock = std::chrono::steady_clock;

// ---------------------------------------------------------------------------------------------
// What travels on the pipe.

// The steps run in the forked processes, in the order they report.
enum class WireStep : std::uint8_t { userns, proc_mount, sysfs_mount, tmpfs_mount, overlay_mount };

constexpr NestingStep Nesting::*kWireSteps[] = {&Nesting::userns, &Nesting::proc_mount,
                                                 &Nesting::sysfs_mount, &Nesting::tmpfs_mount,
                                                 &Nesting::overlay_mount};

// The calls a step can fail in; a failed step carries the name in NestingStep::call.
enum class Call : std::uint8_t {
  none, unshare_user, write_setgroups, write_uid_map, write_gid_map, unshare_mount, unshare_pid,
  unshare_net, clone, make_private, mount_proc, mount_sysfs, mount_tmpfs, mkdir, mount_overlay,
};

constexpr std::string_view kCallNames[] = {
    "",
    "unshare(CLONE_NEWUSER)",
    "write /proc/self/setgroups",
    "write /proc/self/uid_map",
    "write /proc/self/gid_map",
    "unshare(CLONE_NEWNS)",
    "unshare(CLONE_NEWPID)",
    "unshare(CLONE_NEWNET)",
    "clone",
    "mount(/, MS_REC|MS_PRIVATE)",
    "mount(proc)",
    "mount(sysfs)",
    "mount(tmpfs)",
    "mkdir",
    "mount(overlay)",
};

struct Message {
  WireStep step;
  Call call;             // Call::none when the step worked
  std::uint16_t unused;
  std::int32_t err;      // 0 when the step worked
};
static_assert(sizeof(Message) == 8 && sizeof(Message) <= PIPE_BUF);

constexpr unsigned bit(WireStep s) { return 1U << static_cast<unsigned>(s); }
constexpr unsigned kMountSteps = bit(WireStep::proc_mount) | bit(WireStep::sysfs_mount) |
                                 bit(WireStep::tmpfs_mount) | bit(WireStep::overlay_mount);

// ---------------------------------------------------------------------------------------------
// The forked side. Only system calls from here to the parent's side.

// proc as every runtime mounts it. Where the container's proc has locked flags (ro, atime) the
// kernel wants the new mount no less strict; nosuid, nodev, noexec cost nothing.
constexpr unsigned long kProcFlags = MS_NOSUID | MS_NODEV | MS_NOEXEC;
// sysfs read-only, as runtimes mount it for an unprivileged nested container: an unprivileged
// container's own /sys is read-only and locked so, and a read-write sysfs would be refused
// even where nesting works (fs/namespace.c, mnt_already_visible).
constexpr unsigned long kSysfsFlags = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;
constexpr unsigned long kScratchFlags = MS_NOSUID | MS_NODEV | MS_NOEXEC;

// A tmpfs for the overlay's directories, and where they go on it. Tried in order: the first
// target that exists takes it (see WHERE IT MOUNTS above).
struct Scratch {
  const char* target;
  const char* dirs[4];          // lower, upper, work, merged
  const char* overlay_options;
};
constexpr Scratch kScratch[] = {
    {"/dev",
     {"/dev/lower", "/dev/upper", "/dev/work", "/dev/merged"},
     "lowerdir=/dev/lower,upperdir=/dev/upper,workdir=/dev/work"},
    {"/proc",
     {"/proc/lower", "/proc/upper", "/proc/work", "/proc/merged"},
     "lowerdir=/proc/lower,upperdir=/proc/upper,workdir=/proc/work"},
    {"/sys",
     {"/sys/lower", "/sys/upper", "/sys/work", "/sys/merged"},
     "lowerdir=/sys/lower,upperdir=/sys/upper,workdir=/sys/work"},
};

// The grandchild's stack. A copy of it is the grandchild's own (no CLONE_VM), untouched pages
// cost nothing, and it spares the child an allocation.
constexpr std::size_t kStackSize = 64 * 1024;
alignas(64) char grandchild_stack[kStackSize];

struct Failure {
  Call call = Call::none;
  int err = 0;
};

struct GrandchildPlan {
  int out;          // the pipe
  unsigned todo;    // bits of WireStep still to try
};

void send(int out, WireStep step, Failure f) {
  const Message m{step, f.err == 0 ? Call::none : f.call, 0, f.err};
  while (::write(out, &m, sizeof m) < 0 && errno == EINTR) {
  }
}

void send_all(int out, unsigned steps, Failure f) {
  for (const WireStep s : {WireStep::proc_mount, WireStep::sysfs_mount, WireStep::tmpfs_mount,
                           WireStep::overlay_mount})
    if (steps & bit(s)) send(out, s, f);
}

Failure failed_if(int rc, Call call) { return rc == 0 ? Failure{} : Failure{call, errno}; }

// "0 <id> 1\n": root of the new namespace is this process's own id outside, and nothing else.
struct MapLine {
  char text[32];
  std::size_t len;
};

MapLine map_root_to(unsigned id) {
  MapLine line{};
  char* p = line.text;
  *p++ = '0';
  *p++ = ' ';
  p = std::to_chars(p, line.text + sizeof line.text - 3, id).ptr;
  *p++ = ' ';
  *p++ = '1';
  *p++ = '\n';
  line.len = static_cast<std::size_t>(p - line.text);
  return line;
}

// 0 or the errno. One write: the kernel takes a map in a single write or not at all.
int write_own(const char* path, const char* text, std::size_t len) {
  UniqueFd fd(::open(path, O_WRONLY | O_CLOEXEC));
  if (!fd) return errno;
  const ssize_t n = ::write(fd.get(), text, len);
  if (n < 0) return errno;
  return static_cast<std::size_t>(n) == len ? 0 : EIO;
}

// Step 1: a user namespace in which this process is root, mapped to its own ids outside.
Failure enter_user_namespace() {
  // Read before unshare: afterwards, with no map yet, they read as the overflow id.
  const MapLine uid = map_root_to(::geteuid());
  const MapLine gid = map_root_to(::getegid());
  if (::unshare(CLONE_NEWUSER) != 0) return {Call::unshare_user, errno};
  // An unprivileged gid_map needs setgroups denied first. Kernels before 3.19 have no such
  // file and no such rule.
  if (const int e = write_own("/proc/self/setgroups", "deny", 4); e != 0 && e != ENOENT)
    return {Call::write_setgroups, e};
  if (const int e = write_own("/proc/self/uid_map", uid.text, uid.len)) return {Call::write_uid_map, e};
  if (const int e = write_own("/proc/self/gid_map", gid.text, gid.len)) return {Call::write_gid_map, e};
  return {};
}

// The grandchild's parent is the caller (CLONE_PARENT), outside the new PID namespace where
// getppid() says 0; so the pipe tells whether the caller died before the death signal was set:
// its read end is closed then, and the write end polls POLLERR.
void die_with_caller_from_pid_namespace(int out) {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  pollfd p{out, POLLOUT, 0};
  if (::poll(&p, 1, 0) == 1 && (p.revents & POLLERR)) ::_exit(1);
}

int mount_errno(const char* source, const char* target, const char* type, unsigned long flags,
                const char* data) {
  return ::mount(source, target, type, flags, data) == 0 ? 0 : errno;
}

// The scratch tmpfs on the first target that exists; nullptr and the errno when none takes it.
const Scratch* mount_scratch(int& err) {
  err = ENOENT;
  for (const Scratch& s : kScratch) {
    err = mount_errno("tmpfs", s.target, "tmpfs", kScratchFlags, "size=1m,mode=0700");
    if (err == 0) return &s;
    if (err != ENOENT && err != ENOTDIR) return nullptr;
  }
  return nullptr;
}

Failure mount_overlay(const Scratch& s) {
  for (const char* dir : s.dirs)
    if (::mkdir(dir, 0700) != 0) return {Call::mkdir, errno};
  return failed_if(::mount("overlay", s.dirs[3], "overlay", kScratchFlags, s.overlay_options),
                   Call::mount_overlay);
}

void try_mounts(const GrandchildPlan& plan) {
  // Nothing mounted below may propagate anywhere. (A mount namespace owned by a new user
  // namespace already only receives, but the probe does not lean on that.)
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    send_all(plan.out, plan.todo, {Call::make_private, errno});
    return;
  }
  if (plan.todo & bit(WireStep::proc_mount))
    send(plan.out, WireStep::proc_mount,
         {Call::mount_proc, mount_errno("proc", "/proc", "proc", kProcFlags, nullptr)});
  if (plan.todo & bit(WireStep::sysfs_mount))
    send(plan.out, WireStep::sysfs_mount,
         {Call::mount_sysfs, mount_errno("sysfs", "/sys", "sysfs", kSysfsFlags, nullptr)});
  int err = 0;
  const Scratch* scratch = mount_scratch(err);
  send(plan.out, WireStep::tmpfs_mount, {Call::mount_tmpfs, err});
  // Without the tmpfs there is nowhere to make overlay's directories: not attempted.
  if (scratch) send(plan.out, WireStep::overlay_mount, mount_overlay(*scratch));
}

int grandchild_main(void* arg) {
  const GrandchildPlan plan = *static_cast<const GrandchildPlan*>(arg);
  die_with_caller_from_pid_namespace(plan.out);
  try_mounts(plan);
  ::_exit(0);
}

// 0 or the errno of clone. The kernel writes the grandchild's pid into *pid_slot.
int clone_grandchild(GrandchildPlan& plan, pid_t* pid_slot) {
  // The stack grows down on every architecture the probe is built for: clone takes its top.
  char* stack_top = grandchild_stack + kStackSize;
  const pid_t pid = ::clone(grandchild_main, stack_top, CLONE_PARENT | CLONE_PARENT_SETTID | SIGCHLD,
                            &plan, pid_slot);
  return pid < 0 ? errno : 0;
}

void die_with_caller(pid_t caller) {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != caller) ::_exit(1);  // the caller died before the line above took effect
}

[[noreturn]] void run_child(int out, pid_t caller, pid_t* grandchild_slot) {
  die_with_caller(caller);
  const Failure userns = enter_user_namespace();
  send(out, WireStep::userns, userns);
  if (userns.err != 0) ::_exit(0);  // nothing else can be tried without it

  // Mount, PID and network namespaces one by one, so a refusal names its namespace and fails
  // only the steps that need it: proc needs the PID namespace, sysfs the network namespace.
  if (::unshare(CLONE_NEWNS) != 0) {
    send_all(out, kMountSteps, {Call::unshare_mount, errno});
    ::_exit(0);
  }
  GrandchildPlan plan{out, kMountSteps};
  if (::unshare(CLONE_NEWPID) != 0) {
    send(out, WireStep::proc_mount, {Call::unshare_pid, errno});
    plan.todo &= ~bit(WireStep::proc_mount);
  }
  if (::unshare(CLONE_NEWNET) != 0) {
    send(out, WireStep::sysfs_mount, {Call::unshare_net, errno});
    plan.todo &= ~bit(WireStep::sysfs_mount);
  }
  if (const int e = clone_grandchild(plan, grandchild_slot)) send_all(out, plan.todo, {Call::clone, e});
  ::_exit(0);
}

// ---------------------------------------------------------------------------------------------
// The caller's side.

// One pid in memory shared with the forked child: the kernel stores the grandchild's pid there
// (CLONE_PARENT_SETTID writes into the child's memory; MAP_SHARED makes it the caller's too).
class SharedPid {
 public:
  SharedPid() {
    void* page = ::mmap(nullptr, sizeof(pid_t), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (page != MAP_FAILED) pid_ = static_cast<pid_t*>(page);
  }
  SharedPid(const SharedPid&) = delete;
  SharedPid& operator=(const SharedPid&) = delete;
  ~SharedPid() {
    if (pid_) ::munmap(pid_, sizeof(pid_t));
  }
  explicit operator bool() const { return pid_ != nullptr; }
  pid_t* slot() { return pid_; }
  // 0 when no grandchild was made. Final once the child is reaped.
  pid_t load() const { return std::atomic_ref<pid_t>(*pid_).load(); }

 private:
  pid_t* pid_ = nullptr;
};

// The messages read so far, applied to the Nesting as they come.
class Inbox {
 public:
  explicit Inbox(Nesting& nesting) : nesting_(nesting) {}

  // Reads what the pipe holds: false at end of file or on an error (eof() tells which).
  bool read_from(int fd) {
    const ssize_t n = ::read(fd, buf_.data() + have_, buf_.size() - have_);
    if (n == 0) eof_ = true;
    if (n < 0) return errno == EINTR;
    if (n <= 0) return false;
    have_ += static_cast<std::size_t>(n);
    apply_whole_messages();
    return true;
  }
  // After a kill: what was sent before it, without waiting.
  void drain(int fd) {
    ::fcntl(fd, F_SETFL, O_NONBLOCK);
    while (read_from(fd)) {
    }
  }
  bool eof() const { return eof_; }

 private:
  void apply_whole_messages() {
    std::size_t at = 0;
    for (; have_ - at >= sizeof(Message); at += sizeof(Message)) {
      Message m;
      std::memcpy(&m, buf_.data() + at, sizeof m);
      apply(m);
    }
    std::memmove(buf_.data(), buf_.data() + at, have_ - at);
    have_ -= at;
  }
  void apply(const Message& m) {
    const auto step = static_cast<std::size_t>(m.step);
    const auto call = static_cast<std::size_t>(m.call);
    if (step >= std::size(kWireSteps) || call >= std::size(kCallNames)) return;
    NestingStep& s = nesting_.*kWireSteps[step];
    s.attempted = true;
    s.result = m.err == 0 ? Attempt::success() : Attempt::failure(m.err);
    s.call = std::string(kCallNames[call]);
  }

  Nesting& nesting_;
  std::array<char, 16 * sizeof(Message)> buf_{};
  std::size_t have_ = 0;
  bool eof_ = false;
};

enum class Ending { finished, timed_out, broken };

timespec to_timespec(Clock::duration d) {
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
  return {static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
}

// Until both processes have closed the pipe (they exited) or the deadline passes. The deadline
// is checked first: a timeout of 0 times out, whatever the children managed meanwhile.
// `err` gets the errno when the pipe itself fails (Ending::broken).
Ending wait_for_reports(int fd, Clock::time_point deadline, Inbox& inbox, int& err) {
  for (;;) {
    const auto left = deadline - Clock::now();
    if (left <= Clock::duration::zero()) return Ending::timed_out;
    const timespec ts = to_timespec(left);
    pollfd p{fd, POLLIN, 0};
    const int ready = ::ppoll(&p, 1, &ts, nullptr);
    if (ready < 0 && errno != EINTR) {
      err = errno;
      return Ending::broken;
    }
    if (ready <= 0) continue;
    if (inbox.read_from(fd)) continue;
    if (inbox.eof()) return Ending::finished;
    err = errno;
    return Ending::broken;
  }
}

// The wait status, or -1 when pid is not (or no longer) a child of the caller: a SIGCHLD
// handler of the caller's may have reaped it.
int reap(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return -1;
  return status;
}

struct Statuses {
  int child = -1, grandchild = -1;
};

// Kills (unless they finished) and reaps both forked processes. Both are the caller's unreaped
// children until reaped here, so neither pid can name another process meanwhile. (That holds
// unless the caller ignores SIGCHLD, which reaps children at once; procprobe does not.)
// After a kill this waits for the kernel to end the dying processes' current calls.
Statuses stop_and_reap(pid_t child, const SharedPid& grandchild, bool kill_first) {
  Statuses st;
  if (kill_first) ::kill(child, SIGKILL);
  st.child = reap(child);
  // Final now that the child is dead: the kernel stored it before the clone returned.
  if (const pid_t g = grandchild.load(); g > 0) {
    if (kill_first) ::kill(g, SIGKILL);
    st.grandchild = reap(g);
  }
  return st;
}

// "": exited. Else why a forked process ended early, for nesting.incomplete.
std::string death(const char* who, int status) {
  if (status == -1 || !WIFSIGNALED(status)) return {};
  const int sig = WTERMSIG(status);
  std::string text = std::string(who) + " was killed by signal " + std::to_string(sig);
  if (sig == SIGSYS) text += " (SIGSYS: a seccomp filter that kills)";
  return text;
}

void run_in_namespaces(Nesting& n, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  SharedPid grandchild;
  if (!grandchild) {
    n.error = Error::from_errno("mmap").describe();
    return;
  }
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    n.error = Error::from_errno("pipe2").describe();
    return;
  }
  UniqueFd from_children(fds[0]), to_caller(fds[1]);
  const pid_t caller = ::getpid();
  const pid_t child = ::fork();
  if (child < 0) {
    n.error = Error::from_errno("fork").describe();
    return;
  }
  if (child == 0) {
    from_children.reset();
    run_child(to_caller.get(), caller, grandchild.slot());
  }
  to_caller.reset();

  Inbox inbox(n);
  int pipe_err = 0;
  const Ending ending = wait_for_reports(from_children.get(), deadline, inbox, pipe_err);
  const bool finished = ending == Ending::finished;
  const Statuses st = stop_and_reap(child, grandchild, !finished);
  if (!finished) inbox.drain(from_children.get());

  n.timed_out = ending == Ending::timed_out;
  if (ending == Ending::broken) n.error = Error(pipe_err, "reading the nesting test's pipe").describe();
  if (finished) {
    n.error = death("the nesting test's child", st.child);
    if (n.error.empty()) n.error = death("the nesting test's grandchild", st.grandchild);
  }
}

// ---------------------------------------------------------------------------------------------
// /dev/net/tun and /dev/fuse: the device family's answer when it has one.

int denied_errno(const DeviceResult& d) {
  if (d.open_rw.err != 0) return d.open_rw.err;
  if (d.query_result && d.query_result->err != 0) return d.query_result->err;
  return EACCES;
}

NestingStep device_step(const std::vector<DeviceResult>& devices, std::string_view id, const char* path) {
  NestingStep step;
  step.attempted = true;
  int err = 0;
  const DeviceResult* found = nullptr;
  for (const DeviceResult& d : devices)
    if (d.id == id) found = &d;
  if (!found) {
    UniqueFd fd(::open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
    if (!fd) err = errno;
  } else if (found->state == DeviceState::absent) {
    err = ENOENT;
  } else if (found->state == DeviceState::denied) {
    err = denied_errno(*found);
  }
  step.result = err == 0 ? Attempt::success() : Attempt::failure(err);
  if (err != 0) step.call = std::string("open ") + path;
  return step;
}

// ---------------------------------------------------------------------------------------------
// The verdict's data.

// What each step is for. A step whose prerequisite worked must report, unless timed out.
enum class Role { core, storage, network };
struct StepRule {
  NestingStep Nesting::*step;
  NestingStep Nesting::*needs;  // nullptr: nothing
  Role role;
};
constexpr StepRule kStepRules[] = {
    {&Nesting::userns, nullptr, Role::core},
    {&Nesting::proc_mount, &Nesting::userns, Role::core},
    {&Nesting::sysfs_mount, &Nesting::userns, Role::core},
    {&Nesting::tmpfs_mount, &Nesting::userns, Role::core},
    {&Nesting::overlay_mount, &Nesting::tmpfs_mount, Role::storage},
    {&Nesting::dev_fuse, nullptr, Role::storage},
    {&Nesting::dev_net_tun, nullptr, Role::network},
};

// A failed step's blocker: the first row that matches its step, errno (0: any) and call ("":
// any; a step that carries no call matches every row). {errno} and {call} are filled in.
struct BlockerRule {
  NestingStep Nesting::*step;
  int err;
  std::string_view call;
  std::string_view id, reason, remedy;
};

constexpr std::string_view kLsmId = "nesting.mount.lsm";
constexpr std::string_view kLsmReason =
    "mount(2) is refused with EACCES ({call}): an LSM denies mounts (the default AppArmor profile "
    "of containerd, CRI-O and Docker has `deny mount`), so a nested runtime cannot mount anything";
constexpr std::string_view kLsmRemedy =
    "run the Pod with securityContext.appArmorProfile.type: Unconfined, or a profile that allows "
    "the nested runtime's mounts";

constexpr BlockerRule kBlockerRules[] = {
    {&Nesting::userns, EPERM, "unshare(CLONE_NEWUSER)", "nesting.userns.denied",
     "cannot create a user namespace (EPERM): a seccomp profile refuses unshare(CLONE_NEWUSER), "
     "or the container lacks the CAP_SYS_ADMIN that profile asks for",
     "run with hostUsers: false, or a seccomp profile that allows unshare(CLONE_NEWUSER); check "
     "user.max_user_namespaces"},
    {&Nesting::userns, ENOSPC, "unshare(CLONE_NEWUSER)", "nesting.userns.limit",
     "cannot create a user namespace (ENOSPC): user.max_user_namespaces is 0 here, or 32 user "
     "namespaces are already nested",
     "raise user.max_user_namespaces on the node (sysctl) above the number of nested namespaces "
     "the workload makes"},
    {&Nesting::userns, EUSERS, "unshare(CLONE_NEWUSER)", "nesting.userns.limit",
     "cannot create a user namespace (EUSERS, kernels before 4.9): 32 user namespaces are "
     "already nested",
     "nest fewer user namespaces"},
    // Linux 5.12+ (verify_root_map): mapping uid 0 into a new user namespace needs CAP_SETFCAP.
    // runc spec's default capabilities lack it; containerd's, CRI-O's and Docker's have it.
    {&Nesting::userns, EPERM, "write /proc/self/uid_map", "nesting.userns.setfcap",
     "a user namespace is made, but root cannot be mapped into it (EPERM on uid_map): since Linux "
     "5.12 mapping uid 0 needs CAP_SETFCAP, which this container lacks",
     "keep CAP_SETFCAP in the container's capabilities (the containerd, CRI-O and Docker defaults "
     "have it; drop: [ALL] removes it), or run the nested runtime as a non-root user"},
    {&Nesting::userns, 0, "", "nesting.userns.failed",
     "cannot set up a user namespace ({call}: {errno})",
     "check the seccomp profile and LSM policy (AppArmor, SELinux) for unshare(CLONE_NEWUSER) and "
     "for writing the namespace's own /proc/self/uid_map"},

    {&Nesting::proc_mount, EPERM, "mount(proc)", "nesting.proc.masked",
     "a new /proc mount is refused (EPERM): the container's /proc has masked or read-only paths, "
     "so the kernel finds a fresh proc too revealing (mount_too_revealing); nested runtimes fail "
     "here",
     "set securityContext.procMount: Unmasked (needs hostUsers: false)"},
    {&Nesting::proc_mount, EACCES, "mount(proc)", kLsmId, kLsmReason, kLsmRemedy},
    {&Nesting::proc_mount, 0, "", "nesting.proc.failed",
     "a new /proc cannot be mounted in new user, mount and PID namespaces ({call}: {errno})",
     "check the seccomp profile and LSM policy for unshare(CLONE_NEWNS|CLONE_NEWPID) and mount(2)"},

    {&Nesting::sysfs_mount, EPERM, "mount(sysfs)", "nesting.sysfs.denied",
     "a new sysfs mount is refused (EPERM): the container's /sys has masked paths (/sys/firmware, "
     "powercap) or covered submounts, so the kernel finds a fresh sysfs too revealing "
     "(mount_too_revealing)",
     "set securityContext.procMount: Unmasked (needs hostUsers: false): kubelet then masks "
     "nothing under /sys either"},
    {&Nesting::sysfs_mount, EACCES, "mount(sysfs)", kLsmId, kLsmReason, kLsmRemedy},
    {&Nesting::sysfs_mount, 0, "", "nesting.sysfs.failed",
     "a new sysfs cannot be mounted in new user, mount and network namespaces ({call}: {errno})",
     "check the seccomp profile and LSM policy for unshare(CLONE_NEWNET) and mount(2)"},

    {&Nesting::tmpfs_mount, EACCES, "mount(tmpfs)", kLsmId, kLsmReason, kLsmRemedy},
    {&Nesting::tmpfs_mount, 0, "", "nesting.tmpfs.failed",
     "not even a tmpfs can be mounted in a mount namespace of its own ({call}: {errno}): mount(2) "
     "itself is refused",
     "allow mount(2) to the nested runtime: a seccomp profile without a mount rule and an "
     "AppArmor profile that allows mounts"},

    {&Nesting::overlay_mount, EACCES, "mount(overlay)", kLsmId, kLsmReason, kLsmRemedy},
    {&Nesting::overlay_mount, 0, "", "nesting.overlay.unsupported",
     "native overlayfs cannot be mounted in a user namespace ({call}: {errno}); it needs kernel "
     "5.11 or later",
     "use fuse-overlayfs (needs /dev/fuse) or vfs storage"},

    {&Nesting::dev_net_tun, 0, "", "nesting.tun.missing",
     "/dev/net/tun is not usable ({errno}): nested podman's networking (pasta, slirp4netns) fails "
     "with \"Failed to open() /dev/net/tun: No such file or directory\"",
     "nested podman needs --network=host, or give the Pod /dev/net/tun (a device plugin or the "
     "runtime's device allowlist)"},
    {&Nesting::dev_fuse, 0, "", "nesting.fuse.missing",
     "/dev/fuse is not usable ({errno}): fuse-overlayfs fails with \"fuse: device not found, try "
     "'modprobe fuse' first\"",
     "use native overlay (kernel 5.11+) or vfs storage, or give the Pod /dev/fuse"},
};

constexpr std::string_view kTimeoutId = "nesting.timeout";
constexpr std::string_view kTimeoutReason =
    "the nesting test did not finish in time and was killed: a namespace or mount call hung";
constexpr std::string_view kTimeoutRemedy =
    "run again with a longer --nesting-timeout; if it still hangs, the runtime stalls namespace or "
    "mount calls (a seccomp notifier, a sandbox's slow platform)";
constexpr std::string_view kIncompleteId = "nesting.incomplete";
constexpr std::string_view kIncompleteReason =
    "the nesting test stopped before every step reported{error}";
constexpr std::string_view kIncompleteRemedy =
    "run procprobe again; if it repeats, look for a seccomp filter that kills instead of failing "
    "(SIGSYS) or a memory limit that kills forked processes";

bool worked(const NestingStep& s) { return s.attempted && s.result.ok; }

bool matches(const BlockerRule& rule, const NestingStep& s) {
  return (rule.err == 0 || rule.err == s.result.err) &&
         (rule.call.empty() || s.call.empty() || rule.call == s.call);
}

std::string fill(std::string_view text, std::string_view key, std::string_view value) {
  std::string out(text);
  for (auto at = out.find(key); at != std::string::npos; at = out.find(key, at + value.size()))
    out.replace(at, key.size(), value);
  return out;
}

// The first row that speaks for a failed step.
const BlockerRule* rule_for(NestingStep Nesting::*step, const NestingStep& s) {
  for (const BlockerRule& rule : kBlockerRules)
    if (rule.step == step && matches(rule, s)) return &rule;
  return nullptr;
}

Blocker make_blocker(const BlockerRule& rule, const NestingStep& s) {
  const std::string err = errno_name(s.result.err).value_or("no errno");
  const std::string call = s.call.empty() ? std::string("?") : s.call;
  return {std::string(rule.id), fill(fill(rule.reason, "{errno}", err), "{call}", call),
          std::string(rule.remedy)};
}

void add_once(std::vector<Blocker>& blockers, Blocker b) {
  for (const Blocker& have : blockers)
    if (have.id == b.id) return;
  blockers.push_back(std::move(b));
}

// A step whose prerequisite worked (or that has none) but that never reported.
bool some_step_missing(const Nesting& n) {
  for (const StepRule& r : kStepRules)
    if (!(n.*r.step).attempted && (r.needs == nullptr || worked(n.*r.needs))) return true;
  return false;
}

bool all_core_work(const Nesting& n) {
  for (const StepRule& r : kStepRules)
    if (r.role == Role::core && !worked(n.*r.step)) return false;
  return true;
}

bool some_storage_works(const Nesting& n) {
  for (const StepRule& r : kStepRules)
    if (r.role == Role::storage && worked(n.*r.step)) return true;
  return false;
}

}  // namespace

Nesting probe_nesting(const std::vector<DeviceResult>& devices, std::chrono::milliseconds timeout) {
  Nesting n;
  n.dev_net_tun = device_step(devices, "dev.net.tun", "/dev/net/tun");
  n.dev_fuse = device_step(devices, "dev.fuse", "/dev/fuse");
  run_in_namespaces(n, timeout);
  decide_nesting(n);
  return n;
}

void decide_nesting(Nesting& n) {
  n.blockers.clear();
  if (n.timed_out)
    n.blockers.push_back({std::string(kTimeoutId), std::string(kTimeoutReason), std::string(kTimeoutRemedy)});
  for (const StepRule& step : kStepRules) {
    const NestingStep& s = n.*step.step;
    if (!s.attempted || s.result.ok) continue;
    if (const BlockerRule* rule = rule_for(step.step, s)) add_once(n.blockers, make_blocker(*rule, s));
  }
  if (!n.timed_out && some_step_missing(n))
    n.blockers.push_back({std::string(kIncompleteId),
                          fill(kIncompleteReason, "{error}", n.error.empty() ? "" : ": " + n.error),
                          std::string(kIncompleteRemedy)});
  const bool ready = !n.timed_out && all_core_work(n) && some_storage_works(n);
  n.verdict = ready ? "ready" : "blocked";
}

}  // namespace procmatrix::probe
