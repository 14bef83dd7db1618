// Matcher: pairs compared once (compareAll) train and score exactly as pairs compared one by one.
#include "crmsync/match/dedupe_config.hpp"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <string>
#include <vector>

namespace crmsync::match {
namespace {

constexpr const char* kStage = R"(type: dedupe
comparisons:
  - {field: name, comparator: jaro_winkler, levels: [1.0, 0.9, 0.8]}
  - {field: email, comparator: exact}
  - {field: phone, comparator: exact}
  - {field: city, comparator: exact}
blocking:
  max_block_size: 50
  keys:
    - {name: email, fields: [email]}
    - {name: phone, fields: [phone]}
    - {name: city_name, fields: [city, {field: name, transform: first_chars, length: 2}]}
model:
  type: fellegi_sunter
  threshold: {probability: 0.9}
  term_frequency: [name, phone]
  training: {random_pairs: 20000}
)";

std::shared_ptr<Matcher> makeMatcher() {
  config::Diagnostics diags;
  auto cfg = parseDedupeConfig(YAML::Load(kStage), "dedupe", "test.yaml", ".", diags);
  EXPECT_TRUE(cfg) << diags.str();
  auto m = Matcher::create(*cfg);
  EXPECT_TRUE(m.isOk()) << m.status().toString();
  return *m;
}

// Customers with two to three records each: a typo in the name, the e-mail or the phone missing, a shared
// switchboard number every tenth customer, a few cities.
std::vector<MatchRecord> records(const Matcher& m, size_t customers) {
  const auto& fields = m.config().fields;
  const char* names[] = {"anna", "bert", "carl", "dora", "emil", "fritz", "greta", "hans", "ida", "jonas"};
  const char* cities[] = {"berlin", "bonn", "koeln", "mainz"};
  std::vector<MatchRecord> out;
  for (size_t c = 0; c < customers; ++c) {
    const std::string name = std::string(names[c % 10]) + " " + names[(c / 10) % 10] + "son";
    const std::string email = "p" + std::to_string(c) + "@example.com";
    const std::string phone = c % 10 == 0 ? "+4930100" : "+49151" + std::to_string(1000000 + c);
    const std::string city = cities[c % 4];
    for (size_t r = 0; r < 2 + c % 2; ++r) {
      MatchRecord rec;
      rec.id = static_cast<int64_t>(out.size() + 1);
      rec.values.resize(fields.size());
      std::string n = name;
      if (r == 1) n[1] = 'x';
      rec.values[*fields.indexOf("name")] = n;
      if (r != 2) rec.values[*fields.indexOf("email")] = email;
      if (r != 1) rec.values[*fields.indexOf("phone")] = phone;
      rec.values[*fields.indexOf("city")] = city;
      out.push_back(std::move(rec));
    }
  }
  return out;
}

// A matcher, 3000 customers' records, their candidate pairs and key values.
struct Blocked {
  std::shared_ptr<Matcher> m;
  std::vector<MatchRecord> recs;
  BlockingResult blocked;
  std::vector<std::vector<KeyValue>> keys;
};
Blocked blockedRecords() {
  Blocked b;
  b.m = makeMatcher();
  b.recs = records(*b.m, 3000);
  b.blocked = b.m->blocker().block(b.recs);
  for (const auto& r : b.recs) b.keys.push_back(b.m->blocker().keyValues(r));
  return b;
}

// Training counts level patterns on several threads, each over its own share of the pairs: the model must not
// depend on which pairs fell to which worker, so the pairs in reverse order give the same model.
TEST(Matcher, TrainsTheSameModelWhateverTheOrderOfThePairs) {
  Blocked setup = blockedRecords();
  auto& [m, recs, blocked, keys] = setup;
  ASSERT_GT(blocked.pairs.size(), 4096u);  // enough for several workers

  FrequencyTables tfA, tfB;
  auto a = m->train(recs, blocked.pairs, keys, &tfA);
  ASSERT_TRUE(a.isOk()) << a.status().toString();
  std::vector<CandidatePair> reversed(blocked.pairs.rbegin(), blocked.pairs.rend());
  const PairLevels compared = m->compareAll(recs, reversed);
  ASSERT_EQ(compared.size(), reversed.size());
  auto r = m->train(recs, reversed, keys, &tfB, &compared);
  ASSERT_TRUE(r.isOk()) << r.status().toString();
  EXPECT_EQ(a->toJson().dump(), r->toJson().dump());
  EXPECT_EQ(tfA, tfB);
}

TEST(Matcher, ScoresComparedPairsAsItScoresRecords) {
  Blocked setup = blockedRecords();
  auto& [m, recs, blocked, keys] = setup;
  FrequencyTables tf;
  auto model = m->train(recs, blocked.pairs, keys, &tf);
  ASSERT_TRUE(model.isOk()) << model.status().toString();
  auto stored = modelFromStored(modelWithFrequencies(*model, tf), m->config());
  ASSERT_TRUE(stored.isOk()) << stored.status().toString();
  ASSERT_TRUE(m->setModel(std::move(*stored)).isOk());

  const PairLevels compared = m->compareAll(recs, blocked.pairs);
  size_t matches = 0;
  for (size_t i = 0; i < blocked.pairs.size(); ++i) {
    const auto& ra = recs[blocked.pairs[i].first];
    const auto& rb = recs[blocked.pairs[i].second];
    const auto direct = m->score(ra, rb);
    const auto cached = m->scoreCompared(ra, compared, i);
    ASSERT_EQ(direct.score, cached.score) << "pair " << i;
    ASSERT_EQ(direct.match, cached.match) << "pair " << i;
    matches += direct.match;
  }
  EXPECT_GT(matches, 3000u);
  EXPECT_LT(matches, blocked.pairs.size());
}

// 20,000 random pairs cannot measure a u below 0.5 / 20,000; an exact comparison's u is counted from the
// values instead, so an e-mail address that only one customer's records hold gets the small u it has.
TEST(Matcher, CountsTheUOfExactComparisonsInsteadOfSamplingIt) {
  Blocked setup = blockedRecords();
  auto& [m, recs, blocked, keys] = setup;
  auto model = m->train(recs, blocked.pairs, keys);
  ASSERT_TRUE(model.isOk()) << model.status().toString();
  const auto& params = model->comparisons();
  const auto email = std::find_if(params.begin(), params.end(), [](const auto& c) { return c.name == "email"; });
  ASSERT_NE(email, params.end());
  // Each address is held by two records of one customer: 3000 agreeing pairs among ~4,200 x 4,200 / 2.
  EXPECT_LT(email->u[1], 0.5 / 20000);
  EXPECT_GT(email->u[1], 0.0);
  const auto city = std::find_if(params.begin(), params.end(), [](const auto& c) { return c.name == "city"; });
  ASSERT_NE(city, params.end());
  EXPECT_NEAR(city->u[1], 0.25, 0.02);  // four cities, evenly
}

}  // namespace
}  // namespace crmsync::match
