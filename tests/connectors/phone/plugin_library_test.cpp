// The built crmsync_phone.so as the engine loads it: one exported entry point, a well-formed descriptor, and a
// run through the loaded library.
#include "test_support.hpp"

#include <dlfcn.h>
#include <gtest/gtest.h>

#include <map>
#include <set>

namespace crmsync::phone {
namespace {

class PhonePlugin : public ::testing::Test {
 protected:
  void SetUp() override {
    handle_ = ::dlopen(CRMSYNC_PLUGIN_DIR "/crmsync_phone.so", RTLD_NOW | RTLD_LOCAL);
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

TEST_F(PhonePlugin, ExportsASourceDescriptorForTheCurrentAbi) {
  const crmsync_plugin_descriptor* d = entry_(CRMSYNC_ABI_MAJOR, CRMSYNC_ABI_MINOR);
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->struct_size, sizeof(crmsync_plugin_descriptor));
  EXPECT_EQ(d->abi_major, CRMSYNC_ABI_MAJOR);
  EXPECT_EQ(d->abi_minor, CRMSYNC_ABI_MINOR);
  EXPECT_STREQ(d->name, "phone");
  EXPECT_EQ(d->kind, CRMSYNC_KIND_SOURCE);
  EXPECT_NE(d->open, nullptr);
  EXPECT_NE(d->read, nullptr);
  EXPECT_NE(d->close, nullptr);
  EXPECT_NE(d->last_error, nullptr);
}

TEST_F(PhonePlugin, DeclaresEveryConfigKeyWithTypeAndDescription) {
  const crmsync_plugin_descriptor* d = entry_(CRMSYNC_ABI_MAJOR, CRMSYNC_ABI_MINOR);
  ASSERT_NE(d, nullptr);
  std::map<std::string, const crmsync_config_key*> keys;
  for (size_t i = 0; i < d->config_key_count; ++i) keys[d->config_keys[i].name] = &d->config_keys[i];
  EXPECT_EQ(keys.size(), d->config_key_count) << "duplicate key names";
  for (const auto& [name, key] : keys) {
    EXPECT_TRUE(key->description && *key->description) << name;
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
