#include "node_groups.hpp"

#include <algorithm>
#include <map>
#include <unordered_map>

#include "text.hpp"

namespace procmatrix::harness {
namespace {

// One node's view: "cell key|what" lines, in a fixed order, compared whole.
using Signature = std::vector<std::string>;

std::string cell_key(const Cell& c) {
  Cell k = c;
  k.node.reset();
  return k.id();
}

void add_lines(const CellOutcome& o, Signature& sig) {
  const std::string key = cell_key(o.cell);
  sig.push_back(cat({key, "|status ", to_string(o.run.status)}));
  for (const auto& v : o.verdicts)
    sig.push_back(cat({key, "|", v.check, " ", v.path, "|", v.observed, " ", to_string(v.result)}));
}

std::string join_lines(const Signature& sig) {
  std::size_t n = 0;
  for (const auto& l : sig) n += l.size() + 1;
  std::string out;
  out.reserve(n);
  for (const auto& l : sig) out.append(l).push_back('\n');
  return out;
}

// The lines of `other` not in `base` (both sorted), as "cell: check observed result".
void differences(const Signature& base, const Signature& other, std::size_t max, NodeGroup& g) {
  std::vector<std::string> only;
  std::set_difference(other.begin(), other.end(), base.begin(), base.end(), std::back_inserter(only));
  g.difference_count = only.size();
  for (std::size_t i = 0; i < only.size() && i < max; ++i) {
    std::string line = only[i];
    std::replace(line.begin(), line.end(), '|', ' ');
    g.differences.push_back(line);
  }
}

}  // namespace

std::vector<NodeGroup> group_nodes(const std::vector<CellOutcome>& outcomes, std::size_t max_differences) {
  std::map<std::string, Signature> by_node;
  for (const auto& o : outcomes)
    if (o.cell.node) add_lines(o, by_node[*o.cell.node]);
  std::unordered_map<std::string, std::size_t> index;  // joined signature -> group
  std::vector<NodeGroup> groups;
  std::vector<const Signature*> sigs;
  for (auto& [node, sig] : by_node) {
    std::sort(sig.begin(), sig.end());
    auto [it, fresh] = index.emplace(join_lines(sig), groups.size());
    if (fresh) {
      groups.emplace_back();
      sigs.push_back(&sig);
    }
    groups[it->second].nodes.push_back(node);
  }
  std::vector<std::size_t> order(groups.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return groups[a].nodes.size() > groups[b].nodes.size(); });
  std::vector<NodeGroup> out;
  for (std::size_t i : order) {
    if (!out.empty()) differences(*sigs[order[0]], *sigs[i], max_differences, groups[i]);
    out.push_back(std::move(groups[i]));
  }
  return out;
}

namespace {

std::string names(const std::vector<std::string>& nodes, std::size_t max) {
  std::string out;
  for (std::size_t i = 0; i < nodes.size() && i < max; ++i) out += cat({i ? ", " : "", nodes[i]});
  if (nodes.size() > max) out += cat({", and ", std::to_string(nodes.size() - max), " more"});
  return out;
}

std::string count(std::size_t n, std::string_view what) {
  return cat({std::to_string(n), " ", what, n == 1 ? "" : "s"});
}

}  // namespace

std::string render_node_groups(const std::vector<NodeGroup>& groups, std::size_t max_names) {
  if (groups.empty()) return "";
  std::size_t differ = 0;
  for (std::size_t i = 1; i < groups.size(); ++i) differ += groups[i].nodes.size();
  const auto& first = groups[0];
  std::string out = cat({"Nodes: ", count(first.nodes.size(), "node"), first.nodes.size() == 1 ? " shows" : " agree",
                         " (", names(first.nodes, max_names), ")"});
  out += differ ? cat({"; ", count(differ, "node"), " differ", differ == 1 ? "s" : "", ":\n"}) : "\n";
  for (std::size_t i = 1; i < groups.size(); ++i) {
    const auto& g = groups[i];
    out += cat({"  ", names(g.nodes, max_names), ": ", count(g.difference_count, "difference"), "\n"});
    for (const auto& d : g.differences) out += cat({"    ", d, "\n"});
  }
  return out;
}

nlohmann::json node_groups_json(const std::vector<NodeGroup>& groups) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& g : groups)
    out.push_back({{"nodes", g.nodes}, {"difference_count", g.difference_count}, {"differences", g.differences}});
  return out;
}

}  // namespace procmatrix::harness
