#include "crmsync/match/rules.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

namespace crmsync::match {
namespace {

constexpr double kNull = std::numeric_limits<double>::quiet_NaN();

std::vector<ScoringField> contactFields() {
  return {{"name", 4}, {"email", 2}, {"phone", 2}, {"city", 3}};
}

// Builds the vectors of one pair from similarities; a NaN similarity gives level -1, otherwise the level is
// the similarity spread over the comparison's levels (1.0 = top level).
struct Pair {
  std::vector<double> sims;
  std::vector<int8_t> levels;

  explicit Pair(std::vector<double> s) : sims(std::move(s)) {
    auto fields = contactFields();
    for (size_t k = 0; k < sims.size(); ++k) {
      if (std::isnan(sims[k])) {
        levels.push_back(-1);
      } else {
        levels.push_back(static_cast<int8_t>(std::floor(sims[k] * (fields[k].levels - 1) + 1e-9)));
      }
    }
  }
  PairVectors view() const { return {sims, levels}; }
};

MatchRule parseOk(std::string_view text) {
  auto rule = MatchRule::parse(text, contactFields());
  EXPECT_TRUE(rule.isOk()) << rule.status().toString();
  return std::move(rule).value();
}

TEST(MatchRule, AndBindsTighterThanOr) {
  EXPECT_EQ(parseOk("name ~ 0.85 AND email OR phone").canonical(), "((name ~ 0.85 AND email) OR phone)");
  EXPECT_EQ(parseOk("phone OR name ~ 0.85 AND email").canonical(), "(phone OR (name ~ 0.85 AND email))");
}

TEST(MatchRule, NotBindsTighterThanAnd) {
  EXPECT_EQ(parseOk("NOT email AND phone").canonical(), "(NOT email AND phone)");
  EXPECT_EQ(parseOk("NOT (email AND phone)").canonical(), "NOT (email AND phone)");
}

TEST(MatchRule, AndAndOrAssociateToTheLeft) {
  EXPECT_EQ(parseOk("name AND email AND phone").canonical(), "((name AND email) AND phone)");
  EXPECT_EQ(parseOk("name OR email OR phone").canonical(), "((name OR email) OR phone)");
}

TEST(MatchRule, KeywordsAreCaseInsensitiveAndHaveSymbolForms) {
  EXPECT_EQ(parseOk("name and email or not phone").canonical(), "((name AND email) OR NOT phone)");
  EXPECT_EQ(parseOk("name&&email||!phone").canonical(), "((name AND email) OR NOT phone)");
}

TEST(MatchRule, ParsesThresholdsAndLevels) {
  MatchRule rule = parseOk("name >= 0.9 AND city >= LEVEL 1 AND \"email\"");
  ASSERT_EQ(rule.terms().size(), 3u);
  EXPECT_EQ(rule.terms()[0].kind, RuleTerm::Kind::kSimilarityAtLeast);
  EXPECT_DOUBLE_EQ(rule.terms()[0].threshold, 0.9);
  EXPECT_EQ(rule.terms()[1].kind, RuleTerm::Kind::kLevelAtLeast);
  EXPECT_EQ(rule.terms()[1].level, 1);
  EXPECT_EQ(rule.terms()[2].kind, RuleTerm::Kind::kExact);
  EXPECT_EQ(rule.terms()[2].column, 37u);
  EXPECT_EQ(rule.canonical(), "((name ~ 0.9 AND city >= level 1) AND email)");
  EXPECT_EQ(rule.referencedFields(), (std::vector<size_t>{0, 1, 3}));
}

TEST(MatchRule, EvaluatesTheSalesforceStyleEquation) {
  MatchRule rule = parseOk("(name ~ 0.85 AND email) OR (name ~ 0.85 AND phone)");
  EXPECT_TRUE(rule.score(Pair({0.9, 1.0, 0.0, 0.5}).view()).match);
  EXPECT_TRUE(rule.score(Pair({0.9, 0.0, 1.0, 0.5}).view()).match);
  EXPECT_FALSE(rule.score(Pair({0.8, 1.0, 1.0, 0.5}).view()).match);
  EXPECT_FALSE(rule.score(Pair({0.9, 0.99, 0.0, 0.5}).view()).match) << "a bare name means exact";
  EXPECT_EQ(rule.score(Pair({0.9, 1.0, 0.0, 0.5}).view()).score, 1.0);
  EXPECT_EQ(rule.score(Pair({0.1, 1.0, 0.0, 0.5}).view()).score, 0.0);
}

TEST(MatchRule, LevelTermsReadLevels) {
  MatchRule rule = parseOk("city >= level 2");
  Pair p({0.0, 0.0, 0.0, 0.0});
  p.levels[3] = 2;
  EXPECT_TRUE(rule.score(p.view()).match);
  p.levels[3] = 1;
  EXPECT_FALSE(rule.score(p.view()).match);
  p.levels[3] = -1;
  EXPECT_EQ(rule.evaluate(p.view()), Truth::kNull);
}

TEST(MatchRule, NullTermIsNeitherTrueNorFalse) {
  Pair emailNull({1.0, kNull, 0.0, 1.0});
  EXPECT_EQ(parseOk("email").evaluate(emailNull.view()), Truth::kNull);
  EXPECT_EQ(parseOk("NOT email").evaluate(emailNull.view()), Truth::kNull);
  EXPECT_FALSE(parseOk("NOT email").score(emailNull.view()).match) << "a missing email is not a different email";
  EXPECT_EQ(parseOk("email AND phone").evaluate(emailNull.view()), Truth::kFalse);
  EXPECT_EQ(parseOk("email AND name").evaluate(emailNull.view()), Truth::kNull);
  EXPECT_EQ(parseOk("email OR name").evaluate(emailNull.view()), Truth::kTrue);
  EXPECT_EQ(parseOk("email OR phone").evaluate(emailNull.view()), Truth::kNull);
  EXPECT_EQ(parseOk("NOT (email AND phone)").evaluate(emailNull.view()), Truth::kTrue);
}

TEST(MatchRule, CompiledProgramAgreesWithTheTreeOnEveryCombination) {
  MatchRule rule = parseOk("NOT (name OR email) AND phone OR NOT city >= level 1 AND (email OR NOT phone)");
  const double values[3] = {0.0, 1.0, kNull};
  for (int code = 0; code < 81; ++code) {
    int c = code;
    std::vector<double> sims(4);
    for (auto& s : sims) {
      s = values[c % 3];
      c /= 3;
    }
    Pair p(sims);
    // Three-valued reference evaluated by hand from the canonical grouping.
    auto term = [&](size_t k) { return std::isnan(sims[k]) ? Truth::kNull : (sims[k] >= 1.0 ? Truth::kTrue : Truth::kFalse); };
    auto cityTerm = p.levels[3] < 0 ? Truth::kNull : (p.levels[3] >= 1 ? Truth::kTrue : Truth::kFalse);
    auto NOT = [](Truth t) { return t == Truth::kNull ? t : (t == Truth::kTrue ? Truth::kFalse : Truth::kTrue); };
    auto AND = [](Truth a, Truth b) {
      if (a == Truth::kFalse || b == Truth::kFalse) return Truth::kFalse;
      if (a == Truth::kNull || b == Truth::kNull) return Truth::kNull;
      return Truth::kTrue;
    };
    auto OR = [&](Truth a, Truth b) { return NOT(AND(NOT(a), NOT(b))); };
    Truth expected = OR(AND(NOT(OR(term(0), term(1))), term(2)), AND(NOT(cityTerm), OR(term(1), NOT(term(2)))));
    EXPECT_EQ(rule.evaluate(p.view()), expected) << "case " << code;
  }
}

TEST(MatchRuleErrors, UnknownNameGivesColumnAndDidYouMean) {
  RuleParseError err;
  auto rule = MatchRule::parse("(name ~ 0.85 AND emial) OR phone", contactFields(), &err);
  ASSERT_FALSE(rule.isOk());
  EXPECT_EQ(rule.status().code(), StatusCode::kInvalidConfig);
  EXPECT_EQ(err.column, 18u);
  EXPECT_EQ(err.hint, "email");
  EXPECT_EQ(rule.status().message(),
            "match rule, column 18: unknown comparison 'emial'; did you mean 'email'?");
}

TEST(MatchRuleErrors, UnknownNameWithNothingCloseListsKnownNames) {
  auto rule = MatchRule::parse("zipcode", contactFields());
  ASSERT_FALSE(rule.isOk());
  EXPECT_EQ(rule.status().message(),
            "match rule, column 1: unknown comparison 'zipcode' (known: name, email, phone, city)");
}

TEST(MatchRuleErrors, DidYouMeanIgnoresCase) {
  RuleParseError err;
  EXPECT_FALSE(MatchRule::parse("Email", contactFields(), &err).isOk());
  EXPECT_EQ(err.hint, "email");
}

TEST(MatchRuleErrors, ReportsTheColumnOfEachProblem) {
  struct Case {
    const char* rule;
    size_t column;
    const char* fragment;
  };
  const Case cases[] = {
      {"", 1, "empty"},
      {"   ", 4, "empty"},
      {"name AND", 9, "expected a comparison name"},
      {"name AND AND email", 10, "found 'AND'"},
      {"(name OR email", 1, "'(' is never closed"},
      {"(name OR email phone", 16, "expected ')' to close the '(' at column 1"},
      {"name OR email)", 14, "')' has no matching '('"},
      {"name ~", 7, "expected a similarity threshold"},
      {"name ~ 1.5", 8, "outside [0, 1]"},
      {"name ~ -0.2", 8, "outside [0, 1]"},
      {"city >= level 3", 15, "levels 0..2; level 3 does not exist"},
      {"city >= level x", 15, "expected a level number"},
      {"name > 0.9", 6, "unsupported operator '>'"},
      {"name & email", 6, "write AND (&&) or OR (||)"},
      {"name email", 6, "expected AND, OR or the end of the rule but found 'email'"},
      {"\"name", 1, "never closed"},
      {"名前 ~ 0.9 OR 電話", 1, "unknown comparison '名前'"},
      {"name OR 電話", 9, "unknown comparison '電話'"},
  };
  for (const auto& c : cases) {
    RuleParseError err;
    auto rule = MatchRule::parse(c.rule, contactFields(), &err);
    ASSERT_FALSE(rule.isOk()) << c.rule;
    EXPECT_EQ(err.column, c.column) << c.rule << ": " << rule.status().message();
    EXPECT_NE(err.message.find(c.fragment), std::string::npos) << c.rule << ": " << err.message;
    EXPECT_NE(rule.status().message().find("column " + std::to_string(c.column) + ":"), std::string::npos);
  }
}

TEST(MatchRuleErrors, RefusesRulesNestedTooDeeply) {
  std::string deep;
  for (int i = 0; i < 100; ++i) deep += "name OR (";
  deep += "email";
  deep.append(100, ')');
  auto rule = MatchRule::parse(deep, contactFields());
  ASSERT_FALSE(rule.isOk());
  EXPECT_NE(rule.status().message().find("too deeply"), std::string::npos);

  std::string fine;
  for (int i = 0; i < 30; ++i) fine += "name OR (";
  fine += "email";
  fine.append(30, ')');
  EXPECT_TRUE(MatchRule::parse(fine, contactFields()).isOk());
}

TEST(MatchRuleExplain, ListsClausesAndTermsWithTheirValues) {
  MatchRule rule = parseOk("(name ~ 0.85 AND email) OR (name ~ 0.85 AND phone)");
  Pair p({0.912, 1.0, kNull, 0.0});
  Explanation e = rule.explain(p.view());
  EXPECT_TRUE(e.result.match);
  EXPECT_EQ(e.text,
            "rule (name ~ 0.85 AND email) OR (name ~ 0.85 AND phone)\n"
            "  result: true (match)\n"
            "  any of:\n"
            "    (name ~ 0.85 AND email)  true\n"
            "    (name ~ 0.85 AND phone)  null\n"
            "  terms:\n"
            "    name ~ 0.85              true  (similarity 0.912)\n"
            "    email                    true  (similarity 1.000)\n"
            "    phone                    null  (similarity null)\n"
            "  a null term (a side is empty) is neither true nor false; only a true rule matches\n");
  EXPECT_EQ(e.json["value"], "true");
  EXPECT_EQ(e.json["match"], true);
  ASSERT_EQ(e.json["terms"].size(), 3u) << "repeated terms are listed once";
  EXPECT_EQ(e.json["terms"][2]["comparison"], "phone");
  EXPECT_TRUE(e.json["terms"][2]["similarity"].is_null());
  EXPECT_EQ(e.json["terms"][2]["value"], "null");
  EXPECT_EQ(e.json["clauses"][1]["value"], "null");
}

TEST(MatchRuleExplain, SaysWhyAPairDidNotMatch) {
  MatchRule rule = parseOk("name ~ 0.85 AND NOT city >= level 2");
  Pair p({0.5, 0.0, 0.0, 1.0});
  Explanation e = rule.explain(p.view());
  EXPECT_FALSE(e.result.match);
  EXPECT_NE(e.text.find("result: false (no match)"), std::string::npos) << e.text;
  EXPECT_NE(e.text.find("    name ~ 0.85      false  (similarity 0.500)\n"), std::string::npos) << e.text;
  EXPECT_NE(e.text.find("    city >= level 2  true  (level 2)\n"), std::string::npos) << e.text;
  EXPECT_EQ(e.json.count("clauses"), 0u);
}

TEST(MatchRule, QuotedNamesAllowUnusualComparisonNames) {
  std::vector<ScoringField> fields = {{"first name", 2}, {"or", 2}};
  auto rule = MatchRule::parse("\"first name\" AND \"or\"", fields);
  ASSERT_TRUE(rule.isOk()) << rule.status().toString();
  EXPECT_EQ(rule->canonical(), "(\"first name\" AND \"or\")");
}

}  // namespace
}  // namespace crmsync::match
