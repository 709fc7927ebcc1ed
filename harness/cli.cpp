#include "cli.hpp"

#include <cstdio>
#include <limits>

#include "kube_options.hpp"
#include "kube_run.hpp"
#include "diff_command.hpp"
#include "profile.hpp"
#include "report_command.hpp"
#include "run_command.hpp"
#include "text.hpp"

namespace procmatrix::harness {
namespace {

// Backends of DESIGN.md that later issues build.
constexpr std::string_view kLaterBackends[] = {"docker", "podman"};

Error flag_error(std::string_view flag, std::string_view value, std::string_view what) {
  return Error(0, cat({flag, ": \"", value, "\" ", what}));
}

Result<unsigned> parse_count(std::string_view flag, std::string_view value, unsigned max) {
  unsigned long n = 0;
  for (char c : value) {
    if (c < '0' || c > '9' || n > max) return flag_error(flag, value, cat({"is not a whole number from 1 to ", std::to_string(max)}));
    n = n * 10 + static_cast<unsigned>(c - '0');
  }
  if (value.empty() || n < 1 || n > max)
    return flag_error(flag, value, cat({"is not a whole number from 1 to ", std::to_string(max)}));
  return static_cast<unsigned>(n);
}

Status check_backend(std::string_view value) {
  if (value == "local" || value == "kubernetes") return Ok{};
  for (auto later : kLaterBackends)
    if (value == later) return flag_error("--backend", value, "is not implemented yet in this version (local, kubernetes)");
  return flag_error("--backend", value, "is not a backend (local, kubernetes)");
}

// Applies one flag with its value to the options.
Status apply(RunOptions& o, std::string_view flag, std::string_view value) {
  auto set = [&](auto& slot, auto result) -> Status {
    if (!result) return result.error();
    slot = std::move(*result);
    return Ok{};
  };
  if (flag == "--backend") {
    if (auto s = check_backend(value); !s) return s;
    o.backend = std::string(value);
    return Ok{};
  }
  if (flag == "--runtime") return set(o.runtimes, parse_runtime_list(flag, value));
  if (flag == "--proc-mount") return set(o.proc_mounts, parse_proc_mount_list(flag, value));
  if (flag == "--privileged") return set(o.privileged, parse_bool_list(flag, value));
  if (flag == "--host-users") return set(o.host_users, parse_bool_list(flag, value));
  if (flag == "--jobs") return set(o.jobs, parse_count(flag, value, 1024));
  if (flag == "--timeout") {
    auto n = parse_count(flag, value, 86400);
    if (!n) return n.error();
    o.timeout = std::chrono::seconds(*n);
    return Ok{};
  }
  if (value.empty()) return flag_error(flag, value, "is empty");
  if (flag == "--matrix") o.matrix_file = std::string(value);
  else if (flag == "--profile") o.profile = std::string(value);
  else if (flag == "--profile-file") o.profile_file = std::string(value);
  else if (flag == "--out") o.out = std::string(value);
  else if (flag == "--probe") o.probe = std::string(value);
  return Ok{};
}

constexpr std::string_view kValueFlags[] = {"--backend", "--runtime", "--proc-mount", "--privileged",
                                            "--host-users", "--matrix", "--profile", "--profile-file",
                                            "--jobs", "--timeout", "--out", "--probe"};

bool takes_value(std::string_view flag) {
  for (auto f : kValueFlags)
    if (f == flag) return true;
  return false;
}

}  // namespace

Result<RunOptions> parse_run_args(const std::vector<std::string>& args) {
  RunOptions o;
  std::vector<std::string> seen;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (arg == "-h" || arg == "--help") { o.help = true; continue; }
    if (arg == "--no-color") { o.no_color = true; continue; }
    auto eq = arg.find('=');
    std::string flag(arg.substr(0, eq));
    if (!takes_value(flag)) {
      if (arg.starts_with("-")) return Error(0, cat({"run: unknown option \"", flag, "\" (see procmatrix run --help)"}));
      return Error(0, cat({"run: unexpected argument \"", arg, "\" (see procmatrix run --help)"}));
    }
    std::string value;
    if (eq != std::string_view::npos) {
      value = std::string(arg.substr(eq + 1));
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return Error(0, cat({flag, ": needs a value (see procmatrix run --help)"}));
    }
    for (const auto& s : seen)
      if (s == flag) return flag_error(flag, value, "is a second value: give the flag once, with a comma list");
    seen.push_back(flag);
    if (auto s = apply(o, flag, value); !s) return s.error();
  }
  if (o.profile && o.profile_file)
    return Error(0, "--profile and --profile-file: give one of them");
  return o;
}

Result<MatrixSpec> matrix_spec(const RunOptions& o) {
  MatrixSpec spec;
  if (o.matrix_file) {
    auto file = load_matrix_file(*o.matrix_file);
    if (!file) return file.error();
    spec = std::move(*file);
  }
  if (o.runtimes) spec.runtimes = *o.runtimes;
  if (o.proc_mounts) spec.proc_mounts = *o.proc_mounts;
  if (o.privileged) spec.privileged = *o.privileged;
  if (o.host_users) spec.host_users = *o.host_users;
  if (o.profile) spec.profile = *o.profile;
  return spec;
}

