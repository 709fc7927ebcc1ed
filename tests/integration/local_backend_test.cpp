// The local backend on real runtimes: the real probe under runc, crun and runsc in the cells that
// matter; probes that crash, print garbage or hang, under real runc; runtimes that fail, print
// garbage or hang (shell scripts standing in for a broken runtime); cancel. After every cell:
// nothing left behind (no bundle or state dir, no mount, no process still rooted in a bundle).
#include "local_backend.hpp"

#include <elf.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "support.hpp"

namespace procmatrix::harness {
namespace {
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using nlohmann::json;
using procmatrix::testing::find_path;
using procmatrix::testing::have_program;
using procmatrix::testing::TempDir;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr auto kSkipErrors = fs::directory_options::skip_permission_denied;

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A static x86-64 program of a few bytes: one PT_LOAD segment holding the ELF header, the
// program header and `code`. Lets the tests put a probe that crashes, prints garbage or hangs
// into a real container without a compiler at test time.
void write_tiny_elf(const fs::path& path, const std::string& code) {
  constexpr std::uint64_t kBase = 0x400000;
  Elf64_Ehdr eh{};
  std::copy_n(ELFMAG, SELFMAG, eh.e_ident);
  eh.e_ident[EI_CLASS] = ELFCLASS64;
  eh.e_ident[EI_DATA] = ELFDATA2LSB;
  eh.e_ident[EI_VERSION] = EV_CURRENT;
  eh.e_type = ET_EXEC;
  eh.e_machine = EM_X86_64;
  eh.e_version = EV_CURRENT;
  eh.e_entry = kBase + sizeof(Elf64_Ehdr) + sizeof(Elf64_Phdr);
  eh.e_phoff = sizeof(Elf64_Ehdr);
  eh.e_ehsize = sizeof(Elf64_Ehdr);
  eh.e_phentsize = sizeof(Elf64_Phdr);
  eh.e_phnum = 1;
  Elf64_Phdr ph{};
  ph.p_type = PT_LOAD;
  ph.p_flags = PF_R | PF_X;
  ph.p_vaddr = ph.p_paddr = kBase;
  ph.p_filesz = ph.p_memsz = sizeof eh + sizeof ph + code.size();
  ph.p_align = 0x1000;
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(&eh), sizeof eh);
  out.write(reinterpret_cast<const char*>(&ph), sizeof ph);
  out << code;
  out.close();
  fs::permissions(path, fs::perms(0755));
}

// Machine code for write_tiny_elf.
const std::string kCrash("\x31\xc0\x89\x00", 4);                     // *(int*)0 = 0
const std::string kHang("\xb8\x22\x00\x00\x00\x0f\x05\xeb\xf7", 9);  // for (;;) pause();
std::string print_and_exit(const std::string& text) {                // write(1, ...); exit(0)
  std::string code("\xb8\x01\x00\x00\x00\xbf\x01\x00\x00\x00\x48\x8d\x35\x10\x00\x00\x00\xba", 18);
  const auto n = static_cast<std::uint32_t>(text.size());
  code.append(reinterpret_cast<const char*>(&n), 4);
  code.append("\x0f\x05\xb8\x3c\x00\x00\x00\x31\xff\x0f\x05", 11);
  return code + text;
}

bool x86_64() {
  utsname u{};
  return ::uname(&u) == 0 && std::string(u.machine) == "x86_64";
}

Cell make_cell(const std::string& runtime, ProcMount pm, bool privileged, bool host_users) {
  Cell c;
  c.runtime.name = runtime;
  c.proc_mount = pm;
  c.privileged = privileged;
  c.host_users = host_users;
  return c;
}

std::vector<std::string> strings(const json& array) {
  return array.is_array() ? array.get<std::vector<std::string>>() : std::vector<std::string>{};
}

class LocalBackendTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::permissions(work_.path(), fs::perms(0711));  // a user namespace's root passes through
    backend_ = make_backend(PROCPROBE_BIN);
  }

  std::unique_ptr<LocalBackend> make_backend(const fs::path& probe) {
    LocalBackendOptions options;
    options.probe = probe;
    options.work_dir = work_.path();
    auto backend = LocalBackend::create(options);
    EXPECT_TRUE(backend) << backend.error().describe();
    return backend ? std::move(*backend) : nullptr;
  }

  CellRun run(const Cell& cell, std::chrono::seconds timeout = 60s, LocalBackend* on = nullptr) {
    std::atomic<bool> cancel{false};
    CellRun r = (on ? on : backend_.get())->run(cell, timeout, cancel);
    expect_nothing_left();
    return r;
  }

  CellRun run_ok(const Cell& cell) {
    CellRun r = run(cell);
    EXPECT_EQ(r.status, CellStatus::ran) << cell.id() << ": " << r.reason;
    return r;
  }

  // No bundle or state dir, no mount under the work dir, no process whose root is in it or whose
  // command line names one of our containers (runsc's sandbox and gofer), no cgroup of ours.
  void expect_nothing_left() {
    const std::string ours = "procmatrix-" + std::to_string(::getpid()) + "-";
    for (const auto& hierarchy : fs::directory_iterator("/sys/fs/cgroup"))
      for (const auto& cg : fs::directory_iterator(hierarchy.path(), kSkipErrors))
        EXPECT_THAT(cg.path().filename().string(), Not(StartsWith(ours))) << cg.path();
    std::vector<std::string> entries;
    for (const auto& e : fs::directory_iterator(work_.path())) entries.push_back(e.path().string());
    EXPECT_TRUE(entries.empty()) << "left in the work dir: " << entries.front();
    EXPECT_THAT(slurp("/proc/self/mountinfo"), Not(HasSubstr(work_.path().string())));
    for (const auto& proc : fs::directory_iterator("/proc")) {
      std::error_code ec;
      const fs::path root = fs::read_symlink(proc.path() / "root", ec);
      if (!ec) {
        EXPECT_THAT(root.string(), Not(StartsWith(work_.path().string())))
            << "process " << proc.path().filename() << " still runs in a bundle";
      }
      std::string cmdline = slurp(proc.path() / "cmdline");
      std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
      EXPECT_THAT(cmdline, Not(HasSubstr(ours))) << "process " << proc.path().filename();
      EXPECT_THAT(cmdline, Not(HasSubstr(work_.path().string())))
          << "process " << proc.path().filename();
    }
  }

  static void require(const std::string& runtime) {
    if (!have_program(runtime)) GTEST_SKIP() << runtime << " is not installed (not on PATH)";
  }

  TempDir work_{"procmatrix-lbt"};
  std::unique_ptr<LocalBackend> backend_;
};

