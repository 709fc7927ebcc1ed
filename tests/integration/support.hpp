// What the integration tests share: running a real binary (optionally after setting up
// namespaces in the forked child), temporary directories, and the probe's JSON.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <unistd.h>

#include <nlohmann/json.hpp>

// Root and runc are facts of the machine; without them a container test cannot mean anything.
#define REQUIRE_ROOT_AND_RUNC()                                                 \
  do {                                                                          \
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to start containers";    \
    if (!::procmatrix::testing::have_program("runc"))                           \
      GTEST_SKIP() << "runc is not installed (scripts/bootstrap installs it)";  \
  } while (0)

namespace procmatrix::testing {

struct ProcessResult {
  int exit_code = -1;   // -1 when killed by a signal
  int signal = 0;
  bool timed_out = false;
  std::string out, err;
};

// Runs argv[0] with argv; `in_child`, if given, runs in the forked child before exec (to unshare
// namespaces, mount masks, ...); a failure there exits the child with 127 and a message on stderr.
ProcessResult run(const std::vector<std::string>& argv,
                  std::chrono::milliseconds timeout = std::chrono::seconds(60),
                  const std::function<void()>& in_child = {});

// A directory under /tmp, removed with its contents (after unmounting nothing: callers own mounts).
class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "procmatrix-test");
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// A deliberately broken runtime (tests/data/runtimes/runc-without-masks): drops maskedPaths and
// readonlyPaths from config.json, then runs runc.
inline const char* const kRuncWithoutMasks = TESTS_DATA_DIR "/runtimes/runc-without-masks";

// True if `name` is an executable on PATH.
bool have_program(const std::string& name);

// The probe's JSON report's path entry with this id (and path, when several share an id).
const nlohmann::json* find_path(const nlohmann::json& report, const std::string& id);

}  // namespace procmatrix::testing
