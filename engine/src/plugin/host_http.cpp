#include "plugin/host_http.hpp"

#include "crmsync/http/redact.hpp"
#include "crmsync/plugin/host_context.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace crmsync::plugin {
namespace {

// What a filled crmsync_http_response points into; freed by releaseResponse, the callback the plugin calls.
struct ResponseStorage {
  http::Headers headers;
  std::vector<crmsync_http_header> view;
  std::string body;
  std::string error;
};

// Points a response at nothing: before an answer is filled in, and once its storage is released.
void clearResponse(crmsync_http_response* response) {
  response->headers = nullptr;
  response->header_count = 0;
  response->body = nullptr;
  response->body_size = 0;
  response->error = nullptr;
  response->release = nullptr;
  response->host_private = nullptr;
}

void releaseResponse(crmsync_http_response* response) {
  if (!response) return;
  delete static_cast<ResponseStorage*>(response->host_private);
  clearResponse(response);
}

crmsync_status codeFor(const Status& status) {
  switch (status.code()) {
    case StatusCode::kCancelled:
      return CRMSYNC_ERR_CANCELLED;
    case StatusCode::kInvalidConfig:
      return CRMSYNC_ERR_CONFIG;
    case StatusCode::kIoError:
      return CRMSYNC_ERR_IO;
    default:
      return CRMSYNC_ERR_INTERNAL;
  }
}

// The plugin's struct may be older (smaller) than ours; only fields it covers are written.
bool covers(const crmsync_http_response* r, size_t end) { return r->struct_size >= end; }

crmsync_status fail(crmsync_http_response* response, crmsync_status code, std::string message) {
  auto* storage = new ResponseStorage;
  storage->error = http::redactText(message);
  response->status = 0;
  response->error = storage->error.c_str();
  response->host_private = storage;
  response->release = &releaseResponse;
  return code;
}

}  // namespace

Result<http::Response> HostContext::httpSend(const http::Request& request) {
  if (!http_) {
    http::ClientOptions options = httpOptions();
    auto outer = options.cancelled;
    options.cancelled = [this, outer] { return cancelled() || (outer && outer()); };
    http_ = std::make_unique<http::Client>(std::move(options));
  }
  return http_->send(request);
}

crmsync_status httpRequestFn(crmsync_host_ctx* ctx, const crmsync_http_request* request,
                             crmsync_http_response* response) {
  if (!ctx || !response) return CRMSYNC_ERR_INTERNAL;
  if (!covers(response, offsetof(crmsync_http_response, host_private) + sizeof(void*))) {
    return CRMSYNC_ERR_INTERNAL;  // not even the 1.1 layout: nowhere to put the answer safely
  }
  response->status = 0;
  clearResponse(response);
  try {
    if (!request || request->struct_size < offsetof(crmsync_http_request, user) + sizeof(void*)) {
      return fail(response, CRMSYNC_ERR_CONFIG, "http_request: the request struct is missing or too small");
    }
    if (!request->url || !*request->url) return fail(response, CRMSYNC_ERR_CONFIG, "http_request: no URL");
    if (!request->body && request->body_size != 0) {
      return fail(response, CRMSYNC_ERR_CONFIG, "http_request: body is NULL but body_size is not 0");
    }
    if (!request->headers && request->header_count != 0) {
      return fail(response, CRMSYNC_ERR_CONFIG, "http_request: headers is NULL but header_count is not 0");
    }
    http::Request r;
    r.method = request->method && *request->method ? request->method : "GET";
    r.url = request->url;
    for (size_t i = 0; i < request->header_count; ++i) {
      const crmsync_http_header& h = request->headers[i];
      if (!h.name) return fail(response, CRMSYNC_ERR_CONFIG, "http_request: a header has no name");
      r.headers.emplace_back(h.name, h.value ? h.value : "");
    }
    if (request->body_size) r.body.assign(request->body, request->body_size);
    r.timeout = std::chrono::milliseconds(request->timeout_ms);
    if (request->on_body) {
      auto* fn = request->on_body;
      void* user = request->user;
      r.onBody = [fn, user](std::string_view chunk) { return fn(user, chunk.data(), chunk.size()) == 0; };
    }

    Result<http::Response> result = HostContext::from(ctx)->httpSend(r);
    if (!result.isOk()) return fail(response, codeFor(result.status()), result.status().message());

    auto* storage = new ResponseStorage;
    storage->headers = std::move(result->headers);
    storage->body = std::move(result->body);
    storage->view.reserve(storage->headers.size());
    for (const auto& [name, value] : storage->headers) storage->view.push_back({name.c_str(), value.c_str()});
    response->status = static_cast<int32_t>(result->status);
    response->headers = storage->view.data();
    response->header_count = storage->view.size();
    response->body = storage->body.c_str();
    response->body_size = storage->body.size();
    response->host_private = storage;
    response->release = &releaseResponse;
    return CRMSYNC_OK;
  } catch (...) {
    releaseResponse(response);
    return CRMSYNC_ERR_INTERNAL;
  }
}

}  // namespace crmsync::plugin
