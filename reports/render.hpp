// The report formats and one entry point that renders a results document in any of them.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace procmatrix::reports {

enum class Format { json, junit, markdown, html, sarif };

struct FormatInfo {
  Format format;
  std::string_view name;       // --format value
  std::string_view file_name;  // what `procmatrix run` writes in its out directory
};
std::span<const FormatInfo> all_formats();
std::optional<Format> parse_format(std::string_view name);  // "junit", "md" (or "markdown"), ...
const FormatInfo& info(Format f);

// The document as text in that format. Pure: the same document gives the same bytes.
std::string render(Format f, const nlohmann::json& doc);

std::string render_json(const nlohmann::json& doc);
std::string render_junit(const nlohmann::json& doc);
std::string render_markdown(const nlohmann::json& doc);
std::string render_html(const nlohmann::json& doc);
std::string render_sarif(const nlohmann::json& doc);

}  // namespace procmatrix::reports
