#include "kube_parse.hpp"

#include <algorithm>

#include "text.hpp"

namespace procmatrix::harness {
namespace {

using nlohmann::json;

// Waiting reasons that kubelet keeps retrying without hope (the image or the spec is wrong):
// waiting out the timeout would only delay the error.
constexpr std::string_view kHopelessWaits[] = {
    "ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull",
    "CreateContainerConfigError", "CreateContainerError", "RunContainerError", "CrashLoopBackOff"};

Result<json> parse(std::string_view text, std::string_view what) {
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    return Error(0, cat({"kubectl ", what, ": not a JSON object (", std::to_string(text.size()), " bytes)"}));
  return doc;
}

std::string str(const json& obj, std::string_view key) {
  auto it = obj.find(std::string(key));
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

const json& at(const json& obj, std::initializer_list<std::string_view> path) {
  static const json null;
  const json* p = &obj;
  for (auto k : path) {
    if (!p->is_object()) return null;
    auto it = p->find(std::string(k));
    if (it == p->end()) return null;
    p = &*it;
  }
  return *p;
}

std::string one_line(std::string s) {
  std::replace(s.begin(), s.end(), '\n', ' ');
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

NodeInfo node_of(const json& item) {
  NodeInfo n;
  n.name = str(at(item, {"metadata"}), "name");
  const json& info = at(item, {"status", "nodeInfo"});
  n.kernel = str(info, "kernelVersion");
  n.os_image = str(info, "osImage");
  n.container_runtime = str(info, "containerRuntimeVersion");
  n.kubelet = str(info, "kubeletVersion");
  n.arch = str(info, "architecture");
  if (const json& h = at(item, {"status", "runtimeHandlers"}); h.is_array()) {
    n.handlers_userns.emplace();
    for (const auto& handler : h) {
      const json& u = at(handler, {"features", "userNamespaces"});
      (*n.handlers_userns)[str(handler, "name")] = u.is_boolean() && u.get<bool>();
    }
  }
  if (const json& c = at(item, {"status", "conditions"}); c.is_array())
    for (const auto& cond : c)
      if (str(cond, "type") == "Ready") n.ready = str(cond, "status") == "True";
  return n;
}

// The probe container's state: waiting or terminated, as a reason.
void container_state(const json& status, PodState& s) {
  const json& cs = at(status, {"containerStatuses"});
  if (!cs.is_array() || cs.empty()) return;
  const json& state = at(cs[0], {"state"});
  if (const json& t = at(state, {"terminated"}); t.is_object()) {
    if (t.contains("exitCode") && t["exitCode"].is_number_integer()) s.exit_code = t["exitCode"].get<int>();
    s.reason = one_line(cat({str(t, "reason"), str(t, "message").empty() ? "" : ": ", str(t, "message")}));
  } else if (const json& w = at(state, {"waiting"}); w.is_object()) {
    std::string reason = str(w, "reason");
    s.reason = one_line(cat({reason, str(w, "message").empty() ? "" : ": ", str(w, "message")}));
    s.hopeless = std::find(std::begin(kHopelessWaits), std::end(kHopelessWaits), reason) != std::end(kHopelessWaits);
  }
}

}  // namespace

Result<KubeVersion> parse_server_version(std::string_view text) {
  auto doc = parse(text, "version -o json");
  if (!doc) return doc.error();
  const json& sv = at(*doc, {"serverVersion"});
  if (!sv.is_object()) return Error(0, "kubectl version -o json: no serverVersion (is the cluster reachable?)");
  if (!str(sv, "major").empty() && !str(sv, "minor").empty()) {
    auto v = parse_kube_version(cat({str(sv, "major"), ".", str(sv, "minor")}));
    if (v) return v;
  }
  auto v = parse_kube_version(str(sv, "gitVersion"));
  if (!v) return v.error().with_context("kubectl version -o json: serverVersion");
  return v;
}

std::optional<bool> NodeInfo::userns(const std::string& runtime_class) const {
  if (!handlers_userns) return std::nullopt;
  auto it = handlers_userns->find(runtime_class == "default" ? "" : runtime_class);
  if (it == handlers_userns->end()) return false;
  return it->second;
}

json NodeInfo::provenance() const {
  json handlers = nullptr;
  if (handlers_userns) {
    handlers = json::object();
    for (const auto& [handler, userns] : *handlers_userns)
      handlers[handler.empty() ? "(default)" : handler] = {{"userNamespaces", userns}};
  }
  return {{"name", name}, {"kernel", kernel}, {"osImage", os_image}, {"containerRuntime", container_runtime},
          {"kubelet", kubelet}, {"arch", arch}, {"ready", ready}, {"runtimeHandlers", handlers}};
}

Result<std::vector<NodeInfo>> parse_nodes(std::string_view text) {
  auto doc = parse(text, "get nodes -o json");
  if (!doc) return doc.error();
  const json& items = at(*doc, {"items"});
  if (!items.is_array()) return Error(0, "kubectl get nodes -o json: no items list");
  std::vector<NodeInfo> out;
  for (const auto& item : items) out.push_back(node_of(item));
  std::sort(out.begin(), out.end(), [](const NodeInfo& a, const NodeInfo& b) { return a.name < b.name; });
  return out;
}

Result<PodState> parse_pod(std::string_view text) {
  auto doc = parse(text, "get pod -o json");
  if (!doc) return doc.error();
  PodState s;
  const std::string phase = str(at(*doc, {"status"}), "phase");
  constexpr std::pair<std::string_view, PodPhase> kPhases[] = {
      {"Pending", PodPhase::pending}, {"Running", PodPhase::running},
      {"Succeeded", PodPhase::succeeded}, {"Failed", PodPhase::failed}};
  for (auto [name, p] : kPhases)
    if (phase == name) s.phase = p;
  s.node = str(at(*doc, {"spec"}), "nodeName");
  container_state(at(*doc, {"status"}), s);
  if (const json& c = at(*doc, {"status", "conditions"}); s.reason.empty() && c.is_array())
    for (const auto& cond : c)
      if (str(cond, "type") == "PodScheduled" && str(cond, "status") == "False")
        s.reason = one_line(cat({str(cond, "reason"), ": ", str(cond, "message")}));
  return s;
}

std::vector<std::string> dropped_fields(const json& sent, const json& stored) {
  std::vector<std::string> out;
  const json& sent_pm = at(sent, {"spec"})["containers"][0]["securityContext"]["procMount"];
  const json& stored_c = at(stored, {"spec", "containers"});
  json stored_pm = stored_c.is_array() && !stored_c.empty() ? at(stored_c[0], {"securityContext", "procMount"}) : json();
  if (sent_pm == "Unmasked" && stored_pm != "Unmasked") out.emplace_back("procMount");
  if (at(sent, {"spec", "hostUsers"}) == false && at(stored, {"spec", "hostUsers"}) != false) out.emplace_back("hostUsers");
  return out;
}

std::optional<ApiRefusalText> parse_refusal(std::string_view err) {
  constexpr std::pair<std::string_view, RefusalKind> kMarks[] = {
      {" is forbidden: ", RefusalKind::forbidden}, {" is invalid: ", RefusalKind::invalid}};
  for (auto [mark, kind] : kMarks) {
    auto pos = err.find(mark);
    if (pos == std::string_view::npos) continue;
    // From the object's name on ("pods \"x\" is forbidden: ...", "The Pod \"x\" is invalid: ..."):
    // kubectl's prefix names only the temporary file.
    std::size_t from = err.rfind(kind == RefusalKind::forbidden ? "pods \"" : "The ", pos);
    std::string_view rest = err.substr(from == std::string_view::npos ? pos + 1 : from);
    std::string msg = one_line(std::string(rest.substr(0, rest.find("\nError from server"))));
    // A bare quota or RBAC refusal is "forbidden" too, but not an admission verdict on the cell.
    if (kind == RefusalKind::forbidden && msg.find("PodSecurity") == std::string::npos) return std::nullopt;
    return ApiRefusalText{kind, msg};
  }
  return std::nullopt;
}

std::vector<std::string> warning_events(std::string_view text) {
  std::vector<std::string> out;
  auto doc = parse(text, "get events -o json");
  if (!doc) return out;
  const json& items = at(*doc, {"items"});
  if (!items.is_array()) return out;
  for (const auto& e : items)
    if (str(e, "type") == "Warning") out.push_back(one_line(cat({str(e, "reason"), ": ", str(e, "message")})));
  return out;
}

}  // namespace procmatrix::harness
