// The renderers on a fixed results file (tests/data/results_fixed.json: a trimmed real run with a
// pass, n/a, a failing cell from a runtime that drops the masks, an API-rejected cell and an
// errored cell), compared byte for byte with tests/data/golden/. After an intended change:
//   PROCMATRIX_UPDATE_GOLDEN=1 build/<dir>/tests/report_render_test
// rewrites the golden files; review them with git diff.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <set>
#include <fstream>
#include <sstream>

#include "diff.hpp"
#include "escape.hpp"
#include "render.hpp"
#include "report_command.hpp"

namespace procmatrix::reports {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string kData = TESTS_DATA_DIR;

json fixed() {
  auto doc = harness::load_results(kData + "/results_fixed.json");
  EXPECT_TRUE(doc.ok()) << doc.error().describe();
  return doc.ok() ? *doc : json();
}

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void expect_golden(Format f, const std::string& ext) {
  std::string text = render(f, fixed());
  EXPECT_EQ(utf8_clean(text), text) << "not valid UTF-8";
  std::string path = kData + "/golden/results_fixed." + ext;
  const char* update = std::getenv("PROCMATRIX_UPDATE_GOLDEN");
  if (update && *update) std::ofstream(path, std::ios::binary) << text;
  EXPECT_EQ(text, read(path)) << "differs from " << path << " (PROCMATRIX_UPDATE_GOLDEN=1 rewrites it)";
}

TEST(ReportGolden, JUnit) { expect_golden(Format::junit, "xml"); }
TEST(ReportGolden, Markdown) { expect_golden(Format::markdown, "md"); }
TEST(ReportGolden, Html) { expect_golden(Format::html, "html"); }
TEST(ReportGolden, Sarif) { expect_golden(Format::sarif, "sarif"); }
TEST(ReportGolden, JsonIsTheResultsFileItself) {
  EXPECT_EQ(render(Format::json, fixed()), read(kData + "/results_fixed.json"));
}

TEST(ReportMarkdown, FailuresFirstThenMatrixLegendAndProvenanceLast) {
  std::string md = render_markdown(fixed());
  auto failures = md.find("## Failures"), errors = md.find("## Errors"), matrix = md.find("## Matrix"),
       legend = md.find("**Legend:**"), provenance = md.find("## Provenance");
  ASSERT_NE(failures, std::string::npos);
  EXPECT_LT(failures, errors);
  EXPECT_LT(errors, matrix);
  EXPECT_LT(matrix, legend);
  EXPECT_LT(legend, provenance);
  EXPECT_THAT(md.substr(provenance), HasSubstr("runc version 1.1.5"));
  EXPECT_THAT(md, HasSubstr("⊘ rejected by the API"));
}

TEST(ReportJUnit, FailureCarriesExpectedObservedAndEvidence) {
  std::string xml = render_junit(fixed());
  EXPECT_THAT(xml, HasSubstr("<failure message=\"expected masked, observed readable (unexpectedly-open)\" "
                             "type=\"unexpectedly-open\">expected: masked"));
  EXPECT_THAT(xml, HasSubstr("evidence: {"));
  EXPECT_THAT(xml, HasSubstr("<skipped message=\"/proc/asound does not exist here"));
  EXPECT_THAT(xml, HasSubstr("<error message=\"probe printed no JSON (exit 1); stderr: failrt: cannot start "
                             "container: simulated &lt;failure&gt; &amp; &quot;quote&quot;\" type=\"cell-error\"/>"));
}

TEST(ReportSarif, HasTheRequiredStructureAndEveryRuleItsRemedy) {
  json s = json::parse(render_sarif(fixed()));
  EXPECT_EQ(s["version"], "2.1.0");
  EXPECT_THAT(s["$schema"].get<std::string>(), HasSubstr("sarif-2.1.0"));
  ASSERT_EQ(s["runs"].size(), 1u);
  const json& driver = s["runs"][0]["tool"]["driver"];
  EXPECT_EQ(driver["name"], "procmatrix");
  std::set<std::string> ids;
  for (const auto& r : driver["rules"]) {
    ids.insert(r["id"].get<std::string>());
    EXPECT_THAT(r["help"]["text"].get<std::string>(), HasSubstr("Remedy: ")) << r["id"];
    EXPECT_FALSE(r["shortDescription"]["text"].get<std::string>().empty()) << r["id"];
  }
  const json& results = s["runs"][0]["results"];
  ASSERT_FALSE(results.empty());
  bool open = false;
  for (const auto& r : results) {
    EXPECT_TRUE(ids.count(r["ruleId"].get<std::string>())) << r["ruleId"];
    EXPECT_EQ(driver["rules"][r["ruleIndex"].get<std::size_t>()]["id"], r["ruleId"]);
    EXPECT_THAT(r["level"].get<std::string>(), ::testing::AnyOf("error", "warning", "note"));
    EXPECT_FALSE(r["message"]["text"].get<std::string>().empty());
    ASSERT_FALSE(r["locations"].empty());
    EXPECT_TRUE(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].is_string());
    open = open || r["ruleId"] == "unexpectedly-open/proc.keys";
    // The API-rejected cell would never run on the platform: none of its findings count.
    EXPECT_NE(r["properties"]["cell"], "runc/Unmasked/unprivileged/hostUsers");
  }
  EXPECT_TRUE(open);
}

