#include "render.hpp"

#include "view.hpp"

namespace procmatrix::reports {
namespace {

constexpr FormatInfo kFormats[] = {
    {Format::json, "json", "results.json"},
    {Format::junit, "junit", "results.xml"},
    {Format::markdown, "md", "results.md"},
    {Format::html, "html", "results.html"},
    {Format::sarif, "sarif", "results.sarif"},
};

}  // namespace

std::span<const FormatInfo> all_formats() { return kFormats; }

std::optional<Format> parse_format(std::string_view name) {
  if (name == "markdown") return Format::markdown;
  for (const auto& f : kFormats)
    if (f.name == name) return f.format;
  return std::nullopt;
}

const FormatInfo& info(Format f) {
  for (const auto& i : kFormats)
    if (i.format == f) return i;
  return kFormats[0];
}

std::string render_json(const nlohmann::json& doc) {
  // The same bytes as the harness writes (results.cpp: dump(2) and a newline), so that
  // `report --format json` of a results file gives the file back.
  return doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string render(Format f, const nlohmann::json& doc) {
  switch (f) {
    case Format::json: return render_json(doc);
    case Format::junit: return render_junit(doc);
    case Format::markdown: return render_markdown(doc);
    case Format::html: return render_html(doc);
    case Format::sarif: return render_sarif(doc);
  }
  return {};
}

}  // namespace procmatrix::reports
