// Strict reading of a user's JSON file (a matrix file, a profile). Every error is one line that
// names the file, the field and the value, so that a typo is found without reading our code:
//   matrix.json: field "procMount[1]": "unmasked" is not one of Default, Unmasked
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/error.hpp"

namespace procmatrix::harness {

// Where a value sits: the file and the field's path in it ("rules[3].when.procMount").
struct Where {
  std::string file;
  std::string field;

  Where operator/(std::string_view key) const;  // a member: "rules[3]" / "when"
  Where operator[](std::size_t index) const;    // an element: "procMount" [1]
};

// Parses JSON text; a syntax error names the file, the line and the column.
Result<nlohmann::json> parse_json(std::string_view file, std::string_view text);

// Reads a whole file; the error names it.
Result<std::string> read_text_file(const std::string& path);

// `value` at `where` is wrong: `what` says what was expected ("is not a boolean (true or false)").
Error bad_value(const Where& where, const nlohmann::json& value, std::string_view what);

// Refuses a value that is not an object, and any member not in `known`.
Status require_object(const Where& where, const nlohmann::json& value,
                      std::initializer_list<std::string_view> known);

Result<std::string> get_string(const Where& where, const nlohmann::json& value);
Result<bool> get_bool(const Where& where, const nlohmann::json& value);
// A list of strings; a single string is accepted as a list of one when `one_ok`.
Result<std::vector<std::string>> get_strings(const Where& where, const nlohmann::json& value,
                                             bool one_ok = false);

// Short, one-line rendering of a JSON value for messages (long values are cut).
std::string brief(const nlohmann::json& value);

}  // namespace procmatrix::harness
