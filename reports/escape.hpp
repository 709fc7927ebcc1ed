// Escaping for each output language. Paths, evidence and reasons can hold any bytes a kernel or a
// runtime printed: '<', '&', '|', newlines, control characters, invalid UTF-8. Every string that
// reaches an output goes through one of these; none of them can produce ill-formed output.
#pragma once

#include <string>
#include <string_view>

namespace procmatrix::reports {

// Valid UTF-8 unchanged; each byte of an invalid sequence becomes U+FFFD.
std::string utf8_clean(std::string_view s);

// XML 1.0 text or attribute value: the five entities, newline/tab/CR as character references in
// attributes, and characters XML 1.0 forbids (other C0 controls) as U+FFFD.
std::string xml_escape(std::string_view s);

// HTML text or a double- or single-quoted attribute value.
std::string html_escape(std::string_view s);

// One Markdown table cell on one line: HTML-escaped (GitHub renders inline HTML), Markdown's
// punctuation backslash-escaped, '|' escaped, line breaks as <br>.
std::string md_cell(std::string_view s);

// The same, appended to `out` without a temporary (the renderers' hot paths).
void append_xml(std::string& out, std::string_view s);
void append_html(std::string& out, std::string_view s);

// A Markdown code span (`...`) for an id or a path, usable in a table cell: inside a code span
// backslash escapes are not processed, so '`' becomes "'", '|' becomes "\|" (GFM tables split on
// it even there), line breaks and control characters become spaces.
std::string md_code(std::string_view s);

// Percent-encoding of a URI path (RFC 3986 unreserved characters and '/' kept).
std::string uri_path(std::string_view s);

// Appends the parts to `out`. Rather than "literal" + std::string&&: GCC 12 at -O3 warns falsely
// (-Wrestrict, GCC bug 105651) on that operator+, and the warning is an error under -Werror.
template <class... Parts>
void put(std::string& out, const Parts&... parts) {
  (out.append(std::string_view(parts)), ...);
}

}  // namespace procmatrix::reports
