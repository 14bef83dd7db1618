#include "crmsync/match/comparators.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "crmsync/match/comparison.hpp"

namespace crmsync::match {
namespace {

// Plain dynamic-programming references, by code point, to check the fast paths against.
std::u32string decode(const std::string& s) {
  std::u32string out;
  for (size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    int n = b < 0x80 ? 0 : b < 0xE0 ? 1 : b < 0xF0 ? 2 : 3;
    char32_t c = n == 0 ? b : n == 1 ? (b & 0x1F) : n == 2 ? (b & 0x0F) : (b & 0x07);
    for (int k = 1; k <= n; ++k) c = (c << 6) | (static_cast<unsigned char>(s[i + static_cast<size_t>(k)]) & 0x3F);
    out.push_back(c);
    i += static_cast<size_t>(n) + 1;
  }
  return out;
}

size_t referenceLevenshtein(const std::u32string& a, const std::u32string& b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    }
  }
  return d[a.size()][b.size()];
}

size_t referenceOsa(const std::u32string& a, const std::u32string& b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

// Jaro as usually written: for each character of a, the first unmatched equal character of b in the window.
double referenceJaro(const std::u32string& a, const std::u32string& b) {
  if (a.empty() && b.empty()) return 1.0;
  if (a.empty() || b.empty()) return 0.0;
  const size_t longer = std::max(a.size(), b.size());
  const size_t window = longer / 2 > 0 ? longer / 2 - 1 : 0;
  std::vector<bool> am(a.size()), bm(b.size());
  double m = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    for (size_t j = i > window ? i - window : 0; j < std::min(b.size(), i + window + 1); ++j) {
      if (!bm[j] && a[i] == b[j]) {
        am[i] = bm[j] = true;
        ++m;
        break;
      }
    }
  }
  if (m == 0) return 0.0;
  size_t t = 0;
  for (size_t i = 0, k = 0; i < a.size(); ++i) {
    if (!am[i]) continue;
    while (!bm[k]) ++k;
    if (a[i] != b[k]) ++t;
    ++k;
  }
  return (m / static_cast<double>(a.size()) + m / static_cast<double>(b.size()) + (m - static_cast<double>(t / 2)) / m) / 3;
}

std::string randomString(std::mt19937& rng, size_t maxLen, bool cjk) {
  static const std::vector<std::string> kLatin = {"a", "b", "c", "d", "e"};
  static const std::vector<std::string> kCjk = {"王", "李", "明", "小", "a", "é"};
  const auto& alphabet = cjk ? kCjk : kLatin;
  std::uniform_int_distribution<size_t> len(0, maxLen);
  std::uniform_int_distribution<size_t> pick(0, alphabet.size() - 1);
  std::string s;
  const size_t n = len(rng);
  for (size_t i = 0; i < n; ++i) s += alphabet[pick(rng)];
  return s;
}

ComparisonSpec makeSpec(std::string field, ComparatorKind kind = ComparatorKind::kExact,
                        std::vector<SimilarityLevel> levels = {}, std::string name = "") {
  ComparisonSpec spec;
  spec.name = std::move(name);
  spec.field = std::move(field);
  spec.kind = kind;
  spec.levels = std::move(levels);
  return spec;
}

TEST(Comparators, ExactComparesBytes) {
  EXPECT_EQ(exactSimilarity("Anna", "Anna"), 1.0);
  EXPECT_EQ(exactSimilarity("Anna", "anna"), 0.0);
  EXPECT_EQ(exactSimilarity("", ""), 1.0);
}

TEST(Comparators, JaroWinklerGivesPublishedValues) {
  EXPECT_NEAR(jaroWinklerSimilarity("MARTHA", "MARHTA"), 0.961, 5e-4);
  EXPECT_NEAR(jaroWinklerSimilarity("DWAYNE", "DUANE"), 0.840, 5e-4);
  EXPECT_NEAR(jaroWinklerSimilarity("DIXON", "DICKSONX"), 0.813, 5e-4);
  EXPECT_NEAR(jaroSimilarity("MARTHA", "MARHTA"), 0.944, 5e-4);
  EXPECT_NEAR(jaroSimilarity("DIXON", "DICKSONX"), 0.767, 5e-4);
}

