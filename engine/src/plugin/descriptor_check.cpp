#include "plugin/descriptor_check.hpp"

#include <algorithm>
#include <cstring>
#include <set>
#include <vector>

namespace crmsync::plugin {
namespace {

static_assert(kDescriptorSizeV1_0 <= sizeof(crmsync_plugin_descriptor));

// Only struct_size, abi_major and abi_minor are read before struct_size is known to cover them.
constexpr size_t kVersionHeaderSize = offsetof(crmsync_plugin_descriptor, abi_minor) + sizeof(uint16_t);

// Far more keys than any plugin declares; a larger count is a corrupt descriptor.
constexpr size_t kMaxConfigKeys = 4096;

std::string version(uint16_t major, uint16_t minor) {
  return std::to_string(major) + "." + std::to_string(minor);
}

std::string rebuildHint(uint16_t host_major) {
  return "rebuild the plugin against the crmsync " + std::to_string(host_major) + ".x SDK headers";
}

const char* requiredCallbacksText(int32_t kind) {
  return kind == CRMSYNC_KIND_SOURCE ? "a source needs open, read, close and last_error"
                                     : "a stage or sink needs open, process, close and last_error";
}

// A switch, so that -Wswitch points here when crmsync_config_type grows.
bool isKnownConfigType(int32_t type) {
  switch (static_cast<crmsync_config_type>(type)) {
    case CRMSYNC_CONFIG_STRING:
    case CRMSYNC_CONFIG_INT:
    case CRMSYNC_CONFIG_BOOL:
    case CRMSYNC_CONFIG_DOUBLE:
    case CRMSYNC_CONFIG_STRING_LIST:
    case CRMSYNC_CONFIG_MAP:
    case CRMSYNC_CONFIG_SECRET:
    case CRMSYNC_CONFIG_PATH:
      return true;
  }
  return false;
}

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += ", ";
    out += p;
  }
  return out;
}

Status checkConfigKeys(const crmsync_plugin_descriptor& d) {
  if (d.config_key_count == 0) return Status::ok();
  if (d.config_key_count > kMaxConfigKeys) {
    return pluginError("the descriptor declares " + std::to_string(d.config_key_count) +
                       " config keys, more than the " + std::to_string(kMaxConfigKeys) +
                       " a descriptor may have, so it is probably corrupt; " +
                       rebuildHint(CRMSYNC_ABI_MAJOR));
  }
  if (!d.config_keys) {
    return pluginError("the descriptor declares " + std::to_string(d.config_key_count) +
                       " config keys but config_keys is NULL; point config_keys at the key table or set "
                       "config_key_count to 0");
  }
  std::set<std::string> seen;
  for (size_t i = 0; i < d.config_key_count; ++i) {
    const crmsync_config_key& k = d.config_keys[i];
    if (!k.name || !*k.name) {
      return pluginError("config key #" + std::to_string(i) + " has no name; give every entry of config_keys a name");
    }
    if (!isKnownConfigType(k.type)) {
      return pluginError("config key '" + std::string(k.name) + "' has unknown type " + std::to_string(k.type) +
                         "; use one of the crmsync_config_type values");
    }
    if (!seen.insert(k.name).second) {
      return pluginError("config key '" + std::string(k.name) +
                         "' is declared twice; remove the duplicate entry from config_keys");
    }
  }
  return Status::ok();
}

}  // namespace

const char* abiStatusName(int32_t status) {
  switch (status) {
    case CRMSYNC_OK: return "CRMSYNC_OK";
    case CRMSYNC_ERR_CONFIG: return "CRMSYNC_ERR_CONFIG";
    case CRMSYNC_ERR_IO: return "CRMSYNC_ERR_IO";
    case CRMSYNC_ERR_DATA: return "CRMSYNC_ERR_DATA";
    case CRMSYNC_ERR_CANCELLED: return "CRMSYNC_ERR_CANCELLED";
    case CRMSYNC_ERR_AUTH: return "CRMSYNC_ERR_AUTH";
    case CRMSYNC_ERR_INTERNAL: return "CRMSYNC_ERR_INTERNAL";
    case CRMSYNC_ERR_UNSUPPORTED: return "CRMSYNC_ERR_UNSUPPORTED";
    default: return "an unknown status";
  }
}

