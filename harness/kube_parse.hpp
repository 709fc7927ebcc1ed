// What kubectl says, as values: `kubectl version -o json`, `get nodes -o json`, `get pod -o json`,
// `get events -o json`, and the error text of a refused create. Pure functions on text, tested on
// the real formats (tests/data/kubectl/).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "kube_admission.hpp"
#include "support/error.hpp"

namespace procmatrix::harness {

// serverVersion.major/minor ("1", "35+"), or its gitVersion.
Result<KubeVersion> parse_server_version(std::string_view version_json);

struct NodeInfo {
  std::string name;
  std::string kernel, os_image, container_runtime, kubelet, arch;
  // status.runtimeHandlers (1.30+): handler name ("" is the default) -> features.userNamespaces.
  // Absent (an older kubelet): nothing is known.
  std::optional<std::map<std::string, bool>> handlers_userns;
  bool ready = false;

  // Whether the handler of a runtime class supports user namespaces; nullopt when unknown.
  // The RuntimeClass's handler is taken to be its name (the usual convention).
  std::optional<bool> userns(const std::string& runtime_class) const;
  nlohmann::json provenance() const;  // for results.json
};
Result<std::vector<NodeInfo>> parse_nodes(std::string_view nodes_json);

enum class PodPhase { pending, running, succeeded, failed, unknown };

struct PodState {
  PodPhase phase = PodPhase::unknown;
  std::string node;                 // spec.nodeName once scheduled
  std::optional<int> exit_code;     // the probe container's, once terminated
  std::string reason;               // "ErrImagePull: ...", "Unschedulable: 0/3 nodes ..."
  bool hopeless = false;            // waiting for something that will not come by itself
};
Result<PodState> parse_pod(std::string_view pod_json);

// Fields of the cell that the API server dropped from the stored Pod (a feature gate off):
// "procMount" when Unmasked was sent and is not stored, "hostUsers" when false was sent.
std::vector<std::string> dropped_fields(const nlohmann::json& sent, const nlohmann::json& stored);

enum class RefusalKind { forbidden, invalid };
struct ApiRefusalText {
  RefusalKind kind = RefusalKind::forbidden;
  std::string message;  // from the object's name on: "pods \"x\" is forbidden: ...", one line
};
// A refused create's stderr: "Error from server (Forbidden): ... pods "x" is forbidden: violates
// PodSecurity ..." or "The Pod "x" is invalid: spec...". Anything else (no connection, no
// namespace) is not an API refusal of the Pod: nullopt.
std::optional<ApiRefusalText> parse_refusal(std::string_view kubectl_stderr);

// The Warning events of `get events -o json`, newest last, "Reason: message" each; empty if none.
std::vector<std::string> warning_events(std::string_view events_json);

}  // namespace procmatrix::harness
