// String, number and date comparators for record matching. Every similarity is in [0, 1], 1 meaning equal.
// Strings are UTF-8 and are compared by Unicode code point, not by byte, so that a CJK name with one character
// changed is one edit, not three. Invalid UTF-8 bytes count as one U+FFFD each rather than failing: comparators
// run on millions of pairs and must not stop on one bad value. Comparators do not fold case or accents; values
// are normalized before matching.
//
// All functions are thread-safe. On short strings (up to 64 bytes) the string comparators do not allocate:
// ASCII strings are compared byte-wise, others are decoded into stack buffers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace crmsync::match {

/// 1 when the strings are byte-equal, else 0.
double exactSimilarity(std::string_view a, std::string_view b);

/// Winkler's parameters. The defaults are the published ones: scale 0.1, a common prefix of at most 4
/// characters, and the prefix bonus only when the Jaro similarity already exceeds 0.7.
struct JaroWinklerOptions {
  double prefixScale = 0.1;     // must be at most 1 / maxPrefix to keep the result in [0, 1]
  size_t maxPrefix = 4;
  double boostThreshold = 0.7;
};

/// Jaro similarity. Two empty strings are equal (1); an empty and a non-empty string share nothing (0).
double jaroSimilarity(std::string_view a, std::string_view b);

/// Jaro-Winkler similarity: MARTHA/MARHTA 0.961, DWAYNE/DUANE 0.840, DIXON/DICKSONX 0.813.
double jaroWinklerSimilarity(std::string_view a, std::string_view b, const JaroWinklerOptions& options = {});

/// Levenshtein distance in code points (insertions, deletions, substitutions). Bit-parallel (Myers / Hyyrö)
/// when the shorter string has at most 64 code points.
size_t levenshteinDistance(std::string_view a, std::string_view b);

/// 1 - distance / max(length in code points); 1 for two empty strings.
double levenshteinSimilarity(std::string_view a, std::string_view b);

/// Damerau-Levenshtein distance in its optimal string alignment form (OSA, "restricted edit distance"): an
/// adjacent transposition costs 1, but a substring is never edited again after being transposed. So
/// "ca" -> "abc" is 3 here (the unrestricted Damerau distance is 2). OSA is what record-linkage tools usually
/// mean by Damerau and catches the typing errors that matter for names.
size_t damerauDistance(std::string_view a, std::string_view b);

/// 1 - OSA distance / max(length in code points); 1 for two empty strings.
double damerauSimilarity(std::string_view a, std::string_view b);

/// How token sets are compared.
enum class TokenSetMode : uint8_t {
  /// Jaccard: |A ∩ B| / |A ∪ B|. "John Smith" vs "Smith John" is 1; "John Smith" vs "John Smith Jr" is 2/3.
  kJaccard,
  /// Overlap coefficient: |A ∩ B| / min(|A|, |B|). Like fuzzywuzzy's token_set_ratio, a name whose tokens are
  /// all in the other scores 1 ("John Smith" vs "John Smith Jr").
  kOverlap,
};

/// Similarity of the sets of tokens of two strings. Tokens are split at Unicode white space (including U+3000)
/// and at ASCII punctuation other than the apostrophe and '&'; duplicates count once; comparison is exact.
/// Two strings with no tokens are equal (1); one with and one without share nothing (0).
double tokenSetSimilarity(std::string_view a, std::string_view b, TokenSetMode mode = TokenSetMode::kJaccard);

/// Compares two precomputed phonetic keys. A key may hold a primary and an alternate code separated by '|'
/// (Double Metaphone's "XMT|SMT"); the keys agree (1) when any non-empty code of one equals any code of the
/// other, else 0.
double phoneticSimilarity(std::string_view a, std::string_view b);

/// How a numeric difference is measured.
struct NumericOptions {
  /// The difference at which similarity reaches 0: max(0, 1 - difference / scale). Must be > 0.
  double scale = 1.0;
  /// When true the difference is relative, |a - b| / max(|a|, |b|) (0 when both are 0), so scale 0.1 means
  /// "10% apart is as different as it gets". When false it is |a - b| in the values' own unit.
  bool relative = false;
};

/// max(0, 1 - difference / scale) of two numbers. NaN on either side gives 0.
double numericSimilarity(double a, double b, const NumericOptions& options = {});

/// Parses a decimal number ("42", "-3.5", "+1e3", " 7 "); nothing for anything else, including "", "NaN" and
/// "inf".
std::optional<double> parseNumber(std::string_view text);

/// A calendar date.
struct CivilDate {
  int32_t year = 0;
  uint8_t month = 0;  // 1..12
  uint8_t day = 0;    // 1..31
};

/// Parses the date part of ISO 8601: "2024-03-05", "20240305", or either followed by a time ("T10:00:00Z" or
/// " 10:00"). Nothing when the text is not a valid date (month 13, 30 February).
std::optional<CivilDate> parseIsoDate(std::string_view text);

/// Days since 1970-01-01 (proleptic Gregorian; negative before).
int64_t daysFromCivil(const CivilDate& date);

/// Date comparison. Similarity is max(0, 1 - |days apart| / scaleDays), raised to one of the leniency
/// similarities when the dates are a common typing error of each other. A leniency of 0 turns it off.
struct DateOptions {
  double scaleDays = 365.0;  // must be > 0
  /// Given when the day and month are swapped (2024-03-05 vs 2024-05-03), for sources that disagree on
  /// day-first and month-first writing.
  double dayMonthSwapSimilarity = 0.0;
  /// Given when month and day agree and the years differ by one digit (1985 vs 1986, 1985 vs 1995) or by two
  /// adjacent digits swapped (1985 vs 1958).
  double yearTypoSimilarity = 0.0;
};

/// Similarity of two dates.
double dateSimilarity(const CivilDate& a, const CivilDate& b, const DateOptions& options = {});

/// Similarity of two ISO 8601 dates given as text; nothing when either does not parse.
std::optional<double> dateSimilarity(std::string_view a, std::string_view b, const DateOptions& options = {});

}  // namespace crmsync::match
