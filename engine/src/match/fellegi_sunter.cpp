#include "crmsync/match/fellegi_sunter.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "match/fellegi_sunter_internal.hpp"

namespace crmsync::match {

namespace {

std::string fixed(double v, int decimals) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string general(double v) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

std::string signedWeight(double w) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%+.2f", w);
  return buf;
}

nlohmann::json numberOrNull(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

}  // namespace

Status fsCheckProbabilities(const std::string& what, std::vector<double>& p, size_t levels) {
  if (p.size() != levels)
    return invalidInput(what + " has " + std::to_string(p.size()) + " entries but the comparison has " +
                        std::to_string(levels) + " levels");
  double sum = 0.0;
  for (double v : p) {
    if (!std::isfinite(v) || v < 0.0 || v > 1.0)
      return invalidInput(what + " holds " + general(v) + "; probabilities must be in [0, 1]");
    sum += v;
  }
  if (std::fabs(sum - 1.0) > 1e-3)
    return invalidInput(what + " sums to " + general(sum) + "; probabilities over the levels must sum to 1");
  for (double& v : p) v /= sum;
  return Status::ok();
}

Status fsCheckFields(const std::vector<ScoringField>& fields) {
  for (size_t k = 0; k < fields.size(); ++k) {
    if (fields[k].name.empty()) return invalidConfig("comparison " + std::to_string(k) + " has no name");
    if (fields[k].levels < 1 || fields[k].levels > 127)
      return invalidConfig("comparison '" + fields[k].name + "' has " + std::to_string(fields[k].levels) +
                           " levels; 1 to 127 are supported");
    for (size_t j = 0; j < k; ++j)
      if (fields[j].name == fields[k].name)
        return invalidConfig("comparison '" + fields[k].name + "' is listed twice");
  }
  return Status::ok();
}

Result<FellegiSunterModel> FellegiSunterModel::initial(std::vector<ScoringField> fields, double lambda) {
  RETURN_IF_ERROR(fsCheckFields(fields));
  if (!(lambda > 0.0 && lambda < 1.0)) return invalidConfig("lambda must be strictly between 0 and 1");
  FellegiSunterModel model;
  for (const auto& f : fields) {
    FsComparisonParams p;
    p.name = f.name;
    const size_t levels = static_cast<size_t>(f.levels);
    p.m.assign(levels, 1.0);
    p.u.assign(levels, 1.0);
    if (levels > 1) {
      // Matches mostly agree (mass on the top level, the rest rising towards it); non-matches mostly disagree.
      double mRest = 0.0, uRest = 0.0;
      for (size_t l = 0; l + 1 < levels; ++l) {
        p.m[l] = std::ldexp(1.0, static_cast<int>(l));
        p.u[l] = std::ldexp(1.0, -static_cast<int>(l));
        mRest += p.m[l];
        uRest += p.u[l];
      }
      for (size_t l = 0; l + 1 < levels; ++l) {
        p.m[l] *= 0.1 / mRest;
        p.u[l] *= 0.95 / uRest;
      }
      p.m[levels - 1] = 0.9;
      p.u[levels - 1] = 0.05;
    }
    model.params_.push_back(std::move(p));
  }
  model.fields_ = std::move(fields);
  model.lambda_ = lambda;
  model.tf_.assign(model.fields_.size(), nullptr);
  model.refresh(kFsDefaultFloor);
  return model;
}

Result<FellegiSunterModel> FellegiSunterModel::fromParameters(double lambda,
                                                              std::vector<FsComparisonParams> comparisons) {
  if (!(lambda > 0.0 && lambda < 1.0)) return invalidInput("lambda must be strictly between 0 and 1");
  FellegiSunterModel model;
  for (auto& p : comparisons) {
    model.fields_.push_back({p.name, static_cast<int>(p.m.size())});
    if (!(p.tfWeight >= 0.0 && p.tfWeight <= 1.0))
      return invalidInput("tf_weight of '" + p.name + "' must be in [0, 1]");
    if (!(p.tfMinimumU >= 0.0 && p.tfMinimumU <= 1.0))
      return invalidInput("tf_minimum_u of '" + p.name + "' must be in [0, 1]");
  }
  RETURN_IF_ERROR(fsCheckFields(model.fields_));
  for (auto& p : comparisons) {
    RETURN_IF_ERROR(fsCheckProbabilities("m of '" + p.name + "'", p.m, p.m.size()));
    RETURN_IF_ERROR(fsCheckProbabilities("u of '" + p.name + "'", p.u, p.m.size()));
  }
  model.params_ = std::move(comparisons);
  model.lambda_ = lambda;
  model.tf_.assign(model.fields_.size(), nullptr);
  model.refresh(kFsDefaultFloor);
  return model;
}

void FellegiSunterModel::refresh(double floor) {
  auto clampAndNormalise = [floor](std::vector<double>& p) {
    double sum = 0.0;
    for (double& v : p) {
      v = std::clamp(std::isfinite(v) ? v : floor, floor, 1.0 - floor);
      sum += v;
    }
    if (p.size() == 1) {
      p[0] = 1.0;
      return;
    }
    for (double& v : p) v /= sum;
  };
  offset_.clear();
  weights_.clear();
  for (auto& p : params_) {
    clampAndNormalise(p.m);
    clampAndNormalise(p.u);
    offset_.push_back(weights_.size());
    for (size_t l = 0; l < p.m.size(); ++l) weights_.push_back(std::log2(p.m[l]) - std::log2(p.u[l]));
  }
  lambda_ = std::clamp(std::isfinite(lambda_) ? lambda_ : 0.5, floor, 1.0 - floor);
  prior_ = std::log2(lambda_) - std::log2(1.0 - lambda_);
  tfFields_.clear();
  for (size_t k = 0; k < tf_.size(); ++k)
    if (tf_[k] && params_[k].tfAdjust && fields_[k].levels >= 2) tfFields_.push_back(k);
}

Status FellegiSunterModel::setTermFrequencies(std::string_view comparison,
                                              std::shared_ptr<const TermFrequencyTable> table,
                                              std::optional<double> weight, std::optional<double> minimumU) {
  auto it = std::find_if(fields_.begin(), fields_.end(), [&](const ScoringField& f) { return f.name == comparison; });
  if (it == fields_.end()) return invalidConfig("term frequencies for unknown comparison '" + std::string(comparison) + "'");
  if (weight && !(*weight >= 0.0 && *weight <= 1.0))
    return invalidConfig("term-frequency weight must be in [0, 1]");
  if (minimumU && !(*minimumU >= 0.0 && *minimumU <= 1.0))
    return invalidConfig("term-frequency minimum u must be in [0, 1]");
  if (it->levels < 2)
    return invalidConfig("comparison '" + it->name + "' has one level; term frequencies need an exact level");
  size_t k = static_cast<size_t>(it - fields_.begin());
  params_[k].tfAdjust = table != nullptr;
  if (weight) params_[k].tfWeight = *weight;
  if (minimumU) params_[k].tfMinimumU = *minimumU;
  tf_[k] = std::move(table);
  refresh(kFsDefaultFloor);
  return Status::ok();
}

double FellegiSunterModel::tfDelta(size_t k, std::string_view value, double* frequency) const {
  const FsComparisonParams& p = params_[k];
  std::optional<double> f = tf_[k]->frequency(value);
  if (!f) {
    if (!p.tfUnlistedUnique || tf_[k]->empty()) return 0.0;
    f = 0.0;
  }
  double uTop = p.u.back();
  double uTf = std::max({*f, p.tfMinimumU, kFsDefaultFloor});
  if (frequency) *frequency = *f;
  return p.tfWeight * (std::log2(uTop) - std::log2(uTf));
}

double FellegiSunterModel::matchWeight(std::span<const int8_t> levels,
                                       std::span<const std::string_view> tfValues) const {
  double w = prior_;
  const size_t n = std::min(levels.size(), fields_.size());
  for (size_t k = 0; k < n; ++k) {
    int l = levels[k];
    if (l < 0 || l >= fields_[k].levels) continue;
    w += weights_[offset_[k] + static_cast<size_t>(l)];
  }
  if (!tfValues.empty()) {
    for (size_t k : tfFields_) {
      if (k >= n || k >= tfValues.size() || tfValues[k].empty() || levels[k] != fields_[k].levels - 1) continue;
      w += tfDelta(k, tfValues[k], nullptr);
    }
  }
  return w;
}

double FellegiSunterModel::probabilityFromWeight(double weight) {
  if (std::isnan(weight)) return weight;
  if (weight >= 0.0) return 1.0 / (1.0 + std::exp2(-weight));
  double t = std::exp2(weight);
  return t / (1.0 + t);
}

std::vector<FieldEvidence> FellegiSunterModel::fieldEvidence(const PairVectors& pair) const {
  std::vector<FieldEvidence> out;
  for (size_t k = 0; k < fields_.size(); ++k) {
    FieldEvidence e;
    e.name = fields_[k].name;
    e.levels = fields_[k].levels;
    e.similarity = k < pair.similarities.size() ? pair.similarities[k] : std::nan("");
    int l = k < pair.levels.size() ? pair.levels[k] : -1;
    if (l >= 0 && l < fields_[k].levels) {
      e.level = l;
      e.m = params_[k].m[static_cast<size_t>(l)];
      e.u = params_[k].u[static_cast<size_t>(l)];
      e.weight = weights_[offset_[k] + static_cast<size_t>(l)];
      bool tfField = std::find(tfFields_.begin(), tfFields_.end(), k) != tfFields_.end();
      if (tfField && l == fields_[k].levels - 1 && k < pair.tfValues.size() && !pair.tfValues[k].empty()) {
        double freq = 0.0;
        double delta = tfDelta(k, pair.tfValues[k], &freq);
        if (delta != 0.0 || freq > 0.0) {
          e.tfApplied = true;
          e.tfValue = std::string(pair.tfValues[k]);
          e.tfFrequency = freq;
          e.weight += delta;
          e.u = e.m / std::exp2(e.weight);
        }
      }
    } else {
      e.m = std::nan("");
      e.u = std::nan("");
    }
    out.push_back(std::move(e));
  }
  return out;
}

Status FellegiSunterModel::checkFields(std::span<const ScoringField> expected) const {
  for (size_t k = 0; k < std::max(expected.size(), fields_.size()); ++k) {
    if (k >= fields_.size())
      return invalidConfig("the model has no parameters for comparison '" + expected[k].name +
                           "'; train it again with the current comparisons");
    if (k >= expected.size())
      return invalidConfig("the model has parameters for comparison '" + fields_[k].name +
                           "', which is not configured; train it again with the current comparisons");
    if (expected[k].name != fields_[k].name)
      return invalidConfig("comparison " + std::to_string(k + 1) + " is '" + expected[k].name +
                           "' but the model was trained with '" + fields_[k].name + "' there");
    if (expected[k].levels != fields_[k].levels)
      return invalidConfig("comparison '" + expected[k].name + "' has " + std::to_string(expected[k].levels) +
                           " levels but the model was trained with " + std::to_string(fields_[k].levels));
  }
  return Status::ok();
}

FellegiSunterScorer::FellegiSunterScorer(std::shared_ptr<const FellegiSunterModel> model, FsThreshold threshold)
    : model_(std::move(model)), threshold_(threshold) {}

ScoreResult FellegiSunterScorer::score(const PairVectors& pair) const {
  double w = model_->matchWeight(pair.levels, pair.tfValues);
  double s = threshold_.scale == FsThreshold::Scale::kWeight ? w : FellegiSunterModel::probabilityFromWeight(w);
  return {s, s >= threshold_.value};
}

Explanation FellegiSunterScorer::explain(const PairVectors& pair) const {
  Explanation e;
  e.result = score(pair);
  const FellegiSunterModel& m = *model_;
  double w = m.matchWeight(pair.levels, pair.tfValues);
  double p = FellegiSunterModel::probabilityFromWeight(w);
  bool byWeight = threshold_.scale == FsThreshold::Scale::kWeight;
  std::vector<FieldEvidence> evidence = m.fieldEvidence(pair);

  e.text = "Fellegi-Sunter: match weight " + fixed(w, 2) + ", probability " + fixed(p, 5) + "; threshold " +
           (byWeight ? "weight" : "probability") + " >= " + general(threshold_.value) + ": " +
           (e.result.match ? "match" : "no match") + "\n";
  size_t width = std::string("prior").size();
  for (const auto& f : evidence) width = std::max(width, f.name.size());
  auto pad = [width](std::string s) {
    if (s.size() < width) s.append(width - s.size(), ' ');
    return s;
  };
  e.text += "  " + pad("prior") + "  lambda " + general(m.lambda()) + "  " + signedWeight(m.priorWeight()) + "\n";
  nlohmann::json fieldsJson = nlohmann::json::array();
  for (const auto& f : evidence) {
    nlohmann::json j = {{"comparison", f.name}, {"levels", f.levels}, {"weight", f.weight}};
    j["similarity"] = numberOrNull(f.similarity);
    if (f.level < 0) {
      e.text += "  " + pad(f.name) + "  null (no evidence)  " + signedWeight(0.0) + "\n";
      j["level"] = nullptr;
      j["m"] = nullptr;
      j["u"] = nullptr;
    } else {
      std::string line = "  " + pad(f.name) + "  level " + std::to_string(f.level) + "/" +
                         std::to_string(f.levels - 1);
      if (std::isfinite(f.similarity)) line += "  similarity " + fixed(f.similarity, 3);
      line += "  m " + general(f.m) + "  u " + general(f.u);
      if (f.tfApplied) line += " (term frequency of '" + f.tfValue + "' " + general(f.tfFrequency) + ")";
      e.text += line + "  " + signedWeight(f.weight) + "\n";
      j["level"] = f.level;
      j["m"] = f.m;
      j["u"] = f.u;
      if (f.tfApplied) {
        j["tf_value"] = f.tfValue;
        j["tf_frequency"] = f.tfFrequency;
      }
    }
    fieldsJson.push_back(std::move(j));
  }
  e.json = {{"model", "fellegi_sunter"},
            {"match_weight", numberOrNull(w)},
            {"match_probability", numberOrNull(p)},
            {"score", numberOrNull(e.result.score)},
            {"match", e.result.match},
            {"threshold", {{"scale", byWeight ? "weight" : "probability"}, {"value", threshold_.value}}},
            {"lambda", m.lambda()},
            {"prior_weight", m.priorWeight()},
            {"fields", std::move(fieldsJson)}};
  return e;
}

}  // namespace crmsync::match
