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
