// The probe's image archive (images/build-archive): reproducible bytes, a layout whose digests and
// sizes hold, and a real containerd (Debian's, started here with its own root, state and socket)
// that imports the archive and runs the probe from it with `ctr run`. No test doubles.
#include <signal.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support.hpp"

namespace {
namespace fs = std::filesystem;
using nlohmann::json;
using procmatrix::testing::ProcessResult;
using procmatrix::testing::TempDir;
using procmatrix::testing::have_program;
using procmatrix::testing::run;

// The builder in this source tree: <top>/tests/integration/image_test.cpp -> <top>/images/.
const fs::path kBuilder =
    fs::path(__FILE__).parent_path().parent_path().parent_path() / "images" / "build-archive";
const std::string kTag = "ghcr.io/procmatrix/procprobe:test";

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + p.string());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_file(const fs::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << bytes;
  if (!out) throw std::runtime_error("cannot write " + p.string());
}

std::string describe(const ProcessResult& r) {
  return "exit " + std::to_string(r.exit_code) + (r.timed_out ? " (timed out)" : "") +
         "\nstdout: " + r.out + "\nstderr: " + r.err;
}

// Runs the builder with a fixed SOURCE_DATE_EPOCH and its temporary files under `tmpdir`.
ProcessResult build_archive(const fs::path& tmpdir, std::vector<std::string> args,
                            const std::string& epoch = "0") {
  std::vector<std::string> argv = {"env", "SOURCE_DATE_EPOCH=" + epoch, "TMPDIR=" + tmpdir.string(),
                                   kBuilder.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run(argv, std::chrono::seconds(60));
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

std::string sha256_of(const fs::path& p) {
  ProcessResult r = run({"sha256sum", p.string()});
  if (r.exit_code != 0) throw std::runtime_error("sha256sum " + p.string() + ": " + r.err);
  return "sha256:" + r.out.substr(0, r.out.find(' '));
}

bool dir_is_empty(const fs::path& d) { return fs::is_empty(d); }

// A built and unpacked archive: the common fixture of the structure tests.
class ImageArchive : public ::testing::Test {
 protected:
  void SetUp() override {
    archive_ = dir_.path() / "image.tar";
    fs::create_directory(tmp_);
    ProcessResult r = build_archive(tmp_, {"--probe", PROCPROBE_BIN, "--tag", kTag, "--revision",
                                           "0123abcd", "-o", archive_.string()});
    ASSERT_EQ(r.exit_code, 0) << describe(r);
    digest_ = trim(r.out);
    fs::create_directory(unpacked_);
    ProcessResult x = run({"tar", "-xf", archive_.string(), "-C", unpacked_.string()});
    ASSERT_EQ(x.exit_code, 0) << describe(x);
  }
  json parse(const fs::path& p) { return json::parse(read_file(p)); }
  fs::path blob(const std::string& digest) {
    return unpacked_ / "blobs" / "sha256" / digest.substr(std::strlen("sha256:"));
  }
  // The descriptor's digest and size are those of its blob.
  void expect_descriptor_matches(const json& d) {
    const std::string digest = d.at("digest");
    ASSERT_TRUE(fs::exists(blob(digest))) << digest;
    EXPECT_EQ(sha256_of(blob(digest)), digest);
    EXPECT_EQ(d.at("size").get<std::uintmax_t>(), fs::file_size(blob(digest))) << digest;
  }

  TempDir dir_{"procmatrix-image"};
  fs::path tmp_ = dir_.path() / "tmp";
  fs::path unpacked_ = dir_.path() / "unpacked";
  fs::path archive_;
  std::string digest_;
};

TEST(BuildArchive, SameProbeGivesSameBytesAndDigest) {
  TempDir dir("procmatrix-image");
  fs::create_directory(dir.path() / "tmp");
  std::vector<std::string> digests;
  for (const char* name : {"a.tar", "b.tar"}) {
    ProcessResult r = build_archive(dir.path() / "tmp", {"--probe", PROCPROBE_BIN, "--tag", kTag,
                                                         "--revision", "r1", "-o",
                                                         (dir.path() / name).string()});
    ASSERT_EQ(r.exit_code, 0) << describe(r);
    digests.push_back(trim(r.out));
    // Seconds apart on the clock must not matter: every timestamp comes from SOURCE_DATE_EPOCH.
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  }
  EXPECT_EQ(digests[0], digests[1]);
  EXPECT_TRUE(digests[0].rfind("sha256:", 0) == 0 && digests[0].size() == 71) << digests[0];
  EXPECT_EQ(read_file(dir.path() / "a.tar"), read_file(dir.path() / "b.tar"))
      << "two builds from the same probe differ byte for byte";
  EXPECT_TRUE(dir_is_empty(dir.path() / "tmp")) << "the builder left temporary files";
}

TEST(BuildArchive, DifferentProbeOrInputsGiveDifferentDigests) {
  TempDir dir("procmatrix-image");
  fs::create_directory(dir.path() / "tmp");
  // A different probe: the same binary with one byte more at the end (still a valid ELF file).
  const fs::path other = dir.path() / "procprobe";
  write_file(other, read_file(PROCPROBE_BIN) + std::string(1, '\0'));
  fs::permissions(other, fs::perms::owner_all);
  auto digest_of = [&](const std::string& probe, const std::string& revision,
                       const std::string& epoch) {
    ProcessResult r = build_archive(dir.path() / "tmp",
                                    {"--probe", probe, "--tag", kTag, "--revision", revision, "-o",
                                     (dir.path() / "x.tar").string()},
                                    epoch);
    EXPECT_EQ(r.exit_code, 0) << describe(r);
    return trim(r.out);
  };
  const std::string base = digest_of(PROCPROBE_BIN, "r1", "0");
  EXPECT_NE(digest_of(other.string(), "r1", "0"), base) << "a different probe, the same digest";
  EXPECT_NE(digest_of(PROCPROBE_BIN, "r2", "0"), base) << "the revision label is not in the digest";
  EXPECT_NE(digest_of(PROCPROBE_BIN, "r1", "1700000000"), base) << "SOURCE_DATE_EPOCH ignored";
  EXPECT_EQ(digest_of(PROCPROBE_BIN, "r1", "0"), base);
}

TEST(BuildArchive, MissingProbeIsAClearErrorAndLeavesTheOutputAlone) {
  TempDir dir("procmatrix-image");
  fs::create_directory(dir.path() / "tmp");
  const fs::path out = dir.path() / "out.tar";
  write_file(out, "previous archive");
  const std::string missing = (dir.path() / "no-such-probe").string();
  ProcessResult r = build_archive(dir.path() / "tmp", {"--probe", missing, "-o", out.string()});
  EXPECT_EQ(r.exit_code, 2) << describe(r);
  EXPECT_NE(r.err.find("probe '" + missing + "': no such file"), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(read_file(out), "previous archive");
  EXPECT_TRUE(dir_is_empty(dir.path() / "tmp"));
  // Nothing but the old output in its directory: no half-written temporary beside it.
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 2);
}

TEST(BuildArchive, RefusesBadArgumentsWithAReason) {
  TempDir dir("procmatrix-image");
  fs::create_directory(dir.path() / "tmp");
  const std::string out = (dir.path() / "out.tar").string();
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"--probe", PROCPROBE_BIN}, "no output file"},
      {{"--probe", PROCPROBE_BIN, "-o", out, "--frobnicate"}, "unknown argument '--frobnicate'"},
      {{"--probe", PROCPROBE_BIN, "-o"}, "-o needs a value"},
      {{"--probe", PROCPROBE_BIN, "--tag", "Not A Ref", "-o", out}, "tag 'Not A Ref'"},
      {{"--probe", PROCPROBE_BIN, "--tag", "x/y@sha256:00", "-o", out}, "not an image reference"},
      {{"--probe", kBuilder.parent_path().string(), "-o", out}, "not a regular file"},
      {{"--probe", kBuilder.string(), "-o", out}, "not an ELF executable"},
      {{"--probe", PROCPROBE_BIN, "-o", (dir.path() / "nodir" / "x.tar").string()},
       "does not exist"},
  };
  for (const auto& c : cases) {
    ProcessResult r = build_archive(dir.path() / "tmp", c.args);
    EXPECT_EQ(r.exit_code, 2) << describe(r);
    EXPECT_NE(r.err.find(c.message), std::string::npos) << "want '" << c.message << "' in: " << r.err;
  }
  if (have_program("readelf") && fs::exists("/bin/true")) {
    ProcessResult r = build_archive(dir.path() / "tmp", {"--probe", "/bin/true", "-o", out});
    EXPECT_EQ(r.exit_code, 2) << describe(r);
    EXPECT_NE(r.err.find("dynamically linked"), std::string::npos) << r.err;
  }
  EXPECT_FALSE(fs::exists(out));
  EXPECT_TRUE(dir_is_empty(dir.path() / "tmp"));
}

