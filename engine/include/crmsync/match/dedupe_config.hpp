// The dedupe stage's configuration as the pipeline file writes it (docs/matching.md), checked with
// file:line:column for `validate`, and the matcher it builds: comparisons, blocking and the scoring model.
#pragma once

#include <yaml-cpp/yaml.h>

#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "crmsync/config/diagnostics.hpp"
#include "crmsync/core/status.hpp"
#include "crmsync/match/blocking.hpp"
#include "crmsync/match/comparison.hpp"
#include "crmsync/match/fellegi_sunter.hpp"
#include "crmsync/match/match_record.hpp"
#include "crmsync/match/rules.hpp"

namespace crmsync::match {

/// How one golden field is chosen among the values of a customer's records.
enum class SurvivorRule : uint8_t {
  kMostFrequent,    // the value most records agree on; ties by most recent
  kMostRecent,      // the value of the most recently updated record that has one
  kMostComplete,    // the value of the record with the most non-empty fields; ties by most recent
  kLongest,         // the longest value (most characters); ties by most recent
  kSourcePriority,  // the value of the first source in `order` that has one; then most recent
};
const char* survivorRuleName(SurvivorRule rule);
std::optional<SurvivorRule> survivorRuleFromName(std::string_view name);

struct FieldSurvivorship {
  SurvivorRule rule = SurvivorRule::kMostFrequent;
  std::vector<std::string> order;  // kSourcePriority
};

struct SurvivorshipConfig {
  FieldSurvivorship defaults;
  std::map<std::string, FieldSurvivorship> fields;  // customer column -> rule
  const FieldSurvivorship& forField(const std::string& field) const {
    auto it = fields.find(field);
    return it == fields.end() ? defaults : it->second;
  }
};

enum class ModelType : uint8_t { kRules, kFellegiSunter };

/// Term frequencies per comparison name: value -> frequency.
using FrequencyTables = std::map<std::string, std::map<std::string, double>>;
enum class ClusteringMode : uint8_t { kUnionFind, kOneToOne };

struct FellegiSunterConfig {
  FsThreshold threshold;
  std::optional<std::string> modelFile;  // absolute; a saved model to use instead of training
  std::vector<std::string> termFrequency;  // comparisons adjusted by term frequency
  uint64_t maxTrainingPairs = 2'000'000;
  uint64_t randomPairs = 1'000'000;
  uint64_t seed = 1;
};

struct DedupeConfig {
  std::string stage;                  // the stage's name
  FieldSet fields;                    // record fields the comparisons and keys read
  std::vector<ComparisonSpec> comparisons;
  std::vector<BlockingKey> keys;
  BlockingOptions blocking;
  ModelType model = ModelType::kRules;
  std::string rule;                   // kRules
  FellegiSunterConfig fs;             // kFellegiSunter
  ClusteringMode clustering = ClusteringMode::kUnionFind;
  std::vector<std::string> link;      // kOneToOne: the two sources linked
  SurvivorshipConfig survivorship;
  /// A fingerprint of everything that decides which records match: comparisons, keys, model and clustering.
  /// Stored with the matching state; when it changes, the next run re-matches every record.
  std::string fingerprint;
};

/// Reads the stage map. Every problem goes to diags with its position in `file`; the result is empty when
/// there was any. `baseDir` resolves a relative model_file.
std::optional<DedupeConfig> parseDedupeConfig(const YAML::Node& stage, const std::string& stageName,
                                              const std::string& file, const std::string& baseDir,
                                              config::Diagnostics& diags);

/// The keys the dedupe stage accepts (for the "did you mean" of unknown keys).
const std::vector<std::string>& dedupeStageKeys();

/// Comparisons, blocking and scorer, built once per run. Immutable: compares and scores from several threads.
/// The comparison levels of candidate pairs, computed once so that training and the first scoring of a run
/// read them instead of comparing the records again.
struct PairLevels {
  size_t width = 0;             // comparisons per pair
  std::vector<int8_t> levels;   // pair i: levels[i * width .. (i + 1) * width)
  std::vector<uint8_t> agreed;  // pair i, comparison k: 1 when the similarity is 1 (the value term frequencies weigh)
  size_t size() const { return width ? levels.size() / width : 0; }
  std::span<const int8_t> levelsOf(size_t i) const { return {levels.data() + i * width, width}; }
  std::span<const uint8_t> agreedOf(size_t i) const { return {agreed.data() + i * width, width}; }
};

class Matcher {
 public:
  /// With a rules model, or a Fellegi-Sunter model from its file. A Fellegi-Sunter config without a file gets
  /// its model from setModel (trained or loaded from the database).
  static Result<std::shared_ptr<Matcher>> create(const DedupeConfig& config);

