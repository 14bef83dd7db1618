#include "crmsync/http/client.hpp"

#include "unit/http/loopback_server.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <mutex>

namespace crmsync::http {
namespace {

using namespace std::chrono_literals;
using testing::CapturedLog;
using testing::LoopbackServer;

// Retries in these tests wait milliseconds, not the production quarter second.
ClientOptions fastOptions() {
  ClientOptions o;
  o.retry.baseDelay = 5ms;
  o.retry.maxDelay = 20ms;
  o.connectTimeout = 1000ms;
  o.totalTimeout = 2000ms;
  return o;
}

Request get(std::string url) {
  Request r;
  r.url = std::move(url);
  return r;
}

long long elapsedMs(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - since).count();
}

void echo(const httplib::Request& req, httplib::Response& res) {
  res.set_header("X-Method", req.method);
  res.set_header("X-Got", req.get_header_value("X-Test"));
  res.set_content(req.body, "text/plain");
}

TEST(HttpClient, RoundTripsMethodHeadersAndBody) {
  LoopbackServer s;
  s.server.Get("/echo", echo);
  s.server.Post("/echo", echo);
  s.server.Put("/echo", echo);
  s.server.Patch("/echo", echo);
  s.server.Delete("/echo", echo);
  s.start();
  Client client(fastOptions());
  for (std::string method : {"GET", "POST", "PUT", "PATCH", "DELETE"}) {
    Request r;
    r.method = method;
    r.url = s.url("/echo");
    r.headers = {{"X-Test", "value for " + method}};
    if (method != "GET") r.body = "{\"m\":\"" + method + "\"}";
    auto res = client.send(r);
    ASSERT_TRUE(res.isOk()) << res.status().toString();
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->header("x-method"), method);
    EXPECT_EQ(res->header("X-Got"), "value for " + method);
    EXPECT_EQ(res->body, r.body);
    EXPECT_EQ(res->attempts, 1);
  }
}

TEST(HttpClient, ReusesOneConnectionAcrossRequests) {
  LoopbackServer s;
  std::mutex m;
  std::vector<int> ports;
  s.server.Get("/p", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(m);
    ports.push_back(req.remote_port);
    res.set_content("ok", "text/plain");
  });
  s.start();
  Client client(fastOptions());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(client.send(get(s.url("/p"))).isOk());
  ASSERT_EQ(ports.size(), 3u);
  EXPECT_EQ(ports[0], ports[1]);
  EXPECT_EQ(ports[1], ports[2]);
}

TEST(HttpClient, StreamsALargeBodyToTheSinkWithoutKeepingIt) {
  constexpr size_t kChunk = 64 * 1024;
  constexpr size_t kChunks = 512;  // 32 MiB
  LoopbackServer s;
  s.server.Get("/big", [&](const httplib::Request&, httplib::Response& res) {
    res.set_chunked_content_provider("application/octet-stream", [](size_t offset, httplib::DataSink& sink) {
      std::string chunk(kChunk, static_cast<char>('a' + (offset / kChunk) % 26));
      for (size_t i = 0; i < kChunks; ++i) {
        if (!sink.write(chunk.data(), chunk.size())) return false;
      }
      sink.done();
      return true;
    });
  });
  s.start();
  Client client(fastOptions());
  size_t total = 0;
  size_t calls = 0;
  Request r = get(s.url("/big"));
  r.onBody = [&](std::string_view chunk) {
    total += chunk.size();
    ++calls;
    return true;
  };
  auto res = client.send(r);
  ASSERT_TRUE(res.isOk()) << res.status().toString();
  EXPECT_EQ(total, kChunk * kChunks);
  EXPECT_GT(calls, 10u);
  EXPECT_TRUE(res->body.empty());
}

TEST(HttpClient, TimesOutASlowServerAndRetriesTheTimeout) {
  LoopbackServer s;
  std::atomic<int> calls{0};
  s.server.Get("/slow", [&](const httplib::Request&, httplib::Response& res) {
    ++calls;
    std::this_thread::sleep_for(600ms);
    res.set_content("late", "text/plain");
  });
  s.start();
  ClientOptions o = fastOptions();
  o.totalTimeout = 150ms;
  o.retry.maxAttempts = 2;
  Client client(o);
  auto start = std::chrono::steady_clock::now();
  auto res = client.send(get(s.url("/slow")));
  ASSERT_FALSE(res.isOk());
  EXPECT_LT(elapsedMs(start), 550);
  EXPECT_EQ(res.status().code(), StatusCode::kIoError);
  EXPECT_NE(res.status().message().find("curl error 28"), std::string::npos) << res.status().message();
  EXPECT_NE(res.status().message().find("2 attempts"), std::string::npos) << res.status().message();
  EXPECT_EQ(calls.load(), 2);
}

