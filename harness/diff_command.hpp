// `procmatrix diff BASELINE CURRENT [--format text|md|json] [-o FILE]`: the regression test of a
// runtime vendor or a cluster upgrade. Exit 0 when nothing changed for the worse, 1 when
// something opened, a pass became a fail or something errored, 2 on bad arguments or input.
#pragma once

#include <string>
#include <vector>

namespace procmatrix::harness {

int diff_command(const std::vector<std::string>& args);  // the arguments after "diff"
std::string diff_help();

}  // namespace procmatrix::harness
