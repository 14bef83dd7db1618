// What the engine knows about a plugin once loaded, copied out of its C descriptor.
#pragma once

#include <crmsync/plugin_abi.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace crmsync::plugin {

/// One configuration key a plugin (or a built-in stage) declares.
struct ConfigKeySpec {
  std::string name;
  crmsync_config_type type = CRMSYNC_CONFIG_STRING;
  std::optional<std::string> defaultValue;
  bool required = false;
  std::string description;
};

/// Name of a config type as users see it in validate messages and `crmsync plugins`: string, int, bool...
const char* configTypeName(crmsync_config_type type);
/// Name of a plugin kind: source, stage, sink.
const char* pluginKindName(int32_t kind);

struct PluginInfo {
  std::string name;
  std::string version;
  std::string description;
  int32_t kind = CRMSYNC_KIND_SOURCE;
  uint16_t abiMajor = 0;
  uint16_t abiMinor = 0;
  std::string path;  // the shared library it was loaded from
  std::vector<ConfigKeySpec> configKeys;

  const ConfigKeySpec* findKey(const std::string& key) const {
    for (const auto& k : configKeys) {
      if (k.name == key) return &k;
    }
    return nullptr;
  }
};

}  // namespace crmsync::plugin
