#include "kube_yaml.hpp"

#include <algorithm>
#include <cctype>

namespace procmatrix::harness {
namespace {

using nlohmann::json;

// Words YAML 1.1 readers (kubectl's go-yaml among them) take as booleans or null.
constexpr std::string_view kReserved[] = {"true", "false", "yes", "no", "on", "off", "y", "n", "null", "~"};

bool looks_numeric(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E';
  }) && std::isdigit(static_cast<unsigned char>(s.back()));
}

bool plain_ok(std::string_view s) {
  if (s.empty() || looks_numeric(s)) return false;
  std::string lower(s);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (auto r : kReserved)
    if (lower == r) return false;
  if (!std::isalnum(static_cast<unsigned char>(s.front())) && s.front() != '/') return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_' || c == '/';
  });
}

std::string scalar(const json& v) {
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    return plain_ok(s) ? s : v.dump();
  }
  return v.dump();  // numbers, booleans, null
}

bool is_empty_collection(const json& v) { return (v.is_object() || v.is_array()) && v.empty(); }

void emit(const json& v, int indent, std::string& out);

// "key: scalar" or "key:" with the collection below it. Lists are not indented below their key
// (the style of kubectl get -o yaml).
void emit_member(const std::string& key, const json& v, int indent, std::string& out) {
  out.append(static_cast<std::size_t>(indent), ' ');
  out += plain_ok(key) ? key : json(key).dump();
  if (is_empty_collection(v) || v.is_primitive()) {
    out += ": " + (is_empty_collection(v) ? v.dump() : scalar(v)) + "\n";
    return;
  }
  out += ":\n";
  emit(v, v.is_array() ? indent : indent + 2, out);
}

void emit_item(const json& v, int indent, std::string& out) {
  out.append(static_cast<std::size_t>(indent), ' ');
  if (v.is_primitive() || is_empty_collection(v)) {
    out += "- " + (is_empty_collection(v) ? v.dump() : scalar(v)) + "\n";
    return;
  }
  // The first line of the item's block goes after "- ", the rest indented to match.
  std::string block;
  emit(v, indent + 2, block);
  out += "- " + block.substr(static_cast<std::size_t>(indent) + 2);
}

void emit(const json& v, int indent, std::string& out) {
  if (v.is_object())
    for (const auto& [k, item] : v.items()) emit_member(k, item, indent, out);
  else if (v.is_array())
    for (const auto& item : v) emit_item(item, indent, out);
  else
    out += scalar(v) + "\n";
}

}  // namespace

std::string to_yaml(const json& doc) {
  std::string out;
  emit(doc, 0, out);
  return out;
}

}  // namespace procmatrix::harness