TEST(ReportEscape, EveryLanguageEscapesWhatItMust) {
  EXPECT_EQ(xml_escape("a<b&c\"d'\n\x01"), "a&lt;b&amp;c&quot;d&apos;&#10;\xEF\xBF\xBD");
  EXPECT_EQ(xml_escape("\xff" "ok"), "\xEF\xBF\xBD" "ok");
  EXPECT_EQ(html_escape("<script>&'\""), "&lt;script&gt;&amp;&#39;&quot;");
  EXPECT_EQ(md_cell("a|b\nc_d <x>"), "a\\|b<br>c\\_d &lt;x&gt;");
  EXPECT_EQ(md_code("proc.timer_list"), "`proc.timer_list`");
  EXPECT_EQ(md_code("a`b|c\nd"), "`a'b\\|c d`");
  EXPECT_EQ(utf8_clean("é\xc3"), "é\xEF\xBF\xBD");
  EXPECT_EQ(uri_path("cell/a b/proc"), "cell/a%20b/proc");
}

TEST(ReportEscape, HostileStringsNeverBreakTheOutput) {
  json doc = fixed();
  json& v = doc["cells"][3]["verdicts"][1];
  v["why"] = "</failure><x>&amp; | pipe\nnew line \x01 \xc3";  // invalid UTF-8 at the end
  v["path"] = "/proc/<script>alert(1)</script>";
  std::string html = render_html(doc), md = render_markdown(doc), xml = render_junit(doc);
  EXPECT_THAT(html, Not(HasSubstr("<script>alert")));
  EXPECT_THAT(xml, Not(HasSubstr("</failure><x>")));
  EXPECT_THAT(md, HasSubstr("&lt;/failure&gt;&lt;x&gt;&amp;amp; \\| pipe<br>new line"));
  EXPECT_TRUE(json::accept(render_sarif(doc)));
}

TEST(ReportLoad, BadInputNamesTheFileAndWhereItBroke) {
  auto other = harness::load_results(kData + "/golden/results_fixed.sarif");
  ASSERT_FALSE(other.ok());
  EXPECT_THAT(other.error().describe(), HasSubstr("results_fixed.sarif: field \"schema\""));
  std::string dir = ::testing::TempDir();
  std::string text = read(kData + "/results_fixed.json");
  std::ofstream(dir + "/truncated.json") << text.substr(0, 1000);
  auto truncated = harness::load_results(dir + "/truncated.json");
  ASSERT_FALSE(truncated.ok());
  EXPECT_THAT(truncated.error().describe(), ::testing::MatchesRegex(".*truncated.json:[0-9]+:[0-9]+: bad JSON: .*"));
  std::ofstream(dir + "/notjson.json") << "<html>";
  auto notjson = harness::load_results(dir + "/notjson.json");
  ASSERT_FALSE(notjson.ok());
  EXPECT_THAT(notjson.error().describe(), HasSubstr("notjson.json:1:1: bad JSON"));
  auto missing = harness::load_results(dir + "/none.json");
  EXPECT_THAT(missing.error().describe(), HasSubstr("none.json: cannot open"));
}

TEST(ReportDiff, SameRunChangesNothing) {
  Diff d = diff_results(fixed(), fixed());
  EXPECT_TRUE(d.entries.empty());
  EXPECT_FALSE(d.worse());
  EXPECT_EQ(d.cells_matched, 5u);
}

TEST(ReportDiff, CellsMatchBySettingsNotOrderAndOpenedIsWorse) {
  json base = fixed(), cur = fixed();
  std::reverse(cur["cells"].begin(), cur["cells"].end());
  json& keys = cur["cells"][4]["verdicts"][3];  // runc/Default/unprivileged/hostUsers, reversed
  ASSERT_EQ(keys["check"], "proc.keys");
  keys["result"] = "fail";
  keys["kind"] = "unexpectedly-open";
  keys["observed"] = "readable";
  cur["cells"].erase(0);  // the errored cell is gone
  Diff d = diff_results(base, cur);
  ASSERT_EQ(d.entries.size(), 2u);
  EXPECT_EQ(d.entries[0].change, Change::opened);
  EXPECT_EQ(d.entries[0].cell, "runc/Default/unprivileged/hostUsers");
  EXPECT_EQ(d.entries[0].before, "pass (masked)");
  EXPECT_EQ(d.entries[1].change, Change::disappeared);
  EXPECT_TRUE(d.worse());
  EXPECT_THAT(render_diff_text(d, "a", "b"), HasSubstr("opened  runc/Default/unprivileged/hostUsers  proc.keys"));
  EXPECT_EQ(json::parse(render_diff_json(d, "a", "b"))["counts"]["opened"], 1);
}

TEST(ReportDiff, AFixIsNotWorseAndAnErrorIs) {
  json base = fixed(), cur = fixed();
  cur["cells"][3]["verdicts"] = base["cells"][0]["verdicts"];  // the broken runtime fixed
  Diff fixed_diff = diff_results(base, cur);
  EXPECT_FALSE(fixed_diff.worse());
  cur["cells"][0]["status"] = "error";
  cur["cells"][0]["verdicts"] = json::array();
  Diff errored = diff_results(base, cur);
  EXPECT_TRUE(errored.worse());
  EXPECT_EQ(errored.entries[0].change, Change::errored);
}

}  // namespace
}  // namespace procmatrix::reports
