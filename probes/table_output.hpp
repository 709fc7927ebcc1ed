// The probe's report and catalog as text for a person at a terminal (`--format table`).
#pragma once

#include <ostream>

#include "model.hpp"

namespace procmatrix::probe {

void print_table(std::ostream& out, const Report& report);
void print_catalog_table(std::ostream& out);

}  // namespace procmatrix::probe
