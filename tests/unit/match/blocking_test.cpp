#include "crmsync/match/blocking.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace crmsync::match {
namespace {

const FieldSet& contactFields() {
  static const FieldSet fields({"name", "phone", "email", "metaphone", "city"});
  return fields;
}

MatchRecord rec(int64_t id, std::optional<std::string> name, std::optional<std::string> phone = std::nullopt,
                std::optional<std::string> email = std::nullopt, int32_t group = 0) {
  return MatchRecord{id, group, {std::move(name), std::move(phone), std::move(email), std::nullopt, std::nullopt}};
}

BlockingKey key(std::string name, std::vector<KeyPart> parts, BlockingMethod method = BlockingMethod::kStandard,
                size_t window = 5) {
  return BlockingKey{std::move(name), std::move(parts), method, window};
}

Blocker makeBlocker(std::vector<BlockingKey> keys, BlockingOptions options = {}) {
  auto b = Blocker::create(std::move(keys), contactFields(), options);
  EXPECT_TRUE(b.isOk()) << b.status().toString();
  return std::move(b).value();
}

std::vector<IdPair> toIds(std::span<const MatchRecord> records, const std::vector<CandidatePair>& pairs) {
  std::vector<IdPair> out;
  for (const auto& p : pairs) {
    const int64_t a = records[p.first].id;
    const int64_t b = records[p.second].id;
    out.push_back(a < b ? IdPair{a, b} : IdPair{b, a});
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(Blocking, UnionOfKeysIsDeduplicatedAndSorted) {
  std::vector<MatchRecord> records = {
      rec(10, "anna", "111"), rec(11, "anna", "111"), rec(12, "bob", "111"),
      rec(13, "carl", "222"), rec(14, "anna", "333"),
  };
  auto blocker = makeBlocker({key("name", {{"name", KeyTransform::kExact, 0}}),
                              key("phone", {{"phone", KeyTransform::kExact, 0}})});
  const auto result = blocker.block(records);
  // name: (0,1) (0,4) (1,4); phone: (0,1) (0,2) (1,2); (0,1) found by both appears once.
  const std::vector<CandidatePair> expected = {{0, 1}, {0, 2}, {0, 4}, {1, 2}, {1, 4}};
  EXPECT_EQ(result.pairs, expected);
  EXPECT_EQ(result.pairsPerKey, (std::vector<uint64_t>{3, 3}));
  EXPECT_TRUE(result.capped.empty());
}

TEST(Blocking, NullAndEmptyValuesNeverBlock) {
  std::vector<MatchRecord> records = {rec(1, std::nullopt), rec(2, std::nullopt), rec(3, ""), rec(4, "")};
  auto blocker = makeBlocker({key("name", {{"name", KeyTransform::kExact, 0}})});
  EXPECT_TRUE(blocker.block(records).pairs.empty());
}

TEST(Blocking, FrequencyCapStopsCommonValuesAndReportsThem) {
  std::vector<MatchRecord> records;
  for (int i = 0; i < 21; ++i) records.push_back(rec(i, "x", std::nullopt, "info@gmail.com"));
  for (int i = 21; i < 41; ++i) records.push_back(rec(i, "y", std::nullopt, "sales@acme.com"));
  auto blocker = makeBlocker({key("email", {{"email", KeyTransform::kExact, 0}})});  // default cap 20
  const auto result = blocker.block(records);
  ASSERT_EQ(result.capped.size(), 1u);
  EXPECT_EQ(result.capped[0].key, "email");
  EXPECT_EQ(result.capped[0].value, "info@gmail.com");
  EXPECT_EQ(result.capped[0].records, 21u);
  EXPECT_EQ(result.pairs.size(), 20u * 19u / 2u);  // the 20 records of acme still block
  for (const auto& p : result.pairs) EXPECT_GE(p.first, 21u);

  auto uncapped = makeBlocker({key("email", {{"email", KeyTransform::kExact, 0}})},
                              {.crossGroupOnly = false, .maxBlockSize = 0});
  EXPECT_EQ(uncapped.block(records).pairs.size(), 21u * 20u / 2u + 20u * 19u / 2u);
}

TEST(Blocking, CrossGroupOnlyKeepsPairsBetweenDatasets) {
  std::vector<MatchRecord> records = {rec(1, "anna", {}, {}, 0), rec(2, "anna", {}, {}, 0),
                                      rec(3, "anna", {}, {}, 1), rec(4, "anna", {}, {}, 1)};
  auto blocker = makeBlocker({key("name", {{"name", KeyTransform::kExact, 0}})},
                             {.crossGroupOnly = true, .maxBlockSize = 20});
  const auto result = blocker.block(records);
  const std::vector<CandidatePair> expected = {{0, 2}, {0, 3}, {1, 2}, {1, 3}};
  EXPECT_EQ(result.pairs, expected);
  const auto stats = blockingStats(records, result, true);
  EXPECT_EQ(stats.possiblePairs, 4u);
  EXPECT_EQ(stats.reductionRatio, 0.0);
}

TEST(Blocking, TransformsBuildKeyValues) {
  auto blocker = makeBlocker({
      key("first2", {{"name", KeyTransform::kFirstChars, 2}}),
      key("tokens", {{"name", KeyTransform::kSortedTokens, 0}}),
      key("each", {{"name", KeyTransform::kEachToken, 0}}),
      key("phon", {{"metaphone", KeyTransform::kPhoneticCodes, 0}}),
      key("tail", {{"phone", KeyTransform::kLastDigits, 4}}),
      key("name_city", {{"name", KeyTransform::kFirstChars, 1}, {"city", KeyTransform::kExact, 0}}),
  });
  MatchRecord r{1, 0, {"Smith John", "+1 (555) 010-9999", std::nullopt, "SM0|XMT", "Boston"}};
  const auto values = blocker.keyValues(r);
  const std::vector<KeyValue> expected = {
      {"first2", "Sm"},     {"tokens", "John Smith"}, {"each", "John"},         {"each", "Smith"},
      {"phon", "SM0"},      {"phon", "XMT"},          {"tail", "9999"},         {"name_city", "S\x1f" "Boston"},
  };
  EXPECT_EQ(values, expected);

  MatchRecord cjk{2, 0, {"王小明", "12", std::nullopt, "|", std::nullopt}};
  const auto cjkValues = blocker.keyValues(cjk);
  // Two characters, not two bytes; too few digits and no city give no value.
  const std::vector<KeyValue> expectedCjk = {{"first2", "王小"}, {"tokens", "王小明"}, {"each", "王小明"}};
  EXPECT_EQ(cjkValues, expectedCjk);
}

TEST(Blocking, SortedNeighbourhoodPairsWithinWindow) {
  std::vector<MatchRecord> records = {rec(1, "meyer"), rec(2, "adams"), rec(3, "meyers"), rec(4, "zed"),
                                      rec(5, "adamson"), rec(6, "mayer")};
  // Sorted: adams(2) adamson(5) mayer(6) meyer(1) meyers(3) zed(4)
  auto blocker = makeBlocker(
      {key("sn", {{"name", KeyTransform::kExact, 0}}, BlockingMethod::kSortedNeighbourhood, 2)});
  const auto ids = toIds(records, blocker.block(records).pairs);
  const std::vector<IdPair> expected = {{1, 3}, {1, 6}, {2, 5}, {3, 4}, {5, 6}};
  EXPECT_EQ(ids, expected);

  auto wider = makeBlocker(
      {key("sn", {{"name", KeyTransform::kExact, 0}}, BlockingMethod::kSortedNeighbourhood, 3)});
  EXPECT_EQ(wider.block(records).pairs.size(), 5u + 4u);
}

TEST(Blocking, StatisticsGiveReductionAndRecall) {
  std::vector<MatchRecord> records = {rec(1, "anna", "1"), rec(2, "anna", "2"), rec(3, "ana", "3"),
                                      rec(4, "bob", "4"),  rec(5, "bob", "5"),  rec(6, "carl", "6")};
  const std::vector<int64_t> entity = {100, 100, 100, 200, 200, 300};
  auto blocker = makeBlocker({key("name", {{"name", KeyTransform::kExact, 0}})});
  const auto result = blocker.block(records);
  const auto stats = blockingStats(records, result, false, entity);
  EXPECT_EQ(stats.records, 6u);
  EXPECT_EQ(stats.candidatePairs, 2u);
  EXPECT_EQ(stats.possiblePairs, 15u);
  EXPECT_NEAR(stats.reductionRatio, 1.0 - 2.0 / 15.0, 1e-12);
  ASSERT_TRUE(stats.pairsRecall);
  EXPECT_EQ(*stats.truePairs, 4u);  // 3 pairs for entity 100, 1 for 200
  EXPECT_EQ(*stats.truePairsFound, 2u);
  EXPECT_NEAR(*stats.pairsRecall, 0.5, 1e-12);
  EXPECT_NEAR(*stats.pairsPrecision, 1.0, 1e-12);
}

TEST(Blocking, RecallAcrossGroupsCountsOnlyCrossGroupTruePairs) {
  std::vector<MatchRecord> records = {rec(1, "a", {}, {}, 0), rec(2, "a", {}, {}, 0), rec(3, "a", {}, {}, 1)};
  const std::vector<int64_t> entity = {7, 7, 7};
  auto blocker = makeBlocker({key("name", {{"name", KeyTransform::kExact, 0}})},
                             {.crossGroupOnly = true, .maxBlockSize = 20});
  const auto stats = blockingStats(records, blocker.block(records), true, entity);
  EXPECT_EQ(*stats.truePairs, 2u);
  EXPECT_EQ(*stats.truePairsFound, 2u);
  EXPECT_EQ(*stats.pairsRecall, 1.0);
}

// Random contacts with typos and shared values, for properties that must hold whatever the data.
std::vector<MatchRecord> randomRecords(size_t n, uint32_t seed, int groups = 1) {
  std::mt19937 rng(seed);
  const std::vector<std::string> first = {"anna", "ben", "carl", "dora", "王", "李", "eve", "finn"};
  const std::vector<std::string> last = {"smith", "meyer", "meyers", "小明", "jones", "ng"};
  std::uniform_int_distribution<size_t> f(0, first.size() - 1);
  std::uniform_int_distribution<size_t> l(0, last.size() - 1);
  std::uniform_int_distribution<int> phone(0, 40);
  std::uniform_int_distribution<int> coin(0, 9);
  std::uniform_int_distribution<int> group(0, groups - 1);
  std::vector<MatchRecord> out;
  for (size_t i = 0; i < n; ++i) {
    MatchRecord r;
    r.id = static_cast<int64_t>(i * 7 + 3);
    r.group = group(rng);
    r.values.resize(5);
    if (coin(rng) > 0) r.values[0] = first[f(rng)] + " " + last[l(rng)];
    if (coin(rng) > 1) r.values[1] = "+1555" + std::to_string(1000 + phone(rng));
    if (coin(rng) > 3) r.values[3] = last[l(rng)] + "|" + first[f(rng)];
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<BlockingKey> mixedKeys() {
  return {key("name", {{"name", KeyTransform::kSortedTokens, 0}}),
          key("phone", {{"phone", KeyTransform::kLastDigits, 4}}),
          key("phon", {{"metaphone", KeyTransform::kPhoneticCodes, 0}}),
          key("sn", {{"name", KeyTransform::kExact, 0}}, BlockingMethod::kSortedNeighbourhood, 4)};
}

TEST(Blocking, StandardKeysMatchBruteForce) {
  const auto records = randomRecords(300, 5);
  std::vector<BlockingKey> keys = mixedKeys();
  keys.pop_back();
  auto blocker = makeBlocker(keys, {.crossGroupOnly = false, .maxBlockSize = 15});
  const auto result = blocker.block(records);

  std::vector<std::vector<KeyValue>> values;
  std::map<std::pair<std::string, std::string>, size_t> counts;
  for (const auto& r : records) {
    values.push_back(blocker.keyValues(r));
    for (const auto& kv : values.back()) ++counts[{kv.key, kv.value}];
  }
  std::vector<CandidatePair> expected;
  for (uint32_t i = 0; i < records.size(); ++i) {
    for (uint32_t j = i + 1; j < records.size(); ++j) {
      bool hit = false;
      for (const auto& a : values[i]) {
        if (counts[{a.key, a.value}] > 15) continue;
        if (std::find(values[j].begin(), values[j].end(), a) != values[j].end()) hit = true;
      }
      if (hit) expected.push_back({i, j});
    }
  }
  EXPECT_EQ(result.pairs, expected);
  EXPECT_FALSE(result.capped.empty());
  for (const auto& c : result.capped) EXPECT_EQ(c.records, (counts[{c.key, c.value}]));
}

TEST(Blocking, OutputDoesNotDependOnInputOrder) {
  auto records = randomRecords(400, 9);
  auto blocker = makeBlocker(mixedKeys());
  const auto before = toIds(records, blocker.block(records).pairs);
  std::mt19937 rng(1);
  std::shuffle(records.begin(), records.end(), rng);
  const auto after = toIds(records, blocker.block(records).pairs);
  EXPECT_EQ(before, after);
  EXPECT_FALSE(before.empty());
}

class IncrementalBlocking : public ::testing::TestWithParam<bool> {};

TEST_P(IncrementalBlocking, EqualsFullBlockingRestrictedToNewRecords) {
  const bool crossGroup = GetParam();
  const auto all = randomRecords(600, crossGroup ? 21 : 17, crossGroup ? 2 : 1);
  auto blocker = makeBlocker(mixedKeys(), {.crossGroupOnly = crossGroup, .maxBlockSize = 12});
  const size_t split = 450;
  std::span<const MatchRecord> existing(all.data(), split);
  std::span<const MatchRecord> fresh(all.data() + split, all.size() - split);

  // Half of the existing records come in as persisted key values, half as records: both paths must agree.
  BlockingIndex index(blocker);
  for (size_t i = 0; i < existing.size(); ++i) {
    if (i % 2 == 0) {
      index.add(existing[i]);
      continue;
    }
    for (const auto& kv : blocker.keyValues(existing[i])) {
      ASSERT_TRUE(index.addKeyValue(kv.key, kv.value, existing[i].id, existing[i].group).isOk());
    }
  }
  const auto incremental = index.candidates(fresh);

  std::set<int64_t> freshIds;
  for (const auto& r : fresh) freshIds.insert(r.id);
  const auto full = blocker.block(all);
  EXPECT_FALSE(full.capped.empty());  // the cap must be exercised, counting existing and new together
  std::vector<IdPair> expected;
  for (const auto& p : toIds(all, full.pairs)) {
    if (freshIds.count(p.first) || freshIds.count(p.second)) expected.push_back(p);
  }
  EXPECT_EQ(incremental, expected);
  EXPECT_GT(expected.size(), 100u);
}

INSTANTIATE_TEST_SUITE_P(Modes, IncrementalBlocking, ::testing::Values(false, true));

TEST(Blocking, IncrementalBatchesAddUpToFullBlocking) {
  // Holds for standard keys without a cap: each pair is found in the batch of its later record. (A capped
  // value can grow past the cap after its first pairs were made, and a sorted neighbourhood shifts as records
  // arrive, so those are only equal batch by batch, as the test above checks.)
  const auto all = randomRecords(300, 33);
  std::vector<BlockingKey> keys = mixedKeys();
  keys.pop_back();
  auto blocker = makeBlocker(keys, {.crossGroupOnly = false, .maxBlockSize = 0});
  BlockingIndex index(blocker);
  std::vector<IdPair> found;
  for (size_t start = 0; start < all.size(); start += 50) {
    std::span<const MatchRecord> batch(all.data() + start, 50);
    for (const auto& p : index.candidates(batch)) found.push_back(p);
    index.add(batch);
  }
  std::sort(found.begin(), found.end());
  found.erase(std::unique(found.begin(), found.end()), found.end());
  EXPECT_EQ(found, toIds(all, blocker.block(all).pairs));
}

TEST(Blocking, IndexRefusesUnknownKey) {
  auto blocker = makeBlocker({key("name", {{"name", KeyTransform::kExact, 0}})});
  BlockingIndex index(blocker);
  const auto s = index.addKeyValue("phone", "123", 1, 0);
  EXPECT_FALSE(s.isOk());
  EXPECT_NE(s.message().find("unknown key 'phone'"), std::string::npos);
}

TEST(Blocking, RejectsBadKeys) {
  const auto& fields = contactFields();
  auto unknown = Blocker::create({key("n", {{"nmae", KeyTransform::kExact, 0}})}, fields);
  ASSERT_FALSE(unknown.isOk());
  EXPECT_NE(unknown.status().message().find("did you mean 'name'"), std::string::npos);
  EXPECT_FALSE(Blocker::create({key("", {{"name", KeyTransform::kExact, 0}})}, fields).isOk());
  EXPECT_FALSE(Blocker::create({key("n", {})}, fields).isOk());
  EXPECT_FALSE(Blocker::create({key("n", {{"name", KeyTransform::kExact, 0}}),
                                key("n", {{"phone", KeyTransform::kExact, 0}})},
                               fields)
                   .isOk());
  EXPECT_FALSE(Blocker::create({key("n", {{"name", KeyTransform::kFirstChars, 0}})}, fields).isOk());
  EXPECT_FALSE(
      Blocker::create({key("n", {{"name", KeyTransform::kExact, 0}}, BlockingMethod::kSortedNeighbourhood, 1)},
                      fields)
          .isOk());
}

TEST(Blocking, TransformNamesRoundTrip) {
  for (auto t : {KeyTransform::kExact, KeyTransform::kFirstChars, KeyTransform::kSortedTokens,
                 KeyTransform::kEachToken, KeyTransform::kPhoneticCodes, KeyTransform::kLastDigits}) {
    EXPECT_EQ(keyTransformFromName(keyTransformName(t)), t);
  }
}

}  // namespace
}  // namespace crmsync::match