// --- the real probe on real runtimes ------------------------------------------------------------

TEST_F(LocalBackendTest, RuncDefaultMasksProcKeysWithDevNullAndMakesProcSysReadOnly) {
  require("runc");
  const CellRun r = run_ok(make_cell("runc", ProcMount::Default, false, true));
  const json* keys = find_path(r.observation, "proc.keys");
  ASSERT_NE(keys, nullptr);
  EXPECT_EQ((*keys)["state"], "masked");
  EXPECT_EQ((*keys)["mask"], "devnull");
  const json* sys = find_path(r.observation, "proc.sys");
  ASSERT_NE(sys, nullptr);
  EXPECT_EQ((*sys)["state"], "readonly");
  EXPECT_EQ(r.spec["linux"]["maskedPaths"].size(), 11u);
  EXPECT_THAT(r.runtime_version, StartsWith("runc version"));
  EXPECT_THAT(r.rerun, HasSubstr(" run procmatrix-rerun"));
  EXPECT_TRUE(r.notes.empty());
}

TEST_F(LocalBackendTest, RuncUnmaskedInAUserNamespaceLeavesProcKeysUnmasked) {
  require("runc");
  const CellRun r = run_ok(make_cell("runc", ProcMount::Unmasked, false, false));
  const json* keys = find_path(r.observation, "proc.keys");
  ASSERT_NE(keys, nullptr);
  EXPECT_NE((*keys)["state"], "masked");
  EXPECT_THAT(r.spec["linux"]["maskedPaths"], ::testing::IsEmpty());
}

