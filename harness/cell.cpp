#include "cell.hpp"

#include "backend.hpp"

namespace procmatrix::harness {

std::string Cell::id() const {
  std::string id = runtime.name;
  if (node) id += "@" + *node;
  id += "/";
  id += to_string(proc_mount);
  id += privileged ? "/privileged" : "/unprivileged";
  id += host_users ? "/hostUsers" : "/userns";
  if (!pod_security.empty()) id += "/podsecurity=" + pod_security;
  return id;
}

const char* to_string(ProcMount p) { return p == ProcMount::Default ? "Default" : "Unmasked"; }

std::optional<ProcMount> parse_proc_mount(const std::string& s) {
  if (s == "Default") return ProcMount::Default;
  if (s == "Unmasked") return ProcMount::Unmasked;
  return std::nullopt;
}

const char* to_string(CellStatus s) {
  switch (s) {
    case CellStatus::ran: return "ran";
    case CellStatus::rejected: return "rejected";
    case CellStatus::skipped: return "skipped";
    case CellStatus::error: return "error";
  }
  return "?";
}

}  // namespace procmatrix::harness
