#include "crmsync/config/key_check.hpp"

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "crmsync/config/pipeline_spec.hpp"
#include "crmsync/config/references.hpp"

namespace crmsync::config {
namespace {

bool isBoolText(const std::string& s) {
  static const std::vector<std::string> words = {"true", "false", "yes", "no", "on", "off", "True", "False"};
  return std::find(words.begin(), words.end(), s) != words.end();
}

bool isIntText(const std::string& s) {
  if (s.empty()) return false;
  size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0;
  if (i == s.size()) return false;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

bool isNumberText(const std::string& s) {
  if (s.empty()) return false;
  char* end = nullptr;
  std::strtod(s.c_str(), &end);
  return end && *end == '\0';
}

std::string boolValue(const std::string& s) {
  return (s == "true" || s == "yes" || s == "on" || s == "True") ? "true" : "false";
}

// Checks the references in one scalar: well-formed, and resolvable now. The message never holds the value.
void checkScalarReferences(const std::string& file, const YAML::Node& node, const std::string& key,
                           const std::string& baseDir, Diagnostics& diags) {
  auto refs = findReferences(node.Scalar());
  if (!refs) {
    diags.error(locationOf(file, node), "'" + key + "': " + refs.status().message());
    return;
  }
  for (const auto& ref : *refs) {
    auto value = resolveReference(ref, baseDir);
    if (!value) diags.error(locationOf(file, node), "'" + key + "': " + value.status().message());
  }
}

void checkValue(const std::string& file, const YAML::Node& value, const plugin::ConfigKeySpec& spec,
                const std::string& what, const std::string& baseDir, Diagnostics& diags) {
  const std::string typeName = plugin::configTypeName(spec.type);
  auto wrongType = [&](const std::string& got) {
    diags.error(locationOf(file, value), "'" + spec.name + "' of " + what + " must be " + typeName + ", got " + got);
  };
  switch (spec.type) {
    case CRMSYNC_CONFIG_STRING_LIST:
      if (value.IsScalar()) {
        checkScalarReferences(file, value, spec.name, baseDir, diags);
        return;
      }
      if (!value.IsSequence()) return wrongType("a map");
      for (const auto& item : value) {
        if (!item.IsScalar()) {
          diags.error(locationOf(file, item), "'" + spec.name + "' of " + what + " must list strings");
        } else {
          checkScalarReferences(file, item, spec.name, baseDir, diags);
        }
      }
      return;
    case CRMSYNC_CONFIG_MAP:
      if (!value.IsMap()) return wrongType(value.IsSequence() ? "a list" : "'" + value.Scalar() + "'");
      for (const auto& kv : value) {
        if (!kv.second.IsScalar() && !kv.second.IsNull()) {
          diags.error(locationOf(file, kv.second), "'" + spec.name + "." + kv.first.Scalar() + "' of " + what +
                                                       " must be a string");
        } else if (kv.second.IsScalar()) {
          checkScalarReferences(file, kv.second, spec.name, baseDir, diags);
        }
      }
      return;
    default:
      break;
  }
  if (!value.IsScalar()) return wrongType(value.IsSequence() ? "a list" : "a map");
  const std::string& text = value.Scalar();
  checkScalarReferences(file, value, spec.name, baseDir, diags);
  if (text.find("${") != std::string::npos) return;  // typed checks apply to the resolved value at run time
  // Echoing a secret's literal value would leak it, so secret keys are never quoted.
  const std::string shown = spec.type == CRMSYNC_CONFIG_SECRET ? "(hidden)" : "'" + text + "'";
  switch (spec.type) {
    case CRMSYNC_CONFIG_INT:
      if (!isIntText(text)) wrongType(shown);
      break;
    case CRMSYNC_CONFIG_DOUBLE:
      if (!isNumberText(text)) wrongType(shown);
      break;
    case CRMSYNC_CONFIG_BOOL:
      if (!isBoolText(text)) wrongType(shown);
      break;
    case CRMSYNC_CONFIG_SECRET:
      diags.warning(locationOf(file, value), "'" + spec.name + "' of " + what +
                                                 " is a secret written in the pipeline; use ${env:NAME} or ${file:PATH}");
      break;
    default:
      break;
  }
}

}  // namespace

void checkKeys(const std::string& file, const YAML::Node& map, const std::vector<plugin::ConfigKeySpec>& keys,
               const std::string& what, const std::string& baseDir, Diagnostics& diags,
               const std::vector<std::string>& ignoredKeys) {
  std::vector<std::string> names;
  for (const auto& k : keys) names.push_back(k.name);
  std::vector<std::string> allowed = names;
  allowed.insert(allowed.end(), ignoredKeys.begin(), ignoredKeys.end());

  if (map.IsDefined() && !map.IsNull() && map.IsMap()) {
    for (const auto& kv : map) {
      const std::string k = kv.first.Scalar();
      if (std::find(ignoredKeys.begin(), ignoredKeys.end(), k) != ignoredKeys.end()) continue;
      auto it = std::find_if(keys.begin(), keys.end(), [&](const plugin::ConfigKeySpec& s) { return s.name == k; });
      if (it == keys.end()) {
        std::string msg = "unknown key '" + k + "' for " + what;
        if (auto hint = didYouMean(k, allowed); !hint.empty()) {
          msg += "; did you mean '" + hint + "'?";
        } else if (!names.empty()) {
          std::string list;
          for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
          msg += " (known keys: " + list + ")";
        }
        diags.error(locationOf(file, kv.first), msg);
        continue;
      }
      if (kv.second.IsNull()) {
        if (it->required) diags.error(locationOf(file, kv.first), "'" + k + "' of " + what + " is required but empty");
        continue;
      }
      checkValue(file, kv.second, *it, what, baseDir, diags);
    }
  }
  for (const auto& k : keys) {
    if (!k.required) continue;
    bool present = map.IsDefined() && map.IsMap() && map[k.name];
    if (!present) {
      diags.error(locationOf(file, map), what + " needs '" + k.name + "' (" + plugin::configTypeName(k.type) +
                                              (k.description.empty() ? "" : ": " + k.description) + ")");
    }
  }
}

Result<std::map<std::string, std::string>> pluginConfigValues(const YAML::Node& map,
                                                               const std::vector<plugin::ConfigKeySpec>& keys,
                                                               const std::string& baseDir) {
  std::map<std::string, std::string> out;
  for (const auto& spec : keys) {
    // Copy-construct: assigning a missing key's zombie node to an existing Node throws in yaml-cpp.
    const YAML::Node value = map.IsDefined() && map.IsMap() ? map[spec.name] : YAML::Node();
    if (!value.IsDefined() || value.IsNull()) {
      if (spec.defaultValue) out[spec.name] = *spec.defaultValue;
      continue;
    }
    auto resolve = [&](const std::string& text) -> Result<std::string> {
      auto r = resolveReferences(text, baseDir);
      if (!r) return r.status().withContext("config key '" + spec.name + "'");
      return r;
    };
    if (spec.type == CRMSYNC_CONFIG_STRING_LIST) {
      nlohmann::json arr = nlohmann::json::array();
      if (value.IsScalar()) {
        ASSIGN_OR_RETURN(auto v, resolve(value.Scalar()));
        arr.push_back(v);
      } else {
        for (const auto& item : value) {
          ASSIGN_OR_RETURN(auto v, resolve(item.Scalar()));
          arr.push_back(v);
        }
      }
      out[spec.name] = arr.dump();
    } else if (spec.type == CRMSYNC_CONFIG_MAP) {
      nlohmann::json obj = nlohmann::json::object();
      for (const auto& kv : value) {
        std::string v;
        if (kv.second.IsScalar()) {
          ASSIGN_OR_RETURN(v, resolve(kv.second.Scalar()));
        }
        obj[kv.first.Scalar()] = v;
      }
      out[spec.name] = obj.dump();
    } else {
      ASSIGN_OR_RETURN(auto v, resolve(value.Scalar()));
      if (spec.type == CRMSYNC_CONFIG_BOOL) v = boolValue(v);
      if (spec.type == CRMSYNC_CONFIG_PATH) {
        std::filesystem::path p(v);
        if (p.is_relative()) p = std::filesystem::path(baseDir) / p;
        v = p.lexically_normal().string();
      }
      out[spec.name] = v;
    }
  }
  return out;
}

}  // namespace crmsync::config
