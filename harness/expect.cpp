#include "expect.hpp"

#include <string>

namespace procmatrix::harness {
namespace {

struct Word {
  Expect expect;
  std::string_view text;
  Family family;
  bool every_family;
};

constexpr Word kWords[] = {
    {Expect::any, "any", Family::path, true},
    {Expect::masked, "masked", Family::path, false},
    {Expect::not_masked, "not-masked", Family::path, false},
    {Expect::readonly, "readonly", Family::path, false},
    {Expect::not_readonly, "not-readonly", Family::path, false},
    {Expect::not_writable, "not-writable", Family::path, false},
    {Expect::writable, "writable", Family::path, false},
    {Expect::absent, "absent", Family::path, false},
    {Expect::absent_or_masked, "absent-or-masked", Family::path, false},
    {Expect::usable, "usable", Family::device, false},
    {Expect::not_usable, "not-usable", Family::device, false},
    {Expect::ok, "ok", Family::nesting, false},
    {Expect::blocked, "blocked", Family::nesting, false},
    {Expect::yes, "yes", Family::identity, false},
    {Expect::no, "no", Family::identity, false},
};

}  // namespace

const char* to_string(Expect e) {
  for (const auto& w : kWords)
    if (w.expect == e) return w.text.data();
  return "?";
}

std::optional<Expect> parse_expect(std::string_view word) {
  for (const auto& w : kWords)
    if (w.text == word) return w.expect;
  return std::nullopt;
}

bool applies_to(Expect e, Family f) {
  for (const auto& w : kWords)
    if (w.expect == e) return w.every_family || w.family == f;
  return false;
}

std::string words_for(Family f) {
  std::string out;
  for (const auto& w : kWords)
    if (applies_to(w.expect, f)) out += (out.empty() ? "" : ", ") + std::string(w.text);
  return out;
}

}  // namespace procmatrix::harness
