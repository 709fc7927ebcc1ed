#include "probe_output.hpp"

#include <vector>

#include "model.hpp"
#include "text.hpp"

namespace procmatrix::harness {
namespace {
using nlohmann::json;

constexpr std::size_t kSnippet = 40;
constexpr std::size_t kLine = 300;
constexpr std::string_view kBlanks = " \t\r\n";

std::string_view trim(std::string_view s) {
  const std::size_t b = s.find_first_not_of(kBlanks);
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(kBlanks) - b + 1);
}

std::string bytes(std::size_t n) { return cat({std::to_string(n), n == 1 ? " byte" : " bytes"}); }

Error not_json(std::string_view out, const json::parse_error& e) {
  // A whole document, then something else: the document ends at the last '}' before the error.
  const std::size_t close = e.byte == 0 ? std::string_view::npos : out.rfind('}', e.byte - 1);
  if (close != std::string_view::npos && json::accept(out.substr(0, close + 1)))
    return Error(0, cat({"printed something after its JSON document (`",
                         excerpt(trim(out.substr(close + 1)), kSnippet), "`)"}));
  if (e.byte > out.size())  // the parser ran out of input inside a value
    return Error(
        0, cat({"printed half a JSON document (", bytes(out.size()), ", ends `",
                excerpt(out.substr(out.size() - std::min(out.size(), kSnippet)), kSnippet), "`)"}));
  return Error(0, cat({"printed something that is not JSON (", bytes(out.size()), ", starts `",
                       excerpt(trim(out), kSnippet), "`)"}));
}

// The value of msg="..." in a logfmt line, unescaped; empty when there is none.
std::string logfmt_msg(std::string_view line) {
  const std::size_t at = line.find("msg=\"");
  if (at == std::string_view::npos) return {};
  std::string msg;
  for (std::size_t i = at + 5; i < line.size() && line[i] != '"'; ++i) {
    if (line[i] == '\\' && i + 1 < line.size()) ++i;
    msg += line[i];
  }
  return msg;
}

bool error_level(std::string_view line) {
  return line.find("level=error") != std::string_view::npos ||
         line.find("level=fatal") != std::string_view::npos;
}

std::vector<std::string_view> lines(std::string_view text) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    out.push_back(text.substr(0, nl));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return out;
}

// "exit 139, killed by SIGSEGV": runtimes exit 128+n when the container's process died of
// signal n; "runc killed by SIGKILL" when the runtime itself did.
std::string how_it_ended(const ProcessResult& r, std::chrono::milliseconds timeout,
                         std::string_view runtime) {
  if (r.end == ProcessEnd::signaled) return cat({runtime, " ", describe_end(r, timeout)});
  std::string text = describe_end(r, timeout);
  if (r.end == ProcessEnd::exited && r.exit_code > 128 && r.exit_code < 128 + 65) {
    ProcessResult as_signal;
    as_signal.end = ProcessEnd::signaled;
    as_signal.signal = r.exit_code - 128;
    text += cat({", ", describe_end(as_signal, timeout)});
  }
  return text;
}

std::string stderr_part(std::string_view err, std::string_view runtime) {
  const StderrLine line = last_meaningful_line(err);
  if (line.text.empty()) return {};
  return cat({"; ", line.runtime_log ? runtime : std::string_view("stderr"), ": ", line.text});
}

}  // namespace

Judgement judge_run(const ProcessResult& r, std::chrono::milliseconds timeout,
                    std::string_view runtime) {
  Judgement j;
  const std::string ended = how_it_ended(r, timeout, runtime);
  if (r.end == ProcessEnd::timed_out || r.end == ProcessEnd::cancelled) {
    j.reason = cat({ended, stderr_part(r.err, runtime)});
    return j;
  }
  Result<json> doc = parse_probe_output(r.out);
  if (!doc) {
    j.reason =
        cat({"probe ", doc.error().message(), " (", ended, ")", stderr_part(r.err, runtime)});
    return j;
  }
  j.observation = std::move(*doc);
  if (r.end == ProcessEnd::exited && r.exit_code == 0) {
    j.status = CellStatus::ran;
    return j;
  }
  j.reason =
      cat({"probe printed its report, then failed (", ended, ")", stderr_part(r.err, runtime)});
  return j;
}

std::string excerpt(std::string_view text, std::size_t max) {
  std::string out;
  for (char c : text.substr(0, max))
    out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
  if (text.size() > max) out += "...";
  return out;
}

Result<json> parse_probe_output(std::string_view out) {
  if (trim(out).empty()) return Error(0, "printed no JSON");
  json doc;
  try {
    doc = json::parse(out);
  } catch (const json::parse_error& e) {
    return not_json(out, e);
  }
  if (!doc.is_object())
    return Error(0, cat({"printed JSON that is not an object: ", excerpt(doc.dump(), kSnippet)}));
  const auto schema = doc.find("schema");
  if (schema == doc.end() || !schema->is_string())
    return Error(0, cat({"printed JSON without a \"schema\" (expected ", probe::kSchema, ")"}));
  if (schema->get<std::string>() != probe::kSchema)
    return Error(
        0, cat({"printed JSON whose schema is `", excerpt(schema->get<std::string>(), kSnippet),
                "`, not ", probe::kSchema}));
  return doc;
}

StderrLine last_meaningful_line(std::string_view err) {
  StderrLine found;
  for (std::string_view line : lines(err)) {
    line = trim(line);
    if (line.empty()) continue;
    if (error_level(line)) {
      if (std::string msg = logfmt_msg(line); !msg.empty()) {
        found = {excerpt(msg, kLine), true};
        continue;
      }
    }
    if (!found.runtime_log) found = {excerpt(line, kLine), false};
  }
  return found;
}

}  // namespace procmatrix::harness
