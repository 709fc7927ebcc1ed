#include "matrix.hpp"

#include <algorithm>

#include "json_strict.hpp"
#include "runtimes.hpp"

namespace procmatrix::harness {

using nlohmann::json;

namespace {

std::vector<std::string_view> split(std::string_view value) {
  std::vector<std::string_view> out;
  while (true) {
    auto comma = value.find(',');
    out.push_back(value.substr(0, comma));
    if (comma == std::string_view::npos) return out;
    value.remove_prefix(comma + 1);
  }
}

Error flag_error(std::string_view flag, std::string_view value, std::string_view what) {
  return Error(0, std::string(flag) + ": \"" + std::string(value) + "\" " + std::string(what));
}

// Splits a flag's comma list, refusing empty items and repeats.
Result<std::vector<std::string_view>> items(std::string_view flag, std::string_view value) {
  auto parts = split(value);
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (parts[i].empty()) return flag_error(flag, value, "has an empty item (a comma list: a,b)");
    if (std::find(parts.begin(), parts.begin() + static_cast<std::ptrdiff_t>(i), parts[i]) !=
        parts.begin() + static_cast<std::ptrdiff_t>(i))
      return flag_error(flag, parts[i], "is given twice");
  }
  return parts;
}

bool same_name(const std::vector<Runtime>& rts, const std::string& name) {
  return std::any_of(rts.begin(), rts.end(), [&](const Runtime& r) { return r.name == name; });
}

}  // namespace

Result<std::vector<Runtime>> parse_runtime_list(std::string_view flag, std::string_view value) {
  auto parts = items(flag, value);
  if (!parts) return parts.error();
  std::vector<Runtime> out;
  for (auto p : *parts) {
    auto rt = parse_runtime_arg(p);
    if (!rt) return flag_error(flag, p, "is not NAME or NAME=PATH (" + rt.error().message() + ")");
    if (same_name(out, rt->name)) return flag_error(flag, rt->name, "names two runtimes");
    out.push_back(std::move(*rt));
  }
  return out;
}

Result<std::vector<ProcMount>> parse_proc_mount_list(std::string_view flag, std::string_view value) {
  auto parts = items(flag, value);
  if (!parts) return parts.error();
  std::vector<ProcMount> out;
  for (auto p : *parts) {
    auto pm = parse_proc_mount(std::string(p));
    if (!pm) return flag_error(flag, p, "is not Default or Unmasked");
    out.push_back(*pm);
  }
  return out;
}

Result<std::vector<bool>> parse_bool_list(std::string_view flag, std::string_view value) {
  auto parts = items(flag, value);
  if (!parts) return parts.error();
  std::vector<bool> out;
  for (auto p : *parts) {
    if (p != "true" && p != "false") return flag_error(flag, p, "is not true or false");
    out.push_back(p == "true");
  }
  return out;
}

