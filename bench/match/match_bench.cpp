// match_bench: how fast the matching building blocks are.
//   match_bench [--records N] [--seed S]
// Prints ns per comparison for each comparator on Latin and CJK name pairs, then blocking (full and
// incremental) and clustering on N synthetic contacts (default 1,000,000) with known duplicates, so the
// blocking recall is measured too. The last line is one JSON object with the same figures.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "crmsync/match/blocking.hpp"
#include "crmsync/match/clustering.hpp"
#include "crmsync/match/comparators.hpp"
#include "crmsync/match/comparison.hpp"

namespace {

using namespace crmsync::match;
using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// splitmix64: fixed, so a seed gives the same data everywhere.
struct Rng {
  uint64_t state;
  uint64_t next() {
    uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  size_t below(size_t n) { return static_cast<size_t>(next() % n); }
};

const std::vector<std::string> kFirst = {"james", "mary", "robert", "patricia", "john", "jennifer", "michael",
                                         "linda", "william", "elizabeth", "david", "barbara", "richard", "susan",
                                         "joseph", "jessica", "thomas", "sarah", "charles", "karen", "jurgen",
                                         "zoe", "sean", "siobhan", "wei", "fang", "hiroshi", "yuki"};
const std::vector<std::string> kLast = {"smith", "johnson", "williams", "brown", "jones", "garcia", "miller",
                                        "davis", "rodriguez", "martinez", "hernandez", "lopez", "gonzalez",
                                        "wilson", "anderson", "thomas", "taylor", "moore", "jackson", "martin",
                                        "lee", "perez", "thompson", "white", "harris", "sanchez", "clark",
                                        "obrien", "muller", "schmidt", "zhang", "wang", "tanaka", "suzuki"};
const std::vector<std::string> kCjkGiven = {"伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇",
                                            "艳", "杰", "娟", "涛", "明", "超", "秀兰", "霞"};
const std::vector<std::string> kCjkFamily = {"王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙",
                                             "胡", "朱", "高", "林", "何", "郭", "马", "罗", "欧阳", "司马"};

std::string typo(std::string s, Rng& rng) {
  if (s.size() < 3) return s;
  const size_t i = 1 + rng.below(s.size() - 2);
  switch (rng.below(3)) {
    case 0:
      std::swap(s[i], s[i - 1]);
      break;
    case 1:
      s.erase(i, 1);
      break;
    default:
      s[i] = static_cast<char>('a' + rng.below(26));
  }
  return s;
}

struct Synthetic {
  std::vector<MatchRecord> records;
  std::vector<int64_t> entity;
};

// Fields: 0 first, 1 last, 2 phone, 3 email, 4 name (CJK family+given or "first last").
Synthetic makeRecords(size_t n, uint64_t seed) {
  Rng rng{seed};
  Synthetic s;
  s.records.reserve(n);
  s.entity.reserve(n);
  int64_t entity = 0;
  while (s.records.size() < n) {
    const bool cjk = rng.below(10) < 3;
    std::string first = cjk ? kCjkGiven[rng.below(kCjkGiven.size())] : kFirst[rng.below(kFirst.size())];
    std::string last = cjk ? kCjkFamily[rng.below(kCjkFamily.size())] : kLast[rng.below(kLast.size())];
    std::string phone = "+86" + std::to_string(13000000000ull + rng.below(9000000000ull));
    std::string email = (cjk ? "u" + std::to_string(rng.below(100000000)) : first + "." + last +
                                                                                std::to_string(rng.below(10000))) +
                        "@example" + std::to_string(rng.below(50)) + ".com";
    // About 10 % of entities have a second record with typos or missing fields.
    const size_t copies = rng.below(10) == 0 ? 2 : 1;
    for (size_t c = 0; c < copies && s.records.size() < n; ++c) {
      MatchRecord r;
      r.id = static_cast<int64_t>(s.records.size()) + 1;
      r.group = static_cast<int32_t>(rng.below(2));
      std::string f = first;
      std::string l = last;
      std::optional<std::string> p = phone;
      std::optional<std::string> e = email;
      if (c > 0) {
        if (!cjk && rng.below(2) == 0) l = typo(l, rng);
        if (!cjk && rng.below(3) == 0) f = typo(f, rng);
        if (rng.below(4) == 0) p = std::nullopt;
        if (rng.below(3) == 0) e = std::nullopt;
      }
      std::string name = cjk ? l + f : f + " " + l;
      r.values = {f, l, p, e, name};
      s.records.push_back(std::move(r));
      s.entity.push_back(entity);
    }
    ++entity;
  }
  return s;
}

long peakRssKb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  }
  return -1;
}

