#include "crmsync/pipeline/runner.hpp"

#include <gtest/gtest.h>
#include <soci/soci.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <filesystem>

#include "crmsync/pipeline/validate.hpp"
#include "crmsync/store/store.hpp"
#include "test_support/temp_dir.hpp"
#include "test_support/test_store.hpp"

namespace crmsync::pipeline {
namespace {

// Runs against SQLite and, through the CTest fixture, a real PostgreSQL.
class RunnerTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    db_ = std::make_unique<test::TestStore>(GetParam());
    if (db_->skipped()) GTEST_SKIP() << "CRMSYNC_SKIP_POSTGRES=1";
    ASSERT_TRUE(db_->ready());
    storeUrl_ = db_->url();
  }

  std::string writePipeline(const std::string& sourcesAndStages, const std::string& name = "pipeline.yaml") {
    return dir_.write(name, "version: 1\nname: test\nstore: " + storeUrl_ + "\n" + sourcesAndStages);
  }

  RunResult run(const std::string& pipelinePath, const std::atomic<bool>* cancel = nullptr) {
    auto v = validatePipeline(pipelinePath, {CRMSYNC_PLUGIN_DIR});
    EXPECT_FALSE(v.diagnostics.hasErrors()) << v.diagnostics.str();
    RunOptions options;
    options.cancel = cancel;
    return runPipeline(v, options);
  }

  std::unique_ptr<store::Store> openStore() {
    auto s = store::Store::open(storeUrl_);
    EXPECT_TRUE(s.isOk()) << s.status().toString();
    return std::move(s).value();
  }

  long long count(const std::string& sqlText) {
    auto s = openStore();
    long long n = -1;
    s->session() << sqlText, soci::into(n);
    return n;
  }

  test::TempDir dir_;
  std::unique_ptr<test::TestStore> db_;
  std::string storeUrl_;
};

const char* kContactsCsv =
    "id,name,email,phone\n"
    "1,Ada Lovelace,Ada@Example.com,+44 20 7946 0958\n"
    "2,张三,ZhangSan@Example.CN,138 0013 8000\n"
    "3,Bad Phone,bad@example.com,12\n";

const char* kStages = R"(stages:
  - type: normalize
    default_region: CN
    fields: {name: [trim, nfkc], email: email, phone: phone}
)";

std::string contactsSource(const std::string& extra = "") {
  return "sources:\n  - name: contacts\n    connector: spreadsheet\n    config:\n      path: contacts.csv\n"
         "      key: [id]\n" + extra;
}

