#include "crmsync/http/retry.hpp"

#include <charconv>
#include <ctime>
#include <string>

namespace crmsync::http {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::optional<long long> parseInteger(std::string_view s) {
  s = trim(s);
  long long v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || v < 0) return std::nullopt;
  return v;
}

std::chrono::milliseconds untilEpochSeconds(long long epoch, std::chrono::system_clock::time_point now) {
  auto target = std::chrono::system_clock::time_point(std::chrono::seconds(epoch));
  if (target <= now) return std::chrono::milliseconds(0);
  return std::chrono::ceil<std::chrono::milliseconds>(target - now);
}

}  // namespace

bool isRetryableStatus(long status) { return status == 408 || status == 429 || (status >= 500 && status != 501 && status < 600); }

std::chrono::milliseconds backoffDelay(const RetryPolicy& policy, int retry, std::mt19937_64& rng) {
  long long cap = policy.baseDelay.count();
  for (int i = 1; i < retry && cap < policy.maxDelay.count(); ++i) cap *= 2;
  cap = std::min<long long>(cap, policy.maxDelay.count());
  if (cap <= 0) return std::chrono::milliseconds(0);
  // Full jitter: clients that failed together do not come back together.
  std::uniform_int_distribution<long long> dist(0, cap);
  return std::chrono::milliseconds(dist(rng));
}

std::optional<std::chrono::milliseconds> parseRetryAfter(std::string_view value,
                                                         std::chrono::system_clock::time_point now) {
  value = trim(value);
  if (value.empty()) return std::nullopt;
  if (auto seconds = parseInteger(value)) return std::chrono::milliseconds(*seconds * 1000);
  // RFC 9110 IMF-fixdate; the obsolete RFC 850 and asctime forms are also allowed to senders, so try them too.
  std::string text(value);
  for (const char* format : {"%a, %d %b %Y %H:%M:%S GMT", "%A, %d-%b-%y %H:%M:%S GMT", "%a %b %e %H:%M:%S %Y"}) {
    std::tm tm{};
    const char* end = strptime(text.c_str(), format, &tm);
    if (end && *end == '\0') return untilEpochSeconds(static_cast<long long>(timegm(&tm)), now);
  }
  return std::nullopt;
}

std::optional<std::chrono::milliseconds> rateLimitPause(std::string_view remaining, std::string_view reset,
                                                        std::chrono::system_clock::time_point now) {
  auto left = parseInteger(remaining);
  if (!left || *left != 0) return std::nullopt;
  auto r = parseInteger(reset);
  if (!r) return std::nullopt;
  constexpr long long kEpoch2001 = 978'307'200;
  if (*r >= kEpoch2001) return untilEpochSeconds(*r, now);
  return std::chrono::milliseconds(*r * 1000);
}

}  // namespace crmsync::http
