#include "crmsync/config/pipeline_spec.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "test_support/temp_dir.hpp"

namespace crmsync::config {
namespace {

PipelineSpec parseText(const test::TempDir& dir, const std::string& text, Diagnostics& diags) {
  auto path = dir.write("pipeline.yaml", text);
  return parsePipeline(path, diags);
}

TEST(PipelineSpec, ReadsSourcesStagesAndStore) {
  test::TempDir dir;
  Diagnostics diags;
  auto spec = parseText(dir, R"(version: 1
name: demo
store: crm.db
sources:
  - name: contacts
    connector: spreadsheet
    config:
      path: contacts.csv
stages:
  - type: map
    sources: [contacts]
    rename: {Name: name}
  - type: load
)", diags);
  EXPECT_FALSE(diags.hasErrors()) << diags.str();
  EXPECT_EQ(spec.name, "demo");
  EXPECT_EQ(spec.store, "crm.db");
  ASSERT_EQ(spec.sources.size(), 1u);
  EXPECT_EQ(spec.sources[0].connector, "spreadsheet");
  EXPECT_EQ(spec.sources[0].config["path"].Scalar(), "contacts.csv");
  ASSERT_EQ(spec.stages.size(), 2u);
  EXPECT_EQ(spec.stages[0].type, "map");
  EXPECT_EQ(spec.stages[0].sources, std::vector<std::string>{"contacts"});
  EXPECT_EQ(spec.dir, std::filesystem::path(dir.path()).string());
}

TEST(PipelineSpec, ReportsEveryProblemWithLineAndColumn) {
  test::TempDir dir;
  Diagnostics diags;
  parseText(dir, R"(version: 1
name: demo
sorces: []
stages:
  - type: map
  - name: nameless
sources:
  - name: a
    connector: spreadsheet
  - name: a
    conector: x
)", diags);
  std::string out = diags.str();
  EXPECT_NE(out.find("pipeline.yaml:3:1: error: unknown key 'sorces' in the pipeline; did you mean 'sources'?"),
            std::string::npos) << out;
  EXPECT_NE(out.find("pipeline.yaml:6:5: error: stage needs 'type'"), std::string::npos) << out;
  EXPECT_NE(out.find("pipeline.yaml:10:11: error: source name 'a' is used twice"), std::string::npos) << out;
  EXPECT_NE(out.find("pipeline.yaml:11:5: error: unknown key 'conector' in source; did you mean 'connector'?"),
            std::string::npos) << out;
  EXPECT_NE(out.find("source 'a' needs 'connector'"), std::string::npos) << out;
  EXPECT_GE(diags.errorCount(), 5u);
}

TEST(PipelineSpec, ReadsASourcesHttpSettings) {
  test::TempDir dir;
  dir.write("certs/corp.pem", "-----BEGIN CERTIFICATE-----\n");
  Diagnostics diags;
  auto spec = parseText(dir, R"(version: 1
name: demo
store: crm.db
sources:
  - name: calls
    connector: spreadsheet
    http: {ca_bundle: certs/corp.pem, timeout_s: 60, connect_timeout_s: 2.5, max_attempts: 6}
  - name: plain
    connector: spreadsheet
stages:
  - type: load
)", diags);
  ASSERT_FALSE(diags.hasErrors()) << diags.str();
  ASSERT_EQ(spec.sources.size(), 2u);
  const auto& http = spec.sources[0].http;
  EXPECT_EQ(http.caBundle, (std::filesystem::path(dir.path()) / "certs/corp.pem").lexically_normal().string());
  EXPECT_FALSE(http.insecure);
  EXPECT_EQ(http.timeoutSeconds, 60.0);
  EXPECT_EQ(http.connectTimeoutSeconds, 2.5);
  EXPECT_EQ(http.maxAttempts, 6);
  EXPECT_TRUE(spec.sources[1].http.caBundle.empty());
  EXPECT_EQ(diags.str().find("warning"), std::string::npos) << diags.str();
  EXPECT_FALSE(spec.sources[1].http.maxAttempts.has_value());
}

TEST(PipelineSpec, ReportsBadHttpSettingsWithLineAndColumn) {
  test::TempDir dir;
  Diagnostics diags;
  parseText(dir, R"(version: 1
name: demo
store: crm.db
sources:
  - name: calls
    connector: spreadsheet
    http:
      ca_bundel: x.pem
      ca_bundle: missing.pem
      insecure: perhaps
      timeout_s: -1
      max_attempts: 2.5
stages:
  - type: load
)", diags);
  const std::string out = diags.str();
  EXPECT_NE(out.find("pipeline.yaml:8:7: error: unknown key 'ca_bundel' in 'http' of source 'calls'; did you mean "
                     "'ca_bundle'?"),
            std::string::npos) << out;
  EXPECT_NE(out.find("pipeline.yaml:9:18: error: 'ca_bundle' in 'http' of source 'calls': no such file"),
            std::string::npos) << out;
  EXPECT_NE(out.find("pipeline.yaml:10:17: error: 'insecure' in 'http' of source 'calls' must be true or false"),
            std::string::npos) << out;
  EXPECT_NE(out.find("pipeline.yaml:11:18: error: 'timeout_s'"), std::string::npos) << out;
  EXPECT_NE(out.find("pipeline.yaml:12:21: error: 'max_attempts' in 'http' of source 'calls' must be a whole number"),
            std::string::npos) << out;
}

TEST(PipelineSpec, WarnsWhenASourceTurnsCertificateChecksOff) {
  test::TempDir dir;
  Diagnostics diags;
  auto spec = parseText(dir, R"(version: 1
name: demo
store: crm.db
sources:
  - name: calls
    connector: spreadsheet
    http: {insecure: true}
stages:
  - type: load
)", diags);
  EXPECT_FALSE(diags.hasErrors()) << diags.str();
  ASSERT_EQ(spec.sources.size(), 1u);
  EXPECT_TRUE(spec.sources[0].http.insecure);
  EXPECT_NE(diags.str().find("pipeline.yaml:7:22: warning: 'insecure' in 'http' of source 'calls' turns certificate "
                             "checks off"),
            std::string::npos) << diags.str();
}

TEST(PipelineSpec, ReportsYamlSyntaxErrorWithPosition) {
  test::TempDir dir;
  Diagnostics diags;
  parseText(dir, "name: demo\nsources: [\n  - x\n", diags);
  ASSERT_TRUE(diags.hasErrors());
  EXPECT_NE(diags.str().find("pipeline.yaml:"), std::string::npos);
  EXPECT_NE(diags.str().find("YAML syntax"), std::string::npos);
}

TEST(PipelineSpec, RejectsUnsupportedVersion) {
  test::TempDir dir;
  Diagnostics diags;
  parseText(dir, "version: 2\nname: x\nsources: [{name: a, connector: b}]\n", diags);
  EXPECT_NE(diags.str().find("1:10: error: unsupported pipeline version '2'"), std::string::npos) << diags.str();
}

TEST(PipelineSpec, ResolvesPluginDirsAgainstThePipelineFile) {
  test::TempDir dir;
  Diagnostics diags;
  auto spec = parseText(dir, "name: x\nplugin_dirs: [plugins]\nsources: [{name: a, connector: b}]\n", diags);
  ASSERT_EQ(spec.pluginDirs.size(), 1u);
  EXPECT_EQ(spec.pluginDirs[0], (std::filesystem::path(dir.path()) / "plugins").string());
}

TEST(Diagnostics, SuggestsCloseKeysOnly) {
  EXPECT_EQ(didYouMean("conector", {"connector", "config", "name"}), "connector");
  EXPECT_EQ(didYouMean("cofnig", {"connector", "config", "name"}), "config");
  EXPECT_EQ(didYouMean("zzzzzz", {"connector", "config", "name"}), "");
}

}  // namespace
}  // namespace crmsync::config