TEST_F(LocalBackendTest, RuncPrivilegedHasNoMasksAndCapSysAdmin) {
  require("runc");
  const CellRun r = run_ok(make_cell("runc", ProcMount::Default, true, true));
  for (const auto& p : r.observation["paths"]) EXPECT_NE(p["state"], "masked") << p["id"];
  const auto eff = strings(r.observation["identity"]["capabilities"]["effective"]);
  EXPECT_THAT(eff, Contains("CAP_SYS_ADMIN"));
  if ((backend_->host().cap_bounding & (1ULL << 24)) == 0) {  // FACTS.md: missing on this host
    EXPECT_THAT(eff, Not(Contains("CAP_SYS_RESOURCE")));
  }
}

TEST_F(LocalBackendTest, RuncWithoutHostUsersMapsItsOwn65536Ids) {
  require("runc");
  const CellRun r = run_ok(make_cell("runc", ProcMount::Default, false, false));
  const json& id = r.observation["identity"];
  EXPECT_EQ(id["user_namespace"], true);
  ASSERT_EQ(id["uid_map"].size(), 1u);
  EXPECT_EQ(id["uid_map"][0][0], 0);
  EXPECT_NE(id["uid_map"][0][1], 0);
  EXPECT_EQ(id["uid_map"][0][2], 65536);
}

TEST_F(LocalBackendTest, RuncCellsRunningTogetherGetDistinctIdRanges) {
  require("runc");
  constexpr int kCells = 3;
  std::vector<CellRun> runs(kCells);
  std::vector<std::thread> threads;
  std::atomic<bool> cancel{false};
  for (int i = 0; i < kCells; ++i)
    threads.emplace_back([&, i] {
      runs[i] = backend_->run(make_cell("runc", ProcMount::Unmasked, false, false), 60s, cancel);
    });
  for (auto& t : threads) t.join();
  expect_nothing_left();
  std::set<std::int64_t> bases;
  for (const auto& r : runs) {
    ASSERT_EQ(r.status, CellStatus::ran) << r.reason;
    bases.insert(r.observation["identity"]["uid_map"][0][1].get<std::int64_t>());
  }
  // Slots are reused once a cell ends, so overlapping runs must differ; all three overlap on 2
  // cores only most of the time, so ask for at least two distinct ranges.
  EXPECT_GE(bases.size(), 2u);
}

// The spec kept in CellRun is enough to run the cell again by hand, with the line in `rerun`.
TEST_F(LocalBackendTest, TheRerunLineRunsTheCellAgainByHand) {
  if (!have_program("jq")) GTEST_SKIP() << "jq is not installed; the rerun line uses it";
  for (const char* runtime : {"runc", "crun"}) {
    if (!have_program(runtime)) continue;
    const CellRun r = run_ok(make_cell(runtime, ProcMount::Default, false, false));
    const TempDir dir("procmatrix-lbt-rerun");
    fs::permissions(dir.path(), fs::perms(0711));
    const json results = {
        {"cells", {{{"id", r.spec["annotations"]["org.procmatrix.cell"]}, {"spec", r.spec}}}}};
    std::ofstream(dir.path() / "results.json") << results.dump();
    const auto by_hand = procmatrix::testing::run(
        {"sh", "-c",
         "cd '" + dir.path().string() + "' && TMPDIR=$PWD && export TMPDIR && " + r.rerun});
    EXPECT_EQ(by_hand.exit_code, 0) << r.rerun << "\n" << by_hand.err;
    const json doc = json::parse(by_hand.out, nullptr, false);
    EXPECT_EQ(doc.value("schema", ""), "procmatrix.probe/v1") << by_hand.out.substr(0, 200);
    EXPECT_EQ(doc["identity"]["uid_map"], r.observation["identity"]["uid_map"]);
  }
}