TEST(Comparators, JaroWinklerIsSymmetricAndBounded) {
  std::mt19937 rng(7);
  for (int i = 0; i < 2000; ++i) {
    const auto a = randomString(rng, 12, i % 2 == 0);
    const auto b = randomString(rng, 12, i % 2 == 0);
    const double s = jaroWinklerSimilarity(a, b);
    EXPECT_GE(s, 0.0);
    EXPECT_LE(s, 1.0);
    EXPECT_DOUBLE_EQ(s, jaroWinklerSimilarity(b, a)) << a << " / " << b;
  }
}

TEST(Comparators, JaroWinklerHandlesEmptyStrings) {
  EXPECT_EQ(jaroWinklerSimilarity("", ""), 1.0);
  EXPECT_EQ(jaroWinklerSimilarity("", "A"), 0.0);
  EXPECT_EQ(jaroWinklerSimilarity("A", ""), 0.0);
  EXPECT_EQ(jaroWinklerSimilarity("ABC", "XYZ"), 0.0);
}

TEST(Comparators, JaroWinklerPrefixBonusFollowsOptions) {
  JaroWinklerOptions noPrefix;
  noPrefix.prefixScale = 0.0;
  EXPECT_DOUBLE_EQ(jaroWinklerSimilarity("MARTHA", "MARHTA", noPrefix), jaroSimilarity("MARTHA", "MARHTA"));
  JaroWinklerOptions noThreshold;
  noThreshold.boostThreshold = 0.0;
  // Jaro of these is below 0.7, so only a zero boost threshold lets the shared prefix count.
  EXPECT_EQ(jaroWinklerSimilarity("ABCDxyzuvw", "ABCDqrstlm"), jaroSimilarity("ABCDxyzuvw", "ABCDqrstlm"));
  EXPECT_GT(jaroWinklerSimilarity("ABCDxyzuvw", "ABCDqrstlm", noThreshold),
            jaroSimilarity("ABCDxyzuvw", "ABCDqrstlm"));
}

TEST(Comparators, JaroWinklerCountsCodePointsNotBytes) {
  // One character of three differs: by bytes this would be 6 of 9 matching.
  EXPECT_NEAR(jaroSimilarity("王小明", "王小红"), (2.0 / 3 + 2.0 / 3 + 1.0) / 3, 1e-12);
  EXPECT_NEAR(jaroWinklerSimilarity("王小明", "王小红"), 0.7778 + 2 * 0.1 * (1 - 0.7778), 1e-3);
  EXPECT_EQ(jaroWinklerSimilarity("李娜", "李娜"), 1.0);
  // Mixed: an ASCII string against a non-ASCII one is compared by code points as well.
  EXPECT_NEAR(jaroWinklerSimilarity("Jose", "José"), jaroWinklerSimilarity("Josx", "Josy"), 1e-12);
}

TEST(Comparators, LevenshteinKnownDistances) {
  EXPECT_EQ(levenshteinDistance("kitten", "sitting"), 3u);
  EXPECT_EQ(levenshteinDistance("sitting", "kitten"), 3u);
  EXPECT_EQ(levenshteinDistance("", "abc"), 3u);
  EXPECT_EQ(levenshteinDistance("abc", ""), 3u);
  EXPECT_EQ(levenshteinDistance("", ""), 0u);
  EXPECT_EQ(levenshteinDistance("flaw", "lawn"), 2u);
  EXPECT_NEAR(levenshteinSimilarity("kitten", "sitting"), 1.0 - 3.0 / 7.0, 1e-12);
  EXPECT_EQ(levenshteinSimilarity("", ""), 1.0);
}

TEST(Comparators, LevenshteinOnCjkCountsCharacters) {
  EXPECT_EQ(levenshteinDistance("王小明", "王晓明"), 1u);
  EXPECT_EQ(levenshteinDistance("東京都", "京都"), 1u);
  EXPECT_NEAR(levenshteinSimilarity("王小明", "王晓明"), 2.0 / 3.0, 1e-12);
}

TEST(Comparators, LevenshteinFastPathsAgreeWithDynamicProgramming) {
  std::mt19937 rng(11);
  for (int i = 0; i < 3000; ++i) {
    const bool cjk = i % 2 == 1;
    // Lengths up to 80 cross the 64-character limit of the bit-parallel path.
    const auto a = randomString(rng, i % 10 == 0 ? 80 : 20, cjk);
    const auto b = randomString(rng, i % 10 == 0 ? 80 : 20, cjk);
    ASSERT_EQ(levenshteinDistance(a, b), referenceLevenshtein(decode(a), decode(b))) << a << " / " << b;
  }
}

