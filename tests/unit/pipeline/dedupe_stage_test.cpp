// The dedupe stage through real runs (spreadsheet source, normalize, load, dedupe) on SQLite and PostgreSQL:
// merges with evidence, golden records, incremental runs that equal a full run, unmerge that lasts, and the
// configuration checks of validate.
#include <gtest/gtest.h>
#include <soci/soci.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <sstream>

#include "crmsync/match/resolver.hpp"
#include "crmsync/pipeline/runner.hpp"
#include "crmsync/pipeline/validate.hpp"
#include "crmsync/store/store.hpp"
#include "test_support/temp_dir.hpp"
#include "test_support/test_store.hpp"

namespace crmsync::pipeline {
namespace {

const char* kNormalize = R"(  - type: map
    template: {name: "{given_name} {family_name}"}
  - type: normalize
    default_region: GB
    fields:
      name: name
      email: email
      phone: phone
  - type: load
)";

// Rules: a close name and one exact contact point. Blocking on email, phone, each name token, and a sorted
// neighbourhood over the name key.
std::string dedupeStage(const std::string& extra = "", size_t cap = 20) {
  return R"Y(  - type: dedupe
    comparisons:
      - {field: name_key, name: name, comparator: jaro_winkler, levels: [1.0, 0.9]}
      - {field: email, comparator: exact}
      - {field: phone, comparator: exact}
    blocking:
      max_block_size: )Y" +
         std::to_string(cap) + R"Y(
      keys:
        - {name: email, fields: [email]}
        - {name: phone, fields: [phone]}
        - {name: token, fields: [{field: name_key, transform: each_token}]}
        - {name: sn, fields: [name_key], method: sorted_neighbourhood, window: 3}
    model:
      type: rules
      rule: "(name >= level 1 AND email) OR (name >= level 1 AND phone)"
)Y" + extra;
}

class DedupeTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    db_ = std::make_unique<test::TestStore>(GetParam());
    if (db_->skipped()) GTEST_SKIP() << "CRMSYNC_SKIP_POSTGRES=1";
    ASSERT_TRUE(db_->ready());
  }

  std::string pipeline(const std::string& url, const std::string& csv, const std::string& stages,
                       const std::string& name = "pipeline.yaml", const std::string& sources = "") {
    std::string src = sources.empty() ? "  - name: crm\n    connector: spreadsheet\n    config: {path: " + csv +
                                            ", key: [id]}\n"
                                      : sources;
    return dir_.write(name, "version: 1\nname: test\nstore: " + url + "\nsources:\n" + src + "stages:\n" + stages);
  }

  RunResult run(const std::string& path) {
    auto v = validatePipeline(path, {CRMSYNC_PLUGIN_DIR});
    EXPECT_FALSE(v.diagnostics.hasErrors()) << v.diagnostics.str();
    return runPipeline(v, {});
  }

  std::unique_ptr<store::Store> open(const std::string& url) {
    auto s = store::Store::open(url);
    EXPECT_TRUE(s.isOk()) << s.status().toString();
    return std::move(s).value();
  }

  long long scalar(const std::string& url, const std::string& q) {
    auto s = open(url);
    long long n = -1;
    s->session() << q, soci::into(n);
    return n;
  }

  // Golden records as sets of source keys, with the golden row's name, email and phone.
  struct Golden {
    std::set<std::string> keys;
    std::string name, email, phone;
    bool operator<(const Golden& o) const { return keys < o.keys; }
    bool operator==(const Golden& o) const {
      return keys == o.keys && name == o.name && email == o.email && phone == o.phone;
    }
  };
  std::vector<Golden> golden(const std::string& url) {
    auto s = open(url);
    std::map<long long, Golden> byId;
    std::string key, name, email, phone;
    long long root = 0;
    soci::indicator ni, ei, pi;
    soci::statement st =
        (s->session().prepare << "SELECT sr.source_key, COALESCE(c.merged_into, c.id) FROM source_record sr "
                                 "JOIN customer c ON c.id = sr.customer_id WHERE sr.entity = 'customer'",
         soci::into(key), soci::into(root));
    st.execute();
    while (st.fetch()) byId[root].keys.insert(key);
    for (auto& [id, g] : byId) {
      s->session() << "SELECT name, email, phone FROM customer WHERE id = :id", soci::use(id), soci::into(name, ni),
          soci::into(email, ei), soci::into(phone, pi);
      g.name = ni == soci::i_ok ? name : "";
      g.email = ei == soci::i_ok ? email : "";
      g.phone = pi == soci::i_ok ? phone : "";
    }
    std::vector<Golden> out;
    for (auto& [id, g] : byId) out.push_back(g);
    std::sort(out.begin(), out.end());
    return out;
  }

  test::TempDir dir_;
  std::unique_ptr<test::TestStore> db_;
};