TEST_F(LocalBackendTest, RuntimeNamedByPathRuns) {
  require("runc");
  Cell c = make_cell("myrunc", ProcMount::Default, false, true);
  c.runtime.path = procmatrix::testing::run({"sh", "-c", "command -v runc"}).out;
  c.runtime.path.erase(c.runtime.path.find_last_not_of('\n') + 1);
  const CellRun r = run_ok(c);
  EXPECT_THAT(r.runtime_version, StartsWith("runc version"));
}

TEST_F(LocalBackendTest, CrunRunsEveryKindOfCellAndSaysWhatItWorkedAround) {
  require("crun");
  for (bool privileged : {false, true})
    for (bool host_users : {true, false}) {
      const CellRun r = run_ok(make_cell("crun", ProcMount::Default, privileged, host_users));
      EXPECT_EQ(r.observation["schema"], "procmatrix.probe/v1");
      if (backend_->host().cgroup == CgroupMode::hybrid) {  // FACTS.md: crun 1.8 refuses hybrid
        EXPECT_THAT(r.notes, Contains(HasSubstr("without /sys/fs/cgroup/unified")));
      }
    }
  const CellRun def = run_ok(make_cell("crun", ProcMount::Default, false, true));
  const json* keys = find_path(def.observation, "proc.keys");
  ASSERT_NE(keys, nullptr);
  EXPECT_EQ((*keys)["state"], "masked");
}

TEST_F(LocalBackendTest, RunscRunsWithGvisorsOwnProcThatHasNoProcKeys) {
  require("runsc");
  const CellRun r = run_ok(make_cell("runsc", ProcMount::Default, false, true));
  const json* keys = find_path(r.observation, "proc.keys");
  ASSERT_NE(keys, nullptr);
  EXPECT_EQ((*keys)["state"], "absent");
  EXPECT_THAT(r.notes, Contains(HasSubstr("--network=none")));
}

TEST_F(LocalBackendTest, RunscPrivilegedRunsWithoutTheCapabilitiesItRejects) {
  require("runsc");
  const CellRun r = run_ok(make_cell("runsc", ProcMount::Default, true, true));
  EXPECT_THAT(strings(r.spec["process"]["capabilities"]["bounding"]), Not(Contains("CAP_BPF")));
  EXPECT_THAT(strings(r.observation["identity"]["capabilities"]["effective"]),
              Contains("CAP_SYS_ADMIN"));
}

// --- broken probes in real runc containers ------------------------------------------------------

class BrokenProbeTest : public LocalBackendTest {
 protected:
  void SetUp() override {
    LocalBackendTest::SetUp();
    if (!x86_64()) GTEST_SKIP() << "the stand-in probes are x86-64 machine code";
    require("runc");
  }
  std::unique_ptr<LocalBackend> with_probe(const std::string& code) {
    write_tiny_elf(probes_.path() / "probe", code);
    return make_backend(probes_.path() / "probe");
  }
  TempDir probes_{"procmatrix-lbt-probe"};
};

TEST_F(BrokenProbeTest, ACrashIsAnErrorNamingTheSignal) {
  auto b = with_probe(kCrash);
  const CellRun r = run(make_cell("runc", ProcMount::Default, false, true), 60s, b.get());
  EXPECT_EQ(r.status, CellStatus::error);
  EXPECT_EQ(r.reason, "probe printed no JSON (exit 139, killed by SIGSEGV)");
}

TEST_F(BrokenProbeTest, GarbageIsAnErrorQuotingIt) {
  auto b = with_probe(print_and_exit("garbage\n"));
  const CellRun r = run(make_cell("runc", ProcMount::Default, false, true), 60s, b.get());
  EXPECT_EQ(r.status, CellStatus::error);
  EXPECT_EQ(r.reason,
            "probe printed something that is not JSON (8 bytes, starts `garbage`) (exit 0)");
}

