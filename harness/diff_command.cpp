#include "diff_command.hpp"

#include <cstdio>

#include "atomic_file.hpp"
#include "diff.hpp"
#include "report_command.hpp"
#include "flag_value.hpp"
#include "text.hpp"

namespace procmatrix::harness {
namespace {

struct DiffArgs {
  std::vector<std::string> files;
  std::string format = "text", output;
  bool help = false;
};

Result<DiffArgs> parse_diff_args(const std::vector<std::string>& args) {
  DiffArgs d;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](std::string_view flag, std::string& slot) { return take_flag_value(args, i, flag, slot); };
    Status s = Ok{};
    if (a == "-h" || a == "--help") d.help = true;
    else if (a == "--format" || a.starts_with("--format=")) s = value("--format", d.format);
    else if (a == "-o" || a == "--output" || a.starts_with("--output=")) s = value(a == "-o" ? "-o" : "--output", d.output);
    else if (a.starts_with("-")) return Error(0, cat({"unknown option \"", a, "\""}));
    else d.files.push_back(a);
    if (!s) return s.error();
  }
  if (d.help) return d;
  if (d.files.size() != 2) return Error(0, "needs two results files: BASELINE CURRENT");
  if (d.format != "text" && d.format != "md" && d.format != "markdown" && d.format != "json")
    return Error(0, cat({"--format: \"", d.format, "\" is not one of text, md, json"}));
  return d;
}

std::string render(const DiffArgs& a, const reports::Diff& d) {
  if (a.format == "json") return reports::render_diff_json(d, a.files[0], a.files[1]);
  if (a.format == "md" || a.format == "markdown") return reports::render_diff_markdown(d, a.files[0], a.files[1]);
  return reports::render_diff_text(d, a.files[0], a.files[1]);
}

int fail(const std::string& message) {
  std::fprintf(stderr, "procmatrix diff: %s\n", message.c_str());
  return 2;
}

}  // namespace

int diff_command(const std::vector<std::string>& args) {
  auto a = parse_diff_args(args);
  if (!a) return fail(cat({a.error().message(), " (see procmatrix diff --help)"}));
  if (a->help) {
    std::fputs(diff_help().c_str(), stdout);
    return 0;
  }
  auto baseline = load_results(a->files[0]);
  if (!baseline) return fail(baseline.error().describe());
  auto current = load_results(a->files[1]);
  if (!current) return fail(current.error().describe());
  reports::Diff d = reports::diff_results(*baseline, *current);
  std::string text = render(*a, d);
  if (a->output.empty() || a->output == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
    if (std::fflush(stdout) != 0) return 2;
  } else if (auto s = write_file_atomically(a->output, text); !s) {
    return fail(s.error().describe());
  }
  return d.worse() ? 1 : 0;
}

std::string diff_help() {
  return "Usage: procmatrix diff BASELINE.json CURRENT.json [--format text|md|json] [-o FILE]\n"
         "\n"
         "Compares two results files cell by cell (cells matched by their settings: the cell id\n"
         "runtime/procMount/privileged/hostUsers[/node]) and check by check (check and path):\n"
         "  opened       now unexpectedly open (a security regression)\n"
         "  closed       now unexpectedly closed (a pass became a functional failure)\n"
         "  failed       now a failure of another kind\n"
         "  errored      the cell or the verdict now errors\n"
         "  appeared     only in CURRENT          disappeared  only in BASELINE\n"
         "  fixed        a failure that passes now recovered    an error that is gone\n"
         "  changed      another observation with the same result\n"
         "\n"
         "  --format F          text (default), md (Markdown) or json (schema procmatrix.diff/v1)\n"
         "  -o, --output FILE   write FILE (whole or not at all) instead of stdout\n"
         "\n"
         "Exit codes: 0 nothing changed for the worse; 1 something opened, closed, failed or errored;\n"
         "2 bad arguments or a bad results file (named, with where it broke).\n";
}

}  // namespace procmatrix::harness
