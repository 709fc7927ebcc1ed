// kubectl as a child process (process.hpp: a timeout, the cancel flag, its own process group).
// Every call names the context when one is given, so a run never drifts to another cluster.
#pragma once

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "process.hpp"
#include "support/error.hpp"

namespace procmatrix::harness {

class Kubectl {
 public:
  // Finds `program` (a path, or a name on PATH).
  static Result<Kubectl> find(const std::string& program, std::optional<std::string> context);

  // Runs `kubectl [--context C] ARGS...`. `cancel` may be null (cleanup must not be cancelled).
  Result<ProcessResult> run(const std::vector<std::string>& args, std::chrono::milliseconds timeout,
                            const std::atomic<bool>* cancel) const;
  // As run(), but anything but exit 0 is an Error with kubectl's last line of stderr.
  Result<std::string> output(const std::vector<std::string>& args, std::chrono::milliseconds timeout,
                             const std::atomic<bool>* cancel) const;

  const std::string& path() const { return path_; }

 private:
  Kubectl(std::string path, std::optional<std::string> context)
      : path_(std::move(path)), context_(std::move(context)) {}
  std::string path_;
  std::optional<std::string> context_;
};

// "kubectl get pod x: exit 1: error: ..." from a finished call.
std::string describe_call(const std::vector<std::string>& args, const ProcessResult& r,
                          std::chrono::milliseconds timeout);

}  // namespace procmatrix::harness
