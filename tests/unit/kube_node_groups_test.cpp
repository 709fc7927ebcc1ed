// Nodes grouped by what they showed, for a sweep that reads in one screen.
#include <gtest/gtest.h>
#include <gmock/gmock.h>

#include "node_groups.hpp"

namespace procmatrix::harness {
namespace {

using ::testing::HasSubstr;

CellOutcome outcome(const std::string& node, ProcMount pm, const std::string& observed) {
  CellOutcome o;
  o.cell.backend = "kubernetes";
  o.cell.runtime.name = "default";
  o.cell.node = node;
  o.cell.proc_mount = pm;
  o.run.status = CellStatus::ran;
  o.run.elapsed = std::chrono::milliseconds(node.size() * 7);  // timings never split a group
  Verdict v;
  v.check = "proc.keys";
  v.path = "/proc/keys";
  v.observed = observed;
  v.result = observed == "masked" ? VerdictResult::pass : VerdictResult::fail;
  o.verdicts.push_back(v);
  return o;
}

std::vector<CellOutcome> sweep(int agree, const std::vector<std::string>& odd) {
  std::vector<CellOutcome> out;
  for (int i = 0; i < agree; ++i)
    for (auto pm : {ProcMount::Default, ProcMount::Unmasked})
      out.push_back(outcome("node-" + std::to_string(100 + i), pm, "masked"));
  for (const auto& n : odd) {
    out.push_back(outcome(n, ProcMount::Default, "readable"));
    out.push_back(outcome(n, ProcMount::Unmasked, "masked"));
  }
  return out;
}

TEST(NodeGroups, LargestGroupFirstThenWhatDiffers) {
  auto groups = group_nodes(sweep(40, {"odd-1", "odd-2"}));
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].nodes.size(), 40u);
  EXPECT_EQ(groups[1].nodes, (std::vector<std::string>{"odd-1", "odd-2"}));
  EXPECT_EQ(groups[1].difference_count, 1u);
  EXPECT_THAT(groups[1].differences.at(0), HasSubstr("default/Default/unprivileged/hostUsers proc.keys /proc/keys readable fail"));
  std::string text = render_node_groups(groups);
  EXPECT_THAT(text, HasSubstr("Nodes: 40 nodes agree (node-100, node-101, node-102, node-103, node-104, and 35 more); 2 nodes differ:"));
  EXPECT_THAT(text, HasSubstr("  odd-1, odd-2: 1 difference\n"));
}

TEST(NodeGroups, AllAgreeIsOneLine) {
  auto groups = group_nodes(sweep(3, {}));
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(render_node_groups(groups), "Nodes: 3 nodes agree (node-100, node-101, node-102)\n");
  EXPECT_EQ(node_groups_json(groups)[0]["nodes"].size(), 3u);
}

TEST(NodeGroups, CellsWithoutANodeAreNotGrouped) {
  std::vector<CellOutcome> outcomes = {outcome("n", ProcMount::Default, "masked")};
  outcomes[0].cell.node.reset();
  EXPECT_TRUE(group_nodes(outcomes).empty());
  EXPECT_EQ(render_node_groups({}), "");
}

}  // namespace
}  // namespace procmatrix::harness
