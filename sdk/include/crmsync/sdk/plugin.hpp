// Header-only C++ layer over plugin_abi.h: what connector vendors write against.
//
// A plugin is a class derived from sdk::Source (or sdk::Stage) with static metadata, exported by one macro:
//
//   class MySource : public crmsync::sdk::Source {
//    public:
//     static constexpr const char* kName = "my_source";
//     static constexpr const char* kVersion = "1.0.0";
//     static constexpr const char* kDescription = "Reads my system";
//     static constexpr crmsync_config_key kConfigKeys[] = {
//         {"path", CRMSYNC_CONFIG_STRING, nullptr, 1, "File to read"}};
//     void open(const crmsync::sdk::Config& config, crmsync::sdk::Host& host) override;
//     void read(crmsync::sdk::Host& host) override;
//   };
//   CRMSYNC_PLUGIN(MySource)
//
// Errors are thrown as sdk::Error (or any std::exception) inside the class; the generated entry points catch
// everything, so no exception crosses the C ABI.
#pragma once

#include <crmsync/plugin_abi.h>

#include <cctype>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace crmsync::sdk {

/// An error a plugin reports to the engine: a status code and a message that says what, where and what to do.
class Error : public std::runtime_error {
 public:
  Error(crmsync_status status, const std::string& message) : std::runtime_error(message), status_(status) {}
  crmsync_status status() const { return status_; }

 private:
  crmsync_status status_;
};

namespace detail {

// Minimal parser for the JSON the engine uses for list and map config values: arrays of strings and objects
// whose values are strings. Anything else is a configuration error.
class JsonStrings {
 public:
  explicit JsonStrings(std::string_view text) : text_(text) {}

  std::vector<std::string> parseArray() {
    std::vector<std::string> out;
    skipSpace();
    expect('[');
    skipSpace();
    if (peek() == ']') {
      ++pos_;
      return out;
    }
    for (;;) {
      skipSpace();
      out.push_back(parseString());
      skipSpace();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      expect(']');
      return out;
    }
  }

  std::vector<std::pair<std::string, std::string>> parseObject() {
    std::vector<std::pair<std::string, std::string>> out;
    skipSpace();
    expect('{');
    skipSpace();
    if (peek() == '}') {
      ++pos_;
      return out;
    }
    for (;;) {
      skipSpace();
      std::string key = parseString();
      skipSpace();
      expect(':');
      skipSpace();
      out.emplace_back(std::move(key), parseString());
      skipSpace();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      expect('}');
      return out;
    }
  }

 private:
  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  void skipSpace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\n' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\r')) {
      ++pos_;
    }
  }
  void expect(char c) {
    if (peek() != c) {
      throw Error(CRMSYNC_ERR_CONFIG,
                  std::string("malformed JSON config value: expected '") + c + "' at offset " + std::to_string(pos_));
    }
    ++pos_;
  }
  static void appendUtf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }
  uint32_t parseHex4() {
    if (pos_ + 4 > text_.size()) throw Error(CRMSYNC_ERR_CONFIG, "malformed JSON config value: short \\u escape");
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      char c = text_[pos_++];
      v <<= 4;
      if (c >= '0' && c <= '9') v |= static_cast<uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f') v |= static_cast<uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') v |= static_cast<uint32_t>(c - 'A' + 10);
      else throw Error(CRMSYNC_ERR_CONFIG, "malformed JSON config value: bad \\u escape");
    }
    return v;
  }
  std::string parseString() {
    expect('"');
    std::string out;
    while (pos_ < text_.size() && text_[pos_] != '"') {
      char c = text_[pos_++];
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos_ >= text_.size()) break;
      char e = text_[pos_++];
      switch (e) {
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'u': {
          uint32_t cp = parseHex4();
          if (cp >= 0xD800 && cp <= 0xDBFF && pos_ + 6 <= text_.size() && text_[pos_] == '\\' &&
              text_[pos_ + 1] == 'u') {
            pos_ += 2;
            uint32_t low = parseHex4();
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          }
          appendUtf8(out, cp);
          break;
        }
        default: out += e; break;
      }
    }
    expect('"');
    return out;
  }

  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace detail

