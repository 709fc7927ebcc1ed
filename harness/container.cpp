#include "container.hpp"

#include "probe_output.hpp"
#include "process.hpp"
#include "text.hpp"

namespace procmatrix::harness {
namespace fs = std::filesystem;

ContainerGuard::~ContainerGuard() { (void)remove(); }

Status ContainerGuard::remove() {
  if (removed_) return Ok{};
  ProcessSpec spec;
  spec.argv = cmd_.argv({"delete", "--force", id_});
  spec.timeout = timeout_;
  spec.detach_mounts = cmd_.detach_mounts;
  Result<ProcessResult> r = run_process(spec);
  if (!r) return r.error().with_context(cat({"deleting container ", id_}));

  std::error_code ec;
  const bool empty = fs::is_empty(state_dir_, ec);
  if (ec && ec != std::errc::no_such_file_or_directory)
    return Error(ec.value(), cat({"checking `", state_dir_.string(), "` after deleting ", id_}));
  if (!ec && !empty) {
    const StderrLine line = last_meaningful_line(r->err);
    return Error(0, cat({"container ", id_, " is still in `", state_dir_.string(),
                         "` after delete --force (", describe_end(*r, timeout_), ")",
                         line.text.empty() ? "" : ": ", line.text}));
  }
  removed_ = true;
  return Ok{};
}

}  // namespace procmatrix::harness
