#include "crmsync/http/client.hpp"

#include "crmsync/http/redact.hpp"

#include <curl/curl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <mutex>
#include <thread>

namespace crmsync::http {
namespace {

// A retryable status's body is only read for the error message; a misbehaving server must not fill memory.
constexpr size_t kMaxErrorBody = 64 * 1024;

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) {
           return std::tolower(x) == std::tolower(y);
         });
}

std::optional<std::string> findHeader(const Headers& headers, std::string_view name) {
  for (const auto& [n, v] : headers) {
    if (equalsIgnoreCase(n, name)) return v;
  }
  return std::nullopt;
}

// Failures where the same request may well succeed a moment later. A certificate problem or a malformed URL
// will not, and a retry would only hide it.
bool isRetryableCurlError(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return true;
    default:
      return false;
  }
}

void globalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace

std::optional<std::string> Response::header(std::string_view name) const { return findHeader(headers, name); }

struct Client::Attempt {
  const Request* request = nullptr;
  const ClientOptions* options = nullptr;
  CURL* curl = nullptr;
  CURLcode code = CURLE_OK;
  long status = 0;
  Headers headers;
  std::string body;
  char errorBuffer[CURL_ERROR_SIZE] = {};
  bool streamed = false;     // the caller's sink has seen part of the body: no retry can undo that
  bool sinkStopped = false;  // the sink returned false
  bool cancelled = false;

  static size_t onHeader(char* data, size_t size, size_t count, void* user) {
    auto* a = static_cast<Attempt*>(user);
    std::string_view line(data, size * count);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
    if (line.rfind("HTTP/", 0) == 0) {
      a->headers.clear();  // a new response (after 100 Continue or a proxy's CONNECT): only its headers count
    } else if (size_t colon = line.find(':'); colon != std::string_view::npos) {
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
      a->headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
    }
    return size * count;
  }

  static size_t onBody(char* data, size_t size, size_t count, void* user) {
    auto* a = static_cast<Attempt*>(user);
    size_t n = size * count;
    long status = 0;
    curl_easy_getinfo(a->curl, CURLINFO_RESPONSE_CODE, &status);
    if (a->request->onBody && !isRetryableStatus(status)) {
      a->streamed = true;
      if (!a->request->onBody(std::string_view(data, n))) {
        a->sinkStopped = true;
        return 0;  // makes curl stop with CURLE_WRITE_ERROR
      }
      return n;
    }
    if (a->request->onBody && a->body.size() + n > kMaxErrorBody) return n;
    a->body.append(data, n);
    return n;
  }

  static int onProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    auto* a = static_cast<Attempt*>(user);
    if (a->options->cancelled && a->options->cancelled()) {
      a->cancelled = true;
      return 1;  // CURLE_ABORTED_BY_CALLBACK
    }
    return 0;
  }
};

Client::Client(ClientOptions options) : options_(std::move(options)), rng_(std::random_device{}()) {
  globalInit();
  curl_ = curl_easy_init();
}

Client::~Client() {
  if (curl_) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

Client::Attempt Client::perform(const Request& request) {
  Attempt a;
  a.request = &request;
  a.options = &options_;
  a.curl = static_cast<CURL*>(curl_);
  CURL* h = a.curl;
  if (!h) {
    a.code = CURLE_FAILED_INIT;
    return a;
  }
  // Reset clears the options of the last request but keeps the connection cache: that is the reuse.
  curl_easy_reset(h);
  curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, a.errorBuffer);
  curl_easy_setopt(h, CURLOPT_USERAGENT, options_.userAgent.c_str());
  curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connectTimeout.count()));
  auto total = request.timeout.count() > 0 ? request.timeout : options_.totalTimeout;
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(total.count()));
  // No CURLOPT_PROXY and no CURLOPT_NOPROXY on purpose: libcurl then takes http_proxy, https_proxy and
  // no_proxy from the environment, which is how the admins who run crmsync configure proxies.
  if (options_.insecure) {
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
  } else {
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
  }
  if (!options_.caBundle.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, options_.caBundle.c_str());

  if (request.method == "GET") {
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
  } else if (request.method == "HEAD") {
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  } else {
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  if (!request.body.empty() || request.method == "POST" || request.method == "PUT" || request.method == "PATCH") {
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  }

  curl_slist* list = nullptr;
  for (const auto& [name, value] : request.headers) {
    std::string line = value.empty() ? name + ";" : name + ": " + value;
    list = curl_slist_append(list, line.c_str());
  }
  // Without this curl waits up to a second for "100 Continue" before sending a large body.
  list = curl_slist_append(list, "Expect:");
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, list);

  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &Attempt::onHeader);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &a);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &Attempt::onBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &a);
  curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, &Attempt::onProgress);
  curl_easy_setopt(h, CURLOPT_XFERINFODATA, &a);
  curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);

  a.code = curl_easy_perform(h);
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &a.status);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, nullptr);
  curl_slist_free_all(list);
  return a;
}

