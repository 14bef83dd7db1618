#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

#include "crmsync/plugin/registry.hpp"

namespace crmsync::plugin {
namespace {

// Sets CRMSYNC_PLUGIN_PATH for one test and puts the old value back.
class ScopedPluginPath {
 public:
  explicit ScopedPluginPath(const char* value) {
    if (const char* old = std::getenv("CRMSYNC_PLUGIN_PATH")) old_ = old;
    if (value) {
      setenv("CRMSYNC_PLUGIN_PATH", value, 1);
    } else {
      unsetenv("CRMSYNC_PLUGIN_PATH");
    }
  }
  ~ScopedPluginPath() {
    if (old_) {
      setenv("CRMSYNC_PLUGIN_PATH", old_->c_str(), 1);
    } else {
      unsetenv("CRMSYNC_PLUGIN_PATH");
    }
  }

 private:
  std::optional<std::string> old_;
};

std::string exeRelative(const std::string& tail) {
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe");
  return (exe.parent_path() / ".." / tail).lexically_normal().string();
}

TEST(PluginDirs, EnvironmentFirstThenBesideTheExecutableThenInstallDir) {
  ScopedPluginPath env("/opt/a:/opt/b/::/opt/a");
  auto dirs = defaultPluginDirs();
  ASSERT_GE(dirs.size(), 4u);
  EXPECT_EQ(dirs[0], "/opt/a");
  EXPECT_EQ(dirs[1], "/opt/b");  // empty entries dropped, trailing slash trimmed, duplicates once
  EXPECT_EQ(dirs[2], exeRelative("plugins"));
  EXPECT_EQ(dirs[3], exeRelative("lib/crmsync/plugins"));
  EXPECT_NE(dirs.back().find("/crmsync/plugins"), std::string::npos);
  EXPECT_EQ(dirs.back().front(), '/');
}

TEST(PluginDirs, WithoutEnvironmentStartsBesideTheExecutable) {
  ScopedPluginPath env(nullptr);
  auto dirs = defaultPluginDirs();
  ASSERT_GE(dirs.size(), 2u);
  EXPECT_EQ(dirs[0], exeRelative("plugins"));
  EXPECT_EQ(dirs[1], exeRelative("lib/crmsync/plugins"));
}

}  // namespace
}  // namespace crmsync::plugin
