// The built crmsync_spreadsheet.so as the engine loads it: one exported entry point, a well-formed descriptor.
#include "test_support.hpp"

#include <dlfcn.h>
#include <gtest/gtest.h>

#include <set>

namespace crmsync::spreadsheet {
namespace {

class SpreadsheetPlugin : public ::testing::Test {
 protected:
  void SetUp() override {
    handle_ = ::dlopen(CRMSYNC_PLUGIN_DIR "/crmsync_spreadsheet.so", RTLD_NOW | RTLD_LOCAL);
    ASSERT_NE(handle_, nullptr) << ::dlerror();
    entry_ = reinterpret_cast<crmsync_plugin_entry_fn>(::dlsym(handle_, CRMSYNC_PLUGIN_ENTRY_SYMBOL));
    ASSERT_NE(entry_, nullptr) << ::dlerror();
  }
  void TearDown() override {
    if (handle_) ::dlclose(handle_);
  }

  void* handle_ = nullptr;
  crmsync_plugin_entry_fn entry_ = nullptr;
};

TEST_F(SpreadsheetPlugin, ExportsADescriptorForTheCurrentAbi) {
  const crmsync_plugin_descriptor* d = entry_(CRMSYNC_ABI_MAJOR, CRMSYNC_ABI_MINOR);
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->struct_size, sizeof(crmsync_plugin_descriptor));
  EXPECT_EQ(d->abi_major, CRMSYNC_ABI_MAJOR);
  EXPECT_EQ(d->abi_minor, CRMSYNC_ABI_MINOR);
  EXPECT_STREQ(d->name, "spreadsheet");
  EXPECT_EQ(d->kind, CRMSYNC_KIND_SOURCE);
  EXPECT_NE(d->open, nullptr);
  EXPECT_NE(d->read, nullptr);
  EXPECT_NE(d->close, nullptr);
  EXPECT_NE(d->last_error, nullptr);
}

TEST_F(SpreadsheetPlugin, DeclaresEveryConfigKeyWithTypeAndDescription) {
  const crmsync_plugin_descriptor* d = entry_(CRMSYNC_ABI_MAJOR, CRMSYNC_ABI_MINOR);
  ASSERT_NE(d, nullptr);
  std::map<std::string, const crmsync_config_key*> keys;
  for (size_t i = 0; i < d->config_key_count; ++i) keys[d->config_keys[i].name] = &d->config_keys[i];
  EXPECT_EQ(keys.size(), d->config_key_count) << "duplicate key names";
  const std::set<std::string> expected{"path",   "format",     "encoding",          "delimiter",
                                       "sheet",  "header_row", "columns",           "key",
                                       "entity", "batch_size", "updated_at_column", "skip_unchanged"};
  std::set<std::string> names;
  for (const auto& [name, key] : keys) {
    names.insert(name);
    EXPECT_TRUE(key->description && *key->description) << name;
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