TEST(Comparators, DamerauAndJaroFastPathsAgreeWithReferences) {
  std::mt19937 rng(13);
  for (int i = 0; i < 3000; ++i) {
    const bool cjk = i % 2 == 1;
    const size_t maxLen = i % 10 == 0 ? 80 : 20;
    const auto a = randomString(rng, maxLen, cjk);
    const auto b = randomString(rng, maxLen, cjk);
    ASSERT_EQ(damerauDistance(a, b), referenceOsa(decode(a), decode(b))) << a << " / " << b;
    ASSERT_NEAR(jaroSimilarity(a, b), referenceJaro(decode(a), decode(b)), 1e-12) << a << " / " << b;
  }
}

TEST(Comparators, LevenshteinHandlesExactly64Characters) {
  const std::string a(64, 'a');
  std::string b = a;
  b[10] = 'b';
  EXPECT_EQ(levenshteinDistance(a, b), 1u);
  EXPECT_EQ(levenshteinDistance(a, a + "cc"), 2u);
  EXPECT_EQ(levenshteinDistance(std::string(65, 'x'), std::string(64, 'x')), 1u);
}

TEST(Comparators, DamerauIsOptimalStringAlignment) {
  EXPECT_EQ(damerauDistance("ca", "abc"), 3u);  // unrestricted Damerau would give 2
  EXPECT_EQ(damerauDistance("ab", "ba"), 1u);
  EXPECT_EQ(levenshteinDistance("ab", "ba"), 2u);
  EXPECT_EQ(damerauDistance("kitten", "sitting"), 3u);
  EXPECT_EQ(damerauDistance("Smtih", "Smith"), 1u);
  EXPECT_EQ(damerauDistance("王明小", "王小明"), 1u);
  EXPECT_EQ(damerauDistance("", "abc"), 3u);
  EXPECT_NEAR(damerauSimilarity("Smtih", "Smith"), 0.8, 1e-12);
  EXPECT_EQ(damerauSimilarity("", ""), 1.0);
}

TEST(Comparators, DamerauNeverExceedsLevenshtein) {
  std::mt19937 rng(3);
  for (int i = 0; i < 1000; ++i) {
    const auto a = randomString(rng, i % 10 == 0 ? 90 : 10, i % 2 == 0);
    const auto b = randomString(rng, i % 10 == 0 ? 90 : 10, i % 2 == 0);
    EXPECT_LE(damerauDistance(a, b), levenshteinDistance(a, b));
    EXPECT_EQ(damerauDistance(a, b), damerauDistance(b, a));
  }
}

TEST(Comparators, TokenSetJaccardAndOverlap) {
  EXPECT_EQ(tokenSetSimilarity("John Smith", "Smith John"), 1.0);
  EXPECT_NEAR(tokenSetSimilarity("John Smith", "John Smith Jr"), 2.0 / 3.0, 1e-12);
  EXPECT_EQ(tokenSetSimilarity("John Smith", "John Smith Jr", TokenSetMode::kOverlap), 1.0);
  EXPECT_EQ(tokenSetSimilarity("Acme, Inc.", "Inc Acme"), 1.0);
  EXPECT_EQ(tokenSetSimilarity("a a b", "a b"), 1.0);
  EXPECT_EQ(tokenSetSimilarity("O'Brien", "O Brien"), 0.0);
  EXPECT_EQ(tokenSetSimilarity("", "  "), 1.0);
  EXPECT_EQ(tokenSetSimilarity("", "x"), 0.0);
  // The ideographic space separates CJK tokens.
  EXPECT_EQ(tokenSetSimilarity("王\u3000小明", "小明 王"), 1.0);
}

TEST(Comparators, PhoneticMatchesAnyCode) {
  EXPECT_EQ(phoneticSimilarity("XMT|SMT", "SMT"), 1.0);
  EXPECT_EQ(phoneticSimilarity("SM0|XMT", "XMT|SMT"), 1.0);
  EXPECT_EQ(phoneticSimilarity("SM0", "XMT|SMT"), 0.0);
  EXPECT_EQ(phoneticSimilarity("", ""), 0.0);
  EXPECT_EQ(phoneticSimilarity("|A", "A|"), 1.0);
}

