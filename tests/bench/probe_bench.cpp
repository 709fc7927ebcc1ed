// The probe's speed, next to the bare cost of the same work. "Bare" is the syscalls alone:
// for every catalog path the stat, open(O_RDONLY), one read and open(O_WRONLY) the probe makes,
// with no parsing, classification or JSON. The gap between the two is the probe's own cost.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "catalog.hpp"
#include "devices.hpp"
#include "identity.hpp"
#include "json_output.hpp"
#include "mountinfo.hpp"
#include "nesting.hpp"
#include "paths.hpp"
#include "scan.hpp"

namespace pp = procmatrix::probe;

namespace {

std::string slurp(const char* path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void BM_FullScan(benchmark::State& state) {
  for (auto _ : state) {
    auto report = pp::run_scan({}, std::chrono::milliseconds(2000));
    benchmark::DoNotOptimize(report);
  }
}
BENCHMARK(BM_FullScan)->Unit(benchmark::kMillisecond);

void BM_FullScanToJson(benchmark::State& state) {
  for (auto _ : state) {
    auto report = pp::run_scan({}, std::chrono::milliseconds(2000));
    auto text = pp::to_json(*report).dump();
    benchmark::DoNotOptimize(text);
  }
}
BENCHMARK(BM_FullScanToJson)->Unit(benchmark::kMillisecond);

void BM_ScanWithoutNesting(benchmark::State& state) {
  pp::Families families;
  families.nesting = false;
  for (auto _ : state) benchmark::DoNotOptimize(pp::run_scan(families, std::chrono::milliseconds(2000)));
}
BENCHMARK(BM_ScanWithoutNesting)->Unit(benchmark::kMicrosecond);

void BM_Paths(benchmark::State& state) {
  auto mounts = pp::MountTable::read_self();
  for (auto _ : state) benchmark::DoNotOptimize(pp::probe_paths(*mounts));
}
BENCHMARK(BM_Paths)->Unit(benchmark::kMicrosecond);

// The same path syscalls with nothing around them: the floor the paths family can approach.
void BM_PathsBareSyscalls(benchmark::State& state) {
  std::vector<std::string> paths;
  for (const auto& c : pp::path_catalog())
    for (const auto& p : pp::expand_glob(c.path)) paths.push_back(p);
  char buf[4096];
  for (auto _ : state) {
    for (const auto& p : paths) {
      struct stat st;
      if (stat(p.c_str(), &st) != 0) continue;
      int fd = open(p.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
      if (fd >= 0) {
        if (!S_ISDIR(st.st_mode) && p != "/proc/kmsg" && p != "/proc/sysrq-trigger")
          benchmark::DoNotOptimize(read(fd, buf, sizeof buf));
        close(fd);
      }
      if (!S_ISDIR(st.st_mode)) {
        fd = open(p.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd >= 0) close(fd);
      }
    }
  }
}
BENCHMARK(BM_PathsBareSyscalls)->Unit(benchmark::kMicrosecond);

void BM_Devices(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(pp::probe_devices());
}
BENCHMARK(BM_Devices)->Unit(benchmark::kMicrosecond);

void BM_Identity(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(pp::probe_identity());
}
BENCHMARK(BM_Identity)->Unit(benchmark::kMicrosecond);

void BM_Nesting(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(pp::probe_nesting({}, std::chrono::milliseconds(2000)));
}
BENCHMARK(BM_Nesting)->Unit(benchmark::kMillisecond);

// The floor of the nesting test: fork a child that unshares a user namespace and exits.
void BM_NestingBareForkUnshare(benchmark::State& state) {
  for (auto _ : state) {
    pid_t pid = fork();
    if (pid == 0) _exit(unshare(CLONE_NEWUSER) == 0 ? 0 : 1);
    int status = 0;
    waitpid(pid, &status, 0);
  }
}
BENCHMARK(BM_NestingBareForkUnshare)->Unit(benchmark::kMillisecond);

void BM_ParseMountinfo(benchmark::State& state) {
  const std::string text = slurp("/proc/self/mountinfo");
  for (auto _ : state) benchmark::DoNotOptimize(pp::parse_mountinfo(text));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_ParseMountinfo);

void BM_ParseStatus(benchmark::State& state) {
  const std::string text = slurp("/proc/self/status");
  for (auto _ : state) benchmark::DoNotOptimize(pp::parse_status(text));
}
BENCHMARK(BM_ParseStatus);

}  // namespace

BENCHMARK_MAIN();
