// A fake engine for unit-testing a plugin without crmsync: it implements the host function table in memory,
// drives the plugin through its real C descriptor, and keeps what the plugin emitted, rejected, logged and
// staged as its cursor.
//
//   crmsync::sdk::FakeHost host;
//   host.setCursor("...");                       // optional: pretend an earlier run committed this
//   auto result = host.runSource(crmsync_plugin_entry, {{"path", "contacts.csv"}});
//   EXPECT_EQ(result.status, CRMSYNC_OK);
//   EXPECT_EQ(host.records().size(), 3u);
#pragma once

#include <crmsync/plugin_abi.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace crmsync::sdk {

/// A record as the fake host copied it out of an emit call.
struct EmittedRecord {
  std::string entity;
  std::string sourceKey;
  std::optional<std::string> updatedAt;
  std::string origin;
  std::vector<std::pair<std::string, std::optional<std::string>>> fields;

  /// The value of a field; std::nullopt when the field is absent or null.
  std::optional<std::string> get(const std::string& name) const {
    for (const auto& f : fields) {
      if (f.first == name) return f.second;
    }
    return std::nullopt;
  }
  bool has(const std::string& name) const {
    for (const auto& f : fields) {
      if (f.first == name) return true;
    }
    return false;
  }
};

struct RejectedItem {
  std::optional<std::string> sourceKey;
  std::string origin;
  std::string reason;
  std::optional<std::string> raw;
};

struct LogLine {
  int32_t level;
  std::string message;
};

/// A request a plugin sent through http_request, as the fake host saw it.
struct HttpCall {
  std::string method;
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  uint32_t timeoutMs = 0;

  std::optional<std::string> header(const std::string& name) const {
    for (const auto& [n, v] : headers) {
      if (n.size() == name.size() && std::equal(n.begin(), n.end(), name.begin(), [](char a, char b) {
            return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
          })) {
        return v;
      }
    }
    return std::nullopt;
  }
};

/// What the fake host answers to the next http_request: a response, or (error != CRMSYNC_OK) a failure as the
/// engine reports one after its retries, with errorText in response->error.
struct CannedHttpResponse {
  int32_t status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  crmsync_status error = CRMSYNC_OK;
  std::string errorText;
};

class FakeHost {
 public:
  struct Result {
    crmsync_status status = CRMSYNC_OK;
    std::string error;  // last_error() text when status is not OK
  };

  FakeHost() {
    api_.struct_size = sizeof(crmsync_host_api);
    api_.abi_major = CRMSYNC_ABI_MAJOR;
    api_.abi_minor = CRMSYNC_ABI_MINOR;
    api_.emit = &FakeHost::emitThunk;
    api_.reject = &FakeHost::rejectThunk;
    api_.get_cursor = &FakeHost::getCursorThunk;
    api_.set_cursor = &FakeHost::setCursorThunk;
    api_.log = &FakeHost::logThunk;
    api_.get_secret = &FakeHost::getSecretThunk;
    api_.is_cancelled = &FakeHost::isCancelledThunk;
    api_.http_request = &FakeHost::httpRequestThunk;
  }
  FakeHost(const FakeHost&) = delete;
  FakeHost& operator=(const FakeHost&) = delete;

  /// Opens a source plugin with the given config, reads it once and closes it. Config values are passed as
  /// they are: list and map keys take JSON text, as the engine would pass them.
  Result runSource(crmsync_plugin_entry_fn entry, const std::map<std::string, std::string>& config) {
    Result result;
    const crmsync_plugin_descriptor* d = entry(CRMSYNC_ABI_MAJOR, CRMSYNC_ABI_MINOR);
    if (!d) return {CRMSYNC_ERR_INTERNAL, "entry point returned no descriptor"};
    std::map<std::string, std::string> full;
    for (size_t i = 0; i < d->config_key_count; ++i) {
      const auto& k = d->config_keys[i];
      if (k.default_value) full[k.name] = k.default_value;
    }
    for (const auto& [k, v] : config) full[k] = v;
    std::vector<crmsync_config_entry> entries;
    for (const auto& [k, v] : full) entries.push_back({k.c_str(), v.c_str()});
    if (d->init) {
      crmsync_status st = d->init(&api_);
      if (st != CRMSYNC_OK) return {st, d->last_error(nullptr) ? d->last_error(nullptr) : ""};
    }
    void* instance = nullptr;
    crmsync_status st = d->open(&api_, ctx(), entries.data(), entries.size(), &instance);
    if (st != CRMSYNC_OK) return {st, d->last_error(nullptr) ? d->last_error(nullptr) : ""};
    stagedCursor_.reset();
    st = d->read(instance);
    if (st != CRMSYNC_OK) {
      result.status = st;
      const char* e = d->last_error(instance);
      result.error = e ? e : "";
    }
    d->close(instance);
    if (st == CRMSYNC_OK && stagedCursor_) committedCursor_ = stagedCursor_;  // the engine commits on success
    return result;
  }

