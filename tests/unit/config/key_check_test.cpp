#include "crmsync/config/key_check.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include "crmsync/config/references.hpp"
#include "test_support/temp_dir.hpp"

namespace crmsync::config {
namespace {

const std::vector<plugin::ConfigKeySpec> kKeys = {
    {"path", CRMSYNC_CONFIG_PATH, std::nullopt, true, "file to read"},
    {"batch_size", CRMSYNC_CONFIG_INT, "5000", false, "records per batch"},
    {"skip_unchanged", CRMSYNC_CONFIG_BOOL, "true", false, ""},
    {"key", CRMSYNC_CONFIG_STRING_LIST, std::nullopt, false, ""},
    {"columns", CRMSYNC_CONFIG_MAP, std::nullopt, false, ""},
    {"token", CRMSYNC_CONFIG_SECRET, std::nullopt, false, ""},
};

YAML::Node load(const std::string& text) { return YAML::Load(text); }

TEST(KeyCheck, AcceptsWellTypedConfig) {
  Diagnostics diags;
  auto node = load("path: a.csv\nbatch_size: 100\nskip_unchanged: no\nkey: [id]\ncolumns: {Name: name}\n");
  checkKeys("p.yaml", node, kKeys, "connector 'x'", "/tmp", diags);
  EXPECT_FALSE(diags.hasErrors()) << diags.str();
}

TEST(KeyCheck, ReportsUnknownKeyWithSuggestion) {
  Diagnostics diags;
  checkKeys("p.yaml", load("path: a\nbatch_sise: 3\n"), kKeys, "connector 'x'", "/tmp", diags);
  EXPECT_NE(diags.str().find("p.yaml:2:1: error: unknown key 'batch_sise' for connector 'x'; did you mean "
                             "'batch_size'?"), std::string::npos) << diags.str();
}

TEST(KeyCheck, ReportsWrongTypes) {
  Diagnostics diags;
  checkKeys("p.yaml", load("path: [a]\nbatch_size: lots\nskip_unchanged: maybe\ncolumns: [a]\n"), kKeys, "connector 'x'",
            "/tmp", diags);
  std::string out = diags.str();
  EXPECT_NE(out.find("1:7: error: 'path' of connector 'x' must be path, got a list"), std::string::npos) << out;
  EXPECT_NE(out.find("2:13: error: 'batch_size' of connector 'x' must be int, got 'lots'"), std::string::npos) << out;
  EXPECT_NE(out.find("3:17: error: 'skip_unchanged' of connector 'x' must be bool, got 'maybe'"), std::string::npos)
      << out;
  EXPECT_NE(out.find("4:10: error: 'columns' of connector 'x' must be map"), std::string::npos) << out;
}

TEST(KeyCheck, ReportsMissingRequiredKey) {
  Diagnostics diags;
  checkKeys("p.yaml", load("batch_size: 1\n"), kKeys, "connector 'x'", "/tmp", diags);
  EXPECT_NE(diags.str().find("connector 'x' needs 'path' (path: file to read)"), std::string::npos) << diags.str();
}

TEST(KeyCheck, ReportsUnresolvedReferencesWithoutValues) {
  unsetenv("CRMSYNC_TEST_MISSING");
  setenv("CRMSYNC_TEST_TOKEN", "s3cr3t-value", 1);
  Diagnostics diags;
  checkKeys("p.yaml", load("path: ${env:CRMSYNC_TEST_MISSING}/a.csv\ntoken: ${file:/nonexistent/token}\n"), kKeys,
            "connector 'x'", "/tmp", diags);
  std::string out = diags.str();
  EXPECT_NE(out.find("1:7: error: 'path': environment variable CRMSYNC_TEST_MISSING (from "
                     "${env:CRMSYNC_TEST_MISSING}) is not set"), std::string::npos) << out;
  EXPECT_NE(out.find("2:8: error: 'token': file /nonexistent/token (from ${file:/nonexistent/token}) cannot be read"),
            std::string::npos) << out;

  Diagnostics ok;
  checkKeys("p.yaml", load("path: a\ntoken: ${env:CRMSYNC_TEST_TOKEN}\n"), kKeys, "connector 'x'", "/tmp", ok);
  EXPECT_FALSE(ok.hasErrors()) << ok.str();
  EXPECT_EQ(ok.str().find("s3cr3t"), std::string::npos);
}

TEST(KeyCheck, WarnsAboutLiteralSecretWithoutPrintingIt) {
  Diagnostics diags;
  checkKeys("p.yaml", load("path: a\ntoken: hunter2hunter2\n"), kKeys, "connector 'x'", "/tmp", diags);
  EXPECT_FALSE(diags.hasErrors());
  EXPECT_NE(diags.str().find("warning: 'token' of connector 'x' is a secret written in the pipeline"),
            std::string::npos);
  EXPECT_EQ(diags.str().find("hunter2"), std::string::npos);
}

TEST(KeyCheck, ConvertsValuesForPlugins) {
  test::TempDir dir;
  dir.write("token.txt", "tok-123\n");
  auto values = pluginConfigValues(load("path: data/a.csv\nkey: [id, 'x\"y']\ncolumns: {姓名: name}\n"
                                        "skip_unchanged: yes\ntoken: ${file:token.txt}\n"),
                                   kKeys, dir.path());
  ASSERT_TRUE(values.isOk()) << values.status().toString();
  EXPECT_EQ(values->at("path"), dir.path() + "/data/a.csv");
  EXPECT_EQ(values->at("key"), R"(["id","x\"y"])");
  EXPECT_EQ(values->at("columns"), R"({"姓名":"name"})");
  EXPECT_EQ(values->at("skip_unchanged"), "true");
  EXPECT_EQ(values->at("batch_size"), "5000");  // default applied
  EXPECT_EQ(values->at("token"), "tok-123");    // reference resolved, trailing newline dropped
}

TEST(References, FindsAndRejectsMalformedOnes) {
  auto refs = findReferences("a ${env:A} b ${file:/x}");
  ASSERT_TRUE(refs.isOk());
  ASSERT_EQ(refs->size(), 2u);
  EXPECT_EQ((*refs)[0].kind, "env");
  EXPECT_EQ((*refs)[1].name, "/x");
  EXPECT_FALSE(findReferences("${vault:x}").isOk());
  EXPECT_FALSE(findReferences("${env:}").isOk());
  EXPECT_FALSE(findReferences("${env:X").isOk());
}

TEST(References, ResolvesInsideLongerValues) {
  setenv("CRMSYNC_TEST_HOST", "db.local", 1);
  auto v = resolveReferences("postgresql://app@${env:CRMSYNC_TEST_HOST}/crm", "");
  ASSERT_TRUE(v.isOk());
  EXPECT_EQ(*v, "postgresql://app@db.local/crm");
}

}  // namespace
}  // namespace crmsync::config