TEST_F(ImageArchive, LayoutIndexManifestAndConfigMatchTheirBlobs) {
  EXPECT_EQ(parse(unpacked_ / "oci-layout"), json::parse(R"({"imageLayoutVersion":"1.0.0"})"));

  const json index = parse(unpacked_ / "index.json");
  EXPECT_EQ(index.at("schemaVersion"), 2);
  EXPECT_EQ(index.at("mediaType"), "application/vnd.oci.image.index.v1+json");
  ASSERT_EQ(index.at("manifests").size(), 1u);
  const json& desc = index["manifests"][0];
  EXPECT_EQ(desc.at("mediaType"), "application/vnd.oci.image.manifest.v1+json");
  EXPECT_EQ(desc.at("annotations").at("org.opencontainers.image.ref.name"), kTag);
  EXPECT_EQ(desc.at("platform").at("os"), "linux");
  expect_descriptor_matches(desc);
  EXPECT_EQ(desc.at("digest"), digest_) << "the printed digest is not the manifest's";

  const json manifest = parse(blob(desc.at("digest")));
  EXPECT_EQ(manifest.at("schemaVersion"), 2);
  EXPECT_EQ(manifest.at("config").at("mediaType"), "application/vnd.oci.image.config.v1+json");
  expect_descriptor_matches(manifest.at("config"));
  ASSERT_EQ(manifest.at("layers").size(), 1u);
  const json& layer = manifest["layers"][0];
  EXPECT_EQ(layer.at("mediaType"), "application/vnd.oci.image.layer.v1.tar");
  expect_descriptor_matches(layer);

  const json config = parse(blob(manifest["config"]["digest"]));
  EXPECT_EQ(config.at("os"), "linux");
  EXPECT_EQ(config.at("architecture"), desc["platform"]["architecture"]);
#if defined(__x86_64__)
  EXPECT_EQ(config.at("architecture"), "amd64");
#elif defined(__aarch64__)
  EXPECT_EQ(config.at("architecture"), "arm64");
#endif
  EXPECT_EQ(config.at("created"), "1970-01-01T00:00:00Z");
  EXPECT_EQ(config.at("config").at("Entrypoint"), json::parse(R"(["/procprobe"])"));
  EXPECT_EQ(config.at("config").at("Cmd"), json::parse(R"(["--format","json"])"));
  const json& labels = config["config"].at("Labels");
  EXPECT_EQ(labels.at("org.opencontainers.image.version"), PROCMATRIX_VERSION);
  EXPECT_EQ(labels.at("org.opencontainers.image.revision"), "0123abcd");
  EXPECT_EQ(labels.at("org.opencontainers.image.source").get<std::string>().rfind("https://", 0), 0u);
  // Uncompressed layer: its diff_id is its digest.
  EXPECT_EQ(config.at("rootfs").at("type"), "layers");
  EXPECT_EQ(config["rootfs"].at("diff_ids"), json::array({layer.at("digest")}));

  // docker load's manifest.json names the same config and layer blobs and the tag.
  const json docker = parse(unpacked_ / "manifest.json");
  ASSERT_EQ(docker.size(), 1u);
  const auto hex = [](const json& d) { return d.get<std::string>().substr(7); };
  EXPECT_EQ(docker[0].at("Config"), "blobs/sha256/" + hex(manifest["config"]["digest"]));
  EXPECT_EQ(docker[0].at("Layers"), json::array({"blobs/sha256/" + hex(layer["digest"])}));
  EXPECT_EQ(docker[0].at("RepoTags"), json::array({kTag}));
}