std::string program_help() {
  return cat({"procmatrix ", PROCMATRIX_VERSION,
              ": what containers can see and touch of the kernel through /proc, /sys and /dev,\n"
              "cell by cell, judged against what the platform promises.\n"
              "\n"
              "Usage:\n"
              "  procmatrix run [OPTIONS]   run the probe in every cell of the matrix on this machine's\n"
              "                             OCI runtimes and judge it; writes results.json and every\n"
              "                             report (procmatrix run --help)\n"
              "  procmatrix report RESULTS --format junit|md|html|sarif|json [-o FILE]\n"
              "                             render a results file (procmatrix report --help)\n"
              "  procmatrix diff BASELINE CURRENT [--format text|md|json]\n"
              "                             what changed between two runs; exit 1 when something\n"
              "                             opened, failed or errored (procmatrix diff --help)\n"
              "  procmatrix manifests ...   the Kubernetes YAML of the matrix (procmatrix manifests --help)\n"
              "  procmatrix --help          this help\n"
              "  procmatrix --version       the version\n"
              "\n"
              "Exit codes: 0 every verdict passed (n/a is fine); 1 some verdict failed; 2 the harness\n"
              "could not do its job (bad input, no runtime, a cell errored); 130 or 143 when stopped\n"
              "by SIGINT or SIGTERM (the finished cells' results are still written).\n"});
}

std::string run_help() {
  std::string profiles;
  for (const auto& n : builtin_profile_names()) profiles += cat({profiles.empty() ? "" : ", ", n});
  return cat({
      "Usage: procmatrix run [OPTIONS]\n"
      "\n"
      "Starts the probe in every cell of the matrix (runtime x procMount x privileged x hostUsers)\n"
      "on this machine's OCI runtimes, each cell's config.json made as kubelet + containerd would\n"
      "make it, judges what the probe saw against a profile, prints the matrix and writes\n"
      "OUT/results.json and its reports OUT/results.xml (JUnit), results.md (Markdown),\n"
      "results.html and results.sarif (SARIF 2.1.0), each whole or not at all.\n"
      "\n"
      "Matrix (comma lists; the default is the 8 Kubernetes cells on every runtime installed):\n"
      "  --runtime LIST       runc, crun, runsc, or NAME=PATH for an OCI runtime of your own\n"
      "                       (default: runc, crun, runsc, those on PATH; a missing one is skipped)\n"
      "  --proc-mount LIST    Default,Unmasked (default: both)\n"
      "  --privileged LIST    false,true (default: both)\n"
      "  --host-users LIST    true,false (default: both; false gives the cell a user namespace)\n"
      "  --matrix FILE        the dimensions from a JSON file, flags override it:\n"
      "                       {\"runtimes\": [\"runc\", {\"name\": \"mycrun\", \"path\": \"/opt/crun\"}],\n"
      "                        \"procMount\": [\"Default\", \"Unmasked\"], \"privileged\": [false, true],\n"
      "                        \"hostUsers\": [true, false], \"profile\": \"kubernetes\"}\n"
      "\n"
      "Expectations:\n"
      "  --profile NAME       ", profiles, " (default kubernetes)\n"
      "  --profile-file FILE  a profile of your own, in the format of the built-in ones\n"
      "\n"
      "Running:\n"
      "  --backend NAME       local (real runtimes here, the default) or kubernetes (below)\n"
      "  --jobs N             cells at a time (default: the number of cores)\n"
      "  --timeout SECONDS    per cell (default 60)\n"
      "  --probe PATH         the static procprobe (default: beside procmatrix, or in the build tree)\n"
      "\n"
      "Output:\n"
      "  --out DIR            where results.json and the reports go (default out)\n"
      "  --no-color           no colours (neither with NO_COLOR set, nor when stdout is not a terminal)\n"
      "  -h, --help           this help\n"
      "\n", kube_run_help()});
}

int cli_main(const std::vector<std::string>& args) {
  if (args.empty() || args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
    if (args.size() > 1 && args[0] == "help" && args[1] == "run") {
      std::fputs(run_help().c_str(), stdout);
      return 0;
    }
    std::fputs(program_help().c_str(), args.empty() ? stderr : stdout);
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "--version" || args[0] == "-V") {
    std::printf("procmatrix %s\n", PROCMATRIX_VERSION);
    return 0;
  }
  if (args[0] == "manifests") return manifests_command({args.begin() + 1, args.end()});
  if (args[0] == "run") {
    KubeOptions kube;  // the kubernetes flags, taken out first (kube_options.hpp)
    auto rest = take_kube_flags({args.begin() + 1, args.end()}, kube);
    auto opts = rest ? parse_run_args(*rest) : Result<RunOptions>(rest.error());
    if (opts && opts->backend != "kubernetes" && !kube.given.empty())
      opts = Error(0, cat({kube.given.front(), ": only with --backend kubernetes"}));
    if (!opts) {
      std::fprintf(stderr, "procmatrix: %s\n", opts.error().message().c_str());
      return 2;
    }
    if (opts->help) {
      std::fputs(run_help().c_str(), stdout);
      return 0;
    }
    if (opts->backend == "kubernetes")
      return run_with_reports(opts->out, [&] { return kube_run_command(*opts, kube); });
    return run_with_reports(opts->out, [&] { return run_command(*opts); });
  }
  if (args[0] == "report") return report_command({args.begin() + 1, args.end()});
  if (args[0] == "diff") return diff_command({args.begin() + 1, args.end()});
  std::fprintf(stderr, "procmatrix: unknown command or option \"%s\" (see procmatrix --help)\n", args[0].c_str());
  return 2;
}

}  // namespace procmatrix::harness