const char* kHeader = "id,given_name,family_name,email,phone,city\n";

TEST_P(DedupeTest, MergesMatchingRecordsWithEvidenceAndKeepsEveryContactPoint) {
  dir_.write("crm.csv", std::string(kHeader) +
                            "1,Ada,Lovelace,Ada@Example.com,+44 20 7946 0958,London\n"
                            "2,Ada,Lovelace,ada@example.com,,\n"
                            "3,Adda,Lovelace,ada.l@example.org,020 7946 0958,London\n"
                            "4,Charles,Babbage,charles@example.com,+44 20 7946 0000,London\n"
                            "5,Ada,Lovelace,other@example.com,+44 20 7946 1111,Leeds\n");
  const std::string url = db_->url();
  auto r = run(pipeline(url, "crm.csv", std::string(kNormalize) + dedupeStage()));
  ASSERT_TRUE(r.status.isOk()) << r.status.toString();
  EXPECT_EQ(r.customers, 3);  // {1,2,3}, {4}, {5}: same name but nothing else in common
  auto g = golden(url);
  ASSERT_EQ(g.size(), 3u);
  EXPECT_EQ(g[0].keys, (std::set<std::string>{"1", "2", "3"}));
  // Most frequent: the e-mail two of three records give; the phone both phones agree on.
  EXPECT_EQ(g[0].email, "ada@example.com");
  EXPECT_EQ(g[0].phone, "+442079460958");
  EXPECT_EQ(scalar(url, "SELECT COUNT(*) FROM merge_log WHERE undone_at IS NULL"), 2);
  // Evidence: per-field similarity and level of the match that brought the record in.
  {
    auto s = open(url);
    std::string expl;
    s->session() << "SELECT m.explanation FROM merge_log m JOIN source_record sr ON sr.customer_id = m.merged_id "
                    "WHERE sr.source_key = '3'",
        soci::into(expl);
    EXPECT_NE(expl.find("\"phone\":{\"level\":1,\"similarity\":1}"), std::string::npos) << expl;
    EXPECT_NE(expl.find("\"matched_with\""), std::string::npos) << expl;
  }
  // The golden record holds every e-mail and phone of its records.
  EXPECT_EQ(scalar(url, "SELECT COUNT(DISTINCT value_norm) FROM golden_contact_point gcp JOIN source_record sr ON "
                        "sr.customer_id = gcp.record_customer_id WHERE sr.source_key IN ('1', '2', '3')"),
            3);
  EXPECT_EQ(scalar(url, "SELECT COUNT(DISTINCT gcp.customer_id) FROM golden_contact_point gcp JOIN source_record sr ON "
                        "sr.customer_id = gcp.record_customer_id WHERE sr.source_key IN ('1', '2', '3')"),
            1);
  // Run figures.
  ASSERT_TRUE(r.stageFigures.count("dedupe"));
  EXPECT_NE(r.stageFigures["dedupe"].find("\"merged\":2"), std::string::npos) << r.stageFigures["dedupe"];
  EXPECT_NE(r.stageFigures["dedupe"].find("\"largest_cluster\":3"), std::string::npos) << r.stageFigures["dedupe"];
}

