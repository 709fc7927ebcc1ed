#include "runtimes.hpp"

#include <unistd.h>

#include <array>
#include <cstdlib>
#include <filesystem>

#include "process.hpp"
#include "text.hpp"

namespace procmatrix::harness {
namespace fs = std::filesystem;
namespace {

// gVisor sets up its own network stack from the container's network namespace; with a fresh,
// empty one (what we give every cell) only --network=none works (FACTS.md).
constexpr std::array<std::string_view, 1> kRunscArgs = {"--network=none"};
// gVisor 20221219 does not know these and fails the whole spec ("unknown capability").
constexpr std::array<std::string_view, 3> kRunscRejectedCaps = {"CAP_PERFMON", "CAP_BPF",
                                                                "CAP_CHECKPOINT_RESTORE"};

const std::array<RuntimeTraits, 3> kRuntimes = {{
    {"runc", "runc", {}, {}, false, ""},
    // crun 1.8: "cgroups in hybrid mode not supported, drop all controllers from cgroupv2".
    {"crun", "crun", {}, {}, true, ""},
    {"runsc", "runsc", kRunscArgs, kRunscRejectedCaps, false,
     "gVisor cannot network a fresh network namespace"},
}};

const RuntimeTraits kGeneric = {"", "", {}, {}, false, ""};

// Where crun's hybrid-mode check looks: hiding it leaves a plain v1 host.
constexpr std::string_view kUnifiedMount = "/sys/fs/cgroup/unified";

bool is_executable_file(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec) && ::access(p.c_str(), X_OK) == 0;
}

Result<std::string> search_path(std::string_view binary) {
  const char* env = std::getenv("PATH");
  std::string_view dirs =
      env ? env : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  while (true) {
    const std::size_t colon = dirs.find(':');
    const fs::path candidate = fs::path(dirs.substr(0, colon)) / binary;
    if (!dirs.substr(0, colon).empty() && is_executable_file(candidate)) return candidate.string();
    if (colon == std::string_view::npos) break;
    dirs.remove_prefix(colon + 1);
  }
  return Error(0, cat({"`", binary, "` is not on PATH"}));
}

std::string shell_quote(const std::string& s) {
  if (s.find_first_not_of(
          "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@") ==
      std::string::npos)
    return s;
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

}  // namespace

std::span<const RuntimeTraits> known_runtimes() { return kRuntimes; }
const RuntimeTraits& generic_traits() { return kGeneric; }

const RuntimeTraits* find_traits(std::string_view name) {
  for (const auto& t : kRuntimes)
    if (t.name == name) return &t;
  return nullptr;
}

const RuntimeTraits& traits_for(const Runtime& runtime, std::string_view version_line) {
  if (const auto* t = find_traits(runtime.name)) return *t;
  if (!runtime.path.empty())
    if (const auto* t = find_traits(fs::path(runtime.path).filename().string())) return *t;
  if (const auto* t = find_traits(version_line.substr(0, version_line.find(' ')))) return *t;
  return kGeneric;
}

Result<Runtime> parse_runtime_arg(std::string_view arg) {
  Runtime rt;
  rt.explicitly_requested = true;
  const std::size_t eq = arg.find('=');
  rt.name = std::string(arg.substr(0, eq));
  if (eq != std::string_view::npos) rt.path = std::string(arg.substr(eq + 1));
  if (rt.name.empty() || (eq != std::string_view::npos && rt.path.empty()))
    return Error(EINVAL, cat({"runtime `", arg, "`: expected NAME or NAME=PATH"}));
  if (rt.name.find_first_of("/ \t") != std::string::npos)
    return Error(EINVAL, cat({"runtime name `", rt.name, "` must not contain '/' or blanks"}));
  return rt;
}

Status resolve_runtime_path(Runtime& runtime) {
  if (runtime.path.empty()) {
    const RuntimeTraits* t = find_traits(runtime.name);
    Result<std::string> found = search_path(t ? t->binary : std::string_view(runtime.name));
    if (!found) return found.error().with_context(cat({"runtime ", runtime.name}));
    runtime.path = *found;
    return Ok{};
  }
  if (!is_executable_file(runtime.path))
    return Error(
        0, cat({"runtime ", runtime.name, ": `", runtime.path, "` is not an executable file"}));
  runtime.path = fs::absolute(runtime.path).string();
  return Ok{};
}

Result<std::string> runtime_version(const std::string& path) {
  ProcessSpec spec;
  spec.argv = {path, "--version"};
  spec.timeout = std::chrono::seconds(10);
  Result<ProcessResult> r = run_process(spec);
  if (!r) return r.error();
  if (r->end != ProcessEnd::exited || r->exit_code != 0)
    return Error(0, cat({"`", path, " --version`: ", describe_end(*r, spec.timeout)}));
  std::string line = r->out.substr(0, r->out.find('\n'));
  if (line.empty()) return Error(0, cat({"`", path, " --version` printed nothing"}));
  return line;
}

std::vector<std::string> RuntimeCommand::argv(std::initializer_list<std::string> command) const {
  std::vector<std::string> out = {path};
  out.insert(out.end(), global_args.begin(), global_args.end());
  out.insert(out.end(), command.begin(), command.end());
  return out;
}

std::string RuntimeCommand::shell_line(std::initializer_list<std::string> command) const {
  std::string line;
  for (const auto& a : argv(command)) {
    if (!line.empty()) line += ' ';
    line += shell_quote(a);
  }
  if (detach_mounts.empty()) return line;
  std::string prelude;
  for (const auto& m : detach_mounts) prelude += cat({"umount -l ", shell_quote(m), " && "});
  return cat({"unshare --mount --propagation private sh -c \"", prelude, "exec ", line, "\""});
}

RuntimeCommand make_runtime_command(const RuntimeTraits& traits, const std::string& path,
                                    const std::string& state_dir, CgroupMode cgroup) {
  RuntimeCommand cmd;
  cmd.path = path;
  if (!state_dir.empty()) cmd.global_args = {"--root", state_dir};
  std::string args;
  for (auto a : traits.global_args) {
    cmd.global_args.emplace_back(a);
    if (!args.empty()) args += ' ';
    args += a;
  }
  if (!args.empty())
    cmd.notes.push_back(cat({traits.name, ": ran with ", args, " (", traits.args_why, ")"}));
  if (traits.refuses_hybrid_cgroups && cgroup == CgroupMode::hybrid) {
    cmd.detach_mounts.emplace_back(kUnifiedMount);
    cmd.notes.push_back(cat({traits.name, ": ran in a private mount namespace without ",
                             kUnifiedMount, " (it refuses hybrid cgroups)"}));
  }
  return cmd;
}

}  // namespace procmatrix::harness
