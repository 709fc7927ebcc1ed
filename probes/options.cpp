#include "options.hpp"

#include <charconv>

namespace procmatrix::probe {

const char* const kUsage =
    "usage: procprobe [--format json|table] [--only FAMILIES] [--nesting-timeout MS]\n"
    "       procprobe --list [--format json|table]\n"
    "       procprobe --help | --version\n"
    "\n"
    "Reports what this process can see and touch of the kernel through /proc, /sys and /dev:\n"
    "the state of each catalog path (absent, masked, writable, readonly, readable, denied),\n"
    "which devices work, who the process is, and whether a container could be nested here.\n"
    "It never writes under /proc or /sys (but the maps of a user namespace it made itself),\n"
    "never reads /proc/kmsg or /proc/sysrq-trigger, and never blocks.\n"
    "\n"
    "  --format json|table   output format; default: table on a terminal, JSON otherwise\n"
    "  --only FAMILIES       comma-separated subset of: identity,paths,devices,nesting\n"
    "  --nesting-timeout MS  time limit of the forked nesting test (default 2000)\n"
    "  --list                print the catalog of checks (id, path, why) without probing\n"
    "  --help, --version\n"
    "\n"
    "Exit status: 0 when the scan ran, whatever it found; 1 when the probe itself failed;\n"
    "2 on a usage error.\n";

namespace {

Status parse_families(const std::string& value, Families& families) {
  families = {false, false, false, false};
  size_t start = 0;
  while (start <= value.size()) {
    size_t end = value.find(',', start);
    if (end == std::string::npos) end = value.size();
    std::string name = value.substr(start, end - start);
    if (name == "identity") families.identity = true;
    else if (name == "paths") families.paths = true;
    else if (name == "devices") families.devices = true;
    else if (name == "nesting") families.nesting = true;
    else
      return Error(0, "--only: unknown family `" + name +
                          "` (known: identity, paths, devices, nesting)");
    start = end + 1;
  }
  return Ok{};
}

Status parse_format(const std::string& value, Options& options) {
  if (value == "json") options.format = Format::json;
  else if (value == "table") options.format = Format::table;
  else return Error(0, "--format: unknown format `" + value + "` (known: json, table)");
  options.format_given = true;
  return Ok{};
}

Status parse_timeout(const std::string& value, Options& options) {
  long ms = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), ms);
  if (ec != std::errc() || end != value.data() + value.size() || ms <= 0 || ms > 600000)
    return Error(0, "--nesting-timeout: `" + value + "` is not a number of milliseconds in 1..600000");
  options.nesting_timeout = std::chrono::milliseconds(ms);
  return Ok{};
}

}  // namespace

Result<Options> parse_options(const std::vector<std::string>& args) {
  Options options;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string arg = args[i], value;
    bool has_inline = false;
    if (auto eq = arg.find('='); arg.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      has_inline = true;
    }
    auto take_value = [&]() -> Result<std::string> {
      if (has_inline) return value;
      if (i + 1 >= args.size()) return Error(0, arg + ": needs a value");
      return args[++i];
    };
    Status status = Ok{};
    if (arg == "--help" || arg == "-h") options.help = true;
    else if (arg == "--version") options.version = true;
    else if (arg == "--list") options.list = true;
    else if (arg == "--format" || arg == "--only" || arg == "--nesting-timeout") {
      auto v = take_value();
      if (!v) return v.error();
      if (arg == "--format") status = parse_format(*v, options);
      else if (arg == "--only") status = parse_families(*v, options.only);
      else status = parse_timeout(*v, options);
    } else {
      return Error(0, "unknown argument `" + args[i] + "`");
    }
    if (!status) return status.error();
  }
  return options;
}

}  // namespace procmatrix::probe
