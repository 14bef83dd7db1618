// Fellegi-Sunter matching: per comparison level, m = P(level | match) and u = P(level | non-match), plus the
// prior lambda = P(match) among candidate pairs. Parameters are estimated without labels by expectation-
// maximisation over the level patterns of candidate pairs (as Splink does); u may come from random pairs
// instead. A pair's match weight is log2 of its Bayes factor: log2(lambda / (1 - lambda)) + sum log2(m / u).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crmsync/core/status.hpp"
#include "crmsync/match/level_patterns.hpp"
#include "crmsync/match/scorer.hpp"
#include "crmsync/match/term_frequency.hpp"

namespace crmsync::match {

/// Trained parameters of one comparison.
struct FsComparisonParams {
  std::string name;
  std::vector<double> m;  // P(level | match), one per level, sums to 1
  std::vector<double> u;  // P(level | non-match), one per level, sums to 1
  /// Term-frequency adjustment of the top (exact) level: its u is replaced by the agreed value's frequency.
  bool tfAdjust = false;
  /// 0..1: how much of the adjustment to apply (1 = Splink's default, full replacement).
  double tfWeight = 1.0;
  /// Lower bound for a value's frequency, so a value seen once is not near-certain evidence.
  double tfMinimumU = 0.0;
  /// A value the frequency table does not list is one no two customers share (an identifier such as an
  /// e-mail address): its u is tfMinimumU (or the probability floor) instead of the level's average.
  bool tfUnlistedUnique = false;
};

/// Knobs of EM training. Defaults suit a few thousand distinct patterns from millions of pairs.
struct EmOptions {
  int maxIterations = 200;
  /// Converged when no m, u or lambda moved by more than this in an iteration.
  double tolerance = 1e-6;
  /// Keep u as it is (typically estimated from random pairs) and fit only m and lambda.
  bool fixU = false;
  /// Probabilities are kept in [floor, 1 - floor] so that no single field makes a weight infinite.
  double probabilityFloor = 1e-9;
};

/// What training did, stored with the model.
struct EmReport {
  int iterations = 0;
  bool converged = false;
  double maxChange = 0.0;       // largest parameter change in the last iteration
  double logLikelihood = 0.0;   // natural log, of the last E step
  uint64_t pairs = 0;
  size_t patterns = 0;
  bool swappedClasses = false;  // the fitted classes came out the wrong way round and were swapped
};

/// One comparison's contribution to a pair's match weight, for explain.
struct FieldEvidence {
  std::string name;
  int level = -1;            // -1: null, contributes nothing
  int levels = 0;
  double similarity = 0.0;   // as given (NaN when null)
  double m = 0.0;
  double u = 0.0;            // after term-frequency adjustment when applied
  double weight = 0.0;       // log2 Bayes factor of this field (0 when null)
  bool tfApplied = false;
  std::string tfValue;
  double tfFrequency = 0.0;
};

/// The parameters of a Fellegi-Sunter model and how to score with them. Copyable; scoring is const and
/// thread-safe. Term-frequency tables are attached at run time and are not part of the saved model.
class FellegiSunterModel {
 public:
  FellegiSunterModel() = default;

  /// Starting parameters: m leans towards the top level, u towards the bottom one. Levels must be 1..127.
  static Result<FellegiSunterModel> initial(std::vector<ScoringField> fields, double lambda = 0.1);

  /// A model from known parameters (tests, hand-tuned models). Each m and u is checked and renormalised.
  static Result<FellegiSunterModel> fromParameters(double lambda, std::vector<FsComparisonParams> comparisons);

  const std::vector<ScoringField>& fields() const { return fields_; }
  const std::vector<FsComparisonParams>& comparisons() const { return params_; }
  double lambda() const { return lambda_; }
  const std::optional<EmReport>& training() const { return training_; }

  /// Replaces u of every comparison by level shares among random record pairs (which are almost all
  /// non-matches). A level never seen among N random pairs gets u = 0.5 / N rather than 0.
  Status estimateU(const PatternTable& randomPairs);

