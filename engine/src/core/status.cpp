#include "crmsync/core/status.hpp"

namespace crmsync {

const char* statusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "ok";
    case StatusCode::kInvalidConfig: return "invalid_config";
    case StatusCode::kInvalidInput: return "invalid_input";
    case StatusCode::kNotFound: return "not_found";
    case StatusCode::kPluginError: return "plugin_error";
    case StatusCode::kStoreError: return "store_error";
    case StatusCode::kIoError: return "io_error";
    case StatusCode::kCancelled: return "cancelled";
    case StatusCode::kAuditFailed: return "audit_failed";
    case StatusCode::kInternal: return "internal";
  }
  return "unknown";
}

std::string Status::toString() const {
  if (isOk()) return "ok";
  return std::string(statusCodeName(code_)) + ": " + message_;
}

}  // namespace crmsync
