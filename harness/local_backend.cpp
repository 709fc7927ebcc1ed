#include "local_backend.hpp"

#include <elf.h>
#include <unistd.h>

#include <fstream>
#include <optional>

#include "bundle.hpp"
#include "container.hpp"
#include "oci_spec.hpp"
#include "probe_output.hpp"
#include "process.hpp"
#include "runtimes.hpp"
#include "slot_pool.hpp"
#include "text.hpp"

namespace procmatrix::harness {
namespace fs = std::filesystem;
namespace {

using Clock = std::chrono::steady_clock;

// Candidates for the probe, relative to the directory of /proc/self/exe: installed side by side,
// or the build tree (build/harness/procmatrix, build/probes/procprobe).
constexpr std::string_view kProbeCandidates[] = {"procprobe", "../probes/procprobe"};

std::optional<RootOwner> rootfs_owner(const Cell& cell, unsigned slot) {
  if (cell.host_users) return std::nullopt;
  const IdMapping m = userns_mapping(slot);
  return RootOwner{m.host_id, m.host_id};
}

// A line a user can paste to run the cell again by hand, with the spec from results.json. The
// runtime runs in the bundle dir: runc, crun and runsc all take the cwd as the default bundle.
std::string rerun_line(const Cell& cell, const RuntimeTraits& traits, const std::string& runtime,
                       const fs::path& probe, CgroupMode cgroup, std::optional<RootOwner> owner) {
  const RuntimeCommand by_hand = make_runtime_command(traits, runtime, "", cgroup);
  std::string chown;
  if (owner)
    chown = cat({" && chown -R ", std::to_string(owner->uid), ":", std::to_string(owner->gid),
                 " \"$B/rootfs\""});
  return cat({"B=$(mktemp -d) && chmod 711 \"$B\" && mkdir -m 755 \"$B/rootfs\" && cp '",
              probe.string(), "' \"$B/rootfs/procprobe\"", chown,
              " && jq '.cells[] | select(.id == \"", cell.id(),
              "\") | .spec' results.json > \"$B/config.json\" && cd \"$B\" && ",
              by_hand.shell_line({"run", "procmatrix-rerun"})});
}

// Process-wide, like the container ids: cells of two backends running at once must not share
// host ids either.
SlotPool& userns_slots() {
  static SlotPool pool;
  return pool;
}

void append(std::vector<std::string>& to, const std::vector<std::string>& from) {
  to.insert(to.end(), from.begin(), from.end());
}

// Cleanup failures outrank the cell's own result: a cell that left something behind is an error
// whatever the probe said.
void record_cleanup(Status st, CellRun& out) {
  if (st) return;
  out.status = CellStatus::error;
  out.reason = out.reason.empty() ? st.error().describe()
                                  : cat({out.reason, "; and ", st.error().describe()});
}

}  // namespace

Status check_static_executable(const fs::path& path) {
  if (::access(path.c_str(), X_OK) != 0)
    return Error::from_errno(cat({"probe `", path.string(), "`"}));
  std::ifstream in(path, std::ios::binary);
  Elf64_Ehdr eh{};
  if (!in.read(reinterpret_cast<char*>(&eh), sizeof eh) ||
      std::string_view(reinterpret_cast<const char*>(eh.e_ident), 4) !=
          std::string_view(ELFMAG, SELFMAG) ||
      eh.e_ident[EI_CLASS] != ELFCLASS64)
    return Error(ENOEXEC, cat({"probe `", path.string(), "` is not a 64-bit ELF executable"}));
  for (unsigned i = 0; i < eh.e_phnum; ++i) {
    Elf64_Phdr ph{};
    in.seekg(static_cast<std::streamoff>(eh.e_phoff + i * sizeof ph));
    if (!in.read(reinterpret_cast<char*>(&ph), sizeof ph))
      return Error(ENOEXEC, cat({"probe `", path.string(), "`: truncated program headers"}));
    if (ph.p_type == PT_INTERP)
      return Error(ENOEXEC, cat({"probe `", path.string(),
                                 "` is dynamically linked; the container's rootfs holds nothing "
                                 "but the probe, so it must be static"}));
  }
  return Ok{};
}

fs::path default_probe_path() {
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  const fs::path dir = ec ? fs::current_path(ec) : self.parent_path();
  for (auto rel : kProbeCandidates) {
    const fs::path candidate = (dir / rel).lexically_normal();
    if (fs::exists(candidate, ec)) return candidate;
  }
  return (dir / kProbeCandidates[0]).lexically_normal();
}

Result<std::unique_ptr<LocalBackend>> LocalBackend::create(LocalBackendOptions options) {
  if (Status st = check_static_executable(options.probe); !st) return st.error();
  options.probe = fs::absolute(options.probe);
  if (options.work_dir.empty()) options.work_dir = fs::temp_directory_path();
  Result<HostFacts> host = read_host_facts();
  if (!host) return host.error().with_context("reading the host's facts");
  return std::make_unique<LocalBackend>(std::move(options), std::move(*host));
}

LocalBackend::LocalBackend(LocalBackendOptions options, HostFacts host)
    : options_(std::move(options)), host_(std::move(host)) {}

CellRun LocalBackend::run(const Cell& cell, std::chrono::seconds timeout,
                          const std::atomic<bool>& cancel) {
  const auto start = Clock::now();
  CellRun out;
  try {
    if (Status st = run_cell(cell, timeout, cancel, out); !st) {
      out.status = CellStatus::error;
      out.reason = st.error().describe();
    }
  } catch (const std::exception& e) {  // bad_alloc, filesystem_error: still one cell's error
    out.status = CellStatus::error;
    out.reason = cat({"internal error: ", e.what()});
  }
  out.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  return out;
}

Status LocalBackend::run_cell(const Cell& cell, std::chrono::seconds timeout,
                              const std::atomic<bool>& cancel, CellRun& out) {
  if (cancel.load()) return Error(0, "cancelled before it started");
  Runtime runtime = cell.runtime;
  if (Status st = resolve_runtime_path(runtime); !st) {
    if (runtime.explicitly_requested) return st;
    out.status = CellStatus::skipped;  // a default runtime this machine does not have
    out.reason = st.error().message();
    return Ok{};
  }
  out.runtime_version = version_of(runtime.path, out);
  const RuntimeTraits& traits = traits_for(runtime, out.runtime_version);

  const SlotPool::Lease slot = userns_slots().acquire();
  OciSpec spec = make_oci_spec(cell, host_, traits, slot.index());
  out.spec = spec.config;
  append(out.notes, spec.notes);
  const std::optional<RootOwner> owner = rootfs_owner(cell, slot.index());
  out.rerun = rerun_line(cell, traits, runtime.path, options_.probe, host_.cgroup, owner);

  Result<Bundle> bundle = Bundle::create(options_.work_dir, options_.probe, spec.config, owner);
  if (!bundle) return bundle.error();
  const RuntimeCommand cmd =
      make_runtime_command(traits, runtime.path, bundle->state_dir().string(), host_.cgroup);
  append(out.notes, cmd.notes);

  run_container(cmd, *bundle, runtime.name, timeout, cancel, out);
  record_cleanup(bundle->remove(), out);
  return Ok{};
}

void LocalBackend::run_container(const RuntimeCommand& cmd, const Bundle& bundle,
                                 const std::string& runtime, std::chrono::seconds timeout,
                                 const std::atomic<bool>& cancel, CellRun& out) {
  ContainerGuard container(cmd, next_container_id(), bundle.state_dir(), options_.cleanup_timeout);
  ProcessSpec ps;
  ps.argv = cmd.argv({"run", "--bundle", bundle.dir().string(), container.id()});
  ps.timeout = timeout;
  ps.cancel = &cancel;
  ps.detach_mounts = cmd.detach_mounts;
  Result<ProcessResult> r = run_process(ps);
  if (r) {
    Judgement j = judge_run(*r, ps.timeout, runtime);
    out.status = j.status;
    out.reason = std::move(j.reason);
    out.observation = std::move(j.observation);
  } else {
    out.reason = r.error().describe();
  }
  record_cleanup(container.remove(), out);
}

std::string LocalBackend::version_of(const std::string& path, CellRun& out) {
  std::lock_guard lock(versions_mutex_);
  auto it = versions_.find(path);
  if (it == versions_.end()) it = versions_.emplace(path, runtime_version(path)).first;
  if (it->second) return *it->second;
  out.notes.push_back(cat({"runtime version unknown: ", it->second.error().describe()}));
  return {};
}

// Unique on the machine, not only in the runtime's private state dir: with no cgroupsPath in the
// spec, runc and crun name the container's cgroups after its id. Hence pid and a process-wide
// counter (several backends may live in one process, as in the tests).
std::string LocalBackend::next_container_id() {
  static std::atomic<unsigned> counter{0};
  return cat({"procmatrix-", std::to_string(::getpid()), "-", std::to_string(++counter)});
}

}  // namespace procmatrix::harness
