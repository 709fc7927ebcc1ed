#include "sarif_rules.hpp"

#include "view.hpp"

namespace procmatrix::reports {
namespace {

// What to do when a check of a group is found open although the profile closes it.
struct GroupRemedy {
  std::string_view group, remedy;
};
constexpr GroupRemedy kGroupRemedies[] = {
    {"kubelet-masked",
     "The runtime did not apply the OCI spec's maskedPaths. Keep procMount: Default (Unmasked only "
     "with hostUsers: false), do not run the Pod privileged, and upgrade or fix the runtime so that "
     "it bind-mounts /dev/null (files) or an empty read-only tmpfs (directories) over every masked path."},
    {"kubelet-readonly",
     "The runtime did not apply the OCI spec's readonlyPaths. Keep procMount: Default, do not run the "
     "Pod privileged, and upgrade or fix the runtime so that it remounts every read-only path ro."},
    {"runtime-masked",
     "The platform's runtime masks this path on top of kubelet's list; its configuration lost the "
     "mask. Restore the runtime's default maskedPaths (CRI-O, Docker and Podman ship them)."},
    {"escape",
     "Make /proc/sys and /sys read-only for the container (readonlyPaths, procMount: Default), do not "
     "run it privileged, and give it a user namespace (hostUsers: false) so host-wide files stay "
     "out of its reach."},
    {"devices",
     "Do not grant the device: drop it from the OCI spec's linux.devices and the device cgroup's "
     "allow list, and do not run the Pod privileged."},
    {"nesting",
     "The container can build mounts the profile forbids it. Run it without CAP_SYS_ADMIN, with the "
     "runtime's default seccomp profile, and with procMount: Default."},
    {"identity",
     "Run the Pod with hostUsers: false (a user namespace) and drop CAP_SYS_ADMIN "
     "(securityContext.capabilities.drop)."},
};

// The probe's findings (probes/findings.cpp), each with its remedy.
struct FindingRemedy {
  std::string_view id, remedy;
};
constexpr FindingRemedy kFindingRemedies[] = {
    {"escape.core_pattern.writable",
     "Keep /proc/sys read-only (readonlyPaths, procMount: Default); never run such a Pod privileged or without a user namespace."},
    {"escape.modprobe.writable",
     "Keep /proc/sys read-only (readonlyPaths, procMount: Default); never run such a Pod privileged."},
    {"escape.uevent_helper.writable",
     "Mount /sys read-only in the container (the runtime's default) and do not run it privileged."},
    {"escape.release_agent.writable",
     "Use cgroup v2, or mount the cgroup hierarchy read-only in the container; do not run it privileged."},
    {"escape.binfmt_misc.register_writable",
     "Do not mount binfmt_misc into the container; keep /proc/sys read-only and do not run it privileged."},
    {"escape.host_pid1_root.readable",
     "Do not share the host's PID namespace (hostPID: false) and keep CAP_SYS_PTRACE dropped."},
    {"leak.host_pid1_environ.readable",
     "Do not share the host's PID namespace (hostPID: false)."},
    {"host.sysrq_trigger.writable",
     "Keep /proc/sysrq-trigger read-only (kubelet's readonlyPaths, procMount: Default); do not run the Pod privileged."},
    {"leak.kcore.readable",
     "Keep /proc/kcore masked (kubelet's maskedPaths, procMount: Default); drop CAP_SYS_RAWIO."},
    {"mask.not_a_real_mask",
     "Upgrade the runtime to a release with the fix for CVE-2025-31133: a mask must be a bind of the "
     "real null device (char 1:3) or an empty read-only tmpfs, checked as it is mounted."},
    {"host.drop_caches.writable",
     "Keep /proc/sys read-only (readonlyPaths, procMount: Default)."},
    {"leak.kallsyms.real_addresses",
     "Set kernel.kptr_restrict=1 or 2 on the host and drop CAP_SYSLOG from the container."},
    {"device.mem.usable",
     "Do not grant /dev/mem: drop it from linux.devices and the device cgroup; do not run the Pod privileged."},
    {"device.port.usable",
     "Do not grant /dev/port: drop it from linux.devices and the device cgroup; do not run the Pod privileged."},
    {"device.block.usable",
     "Do not grant the host's disks: drop them from linux.devices and the device cgroup; do not run the Pod privileged."},
    {"device.kmsg.writable",
     "Do not grant /dev/kmsg; do not run the Pod privileged; set kernel.dmesg_restrict=1 on the host."},
    {"privilege.cap_sys_admin.initial_userns",
     "Drop CAP_SYS_ADMIN, do not run the Pod privileged, or give it a user namespace (hostUsers: false)."},
    {"hardening.seccomp.disabled",
     "Run with the runtime's default seccomp profile (securityContext.seccompProfile.type: RuntimeDefault)."},
};

std::string_view group_remedy(std::string_view group) {
  for (const auto& g : kGroupRemedies)
    if (g.group == group) return g.remedy;
  return "Make the container's view match what the profile promises: check the runtime's version and "
         "configuration against the Pod's securityContext.";
}

std::string_view finding_remedy(std::string_view id) {
  for (const auto& f : kFindingRemedies)
    if (f.id == id) return f.remedy;
  return "Review the container's securityContext (privileged, hostUsers, capabilities, procMount) and "
         "the runtime's configuration.";
}

}  // namespace

Rule open_rule(std::string_view check, std::string_view path) {
  std::string group = group_of(check);
  std::string why = check_why(check);
  Rule r;
  r.id = "unexpectedly-open/" + std::string(check);
  r.title = std::string(path) + " is open although the profile closes it";
  r.why = (why.empty() ? std::string(path) : std::string(path) + ": " + why) +
          ". The profile promises it masked, read-only or denied (" + std::string(group_title(group)) +
          "); the container could read or write it: a security regression.";
  r.remedy = std::string(group_remedy(group));
  r.level = "error";
  r.security_severity = "8.0";
  return r;
}

Rule finding_rule(const nlohmann::json& finding) {
  std::string id = str(finding, "id"), severity = str(finding, "severity");
  Rule r;
  r.id = "finding/" + id;
  r.title = str(finding, "title");
  r.why = r.title + " (the probe's finding " + id + ", severity " + severity + ").";
  r.remedy = std::string(finding_remedy(id));
  r.level = severity == "high" ? "error" : severity == "medium" ? "warning" : "note";
  r.security_severity = severity == "high" ? "8.5" : severity == "medium" ? "5.5" : "2.0";
  return r;
}

nlohmann::json rule_json(const Rule& r) {
  std::string help = r.why + "\nRemedy: " + r.remedy;
  return {{"id", r.id},
          {"name", r.id},
          {"shortDescription", {{"text", r.title}}},
          {"fullDescription", {{"text", r.why}}},
          {"help", {{"text", help}, {"markdown", r.why + "\n\n**Remedy:** " + r.remedy}}},
          {"defaultConfiguration", {{"level", r.level}}},
          {"properties", {{"tags", {"security", "containers", "procmatrix"}},
                          {"security-severity", r.security_severity},
                          {"precision", "high"}}}};
}

}  // namespace procmatrix::reports