namespace {

// A list field of a matrix file: an array, not empty, no value twice.
Status check_list(const Where& at, const json& v) {
  if (!v.is_array()) return bad_value(at, v, "is not a list");
  if (v.empty()) return bad_value(at, v, "is empty: leave the field out for the default");
  for (std::size_t i = 0; i < v.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (v[i] == v[j]) return bad_value(at[i], v[i], "is given twice");
  return Ok{};
}

Result<Runtime> parse_runtime_entry(const Where& at, const json& v) {
  std::string arg;
  if (v.is_string()) {
    arg = v.get<std::string>();
  } else {
    if (auto s = require_object(at, v, {"name", "path"}); !s) return s.error();
    if (!v.contains("name")) return bad_value(at / "name", nullptr, "is missing");
    auto name = get_string(at / "name", v["name"]);
    if (!name) return name.error();
    arg = *name;
    if (v.contains("path")) {
      auto path = get_string(at / "path", v["path"]);
      if (!path) return path.error();
      if (path->empty()) return bad_value(at / "path", v["path"], "is empty");
      arg += "=" + *path;
    }
  }
  auto rt = parse_runtime_arg(arg);
  if (!rt) return bad_value(at, v, "is not a runtime (" + rt.error().message() + ")");
  return rt;
}

Status parse_runtimes(const Where& at, const json& v, MatrixSpec& spec) {
  if (auto s = check_list(at, v); !s) return s;
  spec.runtimes.clear();
  for (std::size_t i = 0; i < v.size(); ++i) {
    auto rt = parse_runtime_entry(at[i], v[i]);
    if (!rt) return rt.error();
    if (same_name(spec.runtimes, rt->name)) return bad_value(at[i], v[i], "names a runtime twice");
    spec.runtimes.push_back(std::move(*rt));
  }
  return Ok{};
}

Status parse_proc_mounts(const Where& at, const json& v, MatrixSpec& spec) {
  if (auto s = check_list(at, v); !s) return s;
  spec.proc_mounts.clear();
  for (std::size_t i = 0; i < v.size(); ++i) {
    auto s = get_string(at[i], v[i]);
    if (!s) return s.error();
    auto pm = parse_proc_mount(*s);
    if (!pm) return bad_value(at[i], v[i], "is not one of Default, Unmasked");
    spec.proc_mounts.push_back(*pm);
  }
  return Ok{};
}

Status parse_bools(const Where& at, const json& v, std::vector<bool>& out) {
  if (auto s = check_list(at, v); !s) return s;
  out.clear();
  for (std::size_t i = 0; i < v.size(); ++i) {
    auto b = get_bool(at[i], v[i]);
    if (!b) return b.error();
    out.push_back(*b);
  }
  return Ok{};
}

}  // namespace

Result<MatrixSpec> parse_matrix_file(const std::string& file, std::string_view text) {
  auto doc = parse_json(file, text);
  if (!doc) return doc.error();
  Where top{file, ""};
  if (auto s = require_object(top, *doc, {"runtimes", "procMount", "privileged", "hostUsers", "profile"}); !s)
    return s.error();
  MatrixSpec spec;
  const json& d = *doc;
  if (d.contains("runtimes"))
    if (auto s = parse_runtimes(top / "runtimes", d["runtimes"], spec); !s) return s.error();
  if (d.contains("procMount"))
    if (auto s = parse_proc_mounts(top / "procMount", d["procMount"], spec); !s) return s.error();
  if (d.contains("privileged"))
    if (auto s = parse_bools(top / "privileged", d["privileged"], spec.privileged); !s) return s.error();
  if (d.contains("hostUsers"))
    if (auto s = parse_bools(top / "hostUsers", d["hostUsers"], spec.host_users); !s) return s.error();
  if (d.contains("profile")) {
    auto p = get_string(top / "profile", d["profile"]);
    if (!p) return p.error();
    spec.profile = *p;
  }
  return spec;
}

Result<MatrixSpec> load_matrix_file(const std::string& path) {
  auto text = read_text_file(path);
  if (!text) return Error(0, text.error().describe());
  return parse_matrix_file(path, *text);
}

namespace {

std::vector<Cell> cells_of(const MatrixSpec& spec, const Runtime& rt) {
  std::vector<Cell> out;
  for (auto pm : spec.proc_mounts)
    for (bool priv : spec.privileged)
      for (bool host : spec.host_users) {
        Cell c;
        c.runtime = rt;
        c.proc_mount = pm;
        c.privileged = priv;
        c.host_users = host;
        out.push_back(std::move(c));
      }
  return out;
}

}  // namespace

Result<Expansion> expand(const MatrixSpec& spec, const RuntimeResolver& resolve) {
  std::vector<Runtime> runtimes = spec.runtimes;
  if (runtimes.empty())
    for (auto name : kDefaultRuntimes) runtimes.push_back(Runtime{std::string(name), "", false});
  Expansion out;
  for (auto& rt : runtimes) {
    Status found = resolve(rt);
    auto cells = cells_of(spec, rt);
    if (found) {
      out.cells.insert(out.cells.end(), cells.begin(), cells.end());
    } else if (rt.explicitly_requested) {
      return Error(0, found.error().message() + " (named explicitly, so not skipped)");
    } else {
      out.notes.push_back(rt.name + ": not installed, its " + std::to_string(cells.size()) +
                          " cells skipped (" + found.error().message() + ")");
      out.skipped.insert(out.skipped.end(), cells.begin(), cells.end());
    }
  }
  if (out.cells.empty())
    return Error(0, "no OCI runtime found (tried runc, crun, runsc on PATH); install one or name one with --runtime NAME=PATH");
  return out;
}

}  // namespace procmatrix::harness
