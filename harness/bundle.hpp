// A cell's private directory, removed with everything in it when the object goes:
//   <parent>/procmatrix-XXXXXX/          0711, so a user namespace's root can pass through
//     bundle/config.json
//     bundle/rootfs/procprobe            a copy of the probe; nothing else
//     bundle/rootfs/{proc,sys,dev}/      mount points
//     state/                             the runtime's --root: its state of this one container
// With a user namespace the rootfs belongs to the mapped root (and so does the probe), so the
// container's root can read and run it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>

#include <nlohmann/json.hpp>

#include "support/error.hpp"

namespace procmatrix::harness {

struct RootOwner {
  std::uint32_t uid = 0, gid = 0;
};

class Bundle {
 public:
  static Result<Bundle> create(const std::filesystem::path& parent,
                               const std::filesystem::path& probe, const nlohmann::json& config,
                               std::optional<RootOwner> owner);

  Bundle(Bundle&& other) noexcept;
  Bundle& operator=(Bundle&&) = delete;
  Bundle(const Bundle&) = delete;
  Bundle& operator=(const Bundle&) = delete;
  ~Bundle();

  const std::filesystem::path& top() const { return top_; }
  std::filesystem::path dir() const { return top_ / "bundle"; }
  std::filesystem::path state_dir() const { return top_ / "state"; }

  // Removes the tree now, never crossing into another filesystem (a mount left behind is
  // reported, not emptied). The destructor does the same and ignores the outcome.
  Status remove();

 private:
  explicit Bundle(std::filesystem::path top) : top_(std::move(top)) {}
  std::filesystem::path top_;
};

// Removes `root` and everything under it that is on the same filesystem as `root`.
Status remove_tree_one_filesystem(const std::filesystem::path& root);

}  // namespace procmatrix::harness