TEST(HttpClient, CancelsARunningTransfer) {
  std::atomic<bool> stop{false};
  LoopbackServer s;
  s.server.Get("/drip", [&](const httplib::Request&, httplib::Response& res) {
    res.set_chunked_content_provider("text/plain", [&](size_t, httplib::DataSink& sink) {
      // Stops with the client, so the server's shutdown does not wait for the whole drip.
      for (int i = 0; i < 200 && !stop; ++i) {
        std::this_thread::sleep_for(10ms);
        if (!sink.write("x", 1)) return false;
      }
      sink.done();
      return true;
    });
  });
  s.start();
  ClientOptions o = fastOptions();
  o.cancelled = [&] { return stop.load(); };
  Client client(o);
  std::thread canceller([&] {
    std::this_thread::sleep_for(150ms);
    stop = true;
  });
  auto start = std::chrono::steady_clock::now();
  auto res = client.send(get(s.url("/drip")));
  canceller.join();
  ASSERT_FALSE(res.isOk());
  EXPECT_EQ(res.status().code(), StatusCode::kCancelled) << res.status().toString();
  EXPECT_LT(elapsedMs(start), 1000);
}

TEST(HttpClient, RetriesA503ThenSucceeds) {
  LoopbackServer s;
  std::atomic<int> calls{0};
  s.server.Get("/flaky", [&](const httplib::Request&, httplib::Response& res) {
    if (++calls <= 2) {
      res.status = 503;
      res.set_content("busy", "text/plain");
      return;
    }
    res.set_content("fine", "text/plain");
  });
  s.start();
  Client client(fastOptions());
  auto res = client.send(get(s.url("/flaky")));
  ASSERT_TRUE(res.isOk()) << res.status().toString();
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "fine");
  EXPECT_EQ(res->attempts, 3);
  EXPECT_EQ(calls.load(), 3);
}

TEST(HttpClient, HonoursRetryAfterOn429) {
  LoopbackServer s;
  std::atomic<int> calls{0};
  s.server.Get("/limited", [&](const httplib::Request&, httplib::Response& res) {
    if (++calls == 1) {
      res.status = 429;
      res.set_header("Retry-After", "1");
      return;
    }
    res.set_content("ok", "text/plain");
  });
  s.start();
  Client client(fastOptions());
  auto start = std::chrono::steady_clock::now();
  auto res = client.send(get(s.url("/limited")));
  ASSERT_TRUE(res.isOk()) << res.status().toString();
  EXPECT_EQ(res->status, 200);
  long long ms = elapsedMs(start);
  EXPECT_GE(ms, 950);  // not the 5-20 ms backoff
  EXPECT_LT(ms, 2000);
}

TEST(HttpClient, RefusesARetryAfterLongerThanThePolicyAllows) {
  LoopbackServer s;
  s.server.Get("/later", [&](const httplib::Request&, httplib::Response& res) {
    res.status = 503;
    res.set_header("Retry-After", "3600");
  });
  s.start();
  ClientOptions o = fastOptions();
  o.retry.maxServerWait = 5000ms;
  Client client(o);
  auto start = std::chrono::steady_clock::now();
  auto res = client.send(get(s.url("/later")));
  ASSERT_FALSE(res.isOk());
  EXPECT_LT(elapsedMs(start), 500);
  EXPECT_NE(res.status().message().find("asked to wait 3600 s"), std::string::npos) << res.status().message();
}

TEST(HttpClient, WaitsForTheRateLimitResetWhenNoneRemain) {
  LoopbackServer s;
  std::atomic<int> calls{0};
  s.server.Get("/quota", [&](const httplib::Request&, httplib::Response& res) {
    res.set_header("X-RateLimit-Remaining", ++calls == 1 ? "0" : "10");
    res.set_header("X-RateLimit-Reset", "1");
    res.set_content("ok", "text/plain");
  });
  s.start();
  Client client(fastOptions());
  ASSERT_TRUE(client.send(get(s.url("/quota"))).isOk());
  auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(client.send(get(s.url("/quota"))).isOk());
  EXPECT_GE(elapsedMs(start), 950);
  start = std::chrono::steady_clock::now();
  ASSERT_TRUE(client.send(get(s.url("/quota"))).isOk());  // quota left: no pause
  EXPECT_LT(elapsedMs(start), 500);
}

TEST(HttpClient, StopsAfterMaxAttemptsAndReportsTheRedactedUrl) {
  LoopbackServer s;
  std::atomic<int> calls{0};
  s.server.Get("/down", [&](const httplib::Request&, httplib::Response& res) {
    ++calls;
    res.status = 503;
  });
  s.start();
  CapturedLog log;
  ClientOptions o = fastOptions();
  o.retry.maxAttempts = 3;
  Client client(o);
  Request r = get(s.url("/down?page=2&token=abc123&api_key=k-9f8e"));
  r.headers = {{"Authorization", "Bearer topsecret-bearer"}, {"Cookie", "session=cookie-value"}};
  auto res = client.send(r);
  ASSERT_FALSE(res.isOk());
  EXPECT_EQ(calls.load(), 3);
  const std::string& m = res.status().message();
  EXPECT_NE(m.find("GET " + s.url("/down?page=2&token=REDACTED&api_key=REDACTED")), std::string::npos) << m;
  EXPECT_NE(m.find("3 attempts"), std::string::npos) << m;
  EXPECT_NE(m.find("HTTP 503"), std::string::npos) << m;
  std::string logged = log.text();
  EXPECT_NE(logged.find("retrying"), std::string::npos) << logged;
  for (const std::string& text : {m, logged}) {
    for (const char* secret : {"abc123", "k-9f8e", "topsecret-bearer", "cookie-value"}) {
      EXPECT_EQ(text.find(secret), std::string::npos) << secret << " leaked into: " << text;
    }
  }
}

