#include "crmsync/match/fellegi_sunter.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "crmsync/match/level_patterns.hpp"
#include "crmsync/match/rules.hpp"
#include "crmsync/match/term_frequency.hpp"

namespace crmsync::match {
namespace {

// Deterministic on every platform, unlike std:: distributions.
struct SplitMix64 {
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

struct TrueModel {
  double lambda = 0.2;
  std::vector<FsComparisonParams> comps = {
      {"name", {0.05, 0.10, 0.25, 0.60}, {0.70, 0.20, 0.07, 0.03}},
      {"email", {0.15, 0.85}, {0.97, 0.03}},
      {"phone", {0.10, 0.20, 0.70}, {0.80, 0.15, 0.05}},
      {"city", {0.20, 0.80}, {0.60, 0.40}},
  };
  double nullRate = 0.1;

  std::vector<ScoringField> fields() const {
    std::vector<ScoringField> f;
    for (const auto& c : comps) f.push_back({c.name, static_cast<int>(c.m.size())});
    return f;
  }

  // Level vectors of `n` pairs, row after row; `lambdaOverride` < 0 keeps the model's prior.
  std::vector<int8_t> sample(size_t n, uint64_t seed, double lambdaOverride = -1.0) const {
    SplitMix64 rng{seed};
    double lam = lambdaOverride >= 0.0 ? lambdaOverride : lambda;
    std::vector<int8_t> rows;
    rows.reserve(n * comps.size());
    for (size_t i = 0; i < n; ++i) {
      bool match = rng.uniform() < lam;
      for (const auto& c : comps) {
        int8_t level = rng.categorical(match ? c.m : c.u);
        rows.push_back(rng.uniform() < nullRate ? int8_t{-1} : level);
      }
    }
    return rows;
  }
};

PatternTable countRows(const std::vector<ScoringField>& fields, const std::vector<int8_t>& rows) {
  LevelPatterns patterns(fields);
  EXPECT_TRUE(patterns.addRows(rows).isOk());
  return patterns.table();
}

void expectAllFinite(const FellegiSunterModel& model) {
  EXPECT_TRUE(std::isfinite(model.lambda()));
  EXPECT_TRUE(std::isfinite(model.priorWeight()));
  for (const auto& c : model.comparisons()) {
    for (double v : c.m) EXPECT_TRUE(std::isfinite(v) && v > 0.0 && v <= 1.0) << c.name << " m " << v;
    for (double v : c.u) EXPECT_TRUE(std::isfinite(v) && v > 0.0 && v <= 1.0) << c.name << " u " << v;
  }
}

FellegiSunterModel initialModel(const std::vector<ScoringField>& fields) {
  auto model = FellegiSunterModel::initial(fields);
  EXPECT_TRUE(model.isOk()) << model.status().toString();
  return std::move(model).value();
}

TEST(LevelPatterns, GroupsIdenticalPatternsAndKeepsNulls) {
  std::vector<ScoringField> fields = {{"a", 3}, {"b", 2}};
  LevelPatterns patterns(fields);
  ASSERT_TRUE(patterns.addRows(std::vector<int8_t>{2, 1, 2, 1, -1, 0, 2, 1}).isOk());
  PatternTable t = patterns.table();
  EXPECT_EQ(t.totalPairs, 4u);
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(std::vector<int8_t>(t.pattern(0).begin(), t.pattern(0).end()), (std::vector<int8_t>{-1, 0}));
  EXPECT_EQ(t.counts[0], 1u);
  EXPECT_EQ(std::vector<int8_t>(t.pattern(1).begin(), t.pattern(1).end()), (std::vector<int8_t>{2, 1}));
  EXPECT_EQ(t.counts[1], 3u);
}

TEST(LevelPatterns, RefusesLevelsOutOfRangeAndWrongWidths) {
  LevelPatterns patterns({{"a", 3}, {"b", 2}});
  Status bad = patterns.add(std::vector<int8_t>{3, 0});
  EXPECT_FALSE(bad.isOk());
  EXPECT_NE(bad.message().find("'a' has levels 0..2"), std::string::npos) << bad.message();
  EXPECT_FALSE(patterns.add(std::vector<int8_t>{0, -2}).isOk());
  EXPECT_FALSE(patterns.add(std::vector<int8_t>{0}).isOk());
  EXPECT_FALSE(patterns.addRows(std::vector<int8_t>{0, 1, 2}).isOk());
  EXPECT_EQ(patterns.totalPairs(), 0u);
  EXPECT_FALSE(patterns.addRows(std::vector<int8_t>{0, 1, 2, 1, 7, 0}).isOk());
  EXPECT_EQ(patterns.totalPairs(), 2u) << "rows before the bad one stay counted";
  EXPECT_EQ(patterns.table().totalPairs, 2u);
}

TEST(LevelPatterns, DenseSparseAndWideEncodingsAgree) {
  // 4 fields of 4 levels fit the dense array; 8 of 100 levels need a hash map; 40 of 100 overflow 64 bits.
  for (size_t width : {4u, 8u, 40u}) {
    std::vector<ScoringField> fields;
    for (size_t k = 0; k < width; ++k) fields.push_back({"f" + std::to_string(k), width == 4 ? 4 : 100});
    SplitMix64 rng{7};
    std::vector<int8_t> rows;
    for (int i = 0; i < 2000; ++i)
      for (size_t k = 0; k < width; ++k) rows.push_back(static_cast<int8_t>(rng.next() % 3) - 1);
    LevelPatterns a(fields), b(fields);
    ASSERT_TRUE(a.addRows(std::span<const int8_t>(rows).first(rows.size() / 2)).isOk());
    ASSERT_TRUE(b.addRows(std::span<const int8_t>(rows).subspan(rows.size() / 2)).isOk());
    ASSERT_TRUE(a.merge(b).isOk());
    PatternTable t = a.table();
    EXPECT_EQ(t.totalPairs, 2000u);
    uint64_t sum = 0;
    for (uint64_t c : t.counts) sum += c;
    EXPECT_EQ(sum, 2000u) << width;
    // Each row must be found among the patterns.
    for (size_t row = 0; row < 2000; ++row) {
      bool found = false;
      for (size_t i = 0; i < t.size() && !found; ++i)
        found = std::equal(t.pattern(i).begin(), t.pattern(i).end(), rows.begin() + static_cast<long>(row * width));
      ASSERT_TRUE(found) << "width " << width << " row " << row;
    }
  }
}

TEST(FellegiSunterEm, RecoversKnownParametersFromUnlabelledPairs) {
  TrueModel truth;
  PatternTable table = countRows(truth.fields(), truth.sample(400000, 42));
  FellegiSunterModel model = initialModel(truth.fields());
  auto report = model.trainEm(table);
  ASSERT_TRUE(report.isOk()) << report.status().toString();
  EXPECT_TRUE(report->converged);
  EXPECT_LT(report->iterations, 200);
  EXPECT_EQ(report->pairs, 400000u);
  EXPECT_FALSE(report->swappedClasses);
  EXPECT_NEAR(model.lambda(), truth.lambda, 0.01);
  for (size_t k = 0; k < truth.comps.size(); ++k) {
    for (size_t l = 0; l < truth.comps[k].m.size(); ++l) {
      EXPECT_NEAR(model.comparisons()[k].m[l], truth.comps[k].m[l], 0.02) << truth.comps[k].name << " m" << l;
      EXPECT_NEAR(model.comparisons()[k].u[l], truth.comps[k].u[l], 0.01) << truth.comps[k].name << " u" << l;
    }
  }
}

TEST(FellegiSunterEm, UsesUFromRandomPairsAndFitsOnlyMWhenUIsFixed) {
  TrueModel truth;
  FellegiSunterModel model = initialModel(truth.fields());
  // Random record pairs are almost never matches.
  ASSERT_TRUE(model.estimateU(countRows(truth.fields(), truth.sample(200000, 9, 0.0))).isOk());
  for (size_t k = 0; k < truth.comps.size(); ++k)
    for (size_t l = 0; l < truth.comps[k].u.size(); ++l)
      EXPECT_NEAR(model.comparisons()[k].u[l], truth.comps[k].u[l], 0.01);
  std::vector<double> uBefore = model.comparisons()[0].u;

  EmOptions options;
  options.fixU = true;
  auto report = model.trainEm(countRows(truth.fields(), truth.sample(300000, 11)), options);
  ASSERT_TRUE(report.isOk()) << report.status().toString();
  EXPECT_EQ(model.comparisons()[0].u, uBefore);
  EXPECT_NEAR(model.lambda(), truth.lambda, 0.01);
  for (size_t k = 0; k < truth.comps.size(); ++k)
    for (size_t l = 0; l < truth.comps[k].m.size(); ++l)
      EXPECT_NEAR(model.comparisons()[k].m[l], truth.comps[k].m[l], 0.02) << truth.comps[k].name << " m" << l;
}

TEST(FellegiSunterEm, RandomPairsWithoutAnExactAgreementGiveUAboveZero) {
  std::vector<ScoringField> fields = {{"ssn", 2}};
  FellegiSunterModel model = initialModel(fields);
  std::vector<int8_t> rows(1000, 0);
  ASSERT_TRUE(model.estimateU(countRows(fields, rows)).isOk());
  EXPECT_NEAR(model.comparisons()[0].u[1], 0.5 / 1000.5, 1e-9);
  expectAllFinite(model);
}

TEST(FellegiSunterEm, ZeroPairsAreRefusedAndLeaveTheModelUsable) {
  TrueModel truth;
  FellegiSunterModel model = initialModel(truth.fields());
  double before = model.matchWeight(std::vector<int8_t>{3, 1, 2, 1});
  LevelPatterns empty(truth.fields());
  auto report = model.trainEm(empty.table());
  ASSERT_FALSE(report.isOk());
  EXPECT_NE(report.status().message().find("no pairs"), std::string::npos);
  EXPECT_FALSE(model.estimateU(empty.table()).isOk());
  EXPECT_EQ(model.matchWeight(std::vector<int8_t>{3, 1, 2, 1}), before);
  expectAllFinite(model);
}

TEST(FellegiSunterEm, IdenticalPairsDoNotProduceNaN) {
  TrueModel truth;
  std::vector<int8_t> rows;
  for (int i = 0; i < 5000; ++i) rows.insert(rows.end(), {3, 1, 2, 1});
  FellegiSunterModel model = initialModel(truth.fields());
  auto report = model.trainEm(countRows(truth.fields(), rows));
  ASSERT_TRUE(report.isOk()) << report.status().toString();
  EXPECT_TRUE(std::isfinite(report->logLikelihood));
  expectAllFinite(model);
  for (int8_t a = -1; a < 4; ++a) {
    double w = model.matchWeight(std::vector<int8_t>{a, 0, 0, 0});
    EXPECT_TRUE(std::isfinite(w));
    EXPECT_TRUE(std::isfinite(FellegiSunterModel::probabilityFromWeight(w)));
  }
}

TEST(FellegiSunterEm, AllNullComparisonKeepsItsParametersAndWeighsNothing) {
  std::vector<ScoringField> fields = {{"name", 2}, {"fax", 3}};
  FellegiSunterModel model = initialModel(fields);
  std::vector<double> faxM = model.comparisons()[1].m;
  SplitMix64 rng{3};
  std::vector<int8_t> rows;
  for (int i = 0; i < 1000; ++i) rows.insert(rows.end(), {static_cast<int8_t>(rng.next() % 2), -1});
  ASSERT_TRUE(model.trainEm(countRows(fields, rows)).isOk());
  for (size_t l = 0; l < faxM.size(); ++l) EXPECT_NEAR(model.comparisons()[1].m[l], faxM[l], 1e-12);
  std::vector<double> sims = {1.0, std::numeric_limits<double>::quiet_NaN()};
  std::vector<int8_t> levels = {1, -1};
  auto evidence = model.fieldEvidence({sims, levels});
  EXPECT_EQ(evidence[1].weight, 0.0);
  EXPECT_DOUBLE_EQ(model.matchWeight(levels), model.priorWeight() + evidence[0].weight);
  expectAllFinite(model);
}

TEST(FellegiSunterEm, LevelNeverObservedCarriesNoWeight) {
  TrueModel truth;
  std::vector<int8_t> rows = truth.sample(50000, 5);
  for (size_t i = 0; i < rows.size(); i += 4)
    if (rows[i] == 1) rows[i] = 0;  // name level 1 never occurs
  FellegiSunterModel model = initialModel(truth.fields());
  ASSERT_TRUE(model.trainEm(countRows(truth.fields(), rows)).isOk());
  double w = model.matchWeight(std::vector<int8_t>{1, -1, -1, -1}) - model.priorWeight();
  EXPECT_NEAR(w, 0.0, 1e-6);
  expectAllFinite(model);
}

TEST(FellegiSunterEm, RefusesPatternsOfAnotherShape) {
  FellegiSunterModel model = initialModel({{"a", 2}, {"b", 2}});
  LevelPatterns other({{"a", 2}});
  ASSERT_TRUE(other.add(std::vector<int8_t>{1}).isOk());
  EXPECT_FALSE(model.trainEm(other.table()).isOk());
  PatternTable bad{2, {0, 5}, {1}, 1};
  EXPECT_FALSE(model.trainEm(bad).isOk());
}

FellegiSunterModel surnameModel() {
  auto model = FellegiSunterModel::fromParameters(
      0.01, {{"surname", {0.05, 0.15, 0.80}, {0.90, 0.09, 0.01}, true, 1.0, 0.0}, {"email", {0.2, 0.8}, {0.99, 0.01}}});
  EXPECT_TRUE(model.isOk()) << model.status().toString();
  return std::move(model).value();
}

TEST(FellegiSunterTermFrequency, CommonValuesWeighLessThanRareOnes) {
  FellegiSunterModel model = surnameModel();
  auto table = std::make_shared<TermFrequencyTable>();
  table->setFrequency("smith", 0.05);
  table->setFrequency("zyx", 0.0001);
  ASSERT_TRUE(model.setTermFrequencies("surname", table).isOk());

  std::vector<int8_t> exact = {2, -1};
  double base = model.matchWeight(exact);
  std::vector<std::string_view> smith = {"smith", ""}, zyx = {"zyx", ""}, unknown = {"unseen", ""};
  double wSmith = model.matchWeight(exact, smith);
  double wZyx = model.matchWeight(exact, zyx);
  EXPECT_LT(wSmith, base);
  EXPECT_GT(wZyx, base);
  EXPECT_NEAR(wSmith - model.priorWeight(), std::log2(0.80 / 0.05), 1e-9);
  EXPECT_NEAR(wZyx - model.priorWeight(), std::log2(0.80 / 0.0001), 1e-9);
  EXPECT_EQ(model.matchWeight(exact, unknown), base) << "a value the table does not know keeps the level's u";
  std::vector<int8_t> partial = {1, -1};
  EXPECT_EQ(model.matchWeight(partial, smith), model.matchWeight(partial)) << "only the exact level is adjusted";
}

TEST(FellegiSunterTermFrequency, WeightAndMinimumULimitTheAdjustment) {
  FellegiSunterModel model = surnameModel();
  auto table = std::make_shared<TermFrequencyTable>();
  table->setFrequency("smith", 0.04);
  table->setFrequency("zyx", 1e-7);
  ASSERT_TRUE(model.setTermFrequencies("surname", table, 0.5, 1e-4).isOk());
  std::vector<int8_t> exact = {2, -1};
  std::vector<std::string_view> smith = {"smith", ""}, zyx = {"zyx", ""};
  double base = model.matchWeight(exact);
  EXPECT_NEAR(model.matchWeight(exact, smith) - base, 0.5 * std::log2(0.01 / 0.04), 1e-9);
  EXPECT_NEAR(model.matchWeight(exact, zyx) - base, 0.5 * std::log2(0.01 / 1e-4), 1e-9);
  EXPECT_FALSE(model.setTermFrequencies("surnam", table).isOk());
  EXPECT_FALSE(model.setTermFrequencies("surname", table, 2.0).isOk());
}

TEST(FellegiSunterTermFrequency, TableFromValuesCountsNonEmptyValues) {
  std::vector<std::string> values = {"smith", "smith", "jones", "", "smith", "lee"};
  TermFrequencyTable t = TermFrequencyTable::fromValues(values);
  EXPECT_EQ(t.size(), 3u);
  EXPECT_DOUBLE_EQ(*t.frequency("smith"), 0.6);
  EXPECT_DOUBLE_EQ(*t.frequency("lee"), 0.2);
  EXPECT_FALSE(t.frequency("").has_value());
  EXPECT_FALSE(t.frequency("brown").has_value());
}

TEST(FellegiSunterModel, MatchWeightIsPriorPlusPartialWeights) {
  FellegiSunterModel model = surnameModel();
  std::vector<int8_t> levels = {2, 0};
  double expected = std::log2(0.01 / 0.99) + std::log2(0.80 / 0.01) + std::log2(0.2 / 0.99);
  EXPECT_NEAR(model.matchWeight(levels), expected, 1e-9);
  std::vector<double> sims = {1.0, 0.1};
  auto evidence = model.fieldEvidence({sims, levels});
  ASSERT_EQ(evidence.size(), 2u);
  EXPECT_NEAR(model.priorWeight() + evidence[0].weight + evidence[1].weight, expected, 1e-9);
}

TEST(FellegiSunterModel, ProbabilityFromExtremeWeightsIsNotNaN) {
  EXPECT_EQ(FellegiSunterModel::probabilityFromWeight(5000.0), 1.0);
  EXPECT_EQ(FellegiSunterModel::probabilityFromWeight(-5000.0), 0.0);
  EXPECT_DOUBLE_EQ(FellegiSunterModel::probabilityFromWeight(0.0), 0.5);
  EXPECT_NEAR(FellegiSunterModel::probabilityFromWeight(3.0), 8.0 / 9.0, 1e-15);
}

TEST(FellegiSunterModel, FromParametersRefusesBadProbabilities) {
  EXPECT_FALSE(FellegiSunterModel::fromParameters(0.1, {{"a", {0.5, 0.2}, {0.5, 0.5}}}).isOk());
  EXPECT_FALSE(FellegiSunterModel::fromParameters(0.1, {{"a", {0.5, 0.5}, {0.5, 0.25, 0.25}}}).isOk());
  EXPECT_FALSE(FellegiSunterModel::fromParameters(1.0, {{"a", {0.5, 0.5}, {0.5, 0.5}}}).isOk());
  EXPECT_FALSE(FellegiSunterModel::fromParameters(0.1, {{"a", {1.5, -0.5}, {0.5, 0.5}}}).isOk());
  EXPECT_FALSE(FellegiSunterModel::fromParameters(0.1, {{"a", {0.5, 0.5}, {0.5, 0.5}}, {"a", {1.0}, {1.0}}}).isOk());
  auto zeros = FellegiSunterModel::fromParameters(0.1, {{"a", {0.0, 1.0}, {1.0, 0.0}}});
  ASSERT_TRUE(zeros.isOk());
  expectAllFinite(*zeros);
  EXPECT_TRUE(std::isfinite(zeros->matchWeight(std::vector<int8_t>{1})));
  EXPECT_TRUE(std::isfinite(zeros->matchWeight(std::vector<int8_t>{0})));
}

TEST(FellegiSunterModel, CheckFieldsNamesTheMismatch) {
  FellegiSunterModel model = surnameModel();
  std::vector<ScoringField> same = {{"surname", 3}, {"email", 2}};
  EXPECT_TRUE(model.checkFields(same).isOk());
  std::vector<ScoringField> levels = {{"surname", 4}, {"email", 2}};
  Status s = model.checkFields(levels);
  EXPECT_NE(s.message().find("'surname' has 4 levels but the model was trained with 3"), std::string::npos)
      << s.message();
  std::vector<ScoringField> more = {{"surname", 3}, {"email", 2}, {"phone", 2}};
  EXPECT_NE(model.checkFields(more).message().find("no parameters for comparison 'phone'"), std::string::npos);
}

TEST(FellegiSunterJson, RoundTripKeepsEveryParameterExactly) {
  TrueModel truth;
  FellegiSunterModel model = initialModel(truth.fields());
  ASSERT_TRUE(model.trainEm(countRows(truth.fields(), truth.sample(20000, 1))).isOk());
  auto table = std::make_shared<TermFrequencyTable>();
  ASSERT_TRUE(model.setTermFrequencies("name", table, 0.75, 1e-5).isOk());

  std::string text = model.toJson().dump();
  auto back = FellegiSunterModel::fromJson(nlohmann::json::parse(text));
  ASSERT_TRUE(back.isOk()) << back.status().toString();
  EXPECT_EQ(back->lambda(), model.lambda());
  ASSERT_EQ(back->comparisons().size(), model.comparisons().size());
  for (size_t k = 0; k < model.comparisons().size(); ++k) {
    EXPECT_EQ(back->comparisons()[k].name, model.comparisons()[k].name);
    EXPECT_EQ(back->comparisons()[k].m, model.comparisons()[k].m);
    EXPECT_EQ(back->comparisons()[k].u, model.comparisons()[k].u);
  }
  EXPECT_TRUE(back->comparisons()[0].tfAdjust);
  EXPECT_EQ(back->comparisons()[0].tfWeight, 0.75);
  EXPECT_EQ(back->comparisons()[0].tfMinimumU, 1e-5);
  ASSERT_TRUE(back->training().has_value());
  EXPECT_EQ(back->training()->iterations, model.training()->iterations);
  EXPECT_EQ(back->training()->pairs, 20000u);
  std::vector<int8_t> levels = {3, 1, -1, 0};
  EXPECT_EQ(back->matchWeight(levels), model.matchWeight(levels));
}

TEST(FellegiSunterJson, SaveAndLoadThroughAFile) {
  FellegiSunterModel model = surnameModel();
  std::string path = testing::TempDir() + "/crmsync_fs_model_test.json";
  ASSERT_TRUE(model.save(path).isOk());
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  auto back = FellegiSunterModel::load(path);
  ASSERT_TRUE(back.isOk()) << back.status().toString();
  EXPECT_EQ(back->comparisons()[0].m, model.comparisons()[0].m);
  std::filesystem::remove(path);

  auto missing = FellegiSunterModel::load(path);
  EXPECT_EQ(missing.status().code(), StatusCode::kIoError);
  {
    std::ofstream out(path);
    out << "{not json";
  }
  auto broken = FellegiSunterModel::load(path);
  EXPECT_NE(broken.status().message().find("not valid JSON"), std::string::npos);
  std::filesystem::remove(path);
}

TEST(FellegiSunterJson, RefusesMalformedModelsWithAPlaceToLook) {
  nlohmann::json good = surnameModel().toJson();
  auto messageFor = [](const nlohmann::json& j) {
    auto r = FellegiSunterModel::fromJson(j);
    return r.isOk() ? std::string("ok") : r.status().message();
  };
  EXPECT_EQ(messageFor(good), "ok");
  nlohmann::json j = good;
  j["format"] = "something.else";
  EXPECT_NE(messageFor(j).find("not a Fellegi-Sunter model"), std::string::npos);
  j = good;
  j["version"] = 99;
  EXPECT_NE(messageFor(j).find("version 99"), std::string::npos);
  j = good;
  j["comparisons"][1]["levels"] = 3;
  EXPECT_NE(messageFor(j).find("comparisons[1] ('email').m has 2 entries but 'levels' is 3"), std::string::npos)
      << messageFor(j);
  j = good;
  j["comparisons"][0]["u"] = {0.5, 0.5, "x"};
  EXPECT_NE(messageFor(j).find("comparisons[0] ('surname').u must hold only numbers"), std::string::npos);
  j = good;
  j["comparisons"][0]["m"] = {0.5, 0.5, 0.5};
  EXPECT_NE(messageFor(j).find("sums to 1.5"), std::string::npos) << messageFor(j);
  j = good;
  j.erase("lambda");
  EXPECT_NE(messageFor(j).find("needs 'lambda'"), std::string::npos);
}

TEST(FellegiSunterScorer, ThresholdOnProbabilityOrWeight) {
  auto model = std::make_shared<const FellegiSunterModel>(surnameModel());
  std::vector<double> sims = {1.0, 1.0};
  std::vector<int8_t> levels = {2, 1};
  PairVectors pair{sims, levels};
  double w = model->matchWeight(levels);

  FellegiSunterScorer byProbability(model, {FsThreshold::Scale::kProbability, 0.9});
  ScoreResult r = byProbability.score(pair);
  EXPECT_DOUBLE_EQ(r.score, FellegiSunterModel::probabilityFromWeight(w));
  EXPECT_TRUE(r.match);

  FellegiSunterScorer byWeight(model, {FsThreshold::Scale::kWeight, w + 0.01});
  EXPECT_DOUBLE_EQ(byWeight.score(pair).score, w);
  EXPECT_FALSE(byWeight.score(pair).match);
  EXPECT_EQ(byWeight.fields().size(), 2u);
}

TEST(FellegiSunterScorer, ExplainShowsPartialWeightsThatAddUp) {
  auto base = surnameModel();
  auto table = std::make_shared<TermFrequencyTable>();
  table->setFrequency("smith", 0.05);
  ASSERT_TRUE(base.setTermFrequencies("surname", table).isOk());
  auto model = std::make_shared<const FellegiSunterModel>(std::move(base));
  FellegiSunterScorer scorer(model, {FsThreshold::Scale::kProbability, 0.5});
  std::vector<double> sims = {1.0, std::numeric_limits<double>::quiet_NaN()};
  std::vector<int8_t> levels = {2, -1};
  std::vector<std::string_view> tf = {"smith", ""};
  Explanation e = scorer.explain({sims, levels, tf});

  EXPECT_EQ(e.json["model"], "fellegi_sunter");
  double sum = e.json["prior_weight"].get<double>();
  for (const auto& f : e.json["fields"]) sum += f["weight"].get<double>();
  EXPECT_NEAR(sum, e.json["match_weight"].get<double>(), 1e-9);
  EXPECT_EQ(e.json["fields"][0]["tf_value"], "smith");
  EXPECT_NEAR(e.json["fields"][0]["u"].get<double>(), 0.05, 1e-12);
  EXPECT_TRUE(e.json["fields"][1]["level"].is_null());
  EXPECT_EQ(e.json["fields"][1]["weight"], 0.0);
  EXPECT_EQ(e.result.match, e.json["match"].get<bool>());

  EXPECT_NE(e.text.find("Fellegi-Sunter: match weight "), std::string::npos) << e.text;
  EXPECT_NE(e.text.find("surname  level 2/2  similarity 1.000  m 0.8  u 0.05 (term frequency of 'smith' 0.05)  +4.00"),
            std::string::npos)
      << e.text;
  EXPECT_NE(e.text.find("email    null (no evidence)  +0.00"), std::string::npos) << e.text;
  EXPECT_NE(e.text.find("prior    lambda 0.01  -6.63"), std::string::npos) << e.text;
}

TEST(Scorer, BothModelsScoreTheSamePairThroughTheInterface) {
  auto model = std::make_shared<const FellegiSunterModel>(surnameModel());
  auto rule = MatchRule::parse("surname AND NOT email", model->fields());
  ASSERT_TRUE(rule.isOk()) << rule.status().toString();
  FellegiSunterScorer fs(model, {FsThreshold::Scale::kWeight, 0.0});
  std::vector<const Scorer*> scorers = {&*rule, &fs};
  std::vector<double> sims = {1.0, 0.2};
  std::vector<int8_t> levels = {2, 0};
  for (const Scorer* s : scorers) {
    EXPECT_EQ(s->fields().size(), 2u);
    ScoreResult r = s->score({sims, levels});
    Explanation e = s->explain({sims, levels});
    EXPECT_EQ(r.match, e.result.match);
    EXPECT_EQ(r.score, e.result.score);
    EXPECT_FALSE(e.text.empty());
    EXPECT_TRUE(e.json.contains("model"));
  }
  EXPECT_TRUE(rule->score({sims, levels}).match);
  EXPECT_FALSE(fs.score({sims, levels}).match) << "weight " << model->matchWeight(levels);
}

}  // namespace
}  // namespace crmsync::match