/// The plugin's configuration as validated by the engine: every declared key, defaults applied, secrets
/// resolved. Typed getters throw sdk::Error(CRMSYNC_ERR_CONFIG) naming the key when a value does not convert.
class Config {
 public:
  Config() = default;
  Config(const crmsync_config_entry* entries, size_t count) {
    for (size_t i = 0; i < count; ++i) {
      if (entries[i].name && entries[i].value) values_[entries[i].name] = entries[i].value;
    }
  }
  explicit Config(std::map<std::string, std::string> values) : values_(std::move(values)) {}

  bool has(const std::string& name) const { return values_.count(name) != 0; }

  template <typename T>
  T get(const std::string& name) const {
    auto it = values_.find(name);
    if (it == values_.end()) throw Error(CRMSYNC_ERR_CONFIG, "config key '" + name + "' is not set");
    return convert<T>(name, it->second);
  }

  template <typename T>
  T get(const std::string& name, T fallback) const {
    auto it = values_.find(name);
    if (it == values_.end() || (it->second.empty() && !std::is_same_v<T, std::string>)) return fallback;
    return convert<T>(name, it->second);
  }

  /// Binds a key to a member: config.bind("path", path_). Leaves the member alone when the key is unset.
  template <typename T>
  void bind(const std::string& name, T& target) const {
    auto it = values_.find(name);
    if (it != values_.end()) target = convert<T>(name, it->second);
  }

  const std::map<std::string, std::string>& raw() const { return values_; }

 private:
  template <typename T>
  static T convert(const std::string& name, const std::string& text) {
    try {
      if constexpr (std::is_same_v<T, std::string>) {
        return text;
      } else if constexpr (std::is_same_v<T, bool>) {
        if (text == "true" || text == "1" || text == "yes") return true;
        if (text == "false" || text == "0" || text == "no") return false;
        throw Error(CRMSYNC_ERR_CONFIG, "expected true or false");
      } else if constexpr (std::is_integral_v<T>) {
        size_t used = 0;
        long long v = std::stoll(text, &used);
        if (used != text.size()) throw Error(CRMSYNC_ERR_CONFIG, "expected an integer");
        return static_cast<T>(v);
      } else if constexpr (std::is_floating_point_v<T>) {
        size_t used = 0;
        double v = std::stod(text, &used);
        if (used != text.size()) throw Error(CRMSYNC_ERR_CONFIG, "expected a number");
        return static_cast<T>(v);
      } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
        return detail::JsonStrings(text).parseArray();
      } else if constexpr (std::is_same_v<T, std::vector<std::pair<std::string, std::string>>>) {
        return detail::JsonStrings(text).parseObject();
      } else if constexpr (std::is_same_v<T, std::map<std::string, std::string>>) {
        auto pairs = detail::JsonStrings(text).parseObject();
        return T(pairs.begin(), pairs.end());
      } else {
        static_assert(sizeof(T) == 0, "unsupported config type");
      }
    } catch (const Error& e) {
      throw Error(CRMSYNC_ERR_CONFIG, "config key '" + name + "': " + e.what());
    } catch (const std::exception&) {
      throw Error(CRMSYNC_ERR_CONFIG, "config key '" + name + "': cannot convert '" + text + "'");
    }
  }

  std::map<std::string, std::string> values_;
};

/// A record a plugin builds before emitting it. Field order is kept; a field set twice keeps the last value.
struct Record {
  std::string entity = "customer";
  std::string sourceKey;
  std::optional<std::string> updatedAt;
  std::string origin;
  std::vector<std::pair<std::string, std::optional<std::string>>> fields;

  Record& set(std::string name, std::optional<std::string> value) {
    for (auto& f : fields) {
      if (f.first == name) {
        f.second = std::move(value);
        return *this;
      }
    }
    fields.emplace_back(std::move(name), std::move(value));
    return *this;
  }
  const std::optional<std::string>* find(std::string_view name) const {
    for (const auto& f : fields) {
      if (f.first == name) return &f.second;
    }
    return nullptr;
  }
};

