// Scoring of a candidate pair from its comparison vectors. Scoring does not know how the vectors were computed
// (comparators, blocking): it sees, per configured comparison and in configuration order, a similarity and a
// level. Both matching models (declarative rules and Fellegi-Sunter) implement Scorer.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace crmsync::match {

/// A configured comparison as scoring sees it: its name (used in rules and model files) and how many levels
/// its comparator produces (levels run 0..levels-1, higher is more similar).
struct ScoringField {
  std::string name;
  int levels = 2;
};

/// One candidate pair, borrowed from the caller for the duration of a call. Spans are indexed by comparison,
/// in configuration order, and must hold at least as many entries as the scorer has comparisons.
struct PairVectors {
  /// Similarity in [0, 1]; NaN when either side is null.
  std::span<const double> similarities;
  /// Level 0..levels-1; -1 when either side is null.
  std::span<const int8_t> levels;
  /// Optional: the value both records agree on, for term-frequency adjustment; empty span or empty string when
  /// there is none. Only comparisons configured for term frequencies look at it.
  std::span<const std::string_view> tfValues = {};
};

/// What a scorer decided for one pair. `score` is on the scale the threshold uses (see each scorer).
struct ScoreResult {
  double score = 0.0;
  bool match = false;
};

/// Why a pair scored as it did, for `crmsync explain`: the same facts as text (multi-line, for people) and as
/// JSON (for tools and the merge evidence record).
struct Explanation {
  ScoreResult result;
  std::string text;
  nlohmann::json json;
};

/// A matching model with its user-configured threshold. Implementations are immutable once built, so one
/// instance may score from several threads at once.
class Scorer {
 public:
  virtual ~Scorer() = default;

  /// Scores one pair. Never allocates; never throws.
  virtual ScoreResult score(const PairVectors& pair) const = 0;

  /// Scores one pair and says why. Allocates; meant for explain and for recording merge evidence.
  virtual Explanation explain(const PairVectors& pair) const = 0;

  /// The comparisons the scorer expects, in order.
  virtual const std::vector<ScoringField>& fields() const = 0;
};

}  // namespace crmsync::match