bool isValidPluginName(const char* name) {
  if (!name || !*name) return false;
  for (const char* p = name; *p; ++p) {
    const char c = *p;
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

Result<CheckedDescriptor> checkDescriptor(const crmsync_plugin_descriptor* raw, uint16_t host_major,
                                          uint16_t host_minor) {
  uint32_t size = 0;
  std::memcpy(&size, raw, sizeof(size));
  if (size < kVersionHeaderSize) {
    return pluginError("descriptor struct_size " + std::to_string(size) +
                       " is implausible: it does not even cover the ABI version fields (the ABI 1.0 descriptor "
                       "has " + std::to_string(kDescriptorSizeV1_0) + " bytes); set struct_size to "
                       "sizeof(crmsync_plugin_descriptor) and " + rebuildHint(host_major));
  }
  const uint16_t major = raw->abi_major;
  const uint16_t minor = raw->abi_minor;
  if (major != host_major) {
    return pluginError("the plugin was built for plugin ABI " + version(major, minor) + " but this crmsync provides " +
                       version(host_major, host_minor) + ", and a different major version is incompatible; " +
                       rebuildHint(host_major) + " or use a crmsync release with ABI " + std::to_string(major) +
                       ".x");
  }
  if (minor > host_minor) {
    return pluginError("the plugin needs plugin ABI " + version(major, minor) + " but this crmsync provides only " +
                       version(host_major, host_minor) + "; upgrade crmsync, or rebuild the plugin against the " +
                       version(host_major, host_minor) + " SDK");
  }
  if (size < kDescriptorSizeV1_0 || size > kMaxDescriptorSize) {
    return pluginError("descriptor struct_size " + std::to_string(size) + " is implausible (expected at least " +
                       std::to_string(kDescriptorSizeV1_0) + " bytes, the ABI 1.0 descriptor, and at most " +
                       std::to_string(kMaxDescriptorSize) + "); the descriptor is corrupt or was built from a "
                       "mismatched header: set struct_size to sizeof(crmsync_plugin_descriptor) and " +
                       rebuildHint(host_major));
  }

  CheckedDescriptor out;
  // A plugin of an older minor has a shorter struct: what it does not declare stays zero.
  std::memcpy(&out.descriptor, raw, std::min<size_t>(size, sizeof(crmsync_plugin_descriptor)));
  const crmsync_plugin_descriptor& d = out.descriptor;

  if (!d.name) {
    return pluginError("the descriptor has no name; set name to a unique name made of a-z, 0-9 and _");
  }
  if (!isValidPluginName(d.name)) {
    return pluginError("plugin name '" + std::string(d.name) +
                       "' is invalid: names may only use a-z, 0-9 and _ ([a-z0-9_]+); rename the plugin in its "
                       "descriptor");
  }
  if (d.kind != CRMSYNC_KIND_SOURCE && d.kind != CRMSYNC_KIND_STAGE && d.kind != CRMSYNC_KIND_SINK) {
    return pluginError("plugin '" + std::string(d.name) + "' has unknown kind " + std::to_string(d.kind) +
                       " (expected 1 source, 2 stage or 3 sink); set kind to a crmsync_plugin_kind value");
  }

  std::vector<std::string> missing;
  if (!d.open) missing.emplace_back("open");
  if (d.kind == CRMSYNC_KIND_SOURCE && !d.read) missing.emplace_back("read");
  if (d.kind != CRMSYNC_KIND_SOURCE && !d.process) missing.emplace_back("process");
  if (!d.close) missing.emplace_back("close");
  if (!d.last_error) missing.emplace_back("last_error");
  if (!missing.empty()) {
    return pluginError("required callbacks are NULL in the descriptor of " + std::string(pluginKindName(d.kind)) +
                       " '" + d.name + "': " + join(missing) + " (" + requiredCallbacksText(d.kind) +
                       "); implement them, or build the plugin with the CRMSYNC_PLUGIN macro, which fills them in");
  }

  RETURN_IF_ERROR(checkConfigKeys(d));

  PluginInfo& info = out.info;
  info.name = d.name;
  info.version = d.version ? d.version : "";
  info.description = d.description ? d.description : "";
  info.kind = d.kind;
  info.abiMajor = major;
  info.abiMinor = minor;
  for (size_t i = 0; i < d.config_key_count; ++i) {
    const crmsync_config_key& k = d.config_keys[i];
    ConfigKeySpec spec;
    spec.name = k.name;
    spec.type = static_cast<crmsync_config_type>(k.type);
    if (k.default_value) spec.defaultValue = std::string(k.default_value);
    spec.required = k.required != 0;
    spec.description = k.description ? k.description : "";
    info.configKeys.push_back(std::move(spec));
  }
  return out;
}

}  // namespace crmsync::plugin
