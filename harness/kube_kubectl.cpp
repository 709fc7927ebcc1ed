#include "kube_kubectl.hpp"

#include <unistd.h>

#include <cstdlib>

#include "probe_output.hpp"
#include "text.hpp"

namespace procmatrix::harness {

Result<Kubectl> Kubectl::find(const std::string& program, std::optional<std::string> context) {
  if (program.find('/') != std::string::npos) {
    if (::access(program.c_str(), X_OK) != 0) return Error::from_errno(cat({"--kubectl `", program, "`"}));
    return Kubectl(program, std::move(context));
  }
  const char* path = std::getenv("PATH");
  std::string_view dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  for (std::size_t start = 0; start <= dirs.size();) {
    auto colon = dirs.find(':', start);
    std::string dir(dirs.substr(start, colon - start));
    std::string candidate = cat({dir.empty() ? "." : dir, "/", program});
    if (::access(candidate.c_str(), X_OK) == 0) return Kubectl(candidate, std::move(context));
    if (colon == std::string_view::npos) break;
    start = colon + 1;
  }
  return Error(ENOENT, cat({program, " is not on PATH; install kubectl or name it with --kubectl PATH"}));
}

Result<ProcessResult> Kubectl::run(const std::vector<std::string>& args, std::chrono::milliseconds timeout,
                                   const std::atomic<bool>* cancel) const {
  ProcessSpec ps;
  ps.argv = {path_};
  if (context_) ps.argv.insert(ps.argv.end(), {"--context", *context_});
  ps.argv.insert(ps.argv.end(), args.begin(), args.end());
  ps.timeout = timeout;
  ps.cancel = cancel;
  return run_process(ps);
}

Result<std::string> Kubectl::output(const std::vector<std::string>& args, std::chrono::milliseconds timeout,
                                    const std::atomic<bool>* cancel) const {
  auto r = run(args, timeout, cancel);
  if (!r) return r.error();
  if (r->end != ProcessEnd::exited || r->exit_code != 0) return Error(0, describe_call(args, *r, timeout));
  return std::move(r->out);
}

std::string describe_call(const std::vector<std::string>& args, const ProcessResult& r,
                          std::chrono::milliseconds timeout) {
  std::string call = "kubectl";
  for (std::size_t i = 0; i < args.size() && i < 3; ++i) call += cat({" ", args[i]});
  std::string line = last_meaningful_line(r.err).text;
  return cat({call, ": ", describe_end(r, timeout), line.empty() ? "" : ": ", line});
}

}  // namespace procmatrix::harness
