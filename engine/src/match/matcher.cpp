// Matcher: the configured comparisons, blocking and scoring model of a dedupe stage, and Fellegi-Sunter
// training on a run's records.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <optional>
#include <thread>
#include <unordered_map>

#include <xxhash.h>

#include "crmsync/match/dedupe_config.hpp"
#include "crmsync/match/clustering.hpp"
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

// How often a value of a comparison's field is shared by records of different customers. A value's records
// include those of the one customer it belongs to, so a value held by a few records is one customer's (a
// personal mobile on the contact, the ERP record and the call log) and says nothing about others: values held
// by fewer than three records are left out and fall back to the level's own u, and the count of the others
// leaves out one holder: (count - 1) / values. Common values (a switchboard number, 张伟) keep a frequency
// close to their share, which weakens agreement on them as it should.
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
    if (n >= 3) out.emplace(std::string(v), static_cast<double>(n - 1) / static_cast<double>(total));
  }
  return out;
}

// The share of value-holding pairs that agree on a field, counted from how many records hold each value; pairs
// within one group do not count when `crossGroupOnly` (linking). Nothing when no pair holds a value on both
// sides.
struct ExactAgreement {
  double agree = 0;  // P(equal | both hold a value)
  double pairs = 0;  // how many such pairs there are
};
std::optional<ExactAgreement> exactAgreement(std::span<const MatchRecord> records, size_t field, bool crossGroupOnly) {
  // Per value: records in all and the sum over groups of (records in the group)^2; the same per field.
  struct Count {
    double all = 0;
    std::map<int32_t, double> byGroup;
  };
  std::unordered_map<std::string_view, Count> values;
  Count holders;
  for (const auto& r : records) {
    auto v = r.value(field);
    if (!v || v->empty()) continue;
    auto& c = values[*v];
    c.all += 1;
    holders.all += 1;
    if (crossGroupOnly) {
      c.byGroup[r.group] += 1;
      holders.byGroup[r.group] += 1;
    }
  }
  auto pairsOf = [&](const Count& c) {
    if (!crossGroupOnly) return c.all * (c.all - 1) / 2;
    double squares = 0;
    for (const auto& [g, k] : c.byGroup) squares += k * k;
    return (c.all * c.all - squares) / 2;
  };
  const double pairs = pairsOf(holders);
  if (pairs <= 0) return std::nullopt;
  double agree = 0;
  for (const auto& [v, c] : values) agree += pairsOf(c);
  return ExactAgreement{agree / pairs, pairs};
}

// Runs fn(worker, begin, end) over contiguous ranges of [0, count) on up to four threads; worker 0 is the
// calling thread. Workers that write only their own range or their own state give results that do not depend
// on the number of threads.
template <typename Fn>
void forRanges(size_t count, Fn&& fn) {
  const unsigned threads = count < 4096 ? 1u : std::max(1u, std::min(4u, std::thread::hardware_concurrency()));
  const size_t step = (count + threads - 1) / threads;
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) {
    const size_t begin = std::min(count, t * step), end = std::min(count, begin + step);
    pool.emplace_back([&fn, t, begin, end] { fn(t, begin, end); });
  }
  fn(0u, 0, std::min(count, step));
  for (auto& th : pool) th.join();
}

