// Matcher: the configured comparisons, blocking and scoring model of a dedupe stage, and Fellegi-Sunter
// training on a run's records.
#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "crmsync/match/dedupe_config.hpp"
#include "crmsync/match/level_patterns.hpp"
#include "crmsync/match/term_frequency.hpp"

namespace crmsync::match {
namespace {

uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// Frequencies of a comparison's field among records, keeping values seen at least twice (a value seen once is
// as rare as the level's own u says; storing every one would make the stored model as big as the data).
std::map<std::string, double> frequencies(std::span<const MatchRecord> records, size_t field) {
  std::unordered_map<std::string_view, uint64_t> counts;
  uint64_t total = 0;
  for (const auto& r : records) {
    auto v = r.value(field);
    if (!v || v->empty()) continue;
    ++counts[*v];
    ++total;
  }
  std::map<std::string, double> out;
  for (const auto& [v, n] : counts) {
    if (n >= 2) out.emplace(std::string(v), static_cast<double>(n) / static_cast<double>(total));
  }
  return out;
}

}  // namespace

Result<std::shared_ptr<Matcher>> Matcher::create(const DedupeConfig& config) {
  ASSIGN_OR_RETURN(auto comparisons, ComparisonSet::create(config.comparisons, config.fields));
  ASSIGN_OR_RETURN(auto blocker, Blocker::create(config.keys, config.fields, config.blocking));
  std::shared_ptr<Matcher> m(new Matcher(config, std::move(comparisons), std::move(blocker)));
  m->tfComparison_.assign(config.comparisons.size(), false);
  for (size_t k = 0; k < config.comparisons.size(); ++k) {
    const auto& tf = config.fs.termFrequency;
    m->tfComparison_[k] = std::find(tf.begin(), tf.end(), config.comparisons[k].name) != tf.end();
  }
  if (config.model == ModelType::kRules) {
    ASSIGN_OR_RETURN(auto rule, MatchRule::parse(config.rule, m->comparisons_.scoringFields()));
    m->scorer_ = std::make_unique<MatchRule>(std::move(rule));
  }
  return m;
}

double Matcher::threshold() const {
  if (config_.model == ModelType::kRules) return 1.0;
  return config_.fs.threshold.value;
}

Status Matcher::setModel(FellegiSunterModel model) {
  RETURN_IF_ERROR(model.checkFields(comparisons_.scoringFields()).withContext("the stored or given model"));
  model_ = std::make_shared<const FellegiSunterModel>(std::move(model));
  scorer_ = std::make_unique<FellegiSunterScorer>(model_, config_.fs.threshold);
  return Status::ok();
}

Result<FellegiSunterModel> Matcher::train(std::span<const MatchRecord> records,
                                          std::span<const CandidatePair> pairs) const {
  const auto fields = comparisons_.scoringFields();
  const size_t n = fields.size();
  std::vector<double> sims(n);
  std::vector<int8_t> levels(n);

  LevelPatterns candidates(fields);
  const uint64_t maxPairs = std::max<uint64_t>(1, config_.fs.maxTrainingPairs);
  const size_t stride = pairs.size() > maxPairs ? (pairs.size() + maxPairs - 1) / maxPairs : 1;
  for (size_t i = 0; i < pairs.size(); i += stride) {
    comparisons_.compare(records[pairs[i].first], records[pairs[i].second], sims, levels);
    RETURN_IF_ERROR(candidates.add(levels));
  }
  if (candidates.totalPairs() == 0) {
    return invalidConfig(
                  "cannot train the Fellegi-Sunter model: blocking produced no candidate pairs (" +
                      std::to_string(records.size()) + " records); give the model a model_file or add blocking keys");
  }

  LevelPatterns random(fields);
  uint64_t state = config_.fs.seed;
  if (records.size() >= 2) {
    for (uint64_t i = 0; i < config_.fs.randomPairs; ++i) {
      size_t a = static_cast<size_t>(splitmix64(state) % records.size());
      size_t b = static_cast<size_t>(splitmix64(state) % records.size());
      if (a == b) continue;
      comparisons_.compare(records[a], records[b], sims, levels);
      RETURN_IF_ERROR(random.add(levels));
    }
  }
  ASSIGN_OR_RETURN(auto model, FellegiSunterModel::initial(fields));
  EmOptions em;
  if (random.totalPairs() > 0) {
    RETURN_IF_ERROR(model.estimateU(random.table()));
    em.fixU = true;
  }
  ASSIGN_OR_RETURN(auto report, model.trainEm(candidates.table(), em));
  (void)report;
  for (size_t k = 0; k < n; ++k) {
    if (!tfComparison_[k]) continue;
    auto table = std::make_shared<TermFrequencyTable>();
    for (auto& [v, f] : frequencies(records, *config_.fields.indexOf(config_.comparisons[k].field))) {
      table->setFrequency(v, f);
    }
    RETURN_IF_ERROR(model.setTermFrequencies(config_.comparisons[k].name, table, 1.0));
  }
  return model;
}

void Matcher::fillTf(const MatchRecord& a, const MatchRecord& b, std::span<const double> sims,
                     std::span<std::string_view> out) const {
  (void)b;
  for (size_t k = 0; k < out.size(); ++k) {
    out[k] = {};
    if (!tfComparison_[k] || !(sims[k] >= 1.0)) continue;
    if (auto v = a.value(*config_.fields.indexOf(config_.comparisons[k].field))) out[k] = *v;
  }
}

Matcher::PairScore Matcher::score(const MatchRecord& a, const MatchRecord& b) const {
  constexpr size_t kMax = 32;
  const size_t n = comparisons_.size();
  double simBuf[kMax];
  int8_t levelBuf[kMax];
  std::string_view tfBuf[kMax];
  std::vector<double> simVec;
  std::vector<int8_t> levelVec;
  std::vector<std::string_view> tfVec;
  std::span<double> sims(simBuf, n);
  std::span<int8_t> levels(levelBuf, n);
  std::span<std::string_view> tf(tfBuf, n);
  if (n > kMax) {
    simVec.resize(n);
    levelVec.resize(n);
    tfVec.resize(n);
    sims = simVec;
    levels = levelVec;
    tf = tfVec;
  }
  comparisons_.compare(a, b, sims, levels);
  fillTf(a, b, sims, tf);
  PairVectors pv{sims, levels, tf};
  auto r = scorer_->score(pv);
  return {r.score, r.match};
}

Explanation Matcher::explain(const MatchRecord& a, const MatchRecord& b) const {
  auto v = comparisons_.compare(a, b);
  std::vector<std::string_view> tf(comparisons_.size());
  fillTf(a, b, v.similarities, tf);
  PairVectors pv{v.similarities, v.levels, tf};
  return scorer_->explain(pv);
}

nlohmann::json modelWithFrequencies(const FellegiSunterModel& model, std::span<const MatchRecord> records,
                                    const DedupeConfig& config) {
  nlohmann::json out;
  out["model"] = model.toJson();
  out["term_frequencies"] = nlohmann::json::object();
  for (const auto& name : config.fs.termFrequency) {
    for (const auto& c : config.comparisons) {
      if (c.name != name) continue;
      out["term_frequencies"][name] = frequencies(records, *config.fields.indexOf(c.field));
    }
  }
  return out;
}

Result<FellegiSunterModel> modelFromStored(const nlohmann::json& stored, const DedupeConfig& config) {
  if (!stored.is_object() || !stored.contains("model")) {
    return invalidInput("the stored matching model is not in the expected form");
  }
  ASSIGN_OR_RETURN(auto model, FellegiSunterModel::fromJson(stored["model"]));
  const auto& tfs = stored.value("term_frequencies", nlohmann::json::object());
  for (const auto& name : config.fs.termFrequency) {
    auto table = std::make_shared<TermFrequencyTable>();
    if (tfs.contains(name)) {
      for (const auto& [v, f] : tfs[name].items()) table->setFrequency(v, f.get<double>());
    }
    RETURN_IF_ERROR(model.setTermFrequencies(name, table, 1.0));
  }
  return model;
}

}  // namespace crmsync::match
