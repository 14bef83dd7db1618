// The built crmsync_phone.so as the engine loads it: one exported entry point, a well-formed descriptor, and a
// run through the loaded library.
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "test_support/plugin_library.hpp"

namespace crmsync::phone {
namespace {

class PhonePlugin : public crmsync::testing::LoadedPlugin {
 protected:
  PhonePlugin() : LoadedPlugin("crmsync_phone.so") {}
};

TEST_F(PhonePlugin, ExportsASourceDescriptorForTheCurrentAbi) {
  expectSourceDescriptor("phone");
}

TEST_F(PhonePlugin, DeclaresEveryConfigKeyWithTypeAndDescription) {
  auto keys = configKeys();
  for (const auto& [name, key] : keys) {
    EXPECT_EQ(key->required, 0) << name << ": which keys a format needs is checked by open()";
  }
  EXPECT_EQ(keys.at("path")->type, CRMSYNC_CONFIG_PATH);
  EXPECT_EQ(keys.at("auth_token")->type, CRMSYNC_CONFIG_SECRET);
  EXPECT_EQ(keys.at("template")->type, CRMSYNC_CONFIG_STRING_LIST);
  EXPECT_EQ(keys.at("internal")->type, CRMSYNC_CONFIG_STRING_LIST);
  EXPECT_STREQ(keys.at("timezone")->default_value, "UTC");
  EXPECT_STREQ(keys.at("overlap_days")->default_value, "2");
}

TEST_F(PhonePlugin, ReadsAMasterCsvThroughTheLoadedLibrary) {
  testing::ScratchDir dir;
  std::string path = dir.write(
      "Master.csv",
      R"("","2889","09243820431","pre-rec","""2889"" <2889>","SIP/2889-0000098e","Local/09243820431@default-000005a6;1","Dial","Local/09243820431@default,30,t","2018-09-07 11:05:01","2018-09-07 11:05:20","2018-09-07 11:05:20",19,0,"ANSWERED","DOCUMENTATION","1536293101.12458","")"
      "\n");
  sdk::FakeHost host;
  auto result = host.runSource(entry_, {{"path", path}, {"internal", R"(["_2XXX"])"}, {"timezone", "Asia/Shanghai"}});
  ASSERT_EQ(result.status, CRMSYNC_OK) << result.error;
  ASSERT_EQ(host.records().size(), 2u);
  EXPECT_EQ(host.records()[1].get("occurred_at"), "2018-09-07T03:05:01Z");
  ASSERT_TRUE(host.cursor());
}

}  // namespace
}  // namespace crmsync::phone
