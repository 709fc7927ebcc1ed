// procprobe: runs inside a container and reports what it can see and touch of the kernel.
#include <unistd.h>

#include <iostream>
#include <string>
#include <vector>

#include "catalog.hpp"
#include "json_output.hpp"
#include "options.hpp"
#include "scan.hpp"
#include "table_output.hpp"

namespace pp = procmatrix::probe;

namespace {

nlohmann::json catalog_json() {
  nlohmann::json out = {{"paths", nlohmann::json::array()}, {"devices", nlohmann::json::array()}};
  for (const auto& c : pp::path_catalog())
    out["paths"].push_back({{"id", c.id}, {"path", c.path}, {"group", pp::to_string(c.group)},
                            {"read", c.read == pp::ReadPolicy::open_only ? "open-only" : "bounded"},
                            {"why", c.why}});
  for (const auto& c : pp::device_catalog())
    out["devices"].push_back(
        {{"id", c.id}, {"path", c.path}, {"query", pp::to_string(c.query)}, {"why", c.why}});
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  auto options = pp::parse_options(std::vector<std::string>(argv + 1, argv + argc));
  if (!options) {
    std::cerr << "procprobe: " << options.error().describe() << "\n" << pp::kUsage;
    return 2;
  }
  if (options->help) {
    std::cout << pp::kUsage;
    return 0;
  }
  if (options->version) {
    std::cout << "procprobe " << PROCMATRIX_VERSION << "\n";
    return 0;
  }
  if (!options->format_given) options->format = isatty(STDOUT_FILENO) ? pp::Format::table : pp::Format::json;

  if (options->list) {
    if (options->format == pp::Format::json) std::cout << catalog_json().dump(2) << "\n";
    else pp::print_catalog_table(std::cout);
    return 0;
  }

  auto report = pp::run_scan(options->only, options->nesting_timeout);
  if (!report) {
    std::cerr << report.error().describe() << "\n";
    return 1;
  }
  if (options->format == pp::Format::json) std::cout << pp::to_json(*report).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  else pp::print_table(std::cout, *report);
  std::cout.flush();
  return std::cout.good() ? 0 : 1;
}
