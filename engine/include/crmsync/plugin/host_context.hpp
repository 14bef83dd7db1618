// The engine side of the host function table: plugins call the C table, which forwards to a HostContext.
#pragma once

#include <crmsync/core/status.hpp>
#include <crmsync/http/client.hpp>
#include <crmsync/plugin_abi.h>

#include <memory>
#include <optional>
#include <string>

namespace crmsync::plugin {

/// What one plugin instance may ask of the engine. The pipeline runner implements it per source; the C table
/// from hostApi() casts the opaque crmsync_host_ctx* back to a HostContext* and calls these.
/// Implementations must not throw: the table catches anyway and reports CRMSYNC_ERR_INTERNAL.
class HostContext {
 public:
  virtual ~HostContext() = default;
  virtual crmsync_status emit(const crmsync_record* records, size_t count) = 0;
  virtual crmsync_status reject(const crmsync_rejected& rejected) = 0;
  /// Valid until the next getCursor/setCursor call on this context.
  virtual const char* getCursor() = 0;
  virtual crmsync_status setCursor(const char* cursor) = 0;
  virtual void log(crmsync_log_level level, const std::string& message) = 0;
  /// Resolves "${env:NAME}" or "${file:PATH}"; std::nullopt when it does not resolve.
  virtual std::optional<std::string> secret(const std::string& reference) = 0;
  virtual bool cancelled() = 0;

  /// Sends a plugin's HTTP request (host slot http_request, ABI 1.1). The default uses one http::Client per
  /// context, so a plugin instance keeps its connections between requests, made with httpOptions() and
  /// stopping when cancelled() says so.
  virtual Result<http::Response> httpSend(const http::Request& request);
  /// Options of the context's HTTP client: override to apply a pipeline's CA bundle or insecure mode.
  virtual http::ClientOptions httpOptions() { return {}; }

  crmsync_host_ctx* handle() { return reinterpret_cast<crmsync_host_ctx*>(this); }
  static HostContext* from(crmsync_host_ctx* ctx) { return reinterpret_cast<HostContext*>(ctx); }

 private:
  std::unique_ptr<http::Client> http_;
};

/// The engine's host function table (ABI CRMSYNC_ABI_MAJOR.CRMSYNC_ABI_MINOR). Static storage.
const crmsync_host_api* hostApi();

}  // namespace crmsync::plugin