TEST_P(RunnerTest, LoadsNormalizedRecordsAndCommitsOneRun) {
  dir_.write("contacts.csv", kContactsCsv);
  auto result = run(writePipeline(contactsSource() + kStages));
  ASSERT_TRUE(result.status.isOk()) << result.status.toString();
  EXPECT_TRUE(result.committed);
  ASSERT_EQ(result.sources.size(), 1u);
  EXPECT_EQ(result.sources[0].read, 3);
  EXPECT_EQ(result.sources[0].inserted, 3);
  EXPECT_EQ(result.sources[0].customers, 3);
  EXPECT_EQ(result.customers, 3);
  EXPECT_EQ(count("SELECT count(*) FROM contact_point WHERE kind = 'email' AND value_norm = 'zhangsan@example.cn'"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM contact_point WHERE kind = 'phone' AND value_norm = '+8613800138000'"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM run WHERE status = 'succeeded'"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM source_state WHERE pipeline = 'test' AND source = 'contacts'"), 1);
}

TEST_P(RunnerTest, SecondRunWithNothingNewReadsAndWritesNothing) {
  dir_.write("contacts.csv", kContactsCsv);
  auto path = writePipeline(contactsSource() + kStages);
  ASSERT_TRUE(run(path).status.isOk());
  auto again = run(path);
  ASSERT_TRUE(again.status.isOk()) << again.status.toString();
  EXPECT_EQ(again.sources[0].read, 0);
  EXPECT_EQ(again.sources[0].loaded(), 0);
  EXPECT_EQ(count("SELECT count(*) FROM source_record"), 3);
  EXPECT_EQ(count("SELECT count(*) FROM source_record WHERE last_run > first_run"), 0);
}

TEST_P(RunnerTest, ChangedFileUpdatesOnlyChangedRecords) {
  dir_.write("contacts.csv", kContactsCsv);
  auto path = writePipeline(contactsSource() + kStages);
  ASSERT_TRUE(run(path).status.isOk());
  // A row changed and one added: the file is read again, only the two are written.
  std::string changed = kContactsCsv;
  changed.replace(changed.find("Ada@Example.com"), 15, "ada@lovelace.uk");
  dir_.write("contacts.csv", changed + "4,Grace Hopper,grace@example.com,+1 415 555 0100\n");
  auto again = run(path);
  ASSERT_TRUE(again.status.isOk()) << again.status.toString();
  EXPECT_EQ(again.sources[0].read, 4);
  EXPECT_EQ(again.sources[0].inserted, 1);
  EXPECT_EQ(again.sources[0].updated, 1);
  EXPECT_EQ(again.sources[0].unchanged, 2);
  EXPECT_EQ(again.customers, 4);
  // Rows only appended: just they are read.
  dir_.write("contacts.csv", changed + "4,Grace Hopper,grace@example.com,+1 415 555 0100\n5,Alan Turing,,\n");
  auto appended = run(path);
  ASSERT_TRUE(appended.status.isOk()) << appended.status.toString();
  EXPECT_EQ(appended.sources[0].read, 1);
  EXPECT_EQ(appended.sources[0].inserted, 1);
  EXPECT_EQ(appended.customers, 5);
}

TEST_P(RunnerTest, FailedSourceLeavesRecordsAndCursorsAsTheyWere) {
  dir_.write("contacts.csv", kContactsCsv);
  auto good = writePipeline(contactsSource() + kStages);
  ASSERT_TRUE(run(good).status.isOk());
  auto cursorBefore = openStore()->cursor("test", "contacts");
  ASSERT_TRUE(cursorBefore.isOk());

  // New data in the first source, then a second source that fails: nothing of this run may stick.
  dir_.write("contacts.csv", std::string(kContactsCsv) + "4,Grace Hopper,grace@example.com,+1 415 555 0100\n");
  dir_.write("broken.xlsx", "this is not a zip archive");
  auto failing = writePipeline(contactsSource() +
                               "  - name: broken\n    connector: spreadsheet\n    config:\n      path: broken.xlsx\n" +
                               kStages, "failing.yaml");
  auto result = run(failing);
  EXPECT_FALSE(result.status.isOk());
  EXPECT_NE(result.status.message().find("source 'broken'"), std::string::npos) << result.status.message();
  EXPECT_EQ(count("SELECT count(*) FROM source_record"), 3);
  EXPECT_EQ(count("SELECT count(*) FROM customer"), 3);
  EXPECT_EQ(count("SELECT count(*) FROM run WHERE status = 'failed'"), 1);
  auto cursorAfter = openStore()->cursor("test", "contacts");
  ASSERT_TRUE(cursorAfter.isOk());
  EXPECT_EQ(*cursorAfter, *cursorBefore);

  // Fixing the broken source makes the next run load the new record exactly once.
  auto fixed = run(good);
  ASSERT_TRUE(fixed.status.isOk()) << fixed.status.toString();
  EXPECT_EQ(fixed.sources[0].inserted, 1);
  EXPECT_EQ(count("SELECT count(*) FROM source_record"), 4);
}

TEST_P(RunnerTest, CancelledRunCommitsNothing) {
  dir_.write("contacts.csv", kContactsCsv);
  std::atomic<bool> cancel{true};
  auto result = run(writePipeline(contactsSource() + kStages), &cancel);
  EXPECT_EQ(result.status.code(), StatusCode::kCancelled);
  EXPECT_EQ(count("SELECT count(*) FROM source_record"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM source_state"), 0);
}

TEST_P(RunnerTest, BadRowsGoToQuarantineAndTheRestLoads) {
  dir_.write("contacts.csv", std::string(kContactsCsv) + "5,too,many,columns,here\n");
  auto result = run(writePipeline(contactsSource() + kStages));
  ASSERT_TRUE(result.status.isOk()) << result.status.toString();
  EXPECT_EQ(result.sources[0].quarantined, 1);
  EXPECT_EQ(result.sources[0].inserted, 3);
  EXPECT_EQ(count("SELECT count(*) FROM quarantine WHERE source = 'contacts' AND origin = 'contacts.csv:5'"), 1);
}

TEST_P(RunnerTest, InvalidValuesLoadWithQualityFlags) {
  dir_.write("contacts.csv", kContactsCsv);
  ASSERT_TRUE(run(writePipeline(contactsSource() + kStages)).status.isOk());
  EXPECT_EQ(count("SELECT count(*) FROM source_record WHERE source_key = '3' AND quality_flags LIKE '%phone%'"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM customer WHERE phone = '12'"), 1);  // the raw value is kept
}

INSTANTIATE_TEST_SUITE_P(Backends, RunnerTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& param) { return param.param; });

TEST(Validate, ReportsConnectorAndStageProblemsAtOnce) {
  test::TempDir dir;
  auto path = dir.write("p.yaml", R"(version: 1
name: t
sources:
  - name: a
    connector: spredsheet
  - name: b
    connector: spreadsheet
    config:
      path: x.csv
      delimeter: ";"
      batch_size: many
  - name: c
    connector: spreadsheet
stages:
  - type: mapp
  - type: normalize
    sources: [bb]
    fields: {email: emial}
)");
  auto v = validatePipeline(path, {CRMSYNC_PLUGIN_DIR});
  std::string out = v.diagnostics.str();
  EXPECT_NE(out.find("p.yaml:5:16: error: unknown connector 'spredsheet' in source 'a'; did you mean 'spreadsheet'?"),
            std::string::npos) << out;
  EXPECT_NE(out.find("p.yaml:10:7: error: unknown key 'delimeter' for connector 'spreadsheet' (source 'b'); did you "
                     "mean 'delimiter'?"), std::string::npos) << out;
  EXPECT_NE(out.find("p.yaml:11:19: error: 'batch_size' of connector 'spreadsheet' (source 'b') must be int"),
            std::string::npos) << out;
  EXPECT_NE(out.find("source 'c' needs config key 'path'"), std::string::npos) << out;
  EXPECT_NE(out.find("p.yaml:15:11: error: unknown stage type 'mapp'; did you mean 'map'?"), std::string::npos) << out;
  EXPECT_NE(out.find("p.yaml:17:15: error: stage 'normalize' names unknown source 'bb'; did you mean 'b'?"),
            std::string::npos) << out;
  EXPECT_NE(out.find("p.yaml:18:21: error: unknown operation 'emial'; did you mean 'email'?"), std::string::npos)
      << out;
  EXPECT_EQ(v.diagnostics.errorCount(), 7u) << out;
}

TEST(Validate, RunRefusesToStartOnAnyError) {
  test::TempDir dir;
  auto path = dir.write("p.yaml", "name: t\nstore: " + dir.file("crm.db") +
                                      "\nsources: [{name: a, connector: nope}]\n");
  auto v = validatePipeline(path, {CRMSYNC_PLUGIN_DIR});
  auto result = runPipeline(v, {});
  EXPECT_EQ(result.status.code(), StatusCode::kInvalidConfig);
  EXPECT_FALSE(std::filesystem::exists(dir.file("crm.db")));
}

TEST(Validate, ChecksReferencesWithoutPrintingSecrets) {
  test::TempDir dir;
  setenv("CRMSYNC_TEST_DB_PASSWORD", "pa55-word-value", 1);
  unsetenv("CRMSYNC_TEST_UNSET");
  auto path = dir.write("p.yaml", "name: t\nstore: postgresql://u:${env:CRMSYNC_TEST_DB_PASSWORD}@h/db\n"
                                  "sources:\n  - name: a\n    connector: spreadsheet\n    config:\n"
                                  "      path: ${env:CRMSYNC_TEST_UNSET}/x.csv\n");
  auto v = validatePipeline(path, {CRMSYNC_PLUGIN_DIR});
  std::string out = v.diagnostics.str();
  EXPECT_NE(out.find("p.yaml:7:13: error: 'path': environment variable CRMSYNC_TEST_UNSET"), std::string::npos) << out;
  EXPECT_EQ(out.find("pa55-word-value"), std::string::npos);
}

}  // namespace
}  // namespace crmsync::pipeline
