// The OCI runtimes the harness knows, as data: how to call each one and what each one refuses.
// A runtime named by path (NAME=PATH) gets the traits of the runtime it turns out to be (by name,
// by the binary's file name, or by the first word of `--version`), or none.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cell.hpp"
#include "host.hpp"
#include "support/error.hpp"

namespace procmatrix::harness {

struct RuntimeTraits {
  std::string_view name;    // "runsc"
  std::string_view binary;  // looked up on PATH
  // Global flags before the command. Every runtime also gets `--root <private state dir>`, so
  // the harness never sees or touches the user's own containers.
  std::span<const std::string_view> global_args;
  // Capabilities it refuses as unknown: left out of a privileged cell's sets.
  std::span<const std::string_view> rejected_caps;
  // Refuses to run on a hybrid cgroup host while cgroup2 is mounted at /sys/fs/cgroup/unified.
  bool refuses_hybrid_cgroups = false;
  std::string_view args_why;  // why global_args are needed: the cell's note says it
};

// The table: runc, crun, runsc.
std::span<const RuntimeTraits> known_runtimes();
// Traits with no quirks, for an OCI runtime the table does not know.
const RuntimeTraits& generic_traits();
const RuntimeTraits* find_traits(std::string_view name);
// By the runtime's name, then its binary's file name, then `version_line`'s first word
// ("crun version 1.8.1"), else the generic traits.
const RuntimeTraits& traits_for(const Runtime& runtime, std::string_view version_line = {});

// "runc" or "mycrun=/opt/crun-dev/crun" as the user wrote it; the path is not checked here.
Result<Runtime> parse_runtime_arg(std::string_view arg);
// Fills runtime.path from PATH when empty; checks that the path is an executable file.
Status resolve_runtime_path(Runtime& runtime);
// The first line of `<path> --version` (runc: "runc version 1.1.5+ds1").
Result<std::string> runtime_version(const std::string& path);

// How to call one runtime for one cell: binary, global args, private state dir, and the
// workaround (a private mount namespace without some mounts) the host needs for it.
struct RuntimeCommand {
  std::string path;
  std::vector<std::string> global_args;    // includes --root <state dir>
  std::vector<std::string> detach_mounts;  // for run_process
  std::vector<std::string> notes;          // one line per workaround applied

  std::vector<std::string> argv(std::initializer_list<std::string> command) const;
  // The same command as a shell line a user can paste.
  std::string shell_line(std::initializer_list<std::string> command) const;
};

// An empty state_dir leaves out --root (the runtime's default root: for a command a user reruns).
RuntimeCommand make_runtime_command(const RuntimeTraits& traits, const std::string& path,
                                    const std::string& state_dir, CgroupMode cgroup);

}  // namespace procmatrix::harness
