// Configured comparisons: which field is compared with which comparator, and how the similarity is cut into
// levels. Comparing a pair of records gives two vectors in the order of the specs, a similarity per comparison
// (NaN when either side is null) and a level per comparison (-1 when either side is null); scoring
// (scorer.hpp, PairVectors) reads exactly these two vectors.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crmsync/core/status.hpp"
#include "crmsync/match/comparators.hpp"
#include "crmsync/match/match_record.hpp"
#include "crmsync/match/scorer.hpp"

namespace crmsync::match {

enum class ComparatorKind : uint8_t {
  kExact,
  kJaroWinkler,
  kLevenshtein,
  kDamerauLevenshtein,  // optimal string alignment, see damerauDistance
  kTokenSet,
  kPhonetic,            // values are precomputed phonetic keys ("XMT|SMT")
  kNumeric,             // values are decimal numbers as text
  kDate,                // values are ISO 8601 dates as text
};

/// Config spelling of a kind: "exact", "jaro_winkler", "levenshtein", "damerau_levenshtein", "token_set",
/// "phonetic", "numeric", "date".
const char* comparatorKindName(ComparatorKind kind);
std::optional<ComparatorKind> comparatorKindFromName(std::string_view name);

/// Parameters of the comparators; each kind reads only its own member.
struct ComparatorParams {
  JaroWinklerOptions jaroWinkler;
  TokenSetMode tokenSet = TokenSetMode::kJaccard;
  NumericOptions numeric;
  DateOptions date;
};

/// "similarity >= minSimilarity gives `level`".
struct SimilarityLevel {
  double minSimilarity = 1.0;
  int8_t level = 1;
};

/// One comparison as configured. Levels are tried in order, highest threshold first; the first one the
/// similarity reaches gives the level, and a similarity below all of them gives `elseLevel`. Thresholds are
/// compared with a tolerance of 1e-9 so that a similarity computed as 0.8999999999 still reaches 0.9.
/// Example (Jaro-Winkler on names): {{1.0, 3}, {0.95, 2}, {0.88, 1}}, elseLevel 0.
struct ComparisonSpec {
  /// The name rules and models use; the field name when empty.
  std::string name;
  std::string field;
  ComparatorKind kind = ComparatorKind::kExact;
  ComparatorParams params;
  /// Empty means {{1.0, 1}}: equal or not.
  std::vector<SimilarityLevel> levels;
  int8_t elseLevel = 0;
};

/// Similarity of two values under a spec's comparator: NaN when either is null, and for numeric and date
/// comparisons also when either does not parse (a value that is not a number carries no evidence, like null).
double compareValues(const ComparisonSpec& spec, std::optional<std::string_view> a,
                     std::optional<std::string_view> b);

/// The level of a similarity under a spec: -1 for NaN.
int8_t levelOf(const ComparisonSpec& spec, double similarity);

/// Number of levels a spec produces (levels run 0..count-1), as scoring's ScoringField::levels.
int levelCount(const ComparisonSpec& spec);

/// Validated comparisons bound to a field set. Immutable, so one instance may compare from several threads.
class ComparisonSet {
 public:
  /// Checks every spec: the field exists (with a "did you mean" hint), thresholds are in [0, 1] and strictly
  /// descending, levels are in 0..126 and strictly descending with the thresholds and above elseLevel, scales
  /// are positive, names are unique.
  static Result<ComparisonSet> create(std::vector<ComparisonSpec> specs, const FieldSet& fields);

  size_t size() const { return specs_.size(); }
  const std::vector<ComparisonSpec>& specs() const { return specs_; }

  /// The comparisons as scoring sees them (name and level count), in order.
  std::vector<ScoringField> scoringFields() const;

  /// Compares two records into caller-owned vectors of at least size() entries. Does not allocate for
  /// name-sized values.
  void compare(const MatchRecord& a, const MatchRecord& b, std::span<double> similarities,
               std::span<int8_t> levels) const;

  /// The two vectors of one pair, owned.
  struct Vectors {
    std::vector<double> similarities;
    std::vector<int8_t> levels;
  };
  Vectors compare(const MatchRecord& a, const MatchRecord& b) const;

 private:
  std::vector<ComparisonSpec> specs_;
  std::vector<size_t> fieldIndex_;
};

}  // namespace crmsync::match
