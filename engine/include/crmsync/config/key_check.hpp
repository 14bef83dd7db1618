// Checks a YAML map against declared keys (plugin config tables and built-in stage keys alike) and converts
// values to the text form handed to plugins.
#pragma once

#include <yaml-cpp/yaml.h>

#include <map>
#include <string>
#include <vector>

#include "crmsync/config/diagnostics.hpp"
#include "crmsync/core/status.hpp"
#include "crmsync/plugin/plugin_info.hpp"

namespace crmsync::config {

/// Reports unknown keys (with a "did you mean"), wrong types, missing required keys and references that do not
/// resolve. `what` names the owner in messages ("connector 'spreadsheet'"). ignoredKeys are accepted without
/// checks (the caller handles them). Secret values never appear in messages.
void checkKeys(const std::string& file, const YAML::Node& map, const std::vector<plugin::ConfigKeySpec>& keys,
               const std::string& what, const std::string& baseDir, Diagnostics& diags,
               const std::vector<std::string>& ignoredKeys = {});

/// Text form of a value for a plugin: scalars as written, lists as a JSON array of strings, maps as a JSON
/// object, references resolved, PATH values made absolute against baseDir, defaults applied.
Result<std::map<std::string, std::string>> pluginConfigValues(const YAML::Node& map,
                                                               const std::vector<plugin::ConfigKeySpec>& keys,
                                                               const std::string& baseDir);

}  // namespace crmsync::config
