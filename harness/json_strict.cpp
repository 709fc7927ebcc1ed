#include "json_strict.hpp"

#include <cerrno>
#include <fstream>
#include <sstream>

namespace procmatrix::harness {

using nlohmann::json;

Where Where::operator/(std::string_view key) const {
  return {file, field.empty() ? std::string(key) : field + "." + std::string(key)};
}

Where Where::operator[](std::size_t index) const {
  return {file, field + "[" + std::to_string(index) + "]"};
}

namespace {

// nlohmann reports a byte offset; people read lines and columns.
std::string line_col(std::string_view text, std::size_t byte) {
  std::size_t line = 1, col = 1;
  for (std::size_t i = 0; i + 1 < byte && i < text.size(); ++i) {
    if (text[i] == '\n') { ++line; col = 1; } else { ++col; }
  }
  return std::to_string(line) + ":" + std::to_string(col);
}

// "[json.exception.parse_error.101] parse error at line 1, column 2: syntax error ..." -> the part
// after the position, which is what a user needs.
std::string parse_message(const json::parse_error& e) {
  std::string what = e.what();
  auto colon = what.find(": ", what.find("parse error"));
  return colon == std::string::npos ? what : what.substr(colon + 2);
}

}  // namespace

Result<json> parse_json(std::string_view file, std::string_view text) {
  try {
    return json::parse(text.begin(), text.end());
  } catch (const json::parse_error& e) {
    return Error(0, std::string(file) + ":" + line_col(text, e.byte) + ": bad JSON: " +
                        parse_message(e));
  }
}

Result<std::string> read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(errno, path + ": cannot open");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Error(errno, path + ": cannot read");
  return text.str();
}

std::string brief(const json& value) {
  std::string s = value.dump();
  if (s.size() > 60) s = s.substr(0, 57) + "...";
  return s;
}

Error bad_value(const Where& where, const json& value, std::string_view what) {
  std::string at = where.field.empty() ? "top level" : "field \"" + where.field + "\"";
  return Error(0, where.file + ": " + at + ": " + brief(value) + " " + std::string(what));
}

Status require_object(const Where& where, const json& value,
                      std::initializer_list<std::string_view> known) {
  if (!value.is_object()) return bad_value(where, value, "is not an object");
  for (const auto& [key, member] : value.items()) {
    bool ok = false;
    for (auto k : known) ok = ok || k == key;
    if (ok) continue;
    std::string names;
    for (auto k : known) names += (names.empty() ? "" : ", ") + std::string(k);
    Where at = where / key;
    return Error(0, at.file + ": unknown field \"" + at.field + "\" (value " + brief(member) +
                        "); known fields: " + names);
  }
  return Ok{};
}

Result<std::string> get_string(const Where& where, const json& value) {
  if (!value.is_string()) return bad_value(where, value, "is not a string");
  return value.get<std::string>();
}

Result<bool> get_bool(const Where& where, const json& value) {
  if (!value.is_boolean()) return bad_value(where, value, "is not a boolean (true or false)");
  return value.get<bool>();
}

Result<std::vector<std::string>> get_strings(const Where& where, const json& value, bool one_ok) {
  if (one_ok && value.is_string()) return std::vector<std::string>{value.get<std::string>()};
  if (!value.is_array()) return bad_value(where, value, "is not a list of strings");
  std::vector<std::string> out;
  for (std::size_t i = 0; i < value.size(); ++i) {
    auto s = get_string(where[i], value[i]);
    if (!s) return s.error();
    out.push_back(std::move(*s));
  }
  return out;
}

}  // namespace procmatrix::harness
