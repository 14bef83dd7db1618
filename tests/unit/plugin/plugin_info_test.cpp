#include "crmsync/plugin/plugin_info.hpp"

#include <gtest/gtest.h>

#include <string>

namespace crmsync::plugin {
namespace {

TEST(PluginInfo, NamesEveryConfigType) {
  EXPECT_STREQ(configTypeName(CRMSYNC_CONFIG_STRING), "string");
  EXPECT_STREQ(configTypeName(CRMSYNC_CONFIG_INT), "int");
  EXPECT_STREQ(configTypeName(CRMSYNC_CONFIG_BOOL), "bool");
  EXPECT_STREQ(configTypeName(CRMSYNC_CONFIG_DOUBLE), "double");
  EXPECT_STREQ(configTypeName(CRMSYNC_CONFIG_STRING_LIST), "string_list");
  EXPECT_STREQ(configTypeName(CRMSYNC_CONFIG_MAP), "map");
  EXPECT_STREQ(configTypeName(CRMSYNC_CONFIG_SECRET), "secret");
  EXPECT_STREQ(configTypeName(CRMSYNC_CONFIG_PATH), "path");
  EXPECT_STREQ(configTypeName(static_cast<crmsync_config_type>(0)), "unknown");
}

TEST(PluginInfo, NamesEveryPluginKind) {
  EXPECT_STREQ(pluginKindName(CRMSYNC_KIND_SOURCE), "source");
  EXPECT_STREQ(pluginKindName(CRMSYNC_KIND_STAGE), "stage");
  EXPECT_STREQ(pluginKindName(CRMSYNC_KIND_SINK), "sink");
  EXPECT_STREQ(pluginKindName(0), "unknown");
  EXPECT_STREQ(pluginKindName(42), "unknown");
}

TEST(PluginInfo, FindsKeysByName) {
  PluginInfo info;
  info.configKeys.push_back({"path", CRMSYNC_CONFIG_STRING, std::nullopt, true, "file"});
  info.configKeys.push_back({"limit", CRMSYNC_CONFIG_INT, "10", false, "rows"});
  const ConfigKeySpec* limit = info.findKey("limit");
  ASSERT_NE(limit, nullptr);
  EXPECT_EQ(limit->defaultValue, "10");
  EXPECT_EQ(info.findKey("Limit"), nullptr);
}

}  // namespace
}  // namespace crmsync::plugin