TEST(HttpClient, ReportsARefusedConnectionWithoutUserinfoOrQuerySecrets) {
  int port = 0;
  {
    LoopbackServer closed;
    closed.start();
    port = closed.port();
  }  // nothing listens there any more
  CapturedLog log;
  ClientOptions o = fastOptions();
  o.retry.maxAttempts = 2;
  Client client(o);
  std::string url = "http://alice:pa55word@127.0.0.1:" + std::to_string(port) + "/x?access_token=tok-77&q=1";
  auto res = client.send(get(url));
  ASSERT_FALSE(res.isOk());
  const std::string& m = res.status().message();
  EXPECT_NE(m.find("curl error 7"), std::string::npos) << m;
  EXPECT_NE(m.find("http://REDACTED@127.0.0.1:" + std::to_string(port) + "/x?access_token=REDACTED&q=1"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("2 attempts"), std::string::npos) << m;
  for (const std::string& text : {m, log.text()}) {
    for (const char* secret : {"alice", "pa55word", "tok-77"}) {
      EXPECT_EQ(text.find(secret), std::string::npos) << secret << " leaked into: " << text;
    }
  }
}

TEST(HttpClient, UsesTheConfiguredCaBundle) {
  LoopbackServer s;
  s.start();
  ClientOptions o = fastOptions();
  o.caBundle = "/nonexistent/crmsync-test-ca.pem";
  Client client(o);
  auto res = client.send(get("https://127.0.0.1:" + std::to_string(s.port()) + "/"));
  ASSERT_FALSE(res.isOk());
  // 77: CURLE_SSL_CACERT_BADFILE; the bundle was read, and a TLS error is not retried.
  EXPECT_NE(res.status().message().find("curl error 77"), std::string::npos) << res.status().message();
  EXPECT_NE(res.status().message().find("1 attempt:"), std::string::npos) << res.status().message();
}

TEST(HttpClient, InsecureModeWarnsOnEveryRequest) {
  LoopbackServer s;
  s.server.Get("/x", [](const httplib::Request&, httplib::Response& res) { res.set_content("ok", "text/plain"); });
  s.start();
  CapturedLog log;
  ClientOptions o = fastOptions();
  o.insecure = true;
  Client client(o);
  ASSERT_TRUE(client.send(get(s.url("/x?sig=abc"))).isOk());
  ASSERT_TRUE(client.send(get(s.url("/x?sig=abc"))).isOk());
  std::string text = log.text();
  size_t count = 0;
  for (size_t pos = text.find("verification is off"); pos != std::string::npos;
       pos = text.find("verification is off", pos + 1)) {
    ++count;
  }
  EXPECT_EQ(count, 2u) << text;
  EXPECT_NE(text.find("[warning]"), std::string::npos) << text;
  EXPECT_EQ(text.find("sig=abc"), std::string::npos) << text;

  CapturedLog quiet;
  Client secure(fastOptions());
  ASSERT_TRUE(secure.send(get(s.url("/x"))).isOk());
  EXPECT_EQ(quiet.text().find("verification is off"), std::string::npos);
}

// Restores an environment variable when the test ends.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) {
      setenv(name, value, 1);
    } else {
      unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      setenv(name_, old_->c_str(), 1);
    } else {
      unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST(HttpClient, TakesTheProxyFromTheEnvironment) {
  LoopbackServer proxy;
  std::string target;
  proxy.server.set_pre_routing_handler([&](const httplib::Request& req, httplib::Response& res) {
    target = req.target;
    res.set_content("via proxy", "text/plain");
    return httplib::Server::HandlerResponse::Handled;
  });
  proxy.start();
  std::string proxyUrl = "http://127.0.0.1:" + std::to_string(proxy.port());
  ScopedEnv httpProxy("http_proxy", proxyUrl.c_str());
  ScopedEnv noProxy("no_proxy", nullptr);
  ScopedEnv noProxyUpper("NO_PROXY", nullptr);
  Client client(fastOptions());
  auto res = client.send(get("http://crm.example.invalid/contacts"));
  ASSERT_TRUE(res.isOk()) << res.status().toString();
  EXPECT_EQ(res->body, "via proxy");
  EXPECT_EQ(target, "http://crm.example.invalid/contacts");
}

}  // namespace
}  // namespace crmsync::http
