#include "escape.hpp"

#include <cstdint>

namespace procmatrix::reports {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// The length of the valid UTF-8 sequence at s[i], or 0 when it is not one (RFC 3629: no
// overlongs, no surrogates, nothing above U+10FFFF).
std::size_t utf8_length(std::string_view s, std::size_t i) {
  auto b = [&](std::size_t k) { return static_cast<std::uint8_t>(s[i + k]); };
  auto cont = [&](std::size_t k) { return i + k < s.size() && (b(k) & 0xC0) == 0x80; };
  std::uint8_t c = b(0);
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(1) || !cont(2)) return 0;
    if (c == 0xE0 && b(1) < 0xA0) return 0;  // overlong
    if (c == 0xED && b(1) >= 0xA0) return 0;  // surrogate
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    if (c == 0xF0 && b(1) < 0x90) return 0;
    if (c == 0xF4 && b(1) >= 0x90) return 0;
    return 4;
  }
  return 0;
}

// Calls `ascii(c)` for each ASCII byte and copies every valid multi-byte sequence; invalid bytes
// become U+FFFD.
// Whether every byte is printable ASCII other than the ones in `special`: then there is nothing
// to escape or check, and the text is copied whole (most evidence is like that).
bool plain(std::string_view s, std::string_view special) {
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7F || special.find(c) != std::string_view::npos) return false;
  }
  return true;
}

template <class F>
void transform_into(std::string& out, std::string_view s, F ascii) {
  for (std::size_t i = 0; i < s.size();) {
    std::size_t n = utf8_length(s, i);
    if (n == 0) {
      out += kReplacement;
      ++i;
    } else if (n == 1) {
      ascii(out, s[i]);
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
}

template <class F>
std::string transform(std::string_view s, F ascii) {
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  transform_into(out, s, ascii);
  return out;
}

void xml_char(std::string& out, char c) {
  switch (c) {
    case '&': out += "&amp;"; break;
    case '<': out += "&lt;"; break;
    case '>': out += "&gt;"; break;
    case '"': out += "&quot;"; break;
    case '\'': out += "&apos;"; break;
    case '\n': out += "&#10;"; break;
    case '\r': out += "&#13;"; break;
    case '\t': out += "&#9;"; break;
    default:
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) out += kReplacement;
      else out += c;
  }
}

void html_char(std::string& out, char c) {
  switch (c) {
    case '&': out += "&amp;"; break;
    case '<': out += "&lt;"; break;
    case '>': out += "&gt;"; break;
    case '"': out += "&quot;"; break;
    case '\'': out += "&#39;"; break;
    case '\n': case '\t': out += c; break;
    default:
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) out += kReplacement;
      else out += c;
  }
}

constexpr std::string_view kMarkup = "&<>\"'";

}  // namespace

void append_xml(std::string& out, std::string_view s) {
  if (plain(s, kMarkup)) out.append(s);
  else transform_into(out, s, xml_char);
}

void append_html(std::string& out, std::string_view s) {
  if (plain(s, kMarkup)) out.append(s);
  else transform_into(out, s, html_char);
}

std::string utf8_clean(std::string_view s) {
  return transform(s, [](std::string& out, char c) { out += c; });
}

std::string xml_escape(std::string_view s) {
  std::string out;
  append_xml(out, s);
  return out;
}

std::string html_escape(std::string_view s) {
  std::string out;
  append_html(out, s);
  return out;
}

std::string md_cell(std::string_view s) {
  return transform(s, [](std::string& out, char c) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '\n': out += "<br>"; break;
      case '\r': break;
      case '|': case '\\': case '`': case '*': case '_': case '[': case ']': case '#': case '~':
        out += '\\';
        out += c;
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) out += ' ';
        else out += c;
    }
  });
}

std::string md_code(std::string_view s) {
  std::string out = "`";
  transform_into(out, s, [](std::string& o, char c) {
    if (c == '`') o += '\'';
    else if (c == '|') o += "\\|";
    else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) o += ' ';
    else o += c;
  });
  out += '`';
  return out;
}

std::string uri_path(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '-' || c == '.' || c == '_' || c == '~' || c == '/';
    if (keep) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace procmatrix::reports