  /// What an earlier run committed; the next runSource() sees it through get_cursor.
  void setCursor(std::optional<std::string> cursor) { committedCursor_ = std::move(cursor); }
  const std::optional<std::string>& cursor() const { return committedCursor_; }
  void setSecret(const std::string& reference, const std::string& value) { secrets_[reference] = value; }
  /// Cancels after the given number of emit calls (0: at once).
  void cancelAfterEmits(int emits) { cancelAfter_ = emits; }

  /// Queues the answer to the next http_request; answers go out in the order they were queued. The fake host
  /// does not retry: queue the final answer (or an error) the engine would give after its retries.
  void queueHttpResponse(CannedHttpResponse response) { http_.push_back(std::move(response)); }
  void queueHttpResponse(int32_t status, std::string body,
                         std::vector<std::pair<std::string, std::string>> headers = {}) {
    http_.push_back({status, std::move(headers), std::move(body), CRMSYNC_OK, ""});
  }
  void queueHttpError(crmsync_status error, std::string text) {
    http_.push_back({0, {}, "", error, std::move(text)});
  }
  /// Every request the plugin sent, in order (a request with no canned answer left is recorded too).
  const std::vector<HttpCall>& httpCalls() const { return httpCalls_; }
  size_t pendingHttpResponses() const { return http_.size(); }
  /// Responses handed to the plugin that it has not released yet; 0 after a well-behaved run.
  int unreleasedHttpResponses() const { return unreleased_; }

  const std::vector<EmittedRecord>& records() const { return records_; }
  const std::vector<RejectedItem>& rejected() const { return rejected_; }
  const std::vector<LogLine>& logs() const { return logs_; }
  size_t emitCalls() const { return emitCalls_; }
  void clear() {
    records_.clear();
    rejected_.clear();
    logs_.clear();
    emitCalls_ = 0;
    httpCalls_.clear();
  }

  const crmsync_host_api* api() const { return &api_; }
  // The context is opaque to plugins: it is this object.
  crmsync_host_ctx* ctx() { return reinterpret_cast<crmsync_host_ctx*>(this); }

 private:
  static FakeHost& self(crmsync_host_ctx* ctx) { return *reinterpret_cast<FakeHost*>(ctx); }
  static std::optional<std::string> opt(const char* s) {
    if (!s) return std::nullopt;
    return std::string(s);
  }

  bool cancelled() const { return cancelAfter_ >= 0 && static_cast<int>(emitCalls_) >= cancelAfter_; }

  static crmsync_status emitThunk(crmsync_host_ctx* ctx, const crmsync_record* records, size_t count) {
    FakeHost& h = self(ctx);
    if (h.cancelled()) return CRMSYNC_ERR_CANCELLED;
    ++h.emitCalls_;
    for (size_t i = 0; i < count; ++i) {
      const crmsync_record& r = records[i];
      EmittedRecord e;
      e.entity = r.entity ? r.entity : "";
      e.sourceKey = r.source_key ? r.source_key : "";
      e.updatedAt = opt(r.updated_at);
      e.origin = r.origin ? r.origin : "";
      for (size_t f = 0; f < r.field_count; ++f) e.fields.emplace_back(r.fields[f].name, opt(r.fields[f].value));
      h.records_.push_back(std::move(e));
    }
    return CRMSYNC_OK;
  }
  static crmsync_status rejectThunk(crmsync_host_ctx* ctx, const crmsync_rejected* r) {
    self(ctx).rejected_.push_back({opt(r->source_key), r->origin ? r->origin : "", r->reason ? r->reason : "",
                                   opt(r->raw)});
    return CRMSYNC_OK;
  }
  static const char* getCursorThunk(crmsync_host_ctx* ctx) {
    FakeHost& h = self(ctx);
    const auto& c = h.stagedCursor_ ? h.stagedCursor_ : h.committedCursor_;
    return c ? c->c_str() : nullptr;
  }
  static crmsync_status setCursorThunk(crmsync_host_ctx* ctx, const char* cursor) {
    self(ctx).stagedCursor_ = opt(cursor);
    return CRMSYNC_OK;
  }
  static void logThunk(crmsync_host_ctx* ctx, int32_t level, const char* message) {
    self(ctx).logs_.push_back({level, message ? message : ""});
  }
  static crmsync_status getSecretThunk(crmsync_host_ctx* ctx, const char* reference, char* buf, size_t capacity,
                                       size_t* needed) {
    FakeHost& h = self(ctx);
    std::string value;
    auto it = h.secrets_.find(reference);
    if (it != h.secrets_.end()) {
      value = it->second;
    } else {
      std::string ref = reference;
      if (ref.rfind("${env:", 0) == 0 && ref.back() == '}') {
        const char* v = std::getenv(ref.substr(6, ref.size() - 7).c_str());
        if (!v) return CRMSYNC_ERR_CONFIG;
        value = v;
      } else if (ref.rfind("${file:", 0) == 0 && ref.back() == '}') {
        std::ifstream in(ref.substr(7, ref.size() - 8), std::ios::binary);
        if (!in) return CRMSYNC_ERR_CONFIG;
        std::ostringstream ss;
        ss << in.rdbuf();
        value = ss.str();
        while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
      } else {
        return CRMSYNC_ERR_CONFIG;
      }
    }
    *needed = value.size();
    if (value.size() < capacity) std::memcpy(buf, value.c_str(), value.size() + 1);
    return CRMSYNC_OK;
  }
  static int32_t isCancelledThunk(crmsync_host_ctx* ctx) { return self(ctx).cancelled() ? 1 : 0; }

