// The built crmsync_email.so as the engine loads it: one exported entry point, a well-formed descriptor.
#include "test_support.hpp"

#include <dlfcn.h>
#include <gtest/gtest.h>

#include <set>

namespace crmsync::email {
namespace {

class EmailPlugin : public ::testing::Test {
 protected:
  void SetUp() override {
    handle_ = ::dlopen(CRMSYNC_PLUGIN_DIR "/crmsync_email.so", RTLD_NOW | RTLD_LOCAL);
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

TEST_F(EmailPlugin, ExportsADescriptorForTheCurrentAbi) {
  const crmsync_plugin_descriptor* d = entry_(CRMSYNC_ABI_MAJOR, CRMSYNC_ABI_MINOR);
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->struct_size, sizeof(crmsync_plugin_descriptor));
  EXPECT_EQ(d->abi_major, CRMSYNC_ABI_MAJOR);
  EXPECT_STREQ(d->name, "email");
  EXPECT_EQ(d->kind, CRMSYNC_KIND_SOURCE);
  EXPECT_NE(d->open, nullptr);
  EXPECT_NE(d->read, nullptr);
  EXPECT_NE(d->close, nullptr);
  EXPECT_NE(d->last_error, nullptr);
}

TEST_F(EmailPlugin, DeclaresEveryConfigKeyWithTypeAndDescription) {
  const crmsync_plugin_descriptor* d = entry_(CRMSYNC_ABI_MAJOR, CRMSYNC_ABI_MINOR);
  ASSERT_NE(d, nullptr);
  std::map<std::string, const crmsync_config_key*> keys;
  for (size_t i = 0; i < d->config_key_count; ++i) keys[d->config_keys[i].name] = &d->config_keys[i];
  EXPECT_EQ(keys.size(), d->config_key_count) << "duplicate key names";
  for (const auto& [name, key] : keys) {
    EXPECT_TRUE(key->description && *key->description) << name;
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