unsigned rangeWorkers(size_t count) {
  return count < 4096 ? 1u : std::max(1u, std::min(4u, std::thread::hardware_concurrency()));
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
    m->comparisonField_.push_back(*config.fields.indexOf(config.comparisons[k].field));
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

Result<FellegiSunterModel> Matcher::train(std::span<const MatchRecord> records, std::span<const CandidatePair> pairs,
                                          std::span<const std::vector<KeyValue>> keysOf, FrequencyTables* tf,
                                          const PairLevels* compared) const {
  const auto fields = comparisons_.scoringFields();
  const size_t n = fields.size();

  // Every candidate pair is compared once; the EM sessions and the first clustering below read the levels.
  PairLevels own;
  if (!compared || compared->size() != pairs.size() || compared->width != n) {
    own = compareAll(records, pairs);
    compared = &own;
  }

  // Which comparisons read a field a blocking key is made of: a pair that blocking found through a key value
  // agrees on those fields because it was chosen so, and says nothing about m there (as Splink, EM ignores
  // the blocked-on comparisons of each pair).
  const auto& keys = config_.keys;
  std::vector<std::vector<size_t>> covered(keys.size());
  for (size_t k = 0; k < keys.size(); ++k) {
    for (const auto& part : keys[k].parts) {
      for (size_t c = 0; c < n; ++c) {
        if (config_.comparisons[c].field == part.field) covered[k].push_back(c);
      }
    }
  }
  // Each record's key values as (key position, 64-bit hash of the value), sorted, in one flat array: whether
  // two records share a value of a key is then a merge of two short integer lists, not string comparisons.
  struct KeyHash {
    uint32_t key;
    uint64_t hash;
    auto operator<=>(const KeyHash&) const = default;
  };
  std::vector<size_t> keyStart(keysOf.size() + 1, 0);
  std::vector<KeyHash> keyHashes;
  {
    std::unordered_map<std::string_view, uint32_t> position;
    for (size_t k = 0; k < keys.size(); ++k) position.emplace(keys[k].name, static_cast<uint32_t>(k));
    for (size_t r = 0; r < keysOf.size(); ++r) {
      keyStart[r] = keyHashes.size();
      for (const auto& kv : keysOf[r]) {
        auto it = position.find(kv.key);
        if (it != position.end()) keyHashes.push_back({it->second, XXH3_64bits(kv.value.data(), kv.value.size())});
      }
      std::sort(keyHashes.begin() + static_cast<std::ptrdiff_t>(keyStart[r]), keyHashes.end());
    }
    keyStart[keysOf.size()] = keyHashes.size();
  }
  // The keys of which the pair shares a value, as bits (keys past 64 are compared one by one).
  auto shared = [&](size_t a, size_t b) {
    uint64_t mask = 0;
    if (keysOf.size() <= std::max(a, b)) return mask;
    size_t i = keyStart[a], j = keyStart[b];
    while (i < keyStart[a + 1] && j < keyStart[b + 1]) {
      if (keyHashes[i] < keyHashes[j]) ++i;
      else if (keyHashes[j] < keyHashes[i]) ++j;
      else {
        if (keyHashes[i].key < 64) mask |= uint64_t{1} << keyHashes[i].key;
        ++i;
        ++j;
      }
    }
    return mask;
  };
  auto shares = [&](size_t a, size_t b, size_t k, uint64_t mask) {
    if (k < 64) return (mask >> k & 1) != 0;
    for (const auto& kv : keysOf[a]) {
      if (kv.key != keys[k].name) continue;
      if (std::find(keysOf[b].begin(), keysOf[b].end(), kv) != keysOf[b].end()) return true;
    }
    return false;
  };

  // One EM session per blocking key, as Splink does: the pairs that share a value of the key, with the
  // comparisons on the key's own fields left out (those pairs agree there because blocking chose them). Each
  // session estimates m of the other comparisons; u comes from random pairs and stays fixed. Which keys each
  // pair shares is worked out on every core; the counting itself is cheap and stays on one thread (a dense
  // pattern table can take megabytes, one per session).
  const uint64_t maxPairs = std::max<uint64_t>(1, config_.fs.maxTrainingPairs);
  const size_t stride = pairs.size() > maxPairs ? (pairs.size() + maxPairs - 1) / maxPairs : 1;
  const size_t sampledCount = (pairs.size() + stride - 1) / stride;
  std::vector<uint64_t> sharedKeys(sampledCount);
  forRanges(sampledCount, [&](unsigned, size_t begin, size_t end) {
    for (size_t s = begin; s < end; ++s) sharedKeys[s] = shared(pairs[s * stride].first, pairs[s * stride].second);
  });
  LevelPatterns all(fields);
  std::vector<LevelPatterns> sessions;
  for (size_t k = 0; k < keys.size(); ++k) sessions.emplace_back(fields);
  std::vector<int8_t> masked(n);
  for (size_t s = 0; s < sampledCount; ++s) {
    const size_t i = s * stride;
    const auto lv = compared->levelsOf(i);
    RETURN_IF_ERROR(all.add(lv));
    for (size_t k = 0; k < keys.size(); ++k) {
      if (!shares(pairs[i].first, pairs[i].second, k, sharedKeys[s])) continue;
      std::copy(lv.begin(), lv.end(), masked.begin());
      for (size_t c : covered[k]) masked[c] = -1;
      RETURN_IF_ERROR(sessions[k].add(masked));
    }
  }
  if (all.totalPairs() == 0) {
    return invalidConfig("cannot train the Fellegi-Sunter model: blocking produced no candidate pairs (" +
                         std::to_string(records.size()) +
                         " records); give the model a model_file or add blocking keys");
  }

  // Random pairs: pair i depends only on (seed, i), so the sample is the same whatever the number of threads.
  // No more than half the possible pairs are drawn: beyond that a larger sample tells nothing new.
  LevelPatterns random(fields);
  if (records.size() >= 2) {
    const double possible = static_cast<double>(records.size()) * static_cast<double>(records.size() - 1) / 2;
    const uint64_t draws = std::min<uint64_t>(config_.fs.randomPairs, static_cast<uint64_t>(possible / 2) + 1);
    const unsigned threads = std::max(1u, std::min(4u, std::thread::hardware_concurrency()));
    std::vector<LevelPatterns> parts(threads, LevelPatterns(fields));
    std::vector<Status> drawFailures(threads, Status::ok());
    auto work = [&](unsigned t) {
      std::vector<double> s(n);
      std::vector<int8_t> l(n);
      for (uint64_t i = t; i < draws; i += threads) {
        uint64_t state = config_.fs.seed ^ (i * 0x9E3779B97F4A7C15ULL);
        const size_t a = static_cast<size_t>(splitmix64(state) % records.size());
        const size_t b = static_cast<size_t>(splitmix64(state) % records.size());
        if (a == b) continue;
        if (config_.blocking.crossGroupOnly && records[a].group == records[b].group) continue;
        comparisons_.compare(records[a], records[b], s, l);
        if (Status st = parts[t].add(l); !st.isOk()) {
          drawFailures[t] = st;
          return;
        }
      }
    };
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work, t);
    work(0);
    for (auto& th : pool) th.join();
    for (unsigned t = 0; t < threads; ++t) {
      RETURN_IF_ERROR(drawFailures[t]);
      RETURN_IF_ERROR(random.merge(parts[t]));
    }
  }
  ASSIGN_OR_RETURN(auto base, FellegiSunterModel::initial(fields));
  if (random.totalPairs() > 0) RETURN_IF_ERROR(base.estimateU(random.table()));

  // An exact comparison's u needs no sample: the share of pairs (of records that both hold a value) that agree
  // follows from how many records hold each value, sum n_v (n_v - 1) / (N (N - 1)), or across groups only when
  // linking. R random pairs cannot see a u below about 1 / R, which would cap the weight of an identifier
  // agreeing (an e-mail address) near log2 R bits: with a million records, below the prior.
  std::vector<double> uFloors(n, random.totalPairs() > 0 ? 0.5 / static_cast<double>(random.totalPairs()) : 1e-9);
  {
    auto params = base.comparisons();
    bool counted = false;
    for (size_t c = 0; c < n; ++c) {
      if (config_.comparisons[c].kind != ComparatorKind::kExact || fields[c].levels != 2) continue;
      auto exact = exactAgreement(records, *config_.fields.indexOf(config_.comparisons[c].field),
                                  config_.blocking.crossGroupOnly);
      if (!exact) continue;
      params[c].u = {1.0 - exact->agree, exact->agree};
      uFloors[c] = 0.5 / exact->pairs;
      counted = true;
    }
    if (counted) {
      ASSIGN_OR_RETURN(base, FellegiSunterModel::fromParameters(base.lambda(), std::move(params)));
    }
  }

  // m per comparison: the pair-weighted mean over the sessions that could see it; the starting m where none
  // could (a comparison on the fields of every key).
  std::vector<std::vector<double>> mSum(n);
  std::vector<double> mWeight(n, 0.0);
  for (size_t c = 0; c < n; ++c) mSum[c].assign(static_cast<size_t>(fields[c].levels), 0.0);
  for (size_t k = 0; k < keys.size(); ++k) {
    if (sessions[k].totalPairs() < 10) continue;
    FellegiSunterModel session = base;
    EmOptions em;
    em.fixU = random.totalPairs() > 0;
    auto report = session.trainEm(sessions[k].table(), em);
    if (!report) continue;
    const double w = static_cast<double>(sessions[k].totalPairs());
    for (size_t c = 0; c < n; ++c) {
      if (std::find(covered[k].begin(), covered[k].end(), c) != covered[k].end()) continue;
      const auto& m = session.comparisons()[c].m;
      for (size_t l = 0; l < m.size(); ++l) mSum[c][l] += w * m[l];
      mWeight[c] += w;
    }
  }
  auto params = base.comparisons();
  for (size_t c = 0; c < n; ++c) {
    if (mWeight[c] <= 0) continue;
    for (size_t l = 0; l < params[c].m.size(); ++l) params[c].m[l] = mSum[c][l] / mWeight[c];
  }
  ASSIGN_OR_RETURN(auto model, FellegiSunterModel::fromParameters(0.1, params));

  // The prior: the share of matches among candidate pairs with m and u fixed (EM on lambda alone), as matches
  // among all pairs. Random pairs hold that share of matches too, which inflates u of the agreeing levels
  // (with 20k records one random pair in 10,000 is a match: u of "same e-mail" would read 1e-4, not ~0); u is
  // corrected for it, u' = (u - prior m) / (1 - prior), and the prior estimated again.
  double allPairs = 0;
  if (config_.blocking.crossGroupOnly) {
    std::map<int32_t, double> perGroup;
    for (const auto& r : records) perGroup[r.group] += 1;
    const double total = static_cast<double>(records.size());
    for (const auto& [g, c] : perGroup) allPairs += c * (total - c);
    allPairs /= 2;
  } else {
    const double r = static_cast<double>(records.size());
    allPairs = r * (r - 1) / 2;
  }
  const PatternTable patterns = all.table();
  const auto observedU = model.comparisons();
  for (int round = 0; round < 3; ++round) {
    const double priorWeight = model.priorWeight();
    std::vector<double> factor(patterns.size());
    for (size_t p = 0; p < patterns.size(); ++p) {
      factor[p] = std::exp2(std::clamp(model.matchWeight(patterns.pattern(p)) - priorWeight, -1000.0, 1000.0));
    }
    double lambda = 0.1;
    for (int it = 0; it < 200; ++it) {
      double expected = 0;
      for (size_t p = 0; p < patterns.size(); ++p) {
        const double bf = factor[p];
        const double post = std::isinf(bf) ? 1.0 : lambda * bf / (lambda * bf + (1 - lambda));
        expected += post * static_cast<double>(patterns.counts[p]);
      }
      const double next = std::clamp(expected / static_cast<double>(patterns.totalPairs), 1e-9, 1 - 1e-9);
      const bool done = std::abs(next - lambda) < 1e-9;
      lambda = next;
      if (done) break;
    }
    const double matches = lambda * static_cast<double>(pairs.size());
    const double prior = allPairs > 0 ? std::clamp(matches / allPairs, 1e-12, 0.5) : lambda;
    auto corrected = model.comparisons();
    if (random.totalPairs() > 0) {
      for (size_t c = 0; c < n; ++c) {
        for (size_t l = 0; l < corrected[c].u.size(); ++l) {
          const double u = (observedU[c].u[l] - prior * corrected[c].m[l]) / (1 - prior);
          corrected[c].u[l] = std::clamp(u, uFloors[c], 1.0 - uFloors[c]);
        }
      }
    }
    ASSIGN_OR_RETURN(model, FellegiSunterModel::fromParameters(prior, std::move(corrected)));
  }

  // Term frequencies by customers, not records: a first clustering with frequencies counted over records
  // tells which records are one customer, then a value's frequency is the share of customers holding it.
  FrequencyTables byRecords = recordFrequencies(records);
  RETURN_IF_ERROR(attachFrequencies(model, byRecords));
  std::vector<ScoredPair> matches;
  {
    // Each worker keeps the matches of its own contiguous range; joined in range order they are the
    // sequential result.
    const FsThreshold& th = config_.fs.threshold;
    const unsigned parts = rangeWorkers(pairs.size());
    std::vector<std::vector<ScoredPair>> found(parts);
    forRanges(pairs.size(), [&](unsigned w, size_t begin, size_t end) {
      std::vector<std::string_view> tfv(n);
      for (size_t i = begin; i < end; ++i) {
        const auto& a = records[pairs[i].first];
        const auto& b = records[pairs[i].second];
        if (config_.blocking.crossGroupOnly && a.group == b.group) continue;
        agreedValues(a, compared->agreedOf(i), tfv);
        const double wt = model.matchWeight(compared->levelsOf(i), tfv);
        const double score =
            th.scale == FsThreshold::Scale::kWeight ? wt : FellegiSunterModel::probabilityFromWeight(wt);
        if (score >= th.value) found[w].push_back({pairs[i].first, pairs[i].second, score});
      }
    });
    for (auto& f : found) matches.insert(matches.end(), f.begin(), f.end());
  }
  std::vector<int64_t> positions(records.size());
  for (size_t i = 0; i < records.size(); ++i) positions[i] = static_cast<int64_t>(i);
  auto clustered = clusterPairs(matches, 0.0, {}, positions);
  std::vector<uint32_t> clusterOf(records.size());
  for (size_t c = 0; c < clustered.clusters.size(); ++c) {
    for (int64_t i : clustered.clusters[c]) clusterOf[static_cast<size_t>(i)] = static_cast<uint32_t>(c);
  }
  if (tf) tf->clear();
  FrequencyTables byCustomers;
  for (size_t k = 0; k < n; ++k) {
    if (!tfComparison_[k]) continue;
    const size_t field = *config_.fields.indexOf(config_.comparisons[k].field);
    std::unordered_map<std::string_view, std::vector<uint32_t>> holders;
    uint64_t customers = 0;
    std::vector<uint8_t> seenCustomer(clustered.clusters.size(), 0);
    // A record that holds nothing but this value (a caller known only by the number) cannot show that the
    // value belongs to several customers: only records with other evidence count.
    std::vector<size_t> otherFields;
    for (const auto& spec : config_.comparisons) {
      const size_t f = *config_.fields.indexOf(spec.field);
      if (f != field && std::find(otherFields.begin(), otherFields.end(), f) == otherFields.end()) otherFields.push_back(f);
    }
    for (size_t i = 0; i < records.size(); ++i) {
      auto v = records[i].value(field);
      if (!v || v->empty()) continue;
      const bool alone = std::none_of(otherFields.begin(), otherFields.end(), [&](size_t f) {
        auto o = records[i].value(f);
        return o && !o->empty();
      });
      if (alone) continue;
      holders[*v].push_back(clusterOf[i]);
      if (!seenCustomer[clusterOf[i]]) {
        seenCustomer[clusterOf[i]] = 1;
        ++customers;
      }
    }
    // A value's u is the chance that another customer holds it: (customers holding it - 1) / customers.
    // Values of one or two customers (two: often one customer the first clustering split) are left out; for an exact comparison (an identifier: e-mail, phone) that means
    // no other customer holds it, for a fuzzy one (a name) the level's own u applies.
    auto& table = byCustomers[config_.comparisons[k].name];
    for (auto& [v, cs] : holders) {
      std::sort(cs.begin(), cs.end());
      const size_t distinct = static_cast<size_t>(std::unique(cs.begin(), cs.end()) - cs.begin());
      if (distinct >= 3) table.emplace(std::string(v), static_cast<double>(distinct - 1) / static_cast<double>(customers));
    }
  }
  {
    auto flagged = model.comparisons();
    for (size_t k = 0; k < n; ++k) {
      flagged[k].tfUnlistedUnique = tfComparison_[k] && config_.comparisons[k].kind == ComparatorKind::kExact;
    }
    ASSIGN_OR_RETURN(model, FellegiSunterModel::fromParameters(model.lambda(), std::move(flagged)));
  }
  RETURN_IF_ERROR(attachFrequencies(model, byCustomers));
  if (tf) *tf = std::move(byCustomers);
  return model;
}