TEST_F(BrokenProbeTest, HalfADocumentIsAnError) {
  auto b = with_probe(print_and_exit(R"({"schema": "procmatrix.probe/v1", "paths": [)"));
  const CellRun r = run(make_cell("runc", ProcMount::Default, false, false), 60s, b.get());
  EXPECT_EQ(r.status, CellStatus::error);
  EXPECT_THAT(r.reason, StartsWith("probe printed half a JSON document"));
}

TEST_F(BrokenProbeTest, AHangIsKilledAtTheTimeoutAndTheContainerDeleted) {
  auto b = with_probe(kHang);
  const auto start = std::chrono::steady_clock::now();
  const CellRun r = run(make_cell("runc", ProcMount::Default, false, true), 2s, b.get());
  EXPECT_EQ(r.status, CellStatus::error);
  EXPECT_EQ(r.reason, "timed out after 2 s");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
}

TEST_F(BrokenProbeTest, AHangUnderRunscIsKilledAndItsSandboxRemoved) {
  require("runsc");
  auto b = with_probe(kHang);
  const CellRun r = run(make_cell("runsc", ProcMount::Default, false, true), 2s, b.get());
  EXPECT_EQ(r.status, CellStatus::error);
  EXPECT_EQ(r.reason, "timed out after 2 s");
}

TEST_F(BrokenProbeTest, AHangUnderCrunIsKilledAndTheContainerDeleted) {
  require("crun");
  auto b = with_probe(kHang);
  const CellRun r = run(make_cell("crun", ProcMount::Default, false, false), 2s, b.get());
  EXPECT_EQ(r.status, CellStatus::error);
  EXPECT_EQ(r.reason, "timed out after 2 s");
}

TEST_F(BrokenProbeTest, CancelStopsARunningCellPromptlyAndLeavesNothing) {
  auto b = with_probe(kHang);
  std::atomic<bool> cancel{false};
  std::thread canceller([&] {
    std::this_thread::sleep_for(500ms);
    cancel = true;
  });
  const auto start = std::chrono::steady_clock::now();
  const CellRun r = b->run(make_cell("runc", ProcMount::Default, false, false), 60s, cancel);
  const auto took = std::chrono::steady_clock::now() - start;
  canceller.join();
  EXPECT_EQ(r.status, CellStatus::error);
  EXPECT_EQ(r.reason, "cancelled");
  EXPECT_LT(took, 3s);
  expect_nothing_left();
}

TEST_F(BrokenProbeTest, ACellCancelledBeforeItStartsDoesNothing) {
  std::atomic<bool> cancel{true};
  const CellRun r = backend_->run(make_cell("runc", ProcMount::Default, false, true), 60s, cancel);
  EXPECT_EQ(r.status, CellStatus::error);
  EXPECT_EQ(r.reason, "cancelled before it started");
  expect_nothing_left();
}

TEST_F(LocalBackendTest, AWorkDirTheMappedRootCannotReachIsAClearError) {
  const TempDir closed("procmatrix-lbt-closed");  // mkdtemp: 0700
  LocalBackendOptions options;
  options.probe = PROCPROBE_BIN;
  options.work_dir = closed.path();
  auto b = LocalBackend::create(options);
  ASSERT_TRUE(b) << b.error().describe();
  std::atomic<bool> cancel{false};
  const CellRun r = (*b)->run(make_cell("runc", ProcMount::Default, false, false), 60s, cancel);
  EXPECT_EQ(r.status, CellStatus::error);
  EXPECT_THAT(r.reason, HasSubstr("cannot pass through `" + closed.path().string() + "`"));
  EXPECT_TRUE(fs::is_empty(closed.path()));
}

TEST_F(LocalBackendTest, ADynamicallyLinkedProbeIsRefusedUpFront) {
  LocalBackendOptions options;
  options.probe = "/bin/sh";
  auto b = LocalBackend::create(options);
  ASSERT_FALSE(b);
  EXPECT_THAT(b.error().describe(), HasSubstr("is dynamically linked"));
}

// --- broken runtimes: scripts that stand in for one ---------------------------------------------