  const DedupeConfig& config() const { return config_; }
  const ComparisonSet& comparisons() const { return comparisons_; }
  const Blocker& blocker() const { return *blocker_; }
  bool hasScorer() const { return scorer_ != nullptr; }
  const Scorer& scorer() const { return *scorer_; }
  /// Score at or above which a pair matches: 1 for rules (a rule gives 1 or 0), else the threshold's value.
  double threshold() const;

  /// Fellegi-Sunter: u from random pairs of `records`; m by EM over the candidate pairs, each pair's comparisons
  /// on the fields of a blocking key value it shares (keysOf[i]: record i's key values) left out; the prior from
  /// the matches EM finds among all pairs; term-frequency tables from the records. Deterministic for a seed.
  /// Term frequencies are the share of customers holding a value (after a first clustering), for values held
  /// by three customers or more; `tf` receives the tables.
  /// `compared`: the pairs' levels from compareAll, when the caller has them; else they are computed here.
  Result<FellegiSunterModel> train(std::span<const MatchRecord> records, std::span<const CandidatePair> pairs,
                                   std::span<const std::vector<KeyValue>> keysOf = {},
                                   FrequencyTables* tf = nullptr, const PairLevels* compared = nullptr) const;
  /// Term frequencies counted over records (for a model given by file).
  FrequencyTables recordFrequencies(std::span<const MatchRecord> records) const;
  Status attachFrequencies(FellegiSunterModel& model, const FrequencyTables& tables) const;
  /// Fellegi-Sunter: uses this model (its comparisons must match the configuration).
  Status setModel(FellegiSunterModel model);
  const FellegiSunterModel* model() const { return model_.get(); }

  /// Scores a pair of records: similarities, levels, agreed values for term frequency, then the scorer.
  struct PairScore {
    double score = 0;
    bool match = false;
  };
  PairScore score(const MatchRecord& a, const MatchRecord& b) const;
  /// Compares every pair of `pairs` (positions in `records`), on every core; the result does not depend on the
  /// number of threads.
  PairLevels compareAll(std::span<const MatchRecord> records, std::span<const CandidatePair> pairs) const;
  /// Fellegi-Sunter only (its weights read levels and agreed values, not similarities): scores pair `i` of
  /// `compared`, whose first record is `a`, without comparing the records again.
  PairScore scoreCompared(const MatchRecord& a, const PairLevels& compared, size_t i) const;
  Explanation explain(const MatchRecord& a, const MatchRecord& b) const;

 private:
  explicit Matcher(DedupeConfig config, ComparisonSet comparisons, Blocker blocker)
      : config_(std::move(config)), comparisons_(std::move(comparisons)), blocker_(std::make_unique<Blocker>(std::move(blocker))) {}
  void fillTf(const MatchRecord& a, const MatchRecord& b, std::span<const double> sims,
              std::span<std::string_view> out) const;
  void agreedValues(const MatchRecord& a, std::span<const uint8_t> agreed, std::span<std::string_view> out) const;

  DedupeConfig config_;
  ComparisonSet comparisons_;
  std::unique_ptr<Blocker> blocker_;
  std::shared_ptr<const FellegiSunterModel> model_;
  std::unique_ptr<Scorer> scorer_;
  std::vector<bool> tfComparison_;
  std::vector<size_t> comparisonField_;  // per comparison: the position of its field in config_.fields
};

/// Term-frequency tables and the model in one JSON document, as match_state.model stores it.
nlohmann::json modelWithFrequencies(const FellegiSunterModel& model, const FrequencyTables& frequencies);
Result<FellegiSunterModel> modelFromStored(const nlohmann::json& stored, const DedupeConfig& config);

}  // namespace crmsync::match