FrequencyTables Matcher::recordFrequencies(std::span<const MatchRecord> records) const {
  FrequencyTables out;
  for (size_t k = 0; k < config_.comparisons.size(); ++k) {
    if (!tfComparison_[k]) continue;
    out[config_.comparisons[k].name] = frequencies(records, *config_.fields.indexOf(config_.comparisons[k].field));
  }
  return out;
}

Status Matcher::attachFrequencies(FellegiSunterModel& model, const FrequencyTables& tables) const {
  for (const auto& name : config_.fs.termFrequency) {
    auto table = std::make_shared<TermFrequencyTable>();
    if (auto it = tables.find(name); it != tables.end()) {
      for (const auto& [v, f] : it->second) table->setFrequency(v, f);
    }
    RETURN_IF_ERROR(model.setTermFrequencies(name, table, 1.0));
  }
  return Status::ok();
}

void Matcher::fillTf(const MatchRecord& a, const MatchRecord& b, std::span<const double> sims,
                     std::span<std::string_view> out) const {
  (void)b;
  for (size_t k = 0; k < out.size(); ++k) {
    out[k] = {};
    if (!tfComparison_[k] || !(sims[k] >= 1.0)) continue;
    if (auto v = a.value(comparisonField_[k])) out[k] = *v;
  }
}