/// An HTTP request sent through the engine's HTTP service (host slot http_request, ABI 1.1), which retries,
/// honours rate limits, verifies TLS and keeps credentials out of logs.
struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  /// Total time for one attempt; 0 uses the host's default.
  uint32_t timeoutMs = 0;
  /// When set, receives a successful body in chunks instead of HttpResponse::body; return false to stop.
  std::function<bool(std::string_view chunk)> onBody;
};

/// The answer to an HttpRequest, copied out of host memory. Any status, 4xx included, is an answer.
struct HttpResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  /// First header of that name, case-insensitive.
  std::optional<std::string> header(std::string_view name) const {
    for (const auto& [n, v] : headers) {
      if (n.size() != name.size()) continue;
      bool same = true;
      for (size_t i = 0; i < n.size() && same; ++i) {
        same = std::tolower(static_cast<unsigned char>(n[i])) == std::tolower(static_cast<unsigned char>(name[i]));
      }
      if (same) return v;
    }
    return std::nullopt;
  }
};

/// The engine as seen from inside a plugin instance: wraps the host function table and the instance context.
class Host {
 public:
  Host(const crmsync_host_api* api, crmsync_host_ctx* ctx) : api_(api), ctx_(ctx) {}

  /// Emits records; the host copies them. Throws sdk::Error when the host refuses (for example on cancel).
  void emit(std::span<const Record> records) {
    std::vector<crmsync_field> fields;
    std::vector<crmsync_record> out;
    size_t total = 0;
    for (const auto& r : records) total += r.fields.size();
    fields.reserve(total);
    out.reserve(records.size());
    for (const auto& r : records) {
      size_t first = fields.size();
      for (const auto& f : r.fields) fields.push_back({f.first.c_str(), f.second ? f.second->c_str() : nullptr});
      crmsync_record c{};
      c.struct_size = sizeof(crmsync_record);
      c.entity = r.entity.c_str();
      c.source_key = r.sourceKey.c_str();
      c.updated_at = r.updatedAt ? r.updatedAt->c_str() : nullptr;
      c.origin = r.origin.c_str();
      c.fields = fields.data() + first;
      c.field_count = r.fields.size();
      out.push_back(c);
    }
    check(api_->emit(ctx_, out.data(), out.size()), "emit");
  }

  /// Sends an input item that could not be read to quarantine; the run goes on.
  void reject(const std::string& sourceKey, const std::string& origin, const std::string& reason,
              const std::optional<std::string>& raw = std::nullopt) {
    crmsync_rejected r{};
    r.struct_size = sizeof(crmsync_rejected);
    r.source_key = sourceKey.empty() ? nullptr : sourceKey.c_str();
    r.origin = origin.c_str();
    r.reason = reason.c_str();
    r.raw = raw ? raw->c_str() : nullptr;
    check(api_->reject(ctx_, &r), "reject");
  }

  std::optional<std::string> cursor() const {
    const char* c = api_->get_cursor(ctx_);
    if (!c) return std::nullopt;
    return std::string(c);
  }
  void setCursor(const std::string& cursor) { check(api_->set_cursor(ctx_, cursor.c_str()), "set_cursor"); }

  void log(crmsync_log_level level, const std::string& message) const { api_->log(ctx_, level, message.c_str()); }
  void info(const std::string& message) const { log(CRMSYNC_LOG_INFO, message); }
  void warn(const std::string& message) const { log(CRMSYNC_LOG_WARN, message); }

  /// Resolves "${env:NAME}" or "${file:PATH}". Never log what this returns.
  std::string secret(const std::string& reference) const {
    std::string buf(256, '\0');
    size_t needed = 0;
    crmsync_status st = api_->get_secret(ctx_, reference.c_str(), buf.data(), buf.size(), &needed);
    if (st == CRMSYNC_OK && needed >= buf.size()) {
      buf.assign(needed + 1, '\0');
      st = api_->get_secret(ctx_, reference.c_str(), buf.data(), buf.size(), &needed);
    }
    if (st != CRMSYNC_OK) throw Error(st, "secret reference could not be resolved");
    buf.resize(needed);
    return buf;
  }