TEST_F(ImageArchive, EveryEntryIsRootOwnedAtTheEpochAndTheLayerHoldsOnlyTheProbe) {
  // tar -tv with numeric owners, in UTC: "mode 0/0 size 1970-01-01 00:00 name".
  const auto listing = [](const fs::path& tarball) {
    ProcessResult r = run({"env", "TZ=UTC", "tar", "--numeric-owner", "-tvf", tarball.string()});
    if (r.exit_code != 0) throw std::runtime_error(describe(r));
    std::vector<std::string> lines;
    std::istringstream in(r.out);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  };
  const auto outer = listing(archive_);
  EXPECT_EQ(outer.size(), 8u);  // oci-layout index.json manifest.json blobs/ blobs/sha256/ 3 blobs
  for (const auto& line : outer) {
    EXPECT_NE(line.find(" 0/0 "), std::string::npos) << line;
    EXPECT_NE(line.find(" 1970-01-01 00:00 "), std::string::npos) << line;
    EXPECT_EQ(line.find("PaxHeader"), std::string::npos) << line;
  }
  const json manifest = parse(blob(parse(unpacked_ / "index.json")["manifests"][0]["digest"]));
  const fs::path layer = blob(manifest["layers"][0]["digest"]);
  const auto inner = listing(layer);
  ASSERT_EQ(inner.size(), 1u);
  EXPECT_EQ(inner[0].rfind("-rwxr-xr-x 0/0 ", 0), 0u) << inner[0];
  EXPECT_NE(inner[0].find(" 1970-01-01 00:00 procprobe"), std::string::npos) << inner[0];

  const fs::path layer_dir = dir_.path() / "layer";
  fs::create_directory(layer_dir);
  ProcessResult x = run({"tar", "-xf", layer.string(), "-C", layer_dir.string()});
  ASSERT_EQ(x.exit_code, 0) << describe(x);
  EXPECT_EQ(read_file(layer_dir / "procprobe"), read_file(PROCPROBE_BIN));
}

