// A sweep's nodes grouped by what they showed: nodes whose cells have the same statuses and the
// same observed values and results for every check are one group, so a cluster of 1000 nodes reads
// "998 nodes agree; 2 differ: ...". Timings, node names and reasons' node names are not compared.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "outcome.hpp"

namespace procmatrix::harness {

struct NodeGroup {
  std::vector<std::string> nodes;        // sorted
  std::vector<std::string> differences;  // from the largest group, a few: "default/Default/...: proc.keys masked -> readable"
  std::size_t difference_count = 0;
};

// Groups the outcomes of cells that have a node; the largest group first (ties: by first node).
std::vector<NodeGroup> group_nodes(const std::vector<CellOutcome>& outcomes, std::size_t max_differences = 3);

// "40 nodes agree (node-a, node-b, ... ); 2 differ: ..." as terminal lines.
std::string render_node_groups(const std::vector<NodeGroup>& groups, std::size_t max_names = 5);
nlohmann::json node_groups_json(const std::vector<NodeGroup>& groups);

}  // namespace procmatrix::harness
