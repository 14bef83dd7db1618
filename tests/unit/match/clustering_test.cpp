#include "crmsync/match/clustering.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <vector>

namespace crmsync::match {
namespace {

using Clusters = std::vector<std::vector<int64_t>>;

TEST(Clustering, LinksAreTransitive) {
  const std::vector<ScoredPair> pairs = {{1, 2, 0.9}, {2, 3, 0.8}, {4, 5, 0.95}, {5, 6, 0.2}};
  const auto result = clusterPairs(pairs, 0.5);
  const Clusters expected = {{1, 2, 3}, {4, 5}, {6}};
  EXPECT_EQ(result.clusters, expected);
  EXPECT_TRUE(result.refused.empty());
}

TEST(Clustering, IncludesGivenSingletons) {
  const std::vector<ScoredPair> pairs = {{3, 1, 0.9}};
  const std::vector<int64_t> ids = {7, 1, 3, 2};
  const Clusters expected = {{1, 3}, {2}, {7}};
  EXPECT_EQ(clusterPairs(pairs, 0.5, {}, ids).clusters, expected);
}

TEST(Clustering, ThresholdIsInclusive) {
  const std::vector<ScoredPair> pairs = {{1, 2, 0.5}};
  EXPECT_EQ(clusterPairs(pairs, 0.5).clusters, (Clusters{{1, 2}}));
  EXPECT_EQ(clusterPairs(pairs, 0.51).clusters, (Clusters{{1}, {2}}));
}

TEST(Clustering, CannotLinkKeepsSplitRecordsApartAndStrongestLinksWin) {
  // A chain 1-2-3 where a person split 1 from 3: the weaker link (2,3) must give way.
  const std::vector<ScoredPair> pairs = {{2, 3, 0.7}, {1, 2, 0.9}};
  const std::vector<IdPair> cannot = {{1, 3}};
  const auto result = clusterPairs(pairs, 0.5, cannot);
  EXPECT_EQ(result.clusters, (Clusters{{1, 2}, {3}}));
  ASSERT_EQ(result.refused.size(), 1u);
  EXPECT_EQ(result.refused[0], (ScoredPair{2, 3, 0.7}));

  // With (2,3) the stronger link, 2 joins 3 instead.
  const std::vector<ScoredPair> flipped = {{2, 3, 0.95}, {1, 2, 0.9}};
  EXPECT_EQ(clusterPairs(flipped, 0.5, cannot).clusters, (Clusters{{1}, {2, 3}}));
}

TEST(Clustering, CannotLinkHoldsThroughLongChains) {
  std::vector<ScoredPair> pairs;
  for (int64_t i = 1; i < 10; ++i) pairs.push_back({i, i + 1, 0.9 - 0.01 * static_cast<double>(i)});
  const std::vector<IdPair> cannot = {{1, 10}};
  const auto result = clusterPairs(pairs, 0.5, cannot);
  ASSERT_EQ(result.clusters.size(), 2u);
  EXPECT_EQ(result.clusters[0], (std::vector<int64_t>{1, 2, 3, 4, 5, 6, 7, 8, 9}));
  EXPECT_EQ(result.clusters[1], (std::vector<int64_t>{10}));
}

TEST(Clustering, RandomGraphsNeverViolateConstraintsAndAreOrderIndependent) {
  std::mt19937 rng(5);
  for (int round = 0; round < 50; ++round) {
    std::uniform_int_distribution<int64_t> node(0, 39);
    std::uniform_real_distribution<double> score(0, 1);
    std::vector<ScoredPair> pairs;
    for (int i = 0; i < 60; ++i) pairs.push_back({node(rng), node(rng), score(rng)});
    std::vector<IdPair> cannot;
    for (int i = 0; i < 8; ++i) cannot.push_back({node(rng), node(rng)});
    const auto result = clusterPairs(pairs, 0.3, cannot);

    std::map<int64_t, size_t> clusterOf;
    for (size_t c = 0; c < result.clusters.size(); ++c) {
      EXPECT_TRUE(std::is_sorted(result.clusters[c].begin(), result.clusters[c].end()));
      for (int64_t id : result.clusters[c]) EXPECT_TRUE(clusterOf.emplace(id, c).second) << "id in two clusters";
    }
    for (const auto& c : cannot) {
      if (c.first == c.second || !clusterOf.count(c.first) || !clusterOf.count(c.second)) continue;
      EXPECT_NE(clusterOf[c.first], clusterOf[c.second]);
    }
    // Every applied link's endpoints share a cluster; refused ones do not.
    for (const auto& p : result.refused) EXPECT_NE(clusterOf[p.first], clusterOf[p.second]);

    auto shuffled = pairs;
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    EXPECT_EQ(clusterPairs(shuffled, 0.3, cannot).clusters, result.clusters);
  }
}

TEST(Clustering, WithoutConstraintsEqualsConnectedComponents) {
  std::mt19937 rng(8);
  std::uniform_int_distribution<int64_t> node(0, 99);
  std::vector<ScoredPair> pairs;
  for (int i = 0; i < 80; ++i) pairs.push_back({node(rng), node(rng), 1.0});
  const auto result = clusterPairs(pairs, 0.5);
  // Reference: repeated relaxation of component labels.
  std::map<int64_t, int64_t> label;
  for (const auto& p : pairs) {
    label[p.first] = p.first;
    label[p.second] = p.second;
  }
  for (bool changed = true; changed;) {
    changed = false;
    for (const auto& p : pairs) {
      const int64_t m = std::min(label[p.first], label[p.second]);
      if (label[p.first] != m || label[p.second] != m) {
        label[p.first] = label[p.second] = m;
        changed = true;
      }
    }
  }
  std::map<int64_t, std::vector<int64_t>> groups;
  for (const auto& [id, l] : label) groups[l].push_back(id);
  Clusters expected;
  for (auto& [l, members] : groups) expected.push_back(members);
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(result.clusters, expected);
}

double total(const std::vector<ScoredPair>& links) {
  double t = 0;
  for (const auto& l : links) t += l.score;
  return t;
}

void expectOneToOne(const std::vector<ScoredPair>& links) {
  std::set<int64_t> left;
  std::set<int64_t> right;
  for (const auto& l : links) {
    EXPECT_TRUE(left.insert(l.first).second) << "left " << l.first << " linked twice";
    EXPECT_TRUE(right.insert(l.second).second) << "right " << l.second << " linked twice";
  }
}

// Best total over all matchings, by trying every choice for each left record in turn.
double bruteForce(const std::vector<ScoredPair>& edges, size_t k, std::set<int64_t>& usedLeft,
                  std::set<int64_t>& usedRight) {
  if (k == edges.size()) return 0.0;
  double best = bruteForce(edges, k + 1, usedLeft, usedRight);
  const auto& e = edges[k];
  if (!usedLeft.count(e.first) && !usedRight.count(e.second)) {
    usedLeft.insert(e.first);
    usedRight.insert(e.second);
    best = std::max(best, e.score + bruteForce(edges, k + 1, usedLeft, usedRight));
    usedLeft.erase(e.first);
    usedRight.erase(e.second);
  }
  return best;
}

TEST(Assignment, BeatsGreedyWhereGreedyIsWrong) {
  // Greedy takes (1,a)=0.9 and then nothing for 2; the optimum is (1,b)+(2,a) = 1.6.
  const std::vector<ScoredPair> pairs = {{1, 100, 0.9}, {1, 101, 0.8}, {2, 100, 0.8}};
  const auto exact = assignOneToOne(pairs, {.threshold = 0.5, .hungarianLimit = 10});
  EXPECT_EQ(exact.links, (std::vector<ScoredPair>{{1, 101, 0.8}, {2, 100, 0.8}}));
  EXPECT_EQ(exact.exactComponents, 1u);

  const auto greedy = assignOneToOne(pairs, {.threshold = 0.5, .hungarianLimit = 1});
  EXPECT_EQ(greedy.links, (std::vector<ScoredPair>{{1, 100, 0.9}}));
  EXPECT_EQ(greedy.greedyComponents, 1u);
}

TEST(Assignment, IsOptimalOnSmallRandomCases) {
  std::mt19937 rng(42);
  for (int round = 0; round < 300; ++round) {
    std::uniform_int_distribution<int64_t> leftId(0, 4);
    std::uniform_int_distribution<int64_t> rightId(0, 5);
    std::uniform_real_distribution<double> score(0, 1);
    std::uniform_int_distribution<int> edgeCount(0, 12);
    std::vector<ScoredPair> pairs;
    const int n = edgeCount(rng);
    for (int i = 0; i < n; ++i) pairs.push_back({leftId(rng), rightId(rng), score(rng)});
    const double threshold = 0.2;
    const auto result = assignOneToOne(pairs, {.threshold = threshold, .hungarianLimit = 200});
    expectOneToOne(result.links);

    // The reference sees each (left, right) once with its best score, as the function documents.
    std::map<std::pair<int64_t, int64_t>, double> best;
    for (const auto& p : pairs) {
      if (p.score < threshold) continue;
      auto& s = best[{p.first, p.second}];
      s = std::max(s, p.score);
    }
    std::vector<ScoredPair> edges;
    for (const auto& [k, s] : best) edges.push_back({k.first, k.second, s});
    for (const auto& l : result.links) {
      EXPECT_GE(l.score, threshold);
      EXPECT_EQ(best.at({l.first, l.second}), l.score);
    }
    std::set<int64_t> ul;
    std::set<int64_t> ur;
    EXPECT_NEAR(total(result.links), bruteForce(edges, 0, ul, ur), 1e-9) << "round " << round;
  }
}

TEST(Assignment, SameIdOnBothSidesAreDifferentRecords) {
  const std::vector<ScoredPair> pairs = {{1, 1, 0.9}, {2, 1, 0.5}, {1, 2, 0.6}};
  const auto result = assignOneToOne(pairs, {.threshold = 0.1, .hungarianLimit = 200});
  expectOneToOne(result.links);
  EXPECT_NEAR(total(result.links), 1.1, 1e-12);  // (1,2) + (2,1) beats (1,1) alone
}

TEST(Assignment, SolvesComponentsSeparatelyAndGreedyStaysOneToOne) {
  std::mt19937 rng(3);
  std::vector<ScoredPair> pairs;
  // Ten separate components of 5x5 and one big one of 30x30.
  std::uniform_real_distribution<double> score(0.1, 1);
  for (int64_t c = 0; c < 10; ++c) {
    for (int64_t i = 0; i < 5; ++i) {
      for (int64_t j = 0; j < 5; ++j) pairs.push_back({c * 100 + i, c * 100 + j, score(rng)});
    }
  }
  for (int64_t i = 0; i < 30; ++i) {
    for (int64_t j = 0; j < 30; ++j) pairs.push_back({5000 + i, 5000 + j, score(rng)});
  }
  const auto result = assignOneToOne(pairs, {.threshold = 0.0, .hungarianLimit = 10});
  EXPECT_EQ(result.exactComponents, 10u);
  EXPECT_EQ(result.greedyComponents, 1u);
  EXPECT_EQ(result.links.size(), 10u * 5u + 30u);
  expectOneToOne(result.links);
  EXPECT_TRUE(std::is_sorted(result.links.begin(), result.links.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first < b.first : a.second < b.second;
  }));

  const auto exact = assignOneToOne(pairs, {.threshold = 0.0, .hungarianLimit = 200});
  EXPECT_EQ(exact.exactComponents, 11u);
  EXPECT_GE(total(exact.links) + 1e-9, total(result.links));
}

TEST(Assignment, NeverLinksNonPositiveScores) {
  const std::vector<ScoredPair> pairs = {{1, 1, -2.0}, {2, 2, 0.0}, {3, 3, 1.0}};
  const auto result = assignOneToOne(pairs, {.threshold = -5.0, .hungarianLimit = 200});
  EXPECT_EQ(result.links, (std::vector<ScoredPair>{{3, 3, 1.0}}));
}

}  // namespace
}  // namespace crmsync::match
