// The terminal matrix: symbols, legend, failures with their evidence, and no colour when asked.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>

#include "render_terminal.hpp"

namespace procmatrix::harness {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

CellOutcome outcome(ProcMount pm, bool host_users, CellStatus status, VerdictResult r) {
  CellOutcome o;
  o.cell.runtime = {"runc", "/usr/sbin/runc", false};
  o.cell.proc_mount = pm;
  o.cell.host_users = host_users;
  o.run.status = status;
  if (status == CellStatus::error) o.run.reason = "runc: exit 1: unable to apply caps";
  if (status == CellStatus::error) return o;
  Verdict v;
  v.check = "proc.keys";
  v.path = "/proc/keys";
  v.result = r;
  v.kind = r == VerdictResult::fail ? FailKind::unexpectedly_open : FailKind::none;
  v.why = "/proc/keys is readable (open O_RDONLY ok), expected masked: kubelet's maskedPaths; mount: proc on /proc";
  o.verdicts.push_back(v);
  return o;
}

std::vector<CellOutcome> sample() {
  return {outcome(ProcMount::Default, true, CellStatus::ran, VerdictResult::fail),
          outcome(ProcMount::Default, false, CellStatus::ran, VerdictResult::pass),
          outcome(ProcMount::Unmasked, true, CellStatus::rejected, VerdictResult::na),
          outcome(ProcMount::Unmasked, false, CellStatus::error, VerdictResult::error)};
}

TEST(RenderTerminal, WithoutColourThereAreNoEscapeCodes) {
  std::string out = render_terminal(sample(), RunInfo{}, "out/results.json", RenderOptions{false, 120});
  EXPECT_EQ(out.find('\033'), std::string::npos);
  std::string coloured = render_terminal(sample(), RunInfo{}, "", RenderOptions{true, 120});
  EXPECT_NE(coloured.find("\033[31m"), std::string::npos);
}

TEST(RenderTerminal, NoColorEnvironmentWins) {
  ::setenv("NO_COLOR", "1", 1);
  EXPECT_FALSE(want_color(false, 1));
  ::setenv("NO_COLOR", "", 1);  // empty: as if unset (no-color.org)
  EXPECT_FALSE(want_color(true, 1));
  ::unsetenv("NO_COLOR");
}

TEST(RenderTerminal, LegendNumbersTheCellsAndMarksTheirStatus) {
  std::string legend = render_legend(sample(), RenderOptions{false, 120});
  EXPECT_THAT(legend, HasSubstr("   1  runc/Default/unprivileged/hostUsers\n"));
  EXPECT_THAT(legend, HasSubstr("   3  runc/Unmasked/unprivileged/hostUsers  ⊘ rejected by the API"));
  EXPECT_THAT(legend, HasSubstr("   4  runc/Unmasked/unprivileged/userns  ! error"));
}

TEST(RenderTerminal, MatrixRowHasOneSymbolPerCell) {
  std::string m = render_matrix(sample(), RenderOptions{false, 120});
  EXPECT_THAT(m, HasSubstr("kubelet's masked paths\n"));
  auto row = m.substr(m.find("  proc.keys"));
  row = row.substr(0, row.find('\n'));
  EXPECT_THAT(row, HasSubstr("✗  ✓  ⊘  !"));
}

TEST(RenderTerminal, FailuresCarryTheirEvidenceAndErrorsTheirReason) {
  std::string p = render_problems(sample(), RenderOptions{false, 120});
  EXPECT_THAT(p, HasSubstr("Failures (1)"));
  EXPECT_THAT(p, HasSubstr("[1] runc/Default/unprivileged/hostUsers  proc.keys  unexpectedly-open"));
  EXPECT_THAT(p, HasSubstr("/proc/keys is readable (open O_RDONLY ok), expected masked"));
  EXPECT_THAT(p, HasSubstr("[4] runc/Unmasked/unprivileged/userns: runc: exit 1: unable to apply caps"));
}

TEST(RenderTerminal, TwentyFourCellsFitIn120Columns) {
  std::vector<CellOutcome> many;
  for (int i = 0; i < 24; ++i) many.push_back(outcome(ProcMount::Default, true, CellStatus::ran, VerdictResult::pass));
  std::string m = render_matrix(many, RenderOptions{false, 120});
  std::size_t start = 0;
  while (start < m.size()) {
    std::size_t end = m.find('\n', start);
    std::string line = m.substr(start, end - start);
    std::size_t chars = 0;  // UTF-8 code points, what a terminal shows
    for (unsigned char c : line) chars += (c & 0xC0) != 0x80;
    EXPECT_LE(chars, 120u) << line;
    start = end + 1;
  }
  EXPECT_THAT(m, HasSubstr(" 24\n"));
  EXPECT_THAT(m, Not(HasSubstr("\n\ncheck")));  // one block, no wrap
}

TEST(RenderTerminal, MoreCellsWrapIntoBlocks) {
  std::vector<CellOutcome> many;
  for (int i = 0; i < 40; ++i) many.push_back(outcome(ProcMount::Default, true, CellStatus::ran, VerdictResult::pass));
  std::string m = render_matrix(many, RenderOptions{false, 120});
  EXPECT_THAT(m, HasSubstr("\n\ncheck"));
  EXPECT_THAT(m, HasSubstr(" 40\n"));
}

}  // namespace
}  // namespace procmatrix::harness
