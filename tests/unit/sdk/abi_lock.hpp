// The check behind sdk/abi.lock: plugin_abi.h may only change together with a version bump, and the lock
// must follow the bump. Kept apart from the test so the test can prove the check fails on a modified header.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace crmsync::sdk::testing {

struct AbiVersion {
  int major = 0;
  int minor = 0;
  bool operator==(const AbiVersion&) const = default;
  std::string text() const { return std::to_string(major) + "." + std::to_string(minor); }
};

/// The header's tokens without comments and without the whitespace between them, with the values of the two
/// version macros blanked out, so that the hash is the same before and after a version bump.
std::string normalizeAbiHeader(std::string_view header);

uint64_t fnv1a64(std::string_view data);

/// CRMSYNC_ABI_MAJOR and CRMSYNC_ABI_MINOR as the header defines them.
std::optional<AbiVersion> headerAbiVersion(std::string_view header);

/// The lock line for a header at a given version: "abi 1.0 fnv1a64:0123456789abcdef".
std::string abiLockLine(AbiVersion version, std::string_view header);

struct AbiLockCheck {
  bool ok = false;
  std::string message;  // what is wrong and the line to put in sdk/abi.lock
};

/// Compares a header's text with the lock file's text.
AbiLockCheck checkAbiLock(std::string_view header, std::string_view lock);

}  // namespace crmsync::sdk::testing
