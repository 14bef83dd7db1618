#include "cdr_line.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace crmsync::phone {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<std::string> split(std::string_view line) {
  std::vector<std::string_view> fields;
  std::string scratch;
  auto problem = splitCdrLine(line, fields, scratch);
  EXPECT_FALSE(problem) << *problem;
  return {fields.begin(), fields.end()};
}

std::string problemOf(std::string_view line) {
  std::vector<std::string_view> fields;
  std::string scratch;
  return splitCdrLine(line, fields, scratch).value_or("");
}

TEST(CdrLine, SplitsQuotedStringsAndBareNumbers) {
  EXPECT_THAT(split(R"("a","b",19,0,"ANSWERED")"), ElementsAre("a", "b", "19", "0", "ANSWERED"));
}

TEST(CdrLine, UndoublesQuotesInsideAField) {
  EXPECT_THAT(split(R"("","""2889"" <2889>","x")"), ElementsAre("", "\"2889\" <2889>", "x"));
}

TEST(CdrLine, KeepsCommasInsideQuotes) {
  EXPECT_THAT(split(R"("Dial","Local/09243820431@default,30,t","2018-09-07 11:05:01")"),
              ElementsAre("Dial", "Local/09243820431@default,30,t", "2018-09-07 11:05:01"));
}

TEST(CdrLine, ReadsAnEmptyUnquotedFieldAsEmpty) {
  EXPECT_THAT(split(R"("2018-09-07 11:05:01",,"2018-09-07 11:05:20")"),
              ElementsAre("2018-09-07 11:05:01", "", "2018-09-07 11:05:20"));
  EXPECT_THAT(split(R"("a",)"), ElementsAre("a", ""));
}

TEST(CdrLine, ViewsIntoScratchSurviveLaterFields) {
  auto f = split(R"("""a""","""b""","c""d")");
  EXPECT_THAT(f, ElementsAre("\"a\"", "\"b\"", "c\"d"));
}

TEST(CdrLine, ReportsBadQuotingWithItsColumn) {
  EXPECT_THAT(problemOf(R"("a","b)"), HasSubstr("unterminated quoted field starting at column 5 (field 2)"));
  EXPECT_THAT(problemOf(R"("a"x,"b")"), HasSubstr("text after the closing quote at column 4"));
  EXPECT_THAT(problemOf(R"(ab"c,"d")"), HasSubstr("stray quote in unquoted field 1 at column 3"));
}

}  // namespace
}  // namespace crmsync::phone
