#include <gtest/gtest.h>

#include "options.hpp"

namespace procmatrix::probe {
namespace {

TEST(ProbeOptions, DefaultsRunEveryFamily) {
  auto o = parse_options({});
  ASSERT_TRUE(o.ok());
  EXPECT_TRUE(o->only.identity && o->only.paths && o->only.devices && o->only.nesting);
  EXPECT_FALSE(o->format_given);
  EXPECT_EQ(o->nesting_timeout, std::chrono::milliseconds(2000));
}

TEST(ProbeOptions, OnlySelectsTheNamedFamilies) {
  auto o = parse_options({"--only", "paths,nesting"});
  ASSERT_TRUE(o.ok());
  EXPECT_FALSE(o->only.identity);
  EXPECT_TRUE(o->only.paths);
  EXPECT_FALSE(o->only.devices);
  EXPECT_TRUE(o->only.nesting);
}

TEST(ProbeOptions, AcceptsInlineValues) {
  auto o = parse_options({"--format=table", "--nesting-timeout=250"});
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->format, Format::table);
  EXPECT_TRUE(o->format_given);
  EXPECT_EQ(o->nesting_timeout, std::chrono::milliseconds(250));
}

TEST(ProbeOptions, UnknownFamilyIsNamedInTheError) {
  auto o = parse_options({"--only", "paths,kernel"});
  ASSERT_FALSE(o.ok());
  EXPECT_NE(o.error().message().find("`kernel`"), std::string::npos) << o.error().message();
}

TEST(ProbeOptions, UnknownFormatIsNamedInTheError) {
  auto o = parse_options({"--format", "yaml"});
  ASSERT_FALSE(o.ok());
  EXPECT_NE(o.error().message().find("`yaml`"), std::string::npos);
}

TEST(ProbeOptions, RejectsANonNumericTimeout) {
  EXPECT_FALSE(parse_options({"--nesting-timeout", "2s"}).ok());
  EXPECT_FALSE(parse_options({"--nesting-timeout", "0"}).ok());
}

TEST(ProbeOptions, MissingValueIsAnError) {
  auto o = parse_options({"--format"});
  ASSERT_FALSE(o.ok());
  EXPECT_NE(o.error().message().find("needs a value"), std::string::npos);
}

TEST(ProbeOptions, UnknownArgumentIsNamed) {
  auto o = parse_options({"--fast"});
  ASSERT_FALSE(o.ok());
  EXPECT_NE(o.error().message().find("--fast"), std::string::npos);
}

}  // namespace
}  // namespace procmatrix::probe