  bool cancelled() const { return api_->is_cancelled(ctx_) != 0; }

  /// True when the host offers http_request (ABI 1.1 and later).
  bool hasHttp() const {
    return api_->struct_size >= offsetof(crmsync_host_api, http_request) + sizeof(api_->http_request) &&
           api_->http_request != nullptr;
  }

  /// Sends a request through the host. Throws sdk::Error with the host's status and its (redacted) message
  /// when no answer came, CRMSYNC_ERR_UNSUPPORTED on a host older than ABI 1.1.
  HttpResponse http(const HttpRequest& request) const {
    if (!hasHttp()) throw Error(CRMSYNC_ERR_UNSUPPORTED, "this crmsync has no HTTP service (needs plugin ABI 1.1)");
    std::vector<crmsync_http_header> headers;
    headers.reserve(request.headers.size());
    for (const auto& [n, v] : request.headers) headers.push_back({n.c_str(), v.c_str()});
    crmsync_http_request r{};
    r.struct_size = sizeof(r);
    r.method = request.method.c_str();
    r.url = request.url.c_str();
    r.headers = headers.data();
    r.header_count = headers.size();
    r.body = request.body.data();
    r.body_size = request.body.size();
    r.timeout_ms = request.timeoutMs;
    // An exception from the caller's sink must not unwind through the host: park it and rethrow here.
    struct SinkState {
      const std::function<bool(std::string_view)>* sink;
      std::exception_ptr error;
    } state{&request.onBody, nullptr};
    if (request.onBody) {
      r.on_body = [](void* user, const char* data, size_t size) -> int32_t {
        auto* st = static_cast<SinkState*>(user);
        try {
          return (*st->sink)(std::string_view(data, size)) ? 0 : 1;
        } catch (...) {
          st->error = std::current_exception();
          return 1;
        }
      };
      r.user = &state;
    }
    crmsync_http_response out{};
    out.struct_size = sizeof(out);
    crmsync_status st = api_->http_request(ctx_, &r, &out);
    HttpResponse result;
    std::string error = out.error ? out.error : "";
    if (st == CRMSYNC_OK) {
      result.status = out.status;
      for (size_t i = 0; i < out.header_count; ++i) {
        result.headers.emplace_back(out.headers[i].name ? out.headers[i].name : "",
                                    out.headers[i].value ? out.headers[i].value : "");
      }
      if (out.body) result.body.assign(out.body, out.body_size);
    }
    if (out.release) out.release(&out);
    if (state.error) std::rethrow_exception(state.error);
    if (st != CRMSYNC_OK) throw Error(st, error.empty() ? "http_request failed" : error);
    return result;
  }

  const crmsync_host_api* api() const { return api_; }
  crmsync_host_ctx* ctx() const { return ctx_; }

 private:
  static void check(crmsync_status st, const char* what) {
    if (st == CRMSYNC_ERR_CANCELLED) throw Error(st, "cancelled by the host");
    if (st != CRMSYNC_OK) throw Error(st, std::string("host refused ") + what);
  }

  const crmsync_host_api* api_;
  crmsync_host_ctx* ctx_;
};

/// Base of source plugins: open() binds the config, read() emits everything new since host.cursor().
class Source {
 public:
  static constexpr crmsync_plugin_kind kKind = CRMSYNC_KIND_SOURCE;
  virtual ~Source() = default;
  virtual void open(const Config& config, Host& host) {
    (void)config;
    (void)host;
  }
  virtual void read(Host& host) = 0;
  virtual void process(std::span<const crmsync_record> records, Host& host) {
    (void)records;
    (void)host;
    throw Error(CRMSYNC_ERR_UNSUPPORTED, "a source does not process batches");
  }
};

/// Base of stage plugins: process() receives a batch and emits what it turns it into.
class Stage {
 public:
  static constexpr crmsync_plugin_kind kKind = CRMSYNC_KIND_STAGE;
  virtual ~Stage() = default;
  virtual void open(const Config& config, Host& host) {
    (void)config;
    (void)host;
  }
  virtual void read(Host& host) {
    (void)host;
    throw Error(CRMSYNC_ERR_UNSUPPORTED, "a stage does not read");
  }
  virtual void process(std::span<const crmsync_record> records, Host& host) = 0;
};

