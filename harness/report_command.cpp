#include "report_command.hpp"

#include <sys/stat.h>

#include <cstdio>
#include <filesystem>

#include "atomic_file.hpp"
#include "json_strict.hpp"
#include "render.hpp"
#include "results.hpp"
#include "run_command.hpp"
#include "flag_value.hpp"
#include "text.hpp"

namespace procmatrix::harness {
namespace {

using nlohmann::json;

Status one_of(const Where& w, const json& v, std::initializer_list<std::string_view> allowed) {
  std::string names;
  for (auto a : allowed) {
    if (v.is_string() && v.get<std::string>() == a) return Ok{};
    names += cat({names.empty() ? "" : ", ", a});
  }
  return bad_value(w, v, cat({"is not one of ", names}));
}

// What every renderer and the diff rely on (DESIGN.md, results.json): the rest may vary.
Status check_verdict(const Where& w, const json& v) {
  if (!v.is_object()) return bad_value(w, v, "is not an object");
  for (const char* k : {"check", "path", "expected", "observed", "why"})
    if (v.contains(k) && !v[k].is_string()) return bad_value(w / k, v[k], "is not a string");
  if (!v.contains("check")) return bad_value(w, v, "has no \"check\"");
  return one_of(w / "result", v.value("result", json()), {"pass", "fail", "n/a", "error"});
}

Status check_cell(const Where& w, const json& c) {
  if (!c.is_object()) return bad_value(w, c, "is not an object");
  if (!c.contains("id") || !c["id"].is_string()) return bad_value(w / "id", c.value("id", json()), "is not a string");
  if (auto s = one_of(w / "status", c.value("status", json()), {"ran", "rejected", "skipped", "error"}); !s) return s;
  if (!c.contains("verdicts") || !c["verdicts"].is_array())
    return bad_value(w / "verdicts", c.value("verdicts", json()), "is not a list");
  for (std::size_t i = 0; i < c["verdicts"].size(); ++i)
    if (auto s = check_verdict((w / "verdicts")[i], c["verdicts"][i]); !s) return s;
  return Ok{};
}

Status check_results(const std::string& file, const json& doc) {
  Where top{file, ""};
  if (!doc.is_object()) return bad_value(top, doc, "is not a results document (an object)");
  json schema = doc.value("schema", json());
  if (schema != kResultsSchema)
    return bad_value(top / "schema", schema, cat({"is not ", kResultsSchema, " (the only schema this procmatrix reads)"}));
  if (!doc.contains("run") || !doc["run"].is_object()) return bad_value(top / "run", doc.value("run", json()), "is not an object");
  if (!doc.contains("cells") || !doc["cells"].is_array())
    return bad_value(top / "cells", doc.value("cells", json()), "is not a list");
  for (std::size_t i = 0; i < doc["cells"].size(); ++i)
    if (auto s = check_cell((top / "cells")[i], doc["cells"][i]); !s) return s;
  return Ok{};
}

struct Stamp {
  bool exists = false;
  ino_t ino = 0;
  struct timespec mtime{};
};

Stamp stamp_of(const std::string& path) {
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0) return {};
  return {true, st.st_ino, st.st_mtim};
}

bool changed(const Stamp& a, const Stamp& b) {
  return a.exists != b.exists || a.ino != b.ino || a.mtime.tv_sec != b.mtime.tv_sec ||
         a.mtime.tv_nsec != b.mtime.tv_nsec;
}

int usage_error(const std::string& message) {
  std::fprintf(stderr, "procmatrix report: %s (see procmatrix report --help)\n", message.c_str());
  return 2;
}

struct ReportArgs {
  std::string results, format, output;
  bool help = false;
};

Result<ReportArgs> parse_report_args(const std::vector<std::string>& args) {
  ReportArgs r;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](std::string_view flag, std::string& slot) { return take_flag_value(args, i, flag, slot); };
    Status s = Ok{};
    if (a == "-h" || a == "--help") r.help = true;
    else if (a == "--format" || a.starts_with("--format=")) s = value("--format", r.format);
    else if (a == "-o" || a == "--output" || a.starts_with("--output=")) s = value(a == "-o" ? "-o" : "--output", r.output);
    else if (a.starts_with("-") && a != "-") return Error(0, cat({"unknown option \"", a, "\""}));
    else if (r.results.empty()) r.results = a;
    else return Error(0, cat({"unexpected argument \"", a, "\""}));
    if (!s) return s.error();
  }
  return r;
}

}  // namespace