  struct HttpStorage {
    FakeHost* host;
    std::vector<std::pair<std::string, std::string>> headers;
    std::vector<crmsync_http_header> view;
    std::string body;
    std::string error;
  };
  static void releaseHttp(crmsync_http_response* response) {
    auto* storage = static_cast<HttpStorage*>(response->host_private);
    if (!storage) return;
    --storage->host->unreleased_;
    delete storage;
    *response = crmsync_http_response{response->struct_size, 0, nullptr, 0, nullptr, 0, nullptr, nullptr, nullptr};
  }
  static crmsync_status httpRequestThunk(crmsync_host_ctx* ctx, const crmsync_http_request* request,
                                         crmsync_http_response* response) {
    FakeHost& h = self(ctx);
    auto* storage = new HttpStorage{&h, {}, {}, {}, {}};
    ++h.unreleased_;
    *response = crmsync_http_response{response->struct_size, 0, nullptr, 0, nullptr, 0, nullptr, &releaseHttp,
                                      storage};
    auto failWith = [&](crmsync_status st, std::string text) {
      storage->error = std::move(text);
      response->error = storage->error.c_str();
      return st;
    };
    if (!request || !request->url) return failWith(CRMSYNC_ERR_CONFIG, "http_request: no URL");
    HttpCall call;
    call.method = request->method ? request->method : "GET";
    call.url = request->url;
    for (size_t i = 0; i < request->header_count; ++i) {
      call.headers.emplace_back(request->headers[i].name, request->headers[i].value ? request->headers[i].value : "");
    }
    if (request->body_size) call.body.assign(request->body, request->body_size);
    call.timeoutMs = request->timeout_ms;
    h.httpCalls_.push_back(call);
    if (h.cancelled()) return failWith(CRMSYNC_ERR_CANCELLED, call.method + " " + call.url + ": cancelled");
    if (h.http_.empty()) {
      return failWith(CRMSYNC_ERR_IO, "fake host: no canned HTTP response left for " + call.method + " " + call.url +
                                          "; queue one with queueHttpResponse()");
    }
    CannedHttpResponse canned = std::move(h.http_.front());
    h.http_.pop_front();
    if (canned.error != CRMSYNC_OK) return failWith(canned.error, canned.errorText);
    storage->headers = std::move(canned.headers);
    for (const auto& [n, v] : storage->headers) storage->view.push_back({n.c_str(), v.c_str()});
    response->status = canned.status;
    response->headers = storage->view.data();
    response->header_count = storage->view.size();
    if (request->on_body) {
      // Small chunks, so a plugin's streaming code sees more than one call, as it would on the wire.
      constexpr size_t kChunk = 4096;
      for (size_t at = 0; at < canned.body.size(); at += kChunk) {
        size_t n = std::min(kChunk, canned.body.size() - at);
        if (request->on_body(request->user, canned.body.data() + at, n) != 0) {
          return failWith(CRMSYNC_ERR_CANCELLED, call.method + " " + call.url + ": the body consumer stopped");
        }
      }
    } else {
      storage->body = std::move(canned.body);
    }
    response->body = storage->body.c_str();
    response->body_size = storage->body.size();
    return CRMSYNC_OK;
  }

  crmsync_host_api api_{};
  std::vector<EmittedRecord> records_;
  std::vector<RejectedItem> rejected_;
  std::vector<LogLine> logs_;
  std::optional<std::string> committedCursor_;
  std::optional<std::string> stagedCursor_;
  std::map<std::string, std::string> secrets_;
  size_t emitCalls_ = 0;
  int cancelAfter_ = -1;
  std::deque<CannedHttpResponse> http_;
  std::vector<HttpCall> httpCalls_;
  int unreleased_ = 0;
};

}  // namespace crmsync::sdk