TEST(Comparators, NumericAbsoluteAndRelative) {
  EXPECT_EQ(numericSimilarity(10, 10), 1.0);
  EXPECT_NEAR(numericSimilarity(10, 13, {.scale = 10.0, .relative = false}), 0.7, 1e-12);
  EXPECT_EQ(numericSimilarity(10, 30, {.scale = 10.0, .relative = false}), 0.0);
  EXPECT_NEAR(numericSimilarity(100, 95, {.scale = 0.1, .relative = true}), 0.5, 1e-12);
  EXPECT_EQ(numericSimilarity(0, 0, {.scale = 0.1, .relative = true}), 1.0);
  EXPECT_EQ(numericSimilarity(std::nan(""), 1), 0.0);
  EXPECT_EQ(parseNumber(" +1e3 "), 1000.0);
  EXPECT_EQ(parseNumber("-3.5"), -3.5);
  EXPECT_FALSE(parseNumber("abc"));
  EXPECT_FALSE(parseNumber(""));
  EXPECT_FALSE(parseNumber("inf"));
  EXPECT_FALSE(parseNumber("12abc"));
}

TEST(Comparators, DatesParseAndCountDays) {
  ASSERT_TRUE(parseIsoDate("2024-03-05"));
  EXPECT_EQ(parseIsoDate("2024-03-05T10:00:00Z")->day, 5);
  EXPECT_EQ(parseIsoDate("20240305")->month, 3);
  EXPECT_FALSE(parseIsoDate("2023-02-29"));
  EXPECT_TRUE(parseIsoDate("2024-02-29"));
  EXPECT_FALSE(parseIsoDate("2024-13-01"));
  EXPECT_FALSE(parseIsoDate("05/03/2024"));
  EXPECT_EQ(daysFromCivil({1970, 1, 1}), 0);
  EXPECT_EQ(daysFromCivil({2000, 3, 1}) - daysFromCivil({2000, 2, 28}), 2);
  EXPECT_EQ(daysFromCivil({1969, 12, 31}), -1);
  EXPECT_NEAR(*dateSimilarity("2024-01-01", "2024-01-11", DateOptions{100.0, 0.0, 0.0}), 0.9, 1e-12);
  EXPECT_EQ(*dateSimilarity("2024-01-01", "2026-01-01"), 0.0);
  EXPECT_FALSE(dateSimilarity("2024-01-01", "not a date"));
}

TEST(Comparators, DateLeniencyForSwapsAndYearTypos) {
  DateOptions lenient{.scaleDays = 30.0, .dayMonthSwapSimilarity = 0.8, .yearTypoSimilarity = 0.7};
  EXPECT_EQ(*dateSimilarity("1985-03-05", "1985-05-03", DateOptions{30.0, 0.0, 0.0}), 0.0);
  EXPECT_EQ(*dateSimilarity("1985-03-05", "1985-05-03", lenient), 0.8);
  EXPECT_EQ(*dateSimilarity("1985-03-05", "1986-03-05", lenient), 0.7);
  EXPECT_EQ(*dateSimilarity("1985-03-05", "1958-03-05", lenient), 0.7);
  EXPECT_EQ(*dateSimilarity("1985-03-05", "1975-03-05", lenient), 0.7);
  EXPECT_EQ(*dateSimilarity("1985-03-05", "1999-03-05", lenient), 0.0);
  // Close dates keep their distance-based similarity when it is higher.
  EXPECT_NEAR(*dateSimilarity("1985-03-05", "1985-03-08", lenient), 0.9, 1e-12);
}

TEST(Comparators, InvalidUtf8DoesNotStopComparison) {
  const std::string bad = std::string("Ana") + "\xC3";  // truncated sequence
  EXPECT_EQ(levenshteinDistance(bad, "Ana"), 1u);
  EXPECT_GT(jaroWinklerSimilarity(bad, "Ana"), 0.8);
}

