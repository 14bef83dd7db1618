// The engine's HTTP client, over libcurl: the one way connectors, built in or loaded, talk to web APIs.
// It retries what is worth retrying, keeps TLS verification on, and never writes a credential into a log line
// or an error (see redact.hpp).
#pragma once

#include <crmsync/core/status.hpp>
#include <crmsync/http/retry.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace crmsync::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

/// Returns false to stop the transfer (the request then fails as cancelled).
using BodySink = std::function<bool(std::string_view chunk)>;

/// One request. The client copies nothing it does not need past send().
struct Request {
  std::string method = "GET";
  std::string url;
  Headers headers;
  std::string body;
  /// When set, a successful (non-retryable) response body is handed over in chunks as it arrives instead of
  /// being kept in Response::body, so a large download never sits in memory whole.
  BodySink onBody;
  /// Total time for one attempt; zero uses ClientOptions::totalTimeout.
  std::chrono::milliseconds timeout{0};
};

/// What the server answered to the last attempt. 4xx other than 408/429 are answers, not errors: the caller
/// decides what a 404 means.
struct Response {
  long status = 0;
  Headers headers;  // in arrival order, names as the server sent them
  std::string body;  // empty when Request::onBody took the body
  int attempts = 0;

  /// First header with that name, case-insensitive.
  std::optional<std::string> header(std::string_view name) const;
};

struct ClientOptions {
  std::chrono::milliseconds connectTimeout{10'000};
  std::chrono::milliseconds totalTimeout{300'000};
  RetryPolicy retry;
  /// PEM file of trusted CAs; empty uses the system store.
  std::string caBundle;
  /// Turns certificate and host name checks off. Only for a test peer with a self-signed certificate; every
  /// request made this way logs a warning.
  bool insecure = false;
  std::string userAgent = "crmsync";
  /// Polled during transfers and waits; true stops the request with StatusCode::kCancelled.
  std::function<bool()> cancelled;
};

/// A connection-reusing HTTP client. One curl handle per client keeps connections (and TLS sessions) open
/// between requests, so a client is not thread-safe: use one per thread or per plugin instance.
class Client {
 public:
  explicit Client(ClientOptions options = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  /// Sends the request, retrying timeouts, connection failures, 408, 429 and 5xx with exponential backoff and
  /// full jitter, honouring Retry-After and rate-limit headers, up to RetryPolicy::maxAttempts. Fails with
  /// kIoError naming the redacted URL and the last status or curl error, or kCancelled.
  Result<Response> send(const Request& request);

  const ClientOptions& options() const { return options_; }

 private:
  struct Attempt;
  Attempt perform(const Request& request);
  Status waitFor(std::chrono::milliseconds delay);

  ClientOptions options_;
  void* curl_ = nullptr;  // CURL*, kept out of the header so users need no curl include
  std::mt19937_64 rng_;
  // Set when a response said the rate limit is used up: the next request waits for the reset.
  std::optional<std::chrono::steady_clock::time_point> pauseUntil_;
};

}  // namespace crmsync::http