TEST_P(DedupeTest, AGoldenRecordRewrittenKeepsTheLifecycleItsRecordsDoNotState) {
  const std::string rows = std::string(kHeader) +
                           "1,Ada,Lovelace,Ada@Example.com,+44 20 7946 0958,London\n"
                           "2,Ada,Lovelace,ada@example.com,,\n";
  dir_.write("crm.csv", rows);
  const std::string url = db_->url();
  const std::string path = pipeline(url, "crm.csv", std::string(kNormalize) + dedupeStage());
  ASSERT_TRUE(run(path).status.isOk());
  // As a confirmed order leaves it (the load path derives it; no record says so).
  {
    auto s = open(url);
    s->session() << "UPDATE customer SET lifecycle = 'existing' WHERE merged_into IS NULL";
  }
  dir_.write("crm.csv", rows + "3,Ada,Lovelace,ada@example.com,,York\n");
  auto r = run(path);
  ASSERT_TRUE(r.status.isOk()) << r.status.toString();
  EXPECT_NE(r.stageFigures["dedupe"].find("\"golden_updated\":1"), std::string::npos) << r.stageFigures["dedupe"];
  EXPECT_EQ(scalar(url, "SELECT COUNT(*) FROM customer WHERE merged_into IS NULL AND lifecycle = 'existing'"), 1);
}

TEST_P(DedupeTest, SourcePriorityDecidesTheGoldenValue) {
  dir_.write("crm.csv", std::string(kHeader) + "1,Ada,Lovelace,ada@example.com,,Londres\n");
  dir_.write("erp.csv", std::string(kHeader) + "E1,Ada,Lovelace,ADA@example.com,,London\n");
  std::string sources =
      "  - name: crm\n    connector: spreadsheet\n    config: {path: crm.csv, key: [id]}\n"
      "  - name: erp\n    connector: spreadsheet\n    config: {path: erp.csv, key: [id]}\n";
  const std::string url = db_->url();
  auto r = run(pipeline(url, "", std::string(kNormalize) +
                                     dedupeStage("    survivorship:\n      default: most_recent\n      fields:\n"
                                                 "        city: {rule: source_priority, order: [erp, crm]}\n"),
                        "pipeline.yaml", sources));
  ASSERT_TRUE(r.status.isOk()) << r.status.toString();
  EXPECT_EQ(r.customers, 1);
  EXPECT_EQ(scalar(url, "SELECT COUNT(*) FROM customer WHERE merged_into IS NULL AND city = 'London'"), 1);
}

// Deterministic test data: people with one to three records each, names drawn from small pools so that
// blocks collide and some exceed the frequency cap, typos, missing contact points.
struct Person {
  std::string given, family, email, phone;
};

std::string makeCsv(size_t people, size_t rowsLimit, uint64_t seed, size_t changedEvery) {
  const char* givens[] = {"Ada", "Alan", "Grace", "Linus", "Barbara", "Edsger", "Donald", "Frances"};
  const char* families[] = {"Lovelace", "Turing", "Hopper", "Torvalds", "Liskov", "Dijkstra", "Knuth", "Allen",
                            "Smith",    "Jones"};
  uint64_t s = seed;
  auto next = [&s]() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  };
  std::ostringstream out;
  out << kHeader;
  size_t rows = 0;
  for (size_t p = 0; p < people && rows < rowsLimit; ++p) {
    Person person{givens[next() % 8], families[next() % 10], "p" + std::to_string(p) + "@example.com",
                  "+44 20 7946 " + std::to_string(1000 + p)};
    size_t copies = 1 + next() % 3;
    for (size_t c = 0; c < copies && rows < rowsLimit; ++c, ++rows) {
      std::string given = person.given;
      if (next() % 5 == 0) given[1] = 'x';  // a typo
      std::string email = next() % 3 == 0 ? "" : person.email;
      std::string phone = next() % 3 == 0 ? "" : person.phone;
      std::string city = (changedEvery && rows % changedEvery == 0) ? "Changed" : "London";
      out << "r" << rows << "," << given << "," << person.family << "," << email << "," << phone << "," << city << "\n";
    }
  }
  return out.str();
}

