// Finds plugin shared libraries, loads them with Boost.DLL, checks their descriptors and keeps them loaded.
#pragma once

#include <crmsync/plugin_abi.h>

#include <memory>
#include <string>
#include <vector>

#include "crmsync/core/status.hpp"
#include "crmsync/plugin/plugin_info.hpp"

namespace crmsync::plugin {

/// Why a shared library was not accepted as a plugin. message() names the file, the symbol and the reason.
struct Refusal {
  std::string path;
  std::string symbol;
  std::string reason;
  std::string message() const;
};

/// A loaded plugin: its info and its descriptor. The library stays loaded while the registry lives.
class LoadedPlugin {
 public:
  virtual ~LoadedPlugin() = default;
  virtual const PluginInfo& info() const = 0;
  virtual const crmsync_plugin_descriptor& descriptor() const = 0;
};

class PluginRegistry {
 public:
  PluginRegistry();
  ~PluginRegistry();
  PluginRegistry(const PluginRegistry&) = delete;
  PluginRegistry& operator=(const PluginRegistry&) = delete;

  /// Loads one library. A refusal is returned as a kPluginError status whose message is Refusal::message(),
  /// and is also kept in refusals().
  Status loadFile(const std::string& path);

  /// Loads every *.so in a directory (not recursive), in name order. Refusals do not stop the scan; they are
  /// collected in refusals(). A missing directory is not an error.
  void loadDirectory(const std::string& dir);

  const LoadedPlugin* find(const std::string& name) const;
  std::vector<const LoadedPlugin*> plugins() const;  // in load order
  const std::vector<Refusal>& refusals() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Directories searched by default, in order: $CRMSYNC_PLUGIN_PATH (colon-separated), ../plugins and
/// ../lib/crmsync/plugins relative to the running executable, and the install prefix's lib/crmsync/plugins.
std::vector<std::string> defaultPluginDirs();

}  // namespace crmsync::plugin