Status Client::waitFor(std::chrono::milliseconds delay) {
  // Sleep in slices so a cancelled run does not sit out a long Retry-After.
  auto until = std::chrono::steady_clock::now() + delay;
  while (std::chrono::steady_clock::now() < until) {
    if (options_.cancelled && options_.cancelled()) return Status(StatusCode::kCancelled, "cancelled while waiting");
    auto left = until - std::chrono::steady_clock::now();
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(left, std::chrono::milliseconds(20)));
  }
  return Status::ok();
}

Result<Response> Client::send(const Request& request) {
  const std::string where = request.method + " " + redactUrl(request.url);
  if (options_.insecure) {
    spdlog::warn("http: TLS certificate verification is off for {} (insecure option): anyone on the network path "
                 "can read and change this traffic; configure a CA bundle instead",
                 where);
  }
  const int maxAttempts = std::max(1, options_.retry.maxAttempts);
  std::string lastError;
  int attempt = 0;
  for (attempt = 1; attempt <= maxAttempts; ++attempt) {
    if (pauseUntil_) {
      auto now = std::chrono::steady_clock::now();
      if (*pauseUntil_ > now) {
        auto wait = std::chrono::ceil<std::chrono::milliseconds>(*pauseUntil_ - now);
        spdlog::info("http: rate limit used up; waiting {} ms before {}", wait.count(), where);
        Status st = waitFor(wait);
        if (!st.isOk()) return st.withContext(where);
      }
      pauseUntil_.reset();
    }

    Attempt a = perform(request);
    if (a.cancelled) return Status(StatusCode::kCancelled, where + ": cancelled");
    if (a.sinkStopped) return Status(StatusCode::kCancelled, where + ": the body consumer stopped the transfer");

    auto sysNow = std::chrono::system_clock::now();
    std::optional<std::chrono::milliseconds> ratePause;
    if (auto remaining = findHeader(a.headers, "X-RateLimit-Remaining")) {
      ratePause = rateLimitPause(*remaining, findHeader(a.headers, "X-RateLimit-Reset").value_or(""), sysNow);
      if (ratePause) {
        // Waiting longer than the policy allows would stall the run; the next request then finds out itself.
        auto capped = std::min(*ratePause, options_.retry.maxServerWait);
        pauseUntil_ = std::chrono::steady_clock::now() + capped;
      }
    }

    bool retryable = false;
    if (a.code != CURLE_OK) {
      const char* detail = a.errorBuffer[0] ? a.errorBuffer : curl_easy_strerror(a.code);
      lastError = fmt::format("curl error {} ({})", static_cast<int>(a.code), detail);
      retryable = isRetryableCurlError(a.code) && !a.streamed;
    } else if (isRetryableStatus(a.status)) {
      lastError = fmt::format("HTTP {}", a.status);
      retryable = true;
    } else {
      Response r;
      r.status = a.status;
      r.headers = std::move(a.headers);
      r.body = std::move(a.body);
      r.attempts = attempt;
      return r;
    }
    if (!retryable || attempt == maxAttempts) break;

    std::chrono::milliseconds delay = backoffDelay(options_.retry, attempt, rng_);
    std::string reason = "backoff";
    if (auto retryAfter = findHeader(a.headers, "Retry-After")) {
      if (auto d = parseRetryAfter(*retryAfter, sysNow)) {
        delay = *d;
        reason = "Retry-After";
      }
    } else if (ratePause) {
      delay = *ratePause;
      reason = "rate-limit reset";
    }
    if (delay > options_.retry.maxServerWait) {
      lastError += fmt::format("; the server asked to wait {} s, more than the {} s allowed", delay.count() / 1000,
                               options_.retry.maxServerWait.count() / 1000);
      break;
    }
    pauseUntil_.reset();  // the delay below already covers it
    spdlog::info("http: {} attempt {}/{} failed: {}; retrying in {} ms ({})", where, attempt, maxAttempts,
                 redactText(lastError), delay.count(), reason);
    Status st = waitFor(delay);
    if (!st.isOk()) return st.withContext(where);
  }
  attempt = std::min(attempt, maxAttempts);
  std::string message = fmt::format("{} failed after {} attempt{}: {}", where, attempt, attempt == 1 ? "" : "s",
                                    redactText(lastError));
  spdlog::warn("http: {}", message);
  return ioError(message);
}

}  // namespace crmsync::http