TEST(BuildArchive, DefaultTagIsTheProjectVersion) {
  TempDir dir("procmatrix-image");
  fs::create_directory(dir.path() / "tmp");
  const fs::path out = dir.path() / "image.tar";
  ProcessResult r = build_archive(dir.path() / "tmp", {"--probe", PROCPROBE_BIN, "-o", out.string()});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  ProcessResult x = run({"tar", "-xOf", out.string(), "index.json"});
  ASSERT_EQ(x.exit_code, 0) << describe(x);
  EXPECT_EQ(json::parse(x.out)["manifests"][0]["annotations"]["org.opencontainers.image.ref.name"],
            std::string("ghcr.io/procmatrix/procprobe:") + PROCMATRIX_VERSION);
}

// ---------------------------------------------------------------------------------------------
// A real containerd, started for one test with everything of its own under a temporary directory.

std::vector<std::string> mountinfo_lines() {
  std::ifstream in("/proc/self/mountinfo");
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Mount points (field 5 of mountinfo) at or under `root`, deepest first.
std::vector<std::string> mounts_under(const fs::path& root) {
  std::vector<std::string> points;
  for (const auto& line : mountinfo_lines()) {
    std::istringstream fields(line);
    std::string id, parent, dev, source, point;
    fields >> id >> parent >> dev >> source >> point;
    if (point == root.string() || point.rfind(root.string() + "/", 0) == 0) points.push_back(point);
  }
  std::sort(points.begin(), points.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  return points;
}

// The pids of processes whose command line mentions `needle` (the shim names containerd's socket).
std::vector<pid_t> processes_mentioning(const std::string& needle) {
  std::vector<pid_t> pids;
  if (needle.empty()) return pids;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "cmdline", std::ios::binary);
    std::string cmdline, arg;
    while (std::getline(in, arg, '\0')) cmdline += arg + ' ';  // gone already: empty
    if (cmdline.find(needle) != std::string::npos && std::stoi(name) != getpid())
      pids.push_back(std::stoi(name));
  }
  return pids;
}

// Every cgroup hierarchy's mount point (v1 controllers and cgroup2; hybrid here).
std::vector<fs::path> cgroup_roots() {
  std::vector<fs::path> roots;
  for (const auto& line : mountinfo_lines()) {
    const auto dash = line.find(" - ");
    if (dash == std::string::npos) continue;
    std::istringstream after(line.substr(dash + 3));
    std::string fstype;
    after >> fstype;
    if (fstype != "cgroup" && fstype != "cgroup2") continue;
    std::istringstream fields(line);
    std::string id, parent, dev, source, point;
    fields >> id >> parent >> dev >> source >> point;
    roots.emplace_back(point);
  }
  return roots;
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(line);
  return out;
}