  /// Fits m, u (unless options.fixU) and lambda to the candidate pairs' level patterns, starting from the
  /// current parameters. Null levels carry no information. Refuses an empty table or one with other fields.
  Result<EmReport> trainEm(const PatternTable& candidates, const EmOptions& options = {});

  /// Turns on term-frequency adjustment for a comparison and attaches its value table (shared, read-only).
  /// `weight` and `minimumU` replace the comparison's tfWeight / tfMinimumU when given, else those stay (as
  /// loaded from a saved model). A null table turns the adjustment off.
  Status setTermFrequencies(std::string_view comparison, std::shared_ptr<const TermFrequencyTable> table,
                            std::optional<double> weight = std::nullopt,
                            std::optional<double> minimumU = std::nullopt);

  /// log2(lambda / (1 - lambda)).
  double priorWeight() const { return prior_; }

  /// Match weight of a pair. `levels` has one entry per comparison (-1 = null, no evidence); `tfValues`, when
  /// not empty, has the agreed value per comparison for term-frequency adjustment. No allocation.
  double matchWeight(std::span<const int8_t> levels, std::span<const std::string_view> tfValues = {}) const;

  /// 2^w / (1 + 2^w), computed without overflow.
  static double probabilityFromWeight(double weight);

  /// Per-comparison contributions (partial weights) of a pair.
  std::vector<FieldEvidence> fieldEvidence(const PairVectors& pair) const;

  /// Refuses when `expected` does not list the same comparisons (names and levels, in order) as the model:
  /// a saved model must match the pipeline's comparisons.
  Status checkFields(std::span<const ScoringField> expected) const;

  /// JSON form: {"format": "crmsync.fellegi_sunter", "version": 1, "lambda", "comparisons": [{"name",
  /// "levels", "m", "u", "tf_adjust", "tf_weight", "tf_minimum_u"}], "training": {...}}.
  nlohmann::json toJson() const;
  static Result<FellegiSunterModel> fromJson(const nlohmann::json& json);

  /// Writes the JSON form to `path` (through a temporary file and a rename, so a reader never sees half).
  Status save(const std::string& path) const;
  static Result<FellegiSunterModel> load(const std::string& path);

 private:
  // Clamps, renormalises and recomputes the weight tables; called after every parameter change.
  void refresh(double floor);
  double tfDelta(size_t k, std::string_view value, double* frequency) const;

  std::vector<ScoringField> fields_;
  std::vector<FsComparisonParams> params_;
  double lambda_ = 0.1;
  double prior_ = 0.0;
  std::vector<size_t> offset_;    // start of comparison k in weights_
  std::vector<double> weights_;   // log2(m / u) per comparison and level
  std::vector<std::shared_ptr<const TermFrequencyTable>> tf_;  // per comparison; null when not adjusted
  std::vector<size_t> tfFields_;  // comparisons with an attached table
  std::optional<EmReport> training_;
};

/// Which scale a Fellegi-Sunter threshold is on.
struct FsThreshold {
  enum class Scale : uint8_t { kProbability, kWeight };
  Scale scale = Scale::kProbability;
  double value = 0.9;  // from the pipeline's YAML, never fitted
};

/// A trained model plus the user's threshold. score() is the match probability or the match weight,
/// following the threshold's scale; match is score >= threshold.
class FellegiSunterScorer final : public Scorer {
 public:
  FellegiSunterScorer(std::shared_ptr<const FellegiSunterModel> model, FsThreshold threshold);

  ScoreResult score(const PairVectors& pair) const override;
  Explanation explain(const PairVectors& pair) const override;
  const std::vector<ScoringField>& fields() const override { return model_->fields(); }

  const FellegiSunterModel& model() const { return *model_; }
  const FsThreshold& threshold() const { return threshold_; }

 private:
  std::shared_ptr<const FellegiSunterModel> model_;
  FsThreshold threshold_;
};

}  // namespace crmsync::match