TEST_P(DedupeTest, IncrementalRunsEqualAFullRunOnTheSameData) {
  // Three runs on one database: 50% of the rows, 80% with some earlier rows changed, then everything; against
  // one run over the final file on a fresh database. A small frequency cap makes name-token blocks appear and
  // disappear as rows arrive.
  const size_t people = 120, total = 1000;
  test::TestStore fullDb(GetParam());
  ASSERT_TRUE(fullDb.ready());
  const std::string stages = std::string(kNormalize) + dedupeStage("", 6);
  const std::string incUrl = db_->url();
  dir_.write("inc.csv", makeCsv(people, total / 2, 7, 0));
  ASSERT_TRUE(run(pipeline(incUrl, "inc.csv", stages, "inc.yaml")).status.isOk());
  dir_.write("inc.csv", makeCsv(people, total * 8 / 10, 7, 17));
  auto second = run(pipeline(incUrl, "inc.csv", stages, "inc.yaml"));
  ASSERT_TRUE(second.status.isOk()) << second.status.toString();
  EXPECT_EQ(second.stageFigures["dedupe"].find("\"full_rematch\":true"), std::string::npos);
  dir_.write("inc.csv", makeCsv(people, total, 7, 0));  // the changed rows change back, the rest arrive
  auto third = run(pipeline(incUrl, "inc.csv", stages, "inc.yaml"));
  ASSERT_TRUE(third.status.isOk()) << third.status.toString();

  dir_.write("full.csv", makeCsv(people, total, 7, 0));
  auto full = run(pipeline(fullDb.url(), "full.csv", stages, "full.yaml"));
  ASSERT_TRUE(full.status.isOk()) << full.status.toString();

  auto a = golden(incUrl), b = golden(fullDb.url());
  ASSERT_GT(a.size(), 50u);
  ASSERT_LT(a.size(), 300u);  // merging happened
  EXPECT_EQ(a.size(), b.size());
  EXPECT_TRUE(a == b) << "the incremental runs and the full run disagree";
  // The incremental run re-clustered only part of the database.
  EXPECT_EQ(third.stageFigures["dedupe"].find("\"full_rematch\":true"), std::string::npos);
}

