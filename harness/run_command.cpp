#include "run_command.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <set>
#include <thread>

#include "local_backend.hpp"
#include "profile.hpp"
#include "progress.hpp"
#include "render_terminal.hpp"
#include "results.hpp"
#include "runner.hpp"
#include "runtimes.hpp"
#include "signals.hpp"
#include "text.hpp"

namespace procmatrix::harness {
namespace {

Result<std::unique_ptr<Backend>> make_backend(const RunOptions& o) {
  LocalBackendOptions lo;
  lo.probe = o.probe ? std::filesystem::path(*o.probe) : default_probe_path();
  auto b = LocalBackend::create(std::move(lo));
  if (!b) return b.error();
  return std::unique_ptr<Backend>(std::move(*b));
}

unsigned default_jobs() {
  unsigned n = std::thread::hardware_concurrency();
  return n ? n : 1;
}

// Workaround notes of the cells, each once, after the notes of the expansion.
std::vector<std::string> collect_notes(std::vector<std::string> notes, const std::vector<CellOutcome>& outcomes) {
  std::set<std::string> seen(notes.begin(), notes.end());
  for (const auto& o : outcomes)
    for (const auto& n : o.run.notes)
      if (seen.insert(n).second) notes.push_back(n);
  return notes;
}

// The one line on stderr that goes with exit code 1 or 2.
void explain_exit(const Summary& s, const std::vector<CellOutcome>& outcomes) {
  if (s.errored) {
    for (const auto& o : outcomes)
      if (o.run.status == CellStatus::error) {
        std::fprintf(stderr, "procmatrix: %d cell(s) errored, first %s: %s\n", s.errored,
                     o.cell.id().c_str(), o.run.reason.c_str());
        return;
      }
  }
  if (s.error) {
    std::fprintf(stderr, "procmatrix: %d verdict(s) could not be made (see Errors above)\n", s.error);
    return;
  }
  if (s.fail)
    std::fprintf(stderr, "procmatrix: %d verdict(s) failed: not what the profile promises (see Failures above)\n", s.fail);
}

struct Plan {
  ProfileSet profiles;
  Expansion expansion;
  std::unique_ptr<Backend> backend;
};

Result<Plan> plan(const RunOptions& o) {
  auto spec = matrix_spec(o);
  if (!spec) return spec.error();
  auto profiles = load_run_profiles(o, *spec);
  if (!profiles) return profiles.error();
  auto expansion = expand(*spec, [](Runtime& rt) { return resolve_runtime_path(rt); });
  if (!expansion) return expansion.error();
  auto backend = make_backend(o);
  if (!backend) return backend.error();
  return Plan{std::move(*profiles), std::move(*expansion), std::move(*backend)};
}

}  // namespace

int fail_run(const std::string& reason) {
  std::fprintf(stderr, "procmatrix: %s\n", reason.c_str());
  return 2;
}

Result<ProfileSet> load_run_profiles(const RunOptions& o, const MatrixSpec& spec) {
  Result<Profile> p = o.profile_file ? load_profile_file(*o.profile_file)
                                     : builtin_profile(spec.profile.value_or("kubernetes"));
  if (!p) return p.error();
  return ProfileSet::make(std::move(*p));
}

int run_command(const RunOptions& o) {
  auto p = plan(o);
  if (!p) return fail_run(p.error().message());
  Plan& pl = *p;
  if (o.backend == "local" && !pl.profiles.main().local_backend_note.empty())
    pl.expansion.notes.push_back(cat({"profile ", pl.profiles.main().name, ": ", pl.profiles.main().local_backend_note}));
  auto started = std::chrono::system_clock::now();
  auto t0 = std::chrono::steady_clock::now();
  Progress progress(stderr, ::isatty(STDERR_FILENO) == 1);
  for (const auto& n : pl.expansion.notes) progress.note(cat({"note: ", n}));
  HostLookup host = real_host_lookup();
  std::vector<CellOutcome> outcomes;
  int signo = 0;
  {
    SignalCancel signals([&](int sig, bool first) {
      progress.note(cat({"procmatrix: SIG", ::sigabbrev_np(sig) ? ::sigabbrev_np(sig) : "?",
                         first ? ": stopping; the running cells clean up" : ": still cleaning up"}));
    });
    RunnerOptions ro{o.jobs ? o.jobs : default_jobs(), o.timeout};
    outcomes = run_cells(*pl.backend, pl.expansion.cells, ro, signals.cancelled(),
                         [&](const Cell& c, CellRun r) { return assess(pl.profiles, host, c, std::move(r)); },
                         [&](const CellOutcome& oc, std::size_t done, std::size_t total) {
                           // Cells cancelled before they started are counted in the last line.
                           if (oc.run.status != CellStatus::skipped) progress.cell_done(oc, done, total);
                         });
    signo = signals.signal();
  }
  progress.finish();
  for (const auto& c : pl.expansion.skipped)
    outcomes.push_back(not_run(c, CellStatus::skipped, cat({c.runtime.name, " is not installed"})));

  RunInfo info;
  info.started = rfc3339(started);
  info.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
  info.backend = o.backend;
  info.profile = pl.profiles.main().name;
  info.profile_title = pl.profiles.main().title;
  info.notes = collect_notes(pl.expansion.notes, outcomes);
  if (signo) info.interrupted = cat({"SIG", ::sigabbrev_np(signo) ? ::sigabbrev_np(signo) : "?"});

  auto written = write_results(o.out, results_json(info, outcomes));
  RenderOptions ro{want_color(o.no_color, STDOUT_FILENO), 120};
  std::fputs(render_terminal(outcomes, info, written ? *written : "", ro).c_str(), stdout);
  std::fflush(stdout);
  if (!written) return fail_run(written.error().describe());
  Summary s = summarize(outcomes);
  if (signo) {
    std::fprintf(stderr, "procmatrix: interrupted by %s: %d of %zu cells finished; their results are in %s\n",
                 info.interrupted.c_str(), s.ran + s.rejected, pl.expansion.cells.size(), written->c_str());
    return 128 + signo;
  }
  explain_exit(s, outcomes);
  return exit_code(s);
}

}  // namespace procmatrix::harness