TEST(Comparison, GivesNullAndLevels) {
  FieldSet fields({"name", "email", "dob"});
  ComparisonSpec name = makeSpec("name", ComparatorKind::kJaroWinkler, {{1.0, 3}, {0.95, 2}, {0.88, 1}});
  ComparisonSpec email = makeSpec("email", ComparatorKind::kExact, {}, "email_exact");
  ComparisonSpec dob = makeSpec("dob", ComparatorKind::kDate, {{1.0, 2}, {0.9, 1}});
  dob.params.date.scaleDays = 100;
  auto set = ComparisonSet::create({name, email, dob}, fields);
  ASSERT_TRUE(set.isOk()) << set.status().toString();

  MatchRecord a{1, 0, {"MARTHA", "m@x.org", "1990-01-01"}};
  MatchRecord b{2, 0, {"MARHTA", std::nullopt, "1990-01-05"}};
  const auto v = set->compare(a, b);
  ASSERT_EQ(v.similarities.size(), 3u);
  EXPECT_NEAR(v.similarities[0], 0.961, 5e-4);
  EXPECT_EQ(v.levels[0], 2);
  EXPECT_TRUE(std::isnan(v.similarities[1]));
  EXPECT_EQ(v.levels[1], -1);
  EXPECT_NEAR(v.similarities[2], 0.96, 1e-12);
  EXPECT_EQ(v.levels[2], 1);

  const auto fieldsForScoring = set->scoringFields();
  ASSERT_EQ(fieldsForScoring.size(), 3u);
  EXPECT_EQ(fieldsForScoring[0].name, "name");
  EXPECT_EQ(fieldsForScoring[0].levels, 4);
  EXPECT_EQ(fieldsForScoring[1].name, "email_exact");
  EXPECT_EQ(fieldsForScoring[1].levels, 2);
  EXPECT_EQ(fieldsForScoring[2].levels, 3);
}

TEST(Comparison, ShortRecordReadsAsNull) {
  FieldSet fields({"name", "phone"});
  auto set = ComparisonSet::create({makeSpec("phone")}, fields);
  ASSERT_TRUE(set.isOk());
  MatchRecord a{1, 0, {"x"}};
  MatchRecord b{2, 0, {"x", "1"}};
  EXPECT_EQ(set->compare(a, b).levels[0], -1);
}

TEST(Comparison, LevelThresholdsTolerateRounding) {
  ComparisonSpec spec = makeSpec("x", ComparatorKind::kLevenshtein, {{0.9, 1}});
  EXPECT_EQ(levelOf(spec, 0.9 - 1e-12), 1);
  EXPECT_EQ(levelOf(spec, 0.89), 0);
  EXPECT_EQ(levelOf(spec, std::nan("")), -1);
}

TEST(Comparison, UnparseableNumberIsNull) {
  ComparisonSpec spec = makeSpec("age", ComparatorKind::kNumeric);
  spec.params.numeric.scale = 5;
  EXPECT_TRUE(std::isnan(compareValues(spec, "n/a", "30")));
  EXPECT_NEAR(compareValues(spec, "31", "30"), 0.8, 1e-12);
}

TEST(Comparison, RejectsUnknownFieldWithHint) {
  FieldSet fields({"first_name", "email"});
  auto set = ComparisonSet::create({makeSpec("frist_name")}, fields);
  ASSERT_FALSE(set.isOk());
  EXPECT_NE(set.status().message().find("did you mean 'first_name'"), std::string::npos)
      << set.status().message();
}

TEST(Comparison, RejectsLevelsOutOfOrder) {
  FieldSet fields({"name"});
  ComparisonSpec spec = makeSpec("name", ComparatorKind::kJaroWinkler, {{0.88, 1}, {0.95, 2}});
  EXPECT_FALSE(ComparisonSet::create({spec}, fields).isOk());
  spec.levels = {{0.95, 1}, {0.88, 2}};
  EXPECT_FALSE(ComparisonSet::create({spec}, fields).isOk());
  spec.levels = {{0.95, 2}, {0.88, 1}};
  EXPECT_TRUE(ComparisonSet::create({spec}, fields).isOk());
  spec.elseLevel = 1;
  EXPECT_FALSE(ComparisonSet::create({spec}, fields).isOk());
}

TEST(Comparison, RejectsDuplicateNamesAndBadScales) {
  FieldSet fields({"name", "age"});
  EXPECT_FALSE(ComparisonSet::create({makeSpec("name"), makeSpec("name")}, fields).isOk());
  ComparisonSpec age = makeSpec("age", ComparatorKind::kNumeric);
  age.params.numeric.scale = 0;
  EXPECT_FALSE(ComparisonSet::create({age}, fields).isOk());
}

TEST(Comparison, KindNamesRoundTrip) {
  for (auto k : {ComparatorKind::kExact, ComparatorKind::kJaroWinkler, ComparatorKind::kLevenshtein,
                 ComparatorKind::kDamerauLevenshtein, ComparatorKind::kTokenSet, ComparatorKind::kPhonetic,
                 ComparatorKind::kNumeric, ComparatorKind::kDate}) {
    EXPECT_EQ(comparatorKindFromName(comparatorKindName(k)), k);
  }
  EXPECT_FALSE(comparatorKindFromName("jarowinkler"));
}

}  // namespace
}  // namespace crmsync::match