struct PairSet {
  std::vector<std::string> a;
  std::vector<std::string> b;
};

PairSet namePairs(bool cjk, size_t n, uint64_t seed) {
  Rng rng{seed};
  PairSet p;
  for (size_t i = 0; i < n; ++i) {
    std::string x;
    if (cjk) {
      x = kCjkFamily[rng.below(kCjkFamily.size())] + kCjkGiven[rng.below(kCjkGiven.size())];
    } else {
      x = kFirst[rng.below(kFirst.size())] + " " + kLast[rng.below(kLast.size())];
    }
    std::string y;
    if (rng.below(2) == 0) {
      y = cjk ? x : typo(x, rng);
    } else if (cjk) {
      y = kCjkFamily[rng.below(kCjkFamily.size())] + kCjkGiven[rng.below(kCjkGiven.size())];
    } else {
      y = kFirst[rng.below(kFirst.size())] + " " + kLast[rng.below(kLast.size())];
    }
    p.a.push_back(std::move(x));
    p.b.push_back(std::move(y));
  }
  return p;
}

template <typename F>
double nsPerCall(const PairSet& pairs, F&& f, double& sink) {
  const size_t n = pairs.a.size();
  // Enough rounds for about 2M calls, so that timer resolution does not matter.
  const size_t rounds = std::max<size_t>(1, 2000000 / n);
  const auto start = Clock::now();
  for (size_t r = 0; r < rounds; ++r) {
    for (size_t i = 0; i < n; ++i) sink += f(pairs.a[i], pairs.b[i]);
  }
  return secondsSince(start) * 1e9 / static_cast<double>(rounds * n);
}

}  // namespace

