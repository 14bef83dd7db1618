#include <algorithm>
#include <cmath>

#include "crmsync/match/fellegi_sunter.hpp"
#include "match/fellegi_sunter_internal.hpp"

namespace crmsync::match {

namespace {

Status checkTable(const PatternTable& t, const std::vector<ScoringField>& fields, const char* what) {
  if (t.width != fields.size())
    return invalidInput(std::string(what) + " have " + std::to_string(t.width) + " comparisons per pair but the model has " +
                        std::to_string(fields.size()));
  if (t.levels.size() != t.counts.size() * t.width)
    return invalidInput(std::string(what) + ": pattern table is inconsistent (levels and counts differ in length)");
  for (size_t i = 0; i < t.size(); ++i) {
    auto p = t.pattern(i);
    for (size_t k = 0; k < t.width; ++k)
      if (p[k] < -1 || p[k] >= fields[k].levels)
        return invalidInput(std::string(what) + ": comparison '" + fields[k].name + "' has levels 0.." +
                            std::to_string(fields[k].levels - 1) + " but a pattern has level " +
                            std::to_string(p[k]));
  }
  uint64_t pairs = 0;
  for (uint64_t c : t.counts) pairs += c;
  if (pairs == 0) return invalidInput(std::string(what) + ": there are no pairs to learn from");
  return Status::ok();
}

// ln(e^a + e^b) without overflow.
inline double logAddExp(double a, double b) {
  double hi = std::max(a, b);
  return hi + std::log1p(std::exp(-std::fabs(a - b)));
}

}  // namespace

Status FellegiSunterModel::estimateU(const PatternTable& randomPairs) {
  RETURN_IF_ERROR(checkTable(randomPairs, fields_, "random pairs"));
  for (size_t k = 0; k < fields_.size(); ++k) {
    std::vector<double> counts(static_cast<size_t>(fields_[k].levels), 0.0);
    double n = 0.0;
    for (size_t i = 0; i < randomPairs.size(); ++i) {
      int l = randomPairs.pattern(i)[k];
      if (l < 0) continue;
      counts[static_cast<size_t>(l)] += static_cast<double>(randomPairs.counts[i]);
      n += static_cast<double>(randomPairs.counts[i]);
    }
    // A comparison that was null in every random pair says nothing about u: keep what it was.
    if (n == 0.0) continue;
    double sum = 0.0;
    for (double& c : counts) {
      c = std::max(c, 0.5);
      sum += c;
    }
    for (double& c : counts) c /= sum;
    params_[k].u = std::move(counts);
  }
  refresh(kFsDefaultFloor);
  return Status::ok();
}

Result<EmReport> FellegiSunterModel::trainEm(const PatternTable& t, const EmOptions& options) {
  RETURN_IF_ERROR(checkTable(t, fields_, "candidate pairs"));
  if (options.maxIterations < 1) return invalidConfig("EM needs at least one iteration");
  if (!(options.tolerance > 0.0)) return invalidConfig("EM tolerance must be positive");
  if (!(options.probabilityFloor > 0.0 && options.probabilityFloor < 0.01))
    return invalidConfig("EM probability floor must be in (0, 0.01)");
  const double floor = options.probabilityFloor;
  refresh(floor);

  const size_t K = fields_.size();
  const size_t P = t.size();
  const size_t cells = weights_.size();
  std::vector<double> logM(cells), logU(cells), accM(cells), accU(cells);
  std::vector<double> counts(P);
  for (size_t i = 0; i < P; ++i) counts[i] = static_cast<double>(t.counts[i]);

  EmReport report;
  report.pairs = 0;
  for (uint64_t c : t.counts) report.pairs += c;
  report.patterns = P;

  for (int iter = 1; iter <= options.maxIterations; ++iter) {
    for (size_t k = 0; k < K; ++k)
      for (size_t l = 0; l < params_[k].m.size(); ++l) {
        logM[offset_[k] + l] = std::log(params_[k].m[l]);
        logU[offset_[k] + l] = std::log(params_[k].u[l]);
      }
    std::fill(accM.begin(), accM.end(), 0.0);
    std::fill(accU.begin(), accU.end(), 0.0);
    const double logLambda = std::log(lambda_), logOneMinus = std::log1p(-lambda_);
    double sumMatch = 0.0, total = 0.0, logLikelihood = 0.0;

    // E step: posterior match probability of each distinct pattern, weighted by how many pairs show it.
    for (size_t i = 0; i < P; ++i) {
      const int8_t* pattern = t.levels.data() + i * K;
      double a = logLambda, b = logOneMinus;
      for (size_t k = 0; k < K; ++k) {
        if (pattern[k] < 0) continue;
        size_t cell = offset_[k] + static_cast<size_t>(pattern[k]);
        a += logM[cell];
        b += logU[cell];
      }
      double d = b - a;
      double posterior = d > 0 ? std::exp(-d) / (1.0 + std::exp(-d)) : 1.0 / (1.0 + std::exp(d));
      double c = counts[i];
      double cm = c * posterior, cu = c - cm;
      logLikelihood += c * logAddExp(a, b);
      sumMatch += cm;
      total += c;
      for (size_t k = 0; k < K; ++k) {
        if (pattern[k] < 0) continue;
        size_t cell = offset_[k] + static_cast<size_t>(pattern[k]);
        accM[cell] += cm;
        accU[cell] += cu;
      }
    }

    // M step: m and u become each level's share among the expected matches and non-matches.
    std::vector<FsComparisonParams> before = params_;
    double lambdaBefore = lambda_;
    lambda_ = sumMatch / total;
    for (size_t k = 0; k < K; ++k) {
      FsComparisonParams& p = params_[k];
      const size_t L = p.m.size();
      double sumM = 0.0, sumU = 0.0;
      for (size_t l = 0; l < L; ++l) {
        sumM += accM[offset_[k] + l];
        sumU += accU[offset_[k] + l];
      }
      if (sumM + sumU <= 0.0) continue;  // null in every pair: nothing learnt, keep the current values
      // A level no pair showed gets m = u so it weighs nothing, rather than the strong negative evidence an
      // m of 0 would give against a u estimated elsewhere.
      double unseenM = 0.0, unseenU = 0.0;
      for (size_t l = 0; l < L; ++l) {
        if (accM[offset_[k] + l] + accU[offset_[k] + l] > 0.0) continue;
        double v = options.fixU ? p.u[l] : floor;
        p.m[l] = v;
        unseenM += v;
        if (!options.fixU) {
          p.u[l] = v;
          unseenU += v;
        }
      }
      for (size_t l = 0; l < L; ++l) {
        double seen = accM[offset_[k] + l] + accU[offset_[k] + l];
        if (seen <= 0.0) continue;
        if (sumM > 0.0) p.m[l] = (1.0 - unseenM) * accM[offset_[k] + l] / sumM;
        if (!options.fixU && sumU > 0.0) p.u[l] = (1.0 - unseenU) * accU[offset_[k] + l] / sumU;
      }
    }
    refresh(floor);

    double change = std::fabs(lambda_ - lambdaBefore);
    for (size_t k = 0; k < K; ++k)
      for (size_t l = 0; l < params_[k].m.size(); ++l) {
        change = std::max(change, std::fabs(params_[k].m[l] - before[k].m[l]));
        change = std::max(change, std::fabs(params_[k].u[l] - before[k].u[l]));
      }
    report.iterations = iter;
    report.maxChange = change;
    report.logLikelihood = logLikelihood;
    if (change < options.tolerance) {
      report.converged = true;
      break;
    }
  }

  // EM cannot tell which class is which; the one whose levels run higher is the match class.
  if (!options.fixU) {
    double lean = 0.0;
    for (const auto& p : params_) {
      const size_t L = p.m.size();
      if (L < 2) continue;
      for (size_t l = 0; l < L; ++l) lean += static_cast<double>(l) / static_cast<double>(L - 1) * (p.m[l] - p.u[l]);
    }
    if (lean < 0.0) {
      for (auto& p : params_) std::swap(p.m, p.u);
      lambda_ = 1.0 - lambda_;
      refresh(floor);
      report.swappedClasses = true;
    }
  }
  training_ = report;
  return report;
}

}  // namespace crmsync::match