Result<json> load_results(const std::string& path) {
  auto text = read_text_file(path);
  if (!text) return Error(0, text.error().describe());
  auto doc = parse_json(path, *text);
  if (!doc) return doc.error();
  if (auto s = check_results(path, *doc); !s) return s.error();
  return std::move(*doc);
}

Result<std::vector<std::string>> write_reports(const std::string& dir, const json& doc) {
  std::vector<std::string> written;
  for (const auto& f : reports::all_formats()) {
    if (f.format == reports::Format::json) continue;  // results.json is the run's own file
    std::string path = (std::filesystem::path(dir) / f.file_name).string();
    if (auto s = write_file_atomically(path, reports::render(f.format, doc)); !s)
      return s.error().with_context(cat({"writing the ", f.name, " report"}));
    written.push_back(path);
  }
  return written;
}

int run_with_reports(const std::string& out, const std::function<int()>& run) {
  std::string results = (std::filesystem::path(out) / "results.json").string();
  Stamp before = stamp_of(results);
  int rc = run();
  if (!changed(before, stamp_of(results))) return rc;  // the run wrote no results: nothing to render
  auto doc = load_results(results);
  auto written = doc ? write_reports(out, *doc) : Result<std::vector<std::string>>(doc.error());
  if (!written) {
    std::fprintf(stderr, "procmatrix: %s\n", written.error().describe().c_str());
    return rc == 0 || rc == 1 ? 2 : rc;
  }
  std::string list;
  for (const auto& p : *written) list += cat({list.empty() ? "" : ", ", p});
  std::printf("reports: %s\n", list.c_str());
  return rc;
}

int report_command(const std::vector<std::string>& args) {
  auto a = parse_report_args(args);
  if (!a) return usage_error(a.error().message());
  if (a->help) {
    std::fputs(report_help().c_str(), stdout);
    return 0;
  }
  if (a->results.empty()) return usage_error("needs a results file");
  if (a->format.empty()) return usage_error("needs --format junit|md|html|sarif|json");
  auto format = reports::parse_format(a->format);
  if (!format) return usage_error(cat({"--format: \"", a->format, "\" is not one of junit, md, html, sarif, json"}));
  auto doc = load_results(a->results);
  if (!doc) {
    std::fprintf(stderr, "procmatrix report: %s\n", doc.error().describe().c_str());
    return 2;
  }
  std::string text = reports::render(*format, *doc);
  if (a->output.empty() || a->output == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
    return std::fflush(stdout) == 0 ? 0 : 2;
  }
  if (auto s = write_file_atomically(a->output, text); !s) {
    std::fprintf(stderr, "procmatrix report: %s\n", s.error().describe().c_str());
    return 2;
  }
  return 0;
}

std::string report_help() {
  return "Usage: procmatrix report RESULTS.json --format junit|md|html|sarif|json [-o FILE]\n"
         "\n"
         "Renders a results file of `procmatrix run` (schema procmatrix.results/v1):\n"
         "  junit   JUnit XML for CI test reporters: a testsuite per cell, a testcase per check\n"
         "  md      Markdown for a pull request or $GITHUB_STEP_SUMMARY (also: markdown)\n"
         "  html    one self-contained page: the matrix as a coloured grid, evidence on hover\n"
         "  sarif   SARIF 2.1.0 for code scanning: unexpectedly open paths and the probe's findings\n"
         "  json    the results document itself\n"
         "\n"
         "  -o, --output FILE   write FILE (whole or not at all) instead of stdout\n"
         "  -h, --help          this help\n"
         "\n"
         "Exit codes: 0 rendered; 2 bad arguments or a bad results file (named, with where it broke).\n";
}

}  // namespace procmatrix::harness