int main(int argc, char** argv) {
  size_t records = 1000000;
  uint64_t seed = 42;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--records") == 0) records = std::strtoull(argv[i + 1], nullptr, 10);
    if (std::strcmp(argv[i], "--seed") == 0) seed = std::strtoull(argv[i + 1], nullptr, 10);
  }
  std::string json = "{";
  double sink = 0;

  std::printf("comparators (ns per comparison, 10k distinct pairs, about half similar)\n");
  std::printf("  %-22s %10s %10s\n", "comparator", "latin", "cjk");
  const PairSet latin = namePairs(false, 10000, seed);
  const PairSet cjk = namePairs(true, 10000, seed + 1);
  struct Named {
    const char* name;
    double (*f)(std::string_view, std::string_view);
  };
  const Named comparators[] = {
      {"exact", [](std::string_view a, std::string_view b) { return exactSimilarity(a, b); }},
      {"jaro_winkler", [](std::string_view a, std::string_view b) { return jaroWinklerSimilarity(a, b); }},
      {"levenshtein", [](std::string_view a, std::string_view b) { return levenshteinSimilarity(a, b); }},
      {"damerau_levenshtein", [](std::string_view a, std::string_view b) { return damerauSimilarity(a, b); }},
      {"token_set", [](std::string_view a, std::string_view b) { return tokenSetSimilarity(a, b); }},
      {"phonetic", [](std::string_view a, std::string_view b) { return phoneticSimilarity(a, b); }},
  };
  json += "\"comparator_ns\":{";
  for (const auto& c : comparators) {
    const double l = nsPerCall(latin, c.f, sink);
    const double k = nsPerCall(cjk, c.f, sink);
    std::printf("  %-22s %10.1f %10.1f\n", c.name, l, k);
    json += std::string("\"") + c.name + "\":{\"latin\":" + std::to_string(l) + ",\"cjk\":" + std::to_string(k) + "},";
  }
  {
    PairSet numbers;
    PairSet dates;
    Rng rng{seed + 2};
    for (int i = 0; i < 10000; ++i) {
      numbers.a.push_back(std::to_string(rng.below(100000)) + "." + std::to_string(rng.below(100)));
      numbers.b.push_back(std::to_string(rng.below(100000)));
      char buf[16];
      std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", 1940 + static_cast<int>(rng.below(80)),
                    1 + static_cast<int>(rng.below(12)), 1 + static_cast<int>(rng.below(28)));
      dates.a.emplace_back(buf);
      std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", 1940 + static_cast<int>(rng.below(80)),
                    1 + static_cast<int>(rng.below(12)), 1 + static_cast<int>(rng.below(28)));
      dates.b.emplace_back(buf);
    }
    const double num = nsPerCall(numbers, [](std::string_view a, std::string_view b) {
      return numericSimilarity(parseNumber(a).value_or(0), parseNumber(b).value_or(0), {1000.0, false});
    }, sink);
    const DateOptions lenient{365.0, 0.8, 0.7};
    const double date = nsPerCall(dates, [&](std::string_view a, std::string_view b) {
      return dateSimilarity(a, b, lenient).value_or(0);
    }, sink);
    std::printf("  %-22s %10.1f %10s   (parse both + compare)\n", "numeric", num, "-");
    std::printf("  %-22s %10.1f %10s   (parse both + compare)\n", "date", date, "-");
    json += "\"numeric\":" + std::to_string(num) + ",\"date\":" + std::to_string(date) + "},";
  }

  // A whole comparison vector, as the dedupe stage computes it per candidate pair.
  FieldSet fields({"first", "last", "phone", "email", "name"});
  std::vector<ComparisonSpec> specs(4);
  specs[0].field = "first";
  specs[0].kind = ComparatorKind::kJaroWinkler;
  specs[0].levels = {{1.0, 3}, {0.92, 2}, {0.8, 1}};
  specs[1].field = "last";
  specs[1].kind = ComparatorKind::kJaroWinkler;
  specs[1].levels = {{1.0, 3}, {0.92, 2}, {0.8, 1}};
  specs[2].field = "phone";
  specs[2].kind = ComparatorKind::kLevenshtein;
  specs[2].levels = {{1.0, 2}, {0.85, 1}};
  specs[3].field = "email";
  auto comparisons = ComparisonSet::create(specs, fields);
  if (!comparisons.isOk()) {
    std::fprintf(stderr, "%s\n", comparisons.status().toString().c_str());
    return 1;
  }

  std::printf("\n%zu synthetic records (about 10 %% of entities duplicated with typos)\n", records);
  auto start = Clock::now();
  const Synthetic data = makeRecords(records, seed);
  std::printf("  generated in %.2f s\n", secondsSince(start));

  std::vector<BlockingKey> keys = {
      {"phone", {{"phone", KeyTransform::kLastDigits, 8}}, BlockingMethod::kStandard, 0},
      {"email", {{"email", KeyTransform::kExact, 0}}, BlockingMethod::kStandard, 0},
      {"name", {{"first", KeyTransform::kFirstChars, 2}, {"last", KeyTransform::kFirstChars, 3}},
       BlockingMethod::kStandard, 0},
      {"name_sn", {{"name", KeyTransform::kExact, 0}}, BlockingMethod::kSortedNeighbourhood, 4},
  };
  auto blocker = Blocker::create(keys, fields, {.crossGroupOnly = false, .maxBlockSize = 20});
  if (!blocker.isOk()) {
    std::fprintf(stderr, "%s\n", blocker.status().toString().c_str());
    return 1;
  }
  start = Clock::now();
  const auto result = blocker->block(data.records);
  const double blockSeconds = secondsSince(start);
  const auto stats = blockingStats(data.records, result, false, data.entity);
  std::printf("blocking (4 keys: phone last 8, email, name prefixes, sorted neighbourhood w=4)\n");
  std::printf("  %.2f s, %.0f records/s, %zu candidate pairs, reduction ratio %.8f\n", blockSeconds,
              static_cast<double>(records) / blockSeconds, result.pairs.size(), stats.reductionRatio);
  std::printf("  pairs per key:");
  for (size_t k = 0; k < keys.size(); ++k) {
    std::printf(" %s=%llu", keys[k].name.c_str(), static_cast<unsigned long long>(stats.pairsPerKey[k]));
  }
  std::printf("\n  capped values: %zu; pairs recall %.4f (%llu of %llu true pairs), pairs precision %.4f\n",
              stats.capped.size(), *stats.pairsRecall, static_cast<unsigned long long>(*stats.truePairsFound),
              static_cast<unsigned long long>(*stats.truePairs), *stats.pairsPrecision);
  std::printf("  peak RSS so far %.0f MiB\n", static_cast<double>(peakRssKb()) / 1024.0);

  // Comparison vectors for every candidate pair, and clustering of the pairs that agree strongly.
  start = Clock::now();
  std::vector<double> sims(comparisons->size());
  std::vector<int8_t> levels(comparisons->size());
  std::vector<ScoredPair> scored;
  for (const auto& p : result.pairs) {
    comparisons->compare(data.records[p.first], data.records[p.second], sims, levels);
    // A stand-in for scoring: mean similarity over the non-null comparisons.
    double sum = 0;
    int n = 0;
    for (double s : sims) {
      if (s == s) {
        sum += s;
        ++n;
      }
    }
    scored.push_back({data.records[p.first].id, data.records[p.second].id, n ? sum / n : 0.0});
  }
  const double compareSeconds = secondsSince(start);
  std::printf("comparison vectors: %.2f s, %.0f ns per pair (4 comparisons)\n", compareSeconds,
              compareSeconds * 1e9 / static_cast<double>(std::max<size_t>(1, result.pairs.size())));

  start = Clock::now();
  const auto clusters = clusterPairs(scored, 0.85);
  const double clusterSeconds = secondsSince(start);
  size_t multi = 0;
  for (const auto& c : clusters.clusters) multi += c.size() > 1 ? 1 : 0;
  std::printf("clustering: %.2f s for %zu pairs, %zu clusters (%zu with more than one record)\n", clusterSeconds,
              scored.size(), clusters.clusters.size(), multi);

  // Incremental: the last 1 % arrives as new records against an index of the rest.
  const size_t split = records - records / 100;
  start = Clock::now();
  BlockingIndex index(*blocker);
  index.add(std::span<const MatchRecord>(data.records.data(), split));
  const double indexSeconds = secondsSince(start);
  start = Clock::now();
  const auto incremental =
      index.candidates(std::span<const MatchRecord>(data.records.data() + split, records - split));
  const double incrementalSeconds = secondsSince(start);
  std::printf("incremental: index of %zu records built in %.2f s; %zu new records -> %zu pairs in %.3f s\n", split,
              indexSeconds, records - split, incremental.size(), incrementalSeconds);
  std::printf("peak RSS %.0f MiB\n", static_cast<double>(peakRssKb()) / 1024.0);

  json += "\"records\":" + std::to_string(records) + ",\"blocking_s\":" + std::to_string(blockSeconds) +
          ",\"candidate_pairs\":" + std::to_string(result.pairs.size()) +
          ",\"reduction_ratio\":" + std::to_string(stats.reductionRatio) +
          ",\"pairs_recall\":" + std::to_string(*stats.pairsRecall) +
          ",\"capped_values\":" + std::to_string(stats.capped.size()) +
          ",\"compare_ns_per_pair\":" +
          std::to_string(compareSeconds * 1e9 / static_cast<double>(std::max<size_t>(1, result.pairs.size()))) +
          ",\"clustering_s\":" + std::to_string(clusterSeconds) + ",\"index_build_s\":" +
          std::to_string(indexSeconds) + ",\"incremental_s\":" + std::to_string(incrementalSeconds) +
          ",\"peak_rss_mib\":" + std::to_string(peakRssKb() / 1024) + ",\"sink\":" + std::to_string(sink > 0) + "}";
  std::printf("%s\n", json.c_str());
  return 0;
}
