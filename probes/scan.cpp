#include "scan.hpp"

#include "devices.hpp"
#include "findings.hpp"
#include "identity.hpp"
#include "mountinfo.hpp"
#include "nesting.hpp"
#include "paths.hpp"

namespace procmatrix::probe {

Result<Report> run_scan(const Families& families, std::chrono::milliseconds nesting_timeout) {
  const auto start = std::chrono::steady_clock::now();
  Report report;
  report.version = PROCMATRIX_VERSION;

  // Without mountinfo no mask can be told from the file it hides: that is the probe failing,
  // not an observation.
  auto mounts = MountTable::read_self();
  if (!mounts) return mounts.error().with_context("procprobe");

  report.environment = probe_environment(*mounts);
  if (families.identity) report.identity = probe_identity();
  if (families.paths) report.paths = probe_paths(*mounts);
  if (families.devices) report.devices = probe_devices();
  if (families.nesting)
    report.nesting = probe_nesting(report.devices.value_or(std::vector<DeviceResult>{}), nesting_timeout);
  report.findings = derive_findings(report);

  report.elapsed_us = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::steady_clock::now() - start)
                          .count();
  return report;
}

}  // namespace procmatrix::probe
