// A runtime container that may exist until remove() has made sure it does not. The destructor
// removes it too, so no way out of a cell (an error, a timeout, a cancel, an exception) leaves
// a container behind in the runtime's state.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>

#include "runtimes.hpp"
#include "support/error.hpp"

namespace procmatrix::harness {

class ContainerGuard {
 public:
  ContainerGuard(const RuntimeCommand& cmd, std::string id, std::filesystem::path state_dir,
                 std::chrono::milliseconds timeout)
      : cmd_(cmd), id_(std::move(id)), state_dir_(std::move(state_dir)), timeout_(timeout) {}
  ContainerGuard(const ContainerGuard&) = delete;
  ContainerGuard& operator=(const ContainerGuard&) = delete;
  ~ContainerGuard();

  const std::string& id() const { return id_; }

  // `<runtime> --root <state> delete --force <id>` (not cancellable: cleanup must finish), then
  // checks that the private state dir is empty, which is what "no container" means to the
  // runtime. "does not exist" from the runtime is fine: a foreground `run` deletes its container.
  Status remove();

 private:
  const RuntimeCommand& cmd_;
  std::string id_;
  std::filesystem::path state_dir_;
  std::chrono::milliseconds timeout_;
  bool removed_ = false;
};

}  // namespace procmatrix::harness