// The processes in a cgroup and all its descendants.
std::vector<pid_t> cgroup_procs(const fs::path& cgroup) {
  std::vector<pid_t> pids;
  std::error_code ec;
  if (!fs::is_directory(cgroup, ec)) return pids;
  std::ifstream in(cgroup / "cgroup.procs");
  for (pid_t pid; in >> pid;) pids.push_back(pid);
  for (const auto& entry : fs::directory_iterator(cgroup, ec))
    if (entry.is_directory(ec))
      for (pid_t pid : cgroup_procs(entry.path())) pids.push_back(pid);
  return pids;
}

// rmdir of a cgroup and its descendants, deepest first (a cgroup's files go with it).
void remove_cgroup_tree(const fs::path& cgroup) {
  std::error_code ec;
  if (!fs::is_directory(cgroup, ec)) return;
  for (const auto& entry : fs::directory_iterator(cgroup, ec))
    if (entry.is_directory(ec)) remove_cgroup_tree(entry.path());
  rmdir(cgroup.c_str());
}

// Paths on the host that containerd or its shim create outside the root we give it, whatever the
// config says: the shim's socket directory is fixed at /run/containerd/s in containerd 1.6.
const std::vector<fs::path> kFixedHostDirs = {"/run/containerd/s", "/run/containerd"};

class Containerd {
 public:
  // `cgroup_parent`: the cgroup under which the test's containers run; removed when stopped.
  Containerd(const fs::path& dir, std::string cgroup_parent)
      : dir_(dir), cgroup_parent_(std::move(cgroup_parent)) {
    for (const auto& d : kFixedHostDirs) preexisting_.push_back(fs::exists(d));
    // CRI is disabled: this test needs only the image and task services, and CRI would open a
    // streaming TCP port and look for CNI configs on the host. The opt plugin's path defaults to
    // /opt/containerd, so it is moved too. Everything else lives under root/state.
    write_file(dir_ / "config.toml",
               "version = 2\n"
               "root = \"" + (dir_ / "root").string() + "\"\n"
               "state = \"" + (dir_ / "state").string() + "\"\n"
               "disabled_plugins = [\"io.containerd.grpc.v1.cri\"]\n"
               "[grpc]\n  address = \"" + socket() + "\"\n"
               "[plugins.\"io.containerd.internal.v1.opt\"]\n  path = \"" +
                   (dir_ / "opt").string() + "\"\n");
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    if (pid_ == 0) {
      setpgid(0, 0);
      const std::string log = (dir_ / "containerd.log").string();
      if (!freopen(log.c_str(), "w", stdout) || dup2(fileno(stdout), 2) < 0) _exit(127);
      const std::string config = (dir_ / "config.toml").string();
      execlp("containerd", "containerd", "--config", config.c_str(), static_cast<char*>(nullptr));
      std::fprintf(stderr, "exec containerd: %s\n", std::strerror(errno));
      _exit(127);
    }
  }
  Containerd(const Containerd&) = delete;
  Containerd& operator=(const Containerd&) = delete;
  ~Containerd() { stop(); }

  std::string socket() const { return (dir_ / "containerd.sock").string(); }
  std::string log() const {
    try {
      return read_file(dir_ / "containerd.log");
    } catch (const std::exception&) {
      return "(no log)";
    }
  }
  pid_t pid() const { return pid_; }