void Matcher::agreedValues(const MatchRecord& a, std::span<const uint8_t> agreed,
                           std::span<std::string_view> out) const {
  for (size_t k = 0; k < out.size(); ++k) {
    out[k] = {};
    if (!tfComparison_[k] || !agreed[k]) continue;
    if (auto v = a.value(comparisonField_[k])) out[k] = *v;
  }
}

PairLevels Matcher::compareAll(std::span<const MatchRecord> records, std::span<const CandidatePair> pairs) const {
  PairLevels out;
  const size_t n = comparisons_.size();
  out.width = n;
  out.levels.resize(pairs.size() * n);
  out.agreed.resize(pairs.size() * n);
  forRanges(pairs.size(), [&](unsigned, size_t begin, size_t end) {
    std::vector<double> sims(n);
    for (size_t i = begin; i < end; ++i) {
      std::span<int8_t> levels(out.levels.data() + i * n, n);
      comparisons_.compare(records[pairs[i].first], records[pairs[i].second], sims, levels);
      for (size_t k = 0; k < n; ++k) out.agreed[i * n + k] = sims[k] >= 1.0 ? 1 : 0;
    }
  });
  return out;
}

Matcher::PairScore Matcher::scoreCompared(const MatchRecord& a, const PairLevels& compared, size_t i) const {
  constexpr size_t kMax = 32;
  const size_t n = compared.width;
  std::string_view tfBuf[kMax];
  std::vector<std::string_view> tfVec;
  std::span<std::string_view> tf(tfBuf, std::min(n, kMax));
  if (n > kMax) {
    tfVec.resize(n);
    tf = tfVec;
  }
  agreedValues(a, compared.agreedOf(i), tf);
  PairVectors pv{{}, compared.levelsOf(i), tf};
  auto r = scorer_->score(pv);
  return {r.score, r.match};
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

nlohmann::json modelWithFrequencies(const FellegiSunterModel& model, const FrequencyTables& frequencies) {
  nlohmann::json out;
  out["model"] = model.toJson();
  out["term_frequencies"] = nlohmann::json::object();
  for (const auto& [name, table] : frequencies) out["term_frequencies"][name] = table;
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
