// Cost of scoring candidate pairs, independent of comparators: comparison vectors are drawn from a known
// Fellegi-Sunter model (six comparisons, 10 % nulls), then
//   * a matching rule is evaluated over them (ns per pair),
//   * a trained Fellegi-Sunter scorer scores them, without and with term-frequency values (ns per pair),
//   * EM trains a model on --em-pairs level vectors: pattern counting and EM timed apart, with how far the
//     fitted m/u/lambda are from the generating ones.
// The last line is the same figures as one JSON object.
//
//   build/bin/scoring_bench [--score-pairs N] [--em-pairs N] [--repeat R]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "crmsync/match/fellegi_sunter.hpp"
#include "crmsync/match/level_patterns.hpp"
#include "crmsync/match/rules.hpp"
#include "crmsync/match/term_frequency.hpp"

namespace {

using namespace crmsync::match;

struct Rng {  // splitmix64: the same pairs on every machine
  uint64_t state;
  uint64_t next() {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  int8_t categorical(const std::vector<double>& p) {
    double r = uniform(), acc = 0.0;
    for (size_t i = 0; i < p.size(); ++i) {
      acc += p[i];
      if (r < acc) return static_cast<int8_t>(i);
    }
    return static_cast<int8_t>(p.size() - 1);
  }
};

const double kLambda = 0.05;
const double kNullRate = 0.10;

std::vector<FsComparisonParams> trueParams() {
  return {
      {"first_name", {0.04, 0.08, 0.18, 0.70}, {0.80, 0.12, 0.05, 0.03}},
      {"surname", {0.03, 0.07, 0.15, 0.75}, {0.85, 0.08, 0.04, 0.03}},
      {"email", {0.20, 0.80}, {0.995, 0.005}},
      {"phone", {0.15, 0.10, 0.75}, {0.97, 0.02, 0.01}},
      {"city", {0.15, 0.85}, {0.70, 0.30}},
      {"birth_date", {0.05, 0.15, 0.80}, {0.90, 0.09, 0.01}},
  };
}

std::vector<ScoringField> fieldsOf(const std::vector<FsComparisonParams>& params) {
  std::vector<ScoringField> f;
  for (const auto& p : params) f.push_back({p.name, static_cast<int>(p.m.size())});
  return f;
}

// Levels of `n` pairs row after row, and (when `sims` is given) a similarity per level: the level's lower edge
// plus noise, 1.0 exactly on the top level, NaN for null.
void drawPairs(size_t n, uint64_t seed, std::vector<int8_t>& levels, std::vector<double>* sims) {
  const auto params = trueParams();
  Rng rng{seed};
  levels.resize(n * params.size());
  if (sims) sims->resize(n * params.size());
  size_t at = 0;
  for (size_t i = 0; i < n; ++i) {
    bool match = rng.uniform() < kLambda;
    for (const auto& p : params) {
      int8_t level = rng.categorical(match ? p.m : p.u);
      if (rng.uniform() < kNullRate) level = -1;
      levels[at] = level;
      if (sims) {
        const double top = static_cast<double>(p.m.size() - 1);
        double s = std::nan("");
        if (level >= 0) s = level == top ? 1.0 : (level + 0.99 * rng.uniform()) / top;
        (*sims)[at] = s;
      }
      ++at;
    }
  }
}

double seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// Best of `repeat` passes over all pairs, in ns per pair; `matches` counts the last pass's matches.
template <typename F>
double nsPerPair(size_t pairs, int repeat, F&& scoreAll, size_t& matches) {
  double best = 1e300;
  for (int r = 0; r < repeat; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    matches = scoreAll();
    best = std::min(best, seconds(t0));
  }
  return best * 1e9 / static_cast<double>(pairs);
}

}  // namespace

int main(int argc, char** argv) {
  size_t scorePairs = 1000000;
  size_t emPairs = 5000000;
  int repeat = 5;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    auto next = [&]() -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", argv[i]);
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--score-pairs") {
      scorePairs = std::strtoull(next(), nullptr, 10);
    } else if (a == "--em-pairs") {
      emPairs = std::strtoull(next(), nullptr, 10);
    } else if (a == "--repeat") {
      repeat = std::max(1, std::atoi(next()));
    } else {
      std::fprintf(stderr, "usage: scoring_bench [--score-pairs N] [--em-pairs N] [--repeat R]\n");
      return 2;
    }
  }
  if (scorePairs == 0 || emPairs == 0) {
    std::fprintf(stderr, "pair counts must be positive\n");
    return 2;
  }

  const auto params = trueParams();
  const auto fields = fieldsOf(params);
  const size_t K = fields.size();

  // Scoring input.
  std::vector<int8_t> levels;
  std::vector<double> sims;
  drawPairs(scorePairs, 1, levels, &sims);
  static const char* const kSurnames[] = {"smith", "jones", "wang", "li", "zhang", "müller", "garcia", "okafor",
                                          "nakamura", "o'brien", "kowalski", "dubois", "rossi", "silva", "kim", "nguyen"};
  std::vector<std::string_view> tfValues(scorePairs * K);
  Rng tfRng{2};
  for (size_t i = 0; i < scorePairs; ++i)
    if (levels[i * K + 1] == 3) tfValues[i * K + 1] = kSurnames[tfRng.next() % 16];
  auto surnameTable = std::make_shared<TermFrequencyTable>();
  for (size_t i = 0; i < 16; ++i) surnameTable->setFrequency(kSurnames[i], 0.2 / static_cast<double>(i + 1) / 3.4);

  // Rules.
  const char* ruleText =
      "(first_name ~ 0.85 AND surname AND email) OR (surname AND phone >= level 2) OR "
      "(first_name ~ 0.9 AND surname ~ 0.9 AND birth_date AND NOT city)";
  auto rule = MatchRule::parse(ruleText, fields);
  if (!rule.isOk()) {
    std::fprintf(stderr, "%s\n", rule.status().toString().c_str());
    return 1;
  }
  const Scorer& ruleScorer = *rule;
  size_t ruleMatches = 0;
  double ruleNs = nsPerPair(scorePairs, repeat, [&] {
    size_t m = 0;
    for (size_t i = 0; i < scorePairs; ++i) {
      PairVectors p{std::span<const double>(sims.data() + i * K, K), std::span<const int8_t>(levels.data() + i * K, K)};
      m += ruleScorer.score(p).match;
    }
    return m;
  }, ruleMatches);

  // EM on emPairs level vectors.
  std::vector<int8_t> emLevels;
  drawPairs(emPairs, 3, emLevels, nullptr);
  auto t0 = std::chrono::steady_clock::now();
  LevelPatterns counter(fields);
  if (auto s = counter.addRows(emLevels); !s.isOk()) {
    std::fprintf(stderr, "%s\n", s.toString().c_str());
    return 1;
  }
  PatternTable table = counter.table();
  double countSeconds = seconds(t0);
  auto initial = FellegiSunterModel::initial(fields);
  if (!initial.isOk()) return 1;
  FellegiSunterModel model = std::move(initial).value();
  t0 = std::chrono::steady_clock::now();
  auto report = model.trainEm(table);
  double emSeconds = seconds(t0);
  if (!report.isOk()) {
    std::fprintf(stderr, "%s\n", report.status().toString().c_str());
    return 1;
  }
  double maxMError = 0.0, maxUError = 0.0;
  for (size_t k = 0; k < K; ++k)
    for (size_t l = 0; l < params[k].m.size(); ++l) {
      maxMError = std::max(maxMError, std::fabs(model.comparisons()[k].m[l] - params[k].m[l]));
      maxUError = std::max(maxUError, std::fabs(model.comparisons()[k].u[l] - params[k].u[l]));
    }
  double lambdaError = std::fabs(model.lambda() - kLambda);

  // Fellegi-Sunter scoring with the trained model.
  auto shared = std::make_shared<FellegiSunterModel>(model);
  if (auto s = shared->setTermFrequencies("surname", surnameTable); !s.isOk()) return 1;
  FellegiSunterScorer fsScorer(shared, {FsThreshold::Scale::kProbability, 0.9});
  const Scorer& fs = fsScorer;
  size_t fsMatches = 0, fsTfMatches = 0;
  double fsNs = nsPerPair(scorePairs, repeat, [&] {
    size_t m = 0;
    for (size_t i = 0; i < scorePairs; ++i) {
      PairVectors p{std::span<const double>(sims.data() + i * K, K), std::span<const int8_t>(levels.data() + i * K, K)};
      m += fs.score(p).match;
    }
    return m;
  }, fsMatches);
  double fsTfNs = nsPerPair(scorePairs, repeat, [&] {
    size_t m = 0;
    for (size_t i = 0; i < scorePairs; ++i) {
      PairVectors p{std::span<const double>(sims.data() + i * K, K), std::span<const int8_t>(levels.data() + i * K, K),
                    std::span<const std::string_view>(tfValues.data() + i * K, K)};
      m += fs.score(p).match;
    }
    return m;
  }, fsTfMatches);

  std::printf("scoring %zu pairs of %zu comparisons (best of %d)\n", scorePairs, K, repeat);
  std::printf("  rule evaluation            %7.2f ns/pair  (%zu matches)\n", ruleNs, ruleMatches);
  std::printf("  Fellegi-Sunter             %7.2f ns/pair  (%zu matches at p >= 0.9)\n", fsNs, fsMatches);
  std::printf("  Fellegi-Sunter + TF        %7.2f ns/pair  (%zu matches)\n", fsTfNs, fsTfMatches);
  std::printf("EM on %zu pairs: %zu distinct patterns\n", emPairs, table.size());
  std::printf("  pattern counting           %7.3f s\n", countSeconds);
  std::printf("  EM                         %7.3f s  (%d iterations, %s)\n", emSeconds, report->iterations,
              report->converged ? "converged" : "not converged");
  std::printf("  total                      %7.3f s\n", countSeconds + emSeconds);
  std::printf("  error vs generating model: lambda %.4f, max |m| %.4f, max |u| %.4f\n", lambdaError, maxMError,
              maxUError);
  std::printf(
      "{\"benchmark\": \"match_scoring\", \"score_pairs\": %zu, \"comparisons\": %zu, \"rule_ns_per_pair\": %.3f, "
      "\"fs_ns_per_pair\": %.3f, \"fs_tf_ns_per_pair\": %.3f, \"rule_matches\": %zu, \"fs_matches\": %zu, "
      "\"em_pairs\": %zu, \"em_patterns\": %zu, \"em_count_seconds\": %.4f, \"em_seconds\": %.4f, "
      "\"em_iterations\": %d, \"em_converged\": %s, \"lambda_error\": %.5f, \"max_m_error\": %.5f, "
      "\"max_u_error\": %.5f}\n",
      scorePairs, K, ruleNs, fsNs, fsTfNs, ruleMatches, fsMatches, emPairs, table.size(), countSeconds, emSeconds,
      report->iterations, report->converged ? "true" : "false", lambdaError, maxMError, maxUError);
  return 0;
}