TEST_P(DedupeTest, UnmergeSplitsAndLaterRunsDoNotMergeAgain) {
  dir_.write("crm.csv", std::string(kHeader) +
                            "1,Ada,Lovelace,ada@example.com,+44 20 7946 0958,London\n"
                            "2,Ada,Lovelace,ada@example.com,,London\n"
                            "3,Ada,Lovelace,,+44 20 7946 0958,London\n");
  const std::string url = db_->url();
  const std::string path = pipeline(url, "crm.csv", std::string(kNormalize) + dedupeStage());
  ASSERT_TRUE(run(path).status.isOk());
  EXPECT_EQ(scalar(url, "SELECT COUNT(*) FROM customer WHERE merged_into IS NULL"), 1);

  {
    auto store = open(url);
    auto& sql = store->session();
    config::Diagnostics diags;
    auto v = validatePipeline(path, {CRMSYNC_PLUGIN_DIR});
    const config::StageSpec* stage = nullptr;
    for (const auto& s : v.spec.stages) {
      if (s.type == "dedupe") stage = &s;
    }
    ASSERT_NE(stage, nullptr);
    auto cfg = match::parseDedupeConfig(stage->node, stage->name, v.spec.file, v.spec.dir, diags);
    ASSERT_TRUE(cfg) << diags.str();
    auto matcher = match::Matcher::create(*cfg);
    ASSERT_TRUE(matcher.isOk());
    auto id3 = match::findRecord(sql, "crm:3");
    ASSERT_TRUE(id3.isOk());
    sql.begin();
    match::Resolver resolver(sql, store->backend(), *matcher, "test", {"crm"}, 0);
    auto stats = resolver.unmerge({*id3}, false, "a different Ada");
    ASSERT_TRUE(stats.isOk()) << stats.status().toString();
    sql.commit();
    EXPECT_EQ(stats->split, 1);
  }
  EXPECT_EQ(scalar(url, "SELECT COUNT(*) FROM customer WHERE merged_into IS NULL"), 2);
  EXPECT_EQ(scalar(url, "SELECT COUNT(*) FROM match_decision"), 2);
  EXPECT_EQ(scalar(url, "SELECT COUNT(*) FROM merge_log WHERE decided_by = 'manual' AND undone_at IS NOT NULL"), 1);

  // Record 3 changes and gains the e-mail of the others: still its own customer.
  dir_.write("crm.csv", std::string(kHeader) +
                            "1,Ada,Lovelace,ada@example.com,+44 20 7946 0958,London\n"
                            "2,Ada,Lovelace,ada@example.com,,London\n"
                            "3,Ada,Lovelace,ada@example.com,+44 20 7946 0958,Leeds\n"
                            "4,Ada,Lovelace,ada@example.com,+44 20 7946 0958,York\n");
  auto r = run(path);
  ASSERT_TRUE(r.status.isOk()) << r.status.toString();
  EXPECT_EQ(scalar(url, "SELECT COUNT(*) FROM customer WHERE merged_into IS NULL"), 2);
  // A changed configuration re-matches everything, and still keeps the decision.
  auto changed = pipeline(url, "crm.csv", std::string(kNormalize) + dedupeStage("", 19));
  auto r2 = run(changed);
  ASSERT_TRUE(r2.status.isOk()) << r2.status.toString();
  EXPECT_NE(r2.stageFigures["dedupe"].find("\"full_rematch\":true"), std::string::npos);
  EXPECT_EQ(scalar(url, "SELECT COUNT(*) FROM customer WHERE merged_into IS NULL"), 2);
  EXPECT_EQ(scalar(url, "SELECT COUNT(*) FROM customer c JOIN source_record sr ON sr.customer_id = c.id WHERE "
                        "sr.source_key = '3' AND c.merged_into IS NULL"),
            1);
}

TEST_P(DedupeTest, FellegiSunterTrainsOnceAndKeepsItsModel) {
  dir_.write("crm.csv", makeCsv(200, 500, 11, 0));
  const std::string url = db_->url();
  const std::string stages = std::string(kNormalize) + R"(  - type: dedupe
    comparisons:
      - {field: name_key, name: name, comparator: jaro_winkler, levels: [1.0, 0.9]}
      - {field: email, comparator: exact}
      - {field: phone, comparator: exact}
    blocking:
      keys:
        - {name: email, fields: [email]}
        - {name: phone, fields: [phone]}
        - {name: token, fields: [{field: name_key, transform: each_token}]}
    model:
      type: fellegi_sunter
      threshold: {probability: 0.9}
      term_frequency: [name]
)";
  const std::string path = pipeline(url, "crm.csv", stages);
  auto first = run(path);
  ASSERT_TRUE(first.status.isOk()) << first.status.toString();
  EXPECT_NE(first.stageFigures["dedupe"].find("\"trained\":true"), std::string::npos);
  auto model = [&] {
    auto s = open(url);
    std::string m;
    s->session() << "SELECT model FROM match_state", soci::into(m);
    return m;
  };
  const std::string trained = model();
  EXPECT_NE(trained.find("crmsync.fellegi_sunter"), std::string::npos);
  EXPECT_LT(scalar(url, "SELECT COUNT(*) FROM customer WHERE merged_into IS NULL"), 400);
  dir_.write("crm.csv", makeCsv(220, 550, 11, 0));
  auto second = run(path);
  ASSERT_TRUE(second.status.isOk()) << second.status.toString();
  EXPECT_NE(second.stageFigures["dedupe"].find("\"trained\":false"), std::string::npos);
  EXPECT_EQ(model(), trained);
}

