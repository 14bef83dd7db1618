// A built plugin library loaded as the engine loads it (dlopen of build/plugins/<file>), and the descriptor
// checks every bundled source must pass: one exported entry point, the current ABI, a source's functions, and
// config keys that are unique and described.
#pragma once

#include <crmsync/plugin_abi.h>
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <map>
#include <string>

namespace crmsync::testing {

/// Test fixture base: loads CRMSYNC_PLUGIN_DIR/<file> in SetUp and closes it in TearDown.
class LoadedPlugin : public ::testing::Test {
 protected:
  explicit LoadedPlugin(std::string file) : file_(std::move(file)) {}

  void SetUp() override {
    const std::string path = std::string(CRMSYNC_PLUGIN_DIR) + "/" + file_;
    handle_ = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    ASSERT_NE(handle_, nullptr) << ::dlerror();
    entry_ = reinterpret_cast<crmsync_plugin_entry_fn>(::dlsym(handle_, CRMSYNC_PLUGIN_ENTRY_SYMBOL));
    ASSERT_NE(entry_, nullptr) << ::dlerror();
  }
  void TearDown() override {
    if (handle_) ::dlclose(handle_);
  }

  const crmsync_plugin_descriptor* descriptor() const { return entry_(CRMSYNC_ABI_MAJOR, CRMSYNC_ABI_MINOR); }

  /// Checks the descriptor of a source plugin called name for the current ABI.
  void expectSourceDescriptor(const char* name) const {
    const crmsync_plugin_descriptor* d = descriptor();
    ASSERT_NE(d, nullptr);
    EXPECT_EQ(d->struct_size, sizeof(crmsync_plugin_descriptor));
    EXPECT_EQ(d->abi_major, CRMSYNC_ABI_MAJOR);
    EXPECT_EQ(d->abi_minor, CRMSYNC_ABI_MINOR);
    EXPECT_STREQ(d->name, name);
    EXPECT_EQ(d->kind, CRMSYNC_KIND_SOURCE);
    EXPECT_NE(d->open, nullptr);
    EXPECT_NE(d->read, nullptr);
    EXPECT_NE(d->close, nullptr);
    EXPECT_NE(d->last_error, nullptr);
  }

  /// The declared config keys by name, after checking that names are unique and every key is described.
  std::map<std::string, const crmsync_config_key*> configKeys() const {
    std::map<std::string, const crmsync_config_key*> keys;
    const crmsync_plugin_descriptor* d = descriptor();
    if (!d) {
      ADD_FAILURE() << "no descriptor";
      return keys;
    }
    for (size_t i = 0; i < d->config_key_count; ++i) keys[d->config_keys[i].name] = &d->config_keys[i];
    EXPECT_EQ(keys.size(), d->config_key_count) << "duplicate key names";
    for (const auto& [name, key] : keys) EXPECT_TRUE(key->description && *key->description) << name;
    return keys;
  }

  crmsync_plugin_entry_fn entry_ = nullptr;

 private:
  std::string file_;
  void* handle_ = nullptr;
};

}  // namespace crmsync::testing
