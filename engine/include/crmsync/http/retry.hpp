// When and how long the HTTP client waits before it tries a request again. Pure functions, so the policy can be
// tested without a server or a clock.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string_view>

namespace crmsync::http {

/// Bounds on retrying one request.
struct RetryPolicy {
  /// Total tries, the first one included; 1 turns retries off.
  int maxAttempts = 4;
  /// Backoff before retry n (1-based) is drawn uniformly from [0, min(maxDelay, baseDelay * 2^(n-1))].
  std::chrono::milliseconds baseDelay{250};
  std::chrono::milliseconds maxDelay{30'000};
  /// Longest wait a server may ask for (Retry-After, rate-limit reset). Asking for more fails the request
  /// instead of stalling a run for hours.
  std::chrono::milliseconds maxServerWait{120'000};
};

/// True for statuses worth another try: 408, 429 and every 5xx but 501 (not implemented never gets better).
bool isRetryableStatus(long status);

/// Exponential backoff with full jitter for retry number `retry` (1 for the first retry).
std::chrono::milliseconds backoffDelay(const RetryPolicy& policy, int retry, std::mt19937_64& rng);

/// Parses a Retry-After value: delta seconds ("120") or an HTTP-date ("Wed, 21 Oct 2015 07:28:00 GMT"),
/// relative to `now`. A date in the past gives zero; anything unparsable gives std::nullopt.
std::optional<std::chrono::milliseconds> parseRetryAfter(std::string_view value,
                                                         std::chrono::system_clock::time_point now);

/// How long to pause for X-RateLimit-Remaining/X-RateLimit-Reset: std::nullopt unless remaining is 0. Reset is
/// read as Unix seconds when it is past the year 2001 (GitHub, Twitter) and as delta seconds otherwise.
std::optional<std::chrono::milliseconds> rateLimitPause(std::string_view remaining, std::string_view reset,
                                                        std::chrono::system_clock::time_point now);

}  // namespace crmsync::http