TEST_P(DedupeTest, AFailingDedupeLeavesTheDatabaseAsItWas) {
  // Fellegi-Sunter cannot train when blocking yields no pair: the run fails and commits nothing.
  dir_.write("crm.csv", std::string(kHeader) + "1,Ada,Lovelace,a@example.com,,\n2,Alan,Turing,b@example.com,,\n");
  const std::string url = db_->url();
  auto r = run(pipeline(url, "crm.csv", std::string(kNormalize) + R"(  - type: dedupe
    comparisons:
      - {field: email, comparator: exact}
    blocking:
      keys: [{name: email, fields: [email]}]
    model: {type: fellegi_sunter, threshold: 0.9}
)"));
  ASSERT_FALSE(r.status.isOk());
  EXPECT_NE(r.status.message().find("no candidate pairs"), std::string::npos) << r.status.message();
  EXPECT_EQ(scalar(url, "SELECT COUNT(*) FROM source_record"), 0);
  EXPECT_EQ(scalar(url, "SELECT COUNT(*) FROM match_key"), 0);
  EXPECT_EQ(scalar(url, "SELECT COUNT(*) FROM run WHERE status = 'failed'"), 1);
}

INSTANTIATE_TEST_SUITE_P(Backends, DedupeTest, ::testing::Values("sqlite", "postgresql"),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

// Configuration checks need no database. The stages start on line 9 of the file.
std::string validateStages(const std::string& stages) {
  test::TempDir dir;
  dir.write("crm.csv", "id,name\n1,x\n");
  auto path = dir.write("p.yaml",
                        "version: 1\nname: v\nstore: v.db\nsources:\n  - name: crm\n    connector: spreadsheet\n"
                        "    config: {path: crm.csv, key: [id]}\nstages:\n" +
                            stages);
  return validatePipeline(path, {CRMSYNC_PLUGIN_DIR}).diagnostics.str();
}

TEST(DedupeValidate, ReportsEveryProblemWithItsPosition) {
  const std::string all = validateStages(R"(  - type: dedupe
    comparisons:
      - {field: name, comparator: jaro_winkle}
      - {field: email, comparator: exact, levels: [0.5, 0.9]}
    blocking:
      keys: [{name: e, fields: [{field: email, transform: last_digit}]}]
      max_blok_size: 3
    model:
      type: rules
      rule: "name AND emial"
    survivorship:
      fields: {emai: most_recent}
  - type: load
)");
  EXPECT_NE(all.find("p.yaml:11:35: error: unknown comparator 'jaro_winkle' (did you mean 'jaro_winkler'?)"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("level thresholds must be strictly descending"), std::string::npos) << all;
  EXPECT_NE(all.find("unknown transform 'last_digit' (did you mean 'last_digits'?)"), std::string::npos) << all;
  EXPECT_NE(all.find("unknown key 'max_blok_size' in 'blocking' (did you mean 'max_block_size'?)"), std::string::npos)
      << all;
  EXPECT_NE(all.find("'emai' is not a customer field (did you mean 'email'?)"), std::string::npos) << all;
  EXPECT_NE(all.find("put '- type: load' before it"), std::string::npos) << all;
}

TEST(DedupeValidate, PointsAtTheColumnOfABadRule) {
  const std::string all = validateStages(R"(  - type: load
  - type: dedupe
    comparisons: [{field: name, comparator: exact}, {field: email, comparator: exact}]
    blocking: {keys: [{name: e, fields: [email]}]}
    model:
      type: rules
      rule: name AND emial
)");
  EXPECT_NE(all.find("p.yaml:15:22: error: match rule, column 10:"), std::string::npos) << all;
  EXPECT_NE(all.find("did you mean 'email'"), std::string::npos) << all;
}

}  // namespace
}  // namespace crmsync::pipeline
