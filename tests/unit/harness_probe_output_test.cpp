// Reading a container run back: the probe's stdout validated, stderr boiled down to one line,
// and the one-line reasons a user reads when a cell fails. Literal text only.
#include "probe_output.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace procmatrix::harness {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr std::string_view kDoc = R"({"schema": "procmatrix.probe/v1", "paths": []})";

ProcessResult exited(int code, std::string out, std::string err = "") {
  ProcessResult r;
  r.end = ProcessEnd::exited;
  r.exit_code = code;
  r.out = std::move(out);
  r.err = std::move(err);
  return r;
}

std::string reason_of(const ProcessResult& r) {
  return judge_run(r, std::chrono::seconds(2), "runc").reason;
}

TEST(ParseProbeOutput, AcceptsOneDocumentWithTheSchema) {
  auto doc = parse_probe_output(std::string(kDoc) + "\n");
  ASSERT_TRUE(doc) << doc.error().describe();
  EXPECT_EQ((*doc)["schema"], "procmatrix.probe/v1");
}

TEST(ParseProbeOutput, RejectsEmptyOutput) {
  for (std::string_view out : {"", "  \n"}) {
    auto doc = parse_probe_output(out);
    ASSERT_FALSE(doc);
    EXPECT_EQ(doc.error().message(), "printed no JSON");
  }
}

TEST(ParseProbeOutput, CallsATruncatedDocumentHalfADocument) {
  auto doc = parse_probe_output(R"({"schema": "procmatrix.probe/v1", "paths": [{"id": "proc.k)");
  ASSERT_FALSE(doc);
  EXPECT_THAT(doc.error().message(), StartsWith("printed half a JSON document (58 bytes, ends `"));
}

TEST(ParseProbeOutput, CallsGarbageNotJson) {
  auto doc = parse_probe_output("garbage\x01\n");
  ASSERT_FALSE(doc);
  EXPECT_EQ(doc.error().message(),
            "printed something that is not JSON (9 bytes, starts `garbage?`)");
}

TEST(ParseProbeOutput, RejectsAnythingAfterTheDocument) {
  for (std::string_view tail : {" {}", "\ntrailing", " 1"}) {
    auto doc = parse_probe_output(std::string(kDoc) + std::string(tail));
    ASSERT_FALSE(doc) << tail;
    EXPECT_THAT(doc.error().message(), StartsWith("printed something after its JSON document"));
  }
}

TEST(ParseProbeOutput, RejectsAWrongOrMissingSchema) {
  auto wrong = parse_probe_output(R"({"schema": "other/v2"})");
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().message(),
            "printed JSON whose schema is `other/v2`, not procmatrix.probe/v1");
  auto missing = parse_probe_output(R"({"paths": []})");
  ASSERT_FALSE(missing);
  EXPECT_THAT(missing.error().message(), HasSubstr("without a \"schema\""));
  auto array = parse_probe_output("[1, 2]");
  ASSERT_FALSE(array);
  EXPECT_THAT(array.error().message(), HasSubstr("not an object"));
}

TEST(LastMeaningfulLine, TakesTheMsgOfRuncsLastErrorLogLine) {
  const std::string err =
      "time=\"2024-01-01T00:00:00Z\" level=warning msg=\"a warning\"\n"
      "time=\"2024-01-01T00:00:00Z\" level=error msg=\"runc run failed: unable to apply caps: "
      "operation not permitted \\\"x\\\"\"\n\n";
  const StderrLine line = last_meaningful_line(err);
  EXPECT_TRUE(line.runtime_log);
  EXPECT_EQ(line.text, "runc run failed: unable to apply caps: operation not permitted \"x\"");
}

TEST(LastMeaningfulLine, ElseTakesTheLastNonBlankLine) {
  const StderrLine line = last_meaningful_line("first\ncgroups in hybrid mode not supported\n \n");
  EXPECT_FALSE(line.runtime_log);
  EXPECT_EQ(line.text, "cgroups in hybrid mode not supported");
  EXPECT_EQ(last_meaningful_line(" \n\n").text, "");
}

TEST(LastMeaningfulLine, IsBoundedAndPrintable) {
  const StderrLine line = last_meaningful_line(std::string(1000, 'x') + "\x1b[0m");
  EXPECT_EQ(line.text.size(), 303u);
  EXPECT_THAT(line.text, ::testing::EndsWith("..."));
}

TEST(JudgeRun, RanWhenTheProbeExitedZeroWithADocument) {
  const Judgement j = judge_run(exited(0, std::string(kDoc)), std::chrono::seconds(2), "runc");
  EXPECT_EQ(j.status, CellStatus::ran);
  EXPECT_EQ(j.reason, "");
  EXPECT_EQ(j.observation["schema"], "procmatrix.probe/v1");
}

TEST(JudgeRun, NamesACrashOfTheProbe) {
  EXPECT_EQ(reason_of(exited(139, "", "")), "probe printed no JSON (exit 139, killed by SIGSEGV)");
}

TEST(JudgeRun, NamesTheRuntimeWhenItsLogSaysWhy) {
  EXPECT_EQ(reason_of(exited(1, "", "time=\"t\" level=error msg=\"unable to apply caps\"\n")),
            "probe printed no JSON (exit 1); runc: unable to apply caps");
}

TEST(JudgeRun, QuotesOtherStderr) {
  EXPECT_EQ(reason_of(exited(1, "", "boom: cannot start\n")),
            "probe printed no JSON (exit 1); stderr: boom: cannot start");
}

TEST(JudgeRun, NamesARuntimeKilledByASignal) {
  ProcessResult r = exited(0, "");
  r.end = ProcessEnd::signaled;
  r.signal = 9;
  EXPECT_EQ(reason_of(r), "probe printed no JSON (runc killed by SIGKILL)");
}

TEST(JudgeRun, SaysTimedOutAndCancelled) {
  ProcessResult r = exited(0, "{\"sch");
  r.end = ProcessEnd::timed_out;
  EXPECT_EQ(reason_of(r), "timed out after 2 s");
  r.end = ProcessEnd::cancelled;
  EXPECT_EQ(reason_of(r), "cancelled");
}

TEST(JudgeRun, KeepsTheObservationOfAProbeThatFailedAfterReporting) {
  const Judgement j = judge_run(exited(3, std::string(kDoc)), std::chrono::seconds(2), "crun");
  EXPECT_EQ(j.status, CellStatus::error);
  EXPECT_EQ(j.reason, "probe printed its report, then failed (exit 3)");
  EXPECT_FALSE(j.observation.is_null());
}

}  // namespace
}  // namespace procmatrix::harness