  // Waits (bounded) until the socket answers `ctr version`; false with the reason otherwise.
  bool wait_ready(std::string& why, std::chrono::seconds limit = std::chrono::seconds(20)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        why = "containerd exited during start-up:\n" + log();
        return false;
      }
      if (fs::exists(socket()) && ctr({"version"}, std::chrono::seconds(5)).exit_code == 0)
        return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    why = "containerd's socket did not answer within " + std::to_string(limit.count()) + "s:\n" +
          log();
    return false;
  }

  ProcessResult ctr(std::vector<std::string> args,
                    std::chrono::milliseconds timeout = std::chrono::seconds(60)) const {
    std::vector<std::string> argv = {"ctr", "--address", socket(), "--namespace", "procmatrix"};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv, timeout);
  }

  // Deletes what is left through containerd itself (tasks, containers: runc then removes their
  // cgroups and the shims their sockets); then SIGTERM, a bounded wait, SIGKILL; then, for a
  // containerd that could not clean up, kills and removes by hand whatever is left: shims,
  // container processes (by our cgroup), cgroups, shim sockets, mounts, directories.
  void stop() {
    const bool alive = pid_ > 0 && waitpid(pid_, nullptr, WNOHANG) == 0;
    if (!alive) pid_ = -1;  // never started, or exited (and now reaped)
    if (alive) {
      for (const auto& id : lines(ctr({"tasks", "list", "--quiet"}, std::chrono::seconds(10)).out))
        ctr({"tasks", "delete", "--force", id}, std::chrono::seconds(20));
      for (const auto& id :
           lines(ctr({"containers", "list", "--quiet"}, std::chrono::seconds(10)).out))
        ctr({"containers", "delete", id}, std::chrono::seconds(20));
    }
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
      int status = 0;
      while (waitpid(pid_, &status, WNOHANG) == 0) {
        if (std::chrono::steady_clock::now() > deadline) {
          kill(pid_, SIGKILL);
          waitpid(pid_, &status, 0);
          break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      pid_ = -1;
    }
    // A shim outlives containerd by design (it is re-parented); ours name our directory.
    const std::string mine = dir_.string() + "/";
    for (pid_t shim : processes_mentioning(mine)) kill(shim, SIGKILL);
    // A container's processes outlive a killed shim; ours are in our cgroup.
    for (const auto& root : cgroup_roots())
      for (pid_t pid : cgroup_procs(root / cgroup_parent_)) kill(pid, SIGKILL);
    for (int i = 0; i < 50 && !processes_mentioning(mine).empty(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    // runc removes a deleted container's cgroup but not the parent that ctr's --cgroup named.
    for (const auto& root : cgroup_roots()) remove_cgroup_tree(root / cgroup_parent_);
    // A killed shim leaves its socket: /run/containerd/s/<sha256(address/namespace/id)> (1.6).
    std::error_code ec;
    const fs::path tasks = dir_ / "state" / "io.containerd.runtime.v2.task" / "procmatrix";
    for (const auto& task : fs::directory_iterator(tasks, ec)) {
      const std::string key = socket() + "/procmatrix/" + task.path().filename().string();
      ProcessResult h = run({"sh", "-c", "printf %s \"$1\" | sha256sum", "sh", key});
      if (h.exit_code == 0) fs::remove(kFixedHostDirs[0] / h.out.substr(0, 64), ec);
    }
    for (const auto& point : mounts_under(dir_)) umount2(point.c_str(), MNT_DETACH);
    // Directories this containerd created outside its root (rmdir: only if empty and new).
    for (size_t i = 0; i < kFixedHostDirs.size(); ++i)
      if (!preexisting_[i]) rmdir(kFixedHostDirs[i].c_str());
  }

 private:
  fs::path dir_;
  std::string cgroup_parent_;
  std::vector<bool> preexisting_;
  pid_t pid_ = -1;
};

bool cgroup_exists_anywhere(const std::string& name) {
  for (const auto& root : cgroup_roots())
    if (fs::exists(root / name)) return true;
  return false;
}

// Imports the archive into a fresh containerd and runs it; all of it undone on return, whatever
// the assertions say. Fills `outcome` (the probe's JSON, containerd's directory and pid).
struct RunOutcome {
  json report;
  std::string root;  // containerd's directory (removed by then)
  pid_t containerd_pid = -1;
};

void import_and_run(const fs::path& archive, const std::string& digest,
                    const std::string& cgroup_parent, RunOutcome& outcome) {
  TempDir dir("procmatrix-containerd");
  outcome.root = dir.path().string();
  Containerd containerd(dir.path(), cgroup_parent);
  outcome.containerd_pid = containerd.pid();
  std::string why;
  ASSERT_TRUE(containerd.wait_ready(why)) << why;

  ProcessResult imported = containerd.ctr({"images", "import", archive.string()});
  ASSERT_EQ(imported.exit_code, 0) << describe(imported) << "\ncontainerd log:\n" << containerd.log();
  ProcessResult listed = containerd.ctr({"images", "list"});
  ASSERT_EQ(listed.exit_code, 0) << describe(listed);
  EXPECT_NE(listed.out.find(kTag), std::string::npos) << listed.out;
  EXPECT_NE(listed.out.find(digest), std::string::npos)
      << "containerd's digest of the image is not the one the builder printed\n" << listed.out;

  // On this hybrid-cgroup host runc 1.1.5 (cgroupfs driver) runs the task as it is: no cgroup
  // option is needed. --cgroup only names a parent of our own so that the one directory runc
  // leaves behind in every hierarchy can be removed afterwards. The FIFOs and runc's state go
  // under our directory too (their defaults are under /run/containerd).
  ProcessResult ran = containerd.ctr(
      {"run", "--rm", "--fifo-dir", (dir.path() / "fifo").string(), "--runc-root",
       (dir.path() / "runc").string(), "--cgroup", "/" + cgroup_parent + "/probe-test", kTag,
       "probe-test"},
      std::chrono::seconds(120));
  ASSERT_EQ(ran.exit_code, 0) << describe(ran) << "\ncontainerd log:\n" << containerd.log();
  try {
    outcome.report = json::parse(ran.out);
  } catch (const json::exception& e) {
    FAIL() << "the probe's stdout is not JSON: " << e.what() << "\n" << ran.out;
  }
}

TEST(ContainerdImage, CtrImportsTheArchiveAndRunsTheProbe) {
  if (geteuid() != 0) GTEST_SKIP() << "containerd needs root (euid " << geteuid() << ")";
  for (const char* program : {"containerd", "ctr", "containerd-shim-runc-v2", "runc"})
    if (!have_program(program))
      GTEST_SKIP() << program << " is not installed (Debian: containerd, runc; scripts/bootstrap)";

  TempDir work("procmatrix-image");
  fs::create_directory(work.path() / "tmp");
  const fs::path archive = work.path() / "image.tar";
  ProcessResult built = build_archive(work.path() / "tmp", {"--probe", PROCPROBE_BIN, "--tag", kTag,
                                                            "-o", archive.string()});
  ASSERT_EQ(built.exit_code, 0) << describe(built);

  const std::string cgroup_parent = "procmatrix-image-test-" + std::to_string(getpid());
  const auto mounts_before = mountinfo_lines();
  RunOutcome outcome;
  import_and_run(archive, trim(built.out), cgroup_parent, outcome);

  // Whatever happened above, nothing of it is left: no process naming containerd's directory
  // (containerd's --config, the shim's -address), no mount, no cgroup, no directory.
  const auto mounts_after = mountinfo_lines();
  EXPECT_EQ(mounts_after.size(), mounts_before.size())
      << "mountinfo has " << mounts_before.size() << " lines before, " << mounts_after.size()
      << " after";
  ASSERT_FALSE(outcome.root.empty());
  EXPECT_TRUE(mounts_under(outcome.root).empty()) << "a mount under " << outcome.root << " is left";
  EXPECT_TRUE(processes_mentioning(outcome.root + "/").empty())
      << "a containerd or shim process is left";
  if (outcome.containerd_pid > 0) {
    EXPECT_NE(kill(outcome.containerd_pid, 0), 0) << "containerd still runs";
  }
  EXPECT_FALSE(cgroup_exists_anywhere(cgroup_parent)) << cgroup_parent << " is left";
  EXPECT_FALSE(fs::exists(outcome.root));
  if (HasFatalFailure() || outcome.report.is_null()) return;
  const json& report = outcome.report;

  EXPECT_EQ(report.at("schema"), "procmatrix.probe/v1");
  EXPECT_EQ(report.at("probe").at("version"), PROCMATRIX_VERSION);
  // ctr's default spec (containerd oci.WithDefaultSpec) masks and protects kubelet's lists: the
  // probe ran in a container containerd made, not on the host.
  const json* keys = procmatrix::testing::find_path(report, "proc.keys");
  ASSERT_NE(keys, nullptr);
  if (keys->at("state") != "absent") {
    EXPECT_EQ(keys->at("state"), "masked") << keys->dump();
  }
  const json* sys = procmatrix::testing::find_path(report, "proc.sys");
  ASSERT_NE(sys, nullptr);
  EXPECT_EQ(sys->at("state"), "readonly") << sys->dump();
}

}  // namespace
