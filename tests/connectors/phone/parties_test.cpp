#include "parties.hpp"

#include <crmsync/sdk/plugin.hpp>
#include <gtest/gtest.h>

namespace crmsync::phone {
namespace {

bool matches(const std::string& pattern, const std::string& number) {
  NumberPattern p;
  EXPECT_TRUE(NumberPattern::parse(pattern, p, nullptr));
  return p.matches(number);
}

TEST(NumberPattern, MatchesAsteriskDialPatterns) {
  EXPECT_TRUE(matches("_2XXX", "2889"));
  EXPECT_FALSE(matches("_2XXX", "28890"));
  EXPECT_FALSE(matches("_2XXX", "3889"));
  EXPECT_TRUE(matches("_NXX", "200"));
  EXPECT_FALSE(matches("_NXX", "100"));
  EXPECT_TRUE(matches("_Z.", "123"));
  EXPECT_FALSE(matches("_Z.", "1"));
  EXPECT_TRUE(matches("_1!", "1"));
  EXPECT_TRUE(matches("_[2-4]0[13]", "301"));
  EXPECT_FALSE(matches("_[2-4]0[13]", "302"));
  EXPECT_FALSE(matches("_+86105555XXXX", "+86105555123"));
  EXPECT_TRUE(matches("_+86105555XXXX", "+861055551234"));
}

TEST(NumberPattern, TreatsTextWithoutUnderscoreAsALiteral) {
  EXPECT_TRUE(matches("8005550100", "8005550100"));
  EXPECT_FALSE(matches("2XXX", "2889"));
}

TEST(NumberPattern, RefusesAnUnclosedSet) {
  NumberPattern p;
  std::string problem;
  EXPECT_FALSE(NumberPattern::parse("_[12", p, &problem));
  EXPECT_NE(problem.find("'[' without ']'"), std::string::npos);
  EXPECT_THROW(InternalParties({"_[12"}, {}), sdk::Error);
}

TEST(Parties, TellsNumbersFromWords) {
  EXPECT_TRUE(looksLikePhoneNumber("09243820431"));
  EXPECT_TRUE(looksLikePhoneNumber("+1 (415) 555-0100"));
  EXPECT_FALSE(looksLikePhoneNumber("anonymous"));
  EXPECT_FALSE(looksLikePhoneNumber("s"));
  EXPECT_FALSE(looksLikePhoneNumber("12"));
  EXPECT_FALSE(looksLikePhoneNumber("1+2345"));
}

TEST(Parties, ReadsTheNameOfAnAsteriskClid) {
  std::string number;
  EXPECT_EQ(clidName("\"Alice Smith\" <+14155550100>", &number), "Alice Smith");
  EXPECT_EQ(number, "+14155550100");
  EXPECT_EQ(clidName("\"2889\" <2889>", &number), "2889");
  EXPECT_EQ(clidName("<2889>", &number), "");
  EXPECT_EQ(clidName("Bob", &number), "Bob");
  EXPECT_EQ(number, "");
  EXPECT_TRUE(isCallerName("Alice Smith"));
  EXPECT_FALSE(isCallerName("2889"));
  EXPECT_FALSE(isCallerName(" "));
}

}  // namespace
}  // namespace crmsync::phone
