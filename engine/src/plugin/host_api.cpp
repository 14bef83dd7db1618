#include "crmsync/plugin/host_context.hpp"

#include "plugin/host_http.hpp"

#include <cstring>
#include <string>

namespace crmsync::plugin {
namespace {

// Every function here is called from plugin code through a C function pointer: nothing may throw out of it,
// and a NULL the plugin passes by mistake becomes an error status instead of a crash in the engine.

crmsync_status emitFn(crmsync_host_ctx* ctx, const crmsync_record* records, size_t count) {
  if (!ctx || (!records && count != 0)) return CRMSYNC_ERR_INTERNAL;
  try {
    return HostContext::from(ctx)->emit(records, count);
  } catch (...) {
    return CRMSYNC_ERR_INTERNAL;
  }
}

crmsync_status rejectFn(crmsync_host_ctx* ctx, const crmsync_rejected* rejected) {
  if (!ctx || !rejected) return CRMSYNC_ERR_INTERNAL;
  try {
    return HostContext::from(ctx)->reject(*rejected);
  } catch (...) {
    return CRMSYNC_ERR_INTERNAL;
  }
}

const char* getCursorFn(crmsync_host_ctx* ctx) {
  if (!ctx) return nullptr;
  try {
    return HostContext::from(ctx)->getCursor();
  } catch (...) {
    return nullptr;
  }
}

crmsync_status setCursorFn(crmsync_host_ctx* ctx, const char* cursor) {
  if (!ctx) return CRMSYNC_ERR_INTERNAL;
  try {
    return HostContext::from(ctx)->setCursor(cursor);
  } catch (...) {
    return CRMSYNC_ERR_INTERNAL;
  }
}

void logFn(crmsync_host_ctx* ctx, int32_t level, const char* message) {
  if (!ctx) return;
  if (level < CRMSYNC_LOG_DEBUG) level = CRMSYNC_LOG_DEBUG;
  if (level > CRMSYNC_LOG_ERROR) level = CRMSYNC_LOG_ERROR;
  try {
    HostContext::from(ctx)->log(static_cast<crmsync_log_level>(level), message ? message : "");
  } catch (...) {
    // Losing a log line is better than unwinding into the plugin.
  }
}

// Overwrites a resolved secret before its memory goes back to the allocator.
void wipe(std::string& s) {
  volatile char* p = s.data();
  for (size_t i = 0; i < s.size(); ++i) p[i] = '\0';
}

crmsync_status getSecretFn(crmsync_host_ctx* ctx, const char* reference, char* buf, size_t capacity,
                           size_t* needed) {
  if (!ctx || !needed) return CRMSYNC_ERR_INTERNAL;
  if (!reference) return CRMSYNC_ERR_CONFIG;
  try {
    std::optional<std::string> value = HostContext::from(ctx)->secret(reference);
    if (!value) {
      *needed = 0;
      return CRMSYNC_ERR_CONFIG;
    }
    *needed = value->size();
    if (buf && value->size() < capacity) {
      std::memcpy(buf, value->c_str(), value->size() + 1);
    } else if (buf && capacity > 0) {
      buf[0] = '\0';  // never a truncated secret
    }
    wipe(*value);
    return CRMSYNC_OK;
  } catch (...) {
    return CRMSYNC_ERR_INTERNAL;
  }
}

int32_t isCancelledFn(crmsync_host_ctx* ctx) {
  if (!ctx) return 1;
  try {
    return HostContext::from(ctx)->cancelled() ? 1 : 0;
  } catch (...) {
    return 1;  // a host that cannot answer should not keep a long read going
  }
}

constexpr crmsync_host_api kHostApi{
    .struct_size = sizeof(crmsync_host_api),
    .abi_major = CRMSYNC_ABI_MAJOR,
    .abi_minor = CRMSYNC_ABI_MINOR,
    .emit = &emitFn,
    .reject = &rejectFn,
    .get_cursor = &getCursorFn,
    .set_cursor = &setCursorFn,
    .log = &logFn,
    .get_secret = &getSecretFn,
    .is_cancelled = &isCancelledFn,
    .http_request = &httpRequestFn,
};

}  // namespace

const crmsync_host_api* hostApi() { return &kHostApi; }

}  // namespace crmsync::plugin
