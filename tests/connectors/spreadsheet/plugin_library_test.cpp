// The built crmsync_spreadsheet.so as the engine loads it: one exported entry point, a well-formed descriptor.
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <set>

#include "test_support/plugin_library.hpp"

namespace crmsync::spreadsheet {
namespace {

class SpreadsheetPlugin : public crmsync::testing::LoadedPlugin {
 protected:
  SpreadsheetPlugin() : LoadedPlugin("crmsync_spreadsheet.so") {}
};

TEST_F(SpreadsheetPlugin, ExportsADescriptorForTheCurrentAbi) {
  expectSourceDescriptor("spreadsheet");
}

TEST_F(SpreadsheetPlugin, DeclaresEveryConfigKeyWithTypeAndDescription) {
  auto keys = configKeys();
  const std::set<std::string> expected{"path",   "format",     "encoding",          "delimiter",
                                       "sheet",  "header_row", "columns",           "key",
                                       "entity", "batch_size", "updated_at_column", "skip_unchanged"};
  std::set<std::string> names;
  for (const auto& [name, key] : keys) {
    names.insert(name);
    EXPECT_EQ(key->required != 0, name == "path") << name;
  }
  EXPECT_EQ(names, expected);
  EXPECT_EQ(keys["path"]->type, CRMSYNC_CONFIG_PATH);  // relative paths resolve against the pipeline file
  EXPECT_EQ(keys["columns"]->type, CRMSYNC_CONFIG_MAP);
  EXPECT_EQ(keys["key"]->type, CRMSYNC_CONFIG_STRING_LIST);
  EXPECT_EQ(keys["header_row"]->type, CRMSYNC_CONFIG_INT);
  EXPECT_EQ(keys["skip_unchanged"]->type, CRMSYNC_CONFIG_BOOL);
  EXPECT_STREQ(keys["batch_size"]->default_value, "1024");
  EXPECT_STREQ(keys["entity"]->default_value, "customer");
}

TEST_F(SpreadsheetPlugin, ReadsAFileThroughTheLoadedLibrary) {
  testing::TempDir dir;
  sdk::FakeHost host;
  auto path = dir.write("c.csv", "ID,Name\n1,Ada\n");
  auto result = host.runSource(entry_, {{"path", path}, {"key", testing::jsonList({"ID"})}});
  ASSERT_EQ(result.status, CRMSYNC_OK) << result.error;
  ASSERT_EQ(host.records().size(), 1u);
  EXPECT_EQ(host.records()[0].get("name"), "Ada");
}

TEST_F(SpreadsheetPlugin, ReportsOpenErrorsThroughLastError) {
  sdk::FakeHost host;
  auto result = host.runSource(entry_, {{"path", "x.csv"}, {"encoding", "ebcdic"}});
  EXPECT_EQ(result.status, CRMSYNC_ERR_CONFIG);
  EXPECT_NE(result.error.find("encoding"), std::string::npos) << result.error;
}

}  // namespace
}  // namespace crmsync::spreadsheet