class BrokenRuntimeTest : public LocalBackendTest {
 protected:
  // A "runtime" that behaves for --version and delete, and does `on_run` for `run`.
  Cell runtime_doing(const std::string& on_run) {
    const fs::path script = scripts_.path() / "fakert";
    std::ofstream(script) << "#!/bin/sh\n"
                          << "case \" $* \" in\n"
                          << "  *' --version '*) echo 'fakert version 0.1' ;;\n"
                          << "  *' run '*) " << on_run << " ;;\n"
                          << "esac\n";
    fs::permissions(script, fs::perms(0755));
    Cell c = make_cell("fakert", ProcMount::Default, false, true);
    c.runtime.path = script.string();
    return c;
  }
  fs::path pidfile() const { return scripts_.path() / "pid"; }
  TempDir scripts_{"procmatrix-lbt-rt"};
};

TEST_F(BrokenRuntimeTest, ARuntimeThatFailsIsAnErrorWithItsMessage) {
  const CellRun r = run(runtime_doing("echo 'fakert: cannot start container: boom' >&2; exit 1"));
  EXPECT_EQ(r.status, CellStatus::error);
  EXPECT_EQ(r.reason,
            "probe printed no JSON (exit 1); stderr: fakert: cannot start container: boom");
  EXPECT_EQ(r.runtime_version, "fakert version 0.1");
}

TEST_F(BrokenRuntimeTest, ARuntimeLogLineIsReadForItsMsg) {
  const CellRun r = run(runtime_doing(
      "echo 'time=\"x\" level=error msg=\"runc run failed: unable to apply caps\"' >&2; exit 1"));
  EXPECT_EQ(r.reason,
            "probe printed no JSON (exit 1); fakert: runc run failed: unable to apply caps");
}

TEST_F(BrokenRuntimeTest, ARuntimeThatPrintsGarbageIsAnError) {
  const CellRun r = run(runtime_doing("echo '<html>oops</html>'"));
  EXPECT_EQ(r.status, CellStatus::error);
  EXPECT_THAT(r.reason, StartsWith("probe printed something that is not JSON"));
}

TEST_F(BrokenRuntimeTest, ARuntimeThatHangsIsKilledAtTheTimeout) {
  const CellRun r = run(runtime_doing("echo $$ > " + pidfile().string() + "; exec sleep 60"), 2s);
  EXPECT_EQ(r.status, CellStatus::error);
  EXPECT_EQ(r.reason, "timed out after 2 s");
  const std::string pid = slurp(pidfile());
  ASSERT_FALSE(pid.empty());
  const std::string stat = slurp("/proc/" + pid.substr(0, pid.find('\n')) + "/stat");
  // Gone, or a zombie waiting for PID 1 (which may reap late on a VM agent).
  EXPECT_TRUE(stat.empty() || stat.find(") Z ") != std::string::npos) << stat;
}

TEST_F(BrokenRuntimeTest, ARuntimeThatIsNotInstalledIsSkippedUnlessRequested) {
  Cell c = make_cell("no-such-runtime", ProcMount::Default, false, true);
  const CellRun skipped = run(c);
  EXPECT_EQ(skipped.status, CellStatus::skipped);
  EXPECT_EQ(skipped.reason, "runtime no-such-runtime: `no-such-runtime` is not on PATH");
  c.runtime.explicitly_requested = true;
  EXPECT_EQ(run(c).status, CellStatus::error);
}

TEST_F(BrokenRuntimeTest, AMissingRuntimeIsAnErrorNamingThePath) {
  Cell c = make_cell("ghost", ProcMount::Default, false, true);
  c.runtime.path = "/nonexistent/ghost";
  c.runtime.explicitly_requested = true;  // NAME=PATH is always the user's own request
  const CellRun r = run(c);
  EXPECT_EQ(r.status, CellStatus::error);
  EXPECT_EQ(r.reason, "runtime ghost: `/nonexistent/ghost` is not an executable file");
}

}  // namespace
}  // namespace procmatrix::harness
