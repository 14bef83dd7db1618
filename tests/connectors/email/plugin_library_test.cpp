// The built crmsync_email.so as the engine loads it: one exported entry point, a well-formed descriptor.
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <set>

#include "test_support/plugin_library.hpp"

namespace crmsync::email {
namespace {

class EmailPlugin : public crmsync::testing::LoadedPlugin {
 protected:
  EmailPlugin() : LoadedPlugin("crmsync_email.so") {}
};

TEST_F(EmailPlugin, ExportsADescriptorForTheCurrentAbi) {
  expectSourceDescriptor("email");
}

TEST_F(EmailPlugin, DeclaresEveryConfigKeyWithTypeAndDescription) {
  auto keys = configKeys();
  for (const auto& [name, key] : keys) {
    EXPECT_EQ(key->required, 0) << name;  // path or url, checked at open
  }
  ASSERT_TRUE(keys.count("path"));
  EXPECT_EQ(keys["path"]->type, CRMSYNC_CONFIG_PATH);
  EXPECT_EQ(keys["own_addresses"]->type, CRMSYNC_CONFIG_STRING_LIST);
  EXPECT_EQ(keys["own_domains"]->type, CRMSYNC_CONFIG_STRING_LIST);
  EXPECT_STREQ(keys["summary_chars"]->default_value, "280");
  EXPECT_STREQ(keys["format"]->default_value, "auto");
}

TEST_F(EmailPlugin, ReadsAnMboxThroughTheLoadedLibrary) {
  testing::TempDir dir;
  const std::string box = dir.file("x.mbox");
  testing::pythonMbox(box, {testing::simpleMessage("Bo <bo@client.cn>", "sales@example.com", "hi", "lib@x", "hello")});
  sdk::FakeHost host;
  auto result = host.runSource(entry_, {{"path", box}, {"own_addresses", "[\"sales@example.com\"]"}});
  ASSERT_EQ(result.status, CRMSYNC_OK) << result.error;
  ASSERT_EQ(host.records().size(), 2u);
  EXPECT_EQ(host.records()[1].sourceKey, "lib@x");
  EXPECT_EQ(host.records()[1].get("channel"), "email");
}

TEST_F(EmailPlugin, ReportsOpenErrorsThroughLastError) {
  sdk::FakeHost host;
  auto result = host.runSource(entry_, {{"path", "x.mbox"}, {"format", "pst"}});
  EXPECT_EQ(result.status, CRMSYNC_ERR_CONFIG);
  EXPECT_NE(result.error.find("format"), std::string::npos);
}

}  // namespace
}  // namespace crmsync::email