namespace detail {

inline std::string& threadError() {
  thread_local std::string error;
  return error;
}

template <typename Plugin>
struct Adapter {
  struct Instance {
    Instance(const crmsync_host_api* api, crmsync_host_ctx* ctx) : host(api, ctx) {}
    Plugin plugin;
    Host host;
    std::string lastError;
  };

  template <typename Fn>
  static crmsync_status guard(std::string& errorOut, Fn&& fn) {
    try {
      fn();
      return CRMSYNC_OK;
    } catch (const Error& e) {
      errorOut = e.what();
      return e.status();
    } catch (const std::exception& e) {
      errorOut = std::string("unexpected error: ") + e.what();
      return CRMSYNC_ERR_INTERNAL;
    } catch (...) {
      errorOut = "unexpected non-standard exception";
      return CRMSYNC_ERR_INTERNAL;
    }
  }

  static crmsync_status open(const crmsync_host_api* api, crmsync_host_ctx* ctx, const crmsync_config_entry* cfg,
                             size_t count, void** instance) {
    if (!instance) return CRMSYNC_ERR_INTERNAL;
    *instance = nullptr;
    Instance* created = nullptr;
    crmsync_status st = guard(threadError(), [&] {
      auto owned = std::make_unique<Instance>(api, ctx);
      Config config(cfg, count);
      owned->plugin.open(config, owned->host);
      created = owned.release();
    });
    if (st == CRMSYNC_OK) *instance = created;
    return st;
  }

  static crmsync_status read(void* instance) {
    auto* in = static_cast<Instance*>(instance);
    return guard(in->lastError, [&] { in->plugin.read(in->host); });
  }

  static crmsync_status process(void* instance, const crmsync_record* records, size_t count) {
    auto* in = static_cast<Instance*>(instance);
    return guard(in->lastError, [&] { in->plugin.process(std::span<const crmsync_record>(records, count), in->host); });
  }

  static void close(void* instance) {
    try {
      delete static_cast<Instance*>(instance);
    } catch (...) {
    }
  }

  static const char* lastError(void* instance) {
    if (!instance) return threadError().c_str();
    return static_cast<Instance*>(instance)->lastError.c_str();
  }

  static const crmsync_plugin_descriptor* descriptor() {
    static const crmsync_plugin_descriptor d = [] {
      crmsync_plugin_descriptor x{};
      x.struct_size = sizeof(crmsync_plugin_descriptor);
      x.abi_major = CRMSYNC_ABI_MAJOR;
      x.abi_minor = CRMSYNC_ABI_MINOR;
      x.name = Plugin::kName;
      x.version = Plugin::kVersion;
      x.kind = Plugin::kKind;
      x.description = Plugin::kDescription;
      x.config_keys = Plugin::kConfigKeys;
      x.config_key_count = sizeof(Plugin::kConfigKeys) / sizeof(Plugin::kConfigKeys[0]);
      x.init = nullptr;
      x.open = &Adapter::open;
      x.read = &Adapter::read;
      x.process = &Adapter::process;
      x.close = &Adapter::close;
      x.last_error = &Adapter::lastError;
      x.shutdown = nullptr;
      return x;
    }();
    return &d;
  }
};

}  // namespace detail
}  // namespace crmsync::sdk

/// Generates the plugin's one exported entry point for class PLUGIN_CLASS.
#define CRMSYNC_PLUGIN(PLUGIN_CLASS)                                                                  \
  extern "C" CRMSYNC_PLUGIN_EXPORT const crmsync_plugin_descriptor* crmsync_plugin_entry(             \
      uint16_t host_abi_major, uint16_t host_abi_minor) {                                             \
    (void)host_abi_major;                                                                             \
    (void)host_abi_minor;                                                                             \
    try {                                                                                             \
      return ::crmsync::sdk::detail::Adapter<PLUGIN_CLASS>::descriptor();                             \
    } catch (...) {                                                                                   \
      return nullptr;                                                                                 \
    }                                                                                                 \
  }
