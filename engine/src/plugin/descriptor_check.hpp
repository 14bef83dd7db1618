// Validation of what a plugin's entry point returned, before the engine trusts any of it.
#pragma once

#include <crmsync/plugin_abi.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "crmsync/core/status.hpp"
#include "crmsync/plugin/plugin_info.hpp"

namespace crmsync::plugin {

/// Size of the ABI 1.0 descriptor: the smallest struct_size a plugin of this major may declare. Fields added
/// by later minors go after reserved[], so this stays the 1.0 size when the header grows.
inline constexpr size_t kDescriptorSizeV1_0 =
    offsetof(crmsync_plugin_descriptor, reserved) + sizeof(crmsync_plugin_descriptor::reserved);

/// No real descriptor is anywhere near this large; a bigger struct_size means garbage, not a newer minor.
inline constexpr size_t kMaxDescriptorSize = 64 * 1024;

/// A descriptor the engine accepted: a copy of the plugin's fields (zero beyond its struct_size) and the
/// metadata copied out of it. path and the duplicate check are the caller's business.
struct CheckedDescriptor {
  crmsync_plugin_descriptor descriptor{};
  PluginInfo info;
};

/// Checks the descriptor an entry point returned against the host's ABI (host_major.host_minor): versions,
/// struct_size, name, kind, required callbacks and the config key table. Reads no field beyond the
/// struct_size the plugin declares. On refusal the status message is the reason, ending with what to do.
Result<CheckedDescriptor> checkDescriptor(const crmsync_plugin_descriptor* raw, uint16_t host_major,
                                          uint16_t host_minor);

/// "CRMSYNC_ERR_CONFIG" and so on, for messages about a plugin's status codes.
const char* abiStatusName(int32_t status);

/// True when name matches [a-z0-9_]+.
bool isValidPluginName(const char* name);

}  // namespace crmsync::plugin
