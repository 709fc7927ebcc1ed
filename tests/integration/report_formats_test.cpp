// The reports as their consumers read them: JUnit XML validated by xmllint (Debian's libxml2-utils)
// against tests/data/junit-10.xsd, the HTML page loaded in a real headless chromium (its script
// runs without an error, its screenshot is not blank), and `procmatrix report` end to end.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "support.hpp"

namespace procmatrix::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

const std::string kFixed = std::string(TESTS_DATA_DIR) + "/results_fixed.json";

ProcessResult pm(std::vector<std::string> args) {
  std::vector<std::string> argv{PROCMATRIX_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  return run(argv, std::chrono::seconds(60));
}

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(ReportJUnit, ValidAgainstTheJUnitSchema) {
  if (!have_program("xmllint")) GTEST_SKIP() << "xmllint is not installed (Debian: libxml2-utils)";
  TempDir dir("report-junit");
  fs::path xml = dir.path() / "results.xml";
  ProcessResult r = pm({"report", kFixed, "--format", "junit", "-o", xml.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ProcessResult v = run({"xmllint", "--noout", "--schema", std::string(TESTS_DATA_DIR) + "/junit-10.xsd", xml.string()});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  EXPECT_THAT(v.err, HasSubstr("validates"));
}

TEST(ReportCommand, StdoutWithoutOutputFileAndJsonGivesTheFileBack) {
  ProcessResult r = pm({"report", kFixed, "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, read(kFixed));
}

TEST(ReportCommand, BadInputIsOneLineNamingTheFileAndWhereItBroke) {
  TempDir dir("report-bad");
  fs::path truncated = dir.path() / "truncated.json";
  std::ofstream(truncated) << read(kFixed).substr(0, 5000);
  ProcessResult r = pm({"report", truncated.string(), "--format", "md"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, ::testing::MatchesRegex("procmatrix report: .*truncated.json:[0-9]+:[0-9]+: bad JSON: [^\n]*\n"));
  fs::path other = dir.path() / "v2.json";
  std::ofstream(other) << R"({"schema": "procmatrix.results/v2", "cells": []})";
  r = pm({"diff", kFixed, other.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("v2.json: field \"schema\": \"procmatrix.results/v2\" is not procmatrix.results/v1"));
  r = pm({"report", kFixed, "--format", "pdf"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("\"pdf\" is not one of"));
}

// chromium, headless, as root, with nothing that reaches the network.
ProcessResult chromium(const fs::path& profile, std::vector<std::string> args) {
  std::vector<std::string> argv = {"chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                                   "--no-first-run", "--disable-background-networking",
                                   "--disable-component-update", "--disable-sync",
                                   "--user-data-dir=" + profile.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run(argv, std::chrono::seconds(120));
}

TEST(ReportHtml, LoadsInChromiumWithoutErrorsAndIsNotBlank) {
  if (!have_program("chromium")) GTEST_SKIP() << "chromium is not installed (scripts/bootstrap installs it)";
  TempDir dir("report-html");
  fs::path html = dir.path() / "results.html";
  ASSERT_EQ(pm({"report", kFixed, "--format", "html", "-o", html.string()}).exit_code, 0);
  std::string url = "file://" + html.string();

  ProcessResult dom = chromium(dir.path() / "profile1", {"--dump-dom", url});
  ASSERT_EQ(dom.exit_code, 0) << dom.err;
  // The page's script sets data-ready on <body> as its last statement: any error leaves it unset.
  EXPECT_THAT(dom.out, HasSubstr("data-ready=\"1\""));
  EXPECT_THAT(dom.out, HasSubstr("proc.keys"));
  // #failures opens the page with the failures-only filter on: the script ran its way to the end.
  ProcessResult filtered = chromium(dir.path() / "profile3", {"--dump-dom", url + "#failures"});
  ASSERT_EQ(filtered.exit_code, 0) << filtered.err;
  EXPECT_THAT(filtered.out, ::testing::MatchesRegex("(.|\n)*<body[^>]*class=\"onlyfail\"(.|\n)*"));

  fs::path png = dir.path() / "shot.png";
  ProcessResult shot = chromium(dir.path() / "profile2",
                                {"--screenshot=" + png.string(), "--window-size=1400,1000", url});
  ASSERT_EQ(shot.exit_code, 0) << shot.err;
  std::string bytes = read(png);
  ASSERT_GT(bytes.size(), 20000u) << "a blank 1400x1000 page compresses to a few kB";
  EXPECT_EQ(bytes.substr(1, 3), "PNG");
  std::set<char> distinct(bytes.begin(), bytes.end());
  EXPECT_GT(distinct.size(), 200u);
  if (const char* keep = std::getenv("PROCMATRIX_KEEP_SCREENSHOT")) fs::copy_file(png, keep, fs::copy_options::overwrite_existing);
}

}  // namespace
}  // namespace procmatrix::testing
