// Reading what came back from one container run: the probe's stdout (one procmatrix.probe/v1
// document, or a precise complaint) and the one line of stderr worth showing. Pure functions on
// text, tested on literal text.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "backend.hpp"
#include "process.hpp"
#include "support/error.hpp"

namespace procmatrix::harness {

// The probe's document, or what was wrong with the output, as the end of a sentence that starts
// with "probe ": "printed no JSON", "printed half a JSON document (812 bytes, ends `\"id\":
// \"pr`)", "printed something that is not JSON (8 bytes, starts `garbage`)", "printed JSON whose
// schema is `x`, not procmatrix.probe/v1".
Result<nlohmann::json> parse_probe_output(std::string_view out);

struct StderrLine {
  std::string text;          // empty when stderr held nothing but blanks
  bool runtime_log = false;  // taken from a runc-style log line (level=error msg="...")
};

// The line of stderr a user needs: the msg of the last error-level log line a runtime wrote
// (runc: time="..." level=error msg="runc run failed: ..."), else the last non-blank line.
// At most 300 characters, control characters replaced.
StderrLine last_meaningful_line(std::string_view err);

// What one `<runtime> run` came to: ran with the probe's document, or error with one line that
// says what went wrong: "probe printed no JSON (exit 139, killed by SIGSEGV); stderr: ...",
// "probe printed no JSON (exit 1); runc: unable to apply caps: ...", "timed out after 2 s".
struct Judgement {
  CellStatus status = CellStatus::error;
  std::string reason;
  nlohmann::json observation;  // also kept when the probe reported but then failed
};
Judgement judge_run(const ProcessResult& r, std::chrono::milliseconds timeout,
                    std::string_view runtime);

// A short excerpt of untrusted text for a one-line message: control characters as '?', at most
// `max` characters, "..." when cut.
std::string excerpt(std::string_view text, std::size_t max);

}  // namespace procmatrix::harness
