// The HTTP part of the SDK: sdk::Host::http over the http_request slot, and FakeHost's canned responses.
#include <crmsync/sdk/fake_host.hpp>
#include <crmsync/sdk/plugin.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstddef>
#include <string>

namespace crmsync::sdk {
namespace {

using ::testing::HasSubstr;

// Pages through "<base_url>/items?page=N" with a bearer token until a page says "end", one record per line;
// stream=true reads each page through onBody instead.
class PagedSource : public Source {
 public:
  static constexpr const char* kName = "paged";
  static constexpr const char* kVersion = "1.0.0";
  static constexpr const char* kDescription = "Pages through an API";
  static constexpr crmsync_config_key kConfigKeys[] = {
      {"base_url", CRMSYNC_CONFIG_STRING, nullptr, 1, "API root"},
      {"token", CRMSYNC_CONFIG_SECRET, nullptr, 1, "Bearer token"},
      {"stream", CRMSYNC_CONFIG_BOOL, "false", 0, "Stream pages"},
  };

  void open(const Config& config, Host& host) override {
    (void)host;
    config.bind("base_url", baseUrl_);
    config.bind("token", token_);
    config.bind("stream", stream_);
  }

  void read(Host& host) override {
    for (int page = 1;; ++page) {
      HttpRequest r;
      r.url = baseUrl_ + "/items?page=" + std::to_string(page);
      r.headers = {{"Authorization", "Bearer " + token_}, {"Accept", "text/plain"}};
      std::string body;
      if (stream_) {
        r.onBody = [&](std::string_view chunk) {
          ++chunks_;
          body.append(chunk);
          return true;
        };
      }
      HttpResponse res = host.http(r);
      if (res.status == 401) throw Error(CRMSYNC_ERR_AUTH, "token refused");
      if (!stream_) body = res.body;
      if (body == "end") break;
      std::vector<Record> batch;
      size_t start = 0;
      while (start < body.size()) {
        size_t nl = body.find('\n', start);
        if (nl == std::string::npos) nl = body.size();
        Record rec;
        rec.sourceKey = body.substr(start, nl - start);
        rec.origin = "paged:" + std::to_string(page);
        rec.set("etag", res.header("etag"));
        rec.set("chunks", std::to_string(chunks_));
        batch.push_back(std::move(rec));
        start = nl + 1;
      }
      host.emit(batch);
    }
  }

 private:
  std::string baseUrl_;
  std::string token_;
  bool stream_ = false;
  int chunks_ = 0;
};

const crmsync_plugin_descriptor* pagedEntry(uint16_t, uint16_t) { return detail::Adapter<PagedSource>::descriptor(); }

TEST(FakeHostHttp, AnswersRequestsFromItsQueueInOrder) {
  FakeHost host;
  host.queueHttpResponse(200, "a\nb", {{"ETag", "\"v1\""}});
  host.queueHttpResponse(200, "c");
  host.queueHttpResponse(200, "end");
  auto result = host.runSource(pagedEntry, {{"base_url", "https://api.example.com"}, {"token", "t0k"}});
  ASSERT_EQ(result.status, CRMSYNC_OK) << result.error;
  ASSERT_EQ(host.records().size(), 3u);
  EXPECT_EQ(host.records()[0].sourceKey, "a");
  EXPECT_EQ(host.records()[0].get("etag"), "\"v1\"");
  EXPECT_EQ(host.records()[2].get("etag"), std::nullopt);
  ASSERT_EQ(host.httpCalls().size(), 3u);
  EXPECT_EQ(host.httpCalls()[0].method, "GET");
  EXPECT_EQ(host.httpCalls()[1].url, "https://api.example.com/items?page=2");
  EXPECT_EQ(host.httpCalls()[0].header("authorization"), "Bearer t0k");
  EXPECT_EQ(host.pendingHttpResponses(), 0u);
  EXPECT_EQ(host.unreleasedHttpResponses(), 0);
}

TEST(FakeHostHttp, StreamsCannedBodiesInChunks) {
  FakeHost host;
  std::string big;
  for (int i = 0; i < 2000; ++i) big += "k" + std::to_string(i) + (i + 1 < 2000 ? "\n" : "");
  host.queueHttpResponse(200, big);
  host.queueHttpResponse(200, "end");
  auto result = host.runSource(pagedEntry, {{"base_url", "https://x"}, {"token", "t"}, {"stream", "true"}});
  ASSERT_EQ(result.status, CRMSYNC_OK) << result.error;
  ASSERT_EQ(host.records().size(), 2000u);
  EXPECT_EQ(host.records().back().sourceKey, "k1999");
  EXPECT_GT(std::stoi(*host.records()[0].get("chunks")), 1);
  EXPECT_EQ(host.unreleasedHttpResponses(), 0);
}

TEST(FakeHostHttp, HandsHttpErrorStatusesToThePlugin) {
  FakeHost host;
  host.queueHttpResponse(401, "");
  auto result = host.runSource(pagedEntry, {{"base_url", "https://x"}, {"token", "bad"}});
  EXPECT_EQ(result.status, CRMSYNC_ERR_AUTH);
  EXPECT_THAT(result.error, HasSubstr("token refused"));
  EXPECT_EQ(host.unreleasedHttpResponses(), 0);
}

TEST(FakeHostHttp, ReportsQueuedFailuresWithTheirText) {
  FakeHost host;
  host.queueHttpError(CRMSYNC_ERR_IO, "GET https://x/items?page=1 failed after 4 attempts: HTTP 503");
  auto result = host.runSource(pagedEntry, {{"base_url", "https://x"}, {"token", "t"}});
  EXPECT_EQ(result.status, CRMSYNC_ERR_IO);
  EXPECT_THAT(result.error, HasSubstr("4 attempts: HTTP 503"));
  EXPECT_EQ(host.unreleasedHttpResponses(), 0);
}

TEST(FakeHostHttp, SaysWhenNoCannedResponseIsLeft) {
  FakeHost host;
  host.queueHttpResponse(200, "a");
  auto result = host.runSource(pagedEntry, {{"base_url", "https://x"}, {"token", "t"}});
  EXPECT_EQ(result.status, CRMSYNC_ERR_IO);
  EXPECT_THAT(result.error, HasSubstr("no canned HTTP response left for GET https://x/items?page=2"));
  EXPECT_EQ(host.records().size(), 1u);
  EXPECT_EQ(host.unreleasedHttpResponses(), 0);
}

TEST(FakeHostHttp, CancelledRunsGetNoAnswer) {
  FakeHost host;
  host.cancelAfterEmits(0);
  host.queueHttpResponse(200, "a");
  auto result = host.runSource(pagedEntry, {{"base_url", "https://x"}, {"token", "t"}});
  EXPECT_EQ(result.status, CRMSYNC_ERR_CANCELLED);
  EXPECT_EQ(host.pendingHttpResponses(), 1u);
}

TEST(SdkHost, HttpIsUnsupportedOnAHostOlderThanAbi11) {
  FakeHost fake;
  crmsync_host_api old = *fake.api();
  old.struct_size = static_cast<uint32_t>(offsetof(crmsync_host_api, http_request));
  old.abi_minor = 0;
  Host host(&old, fake.ctx());
  EXPECT_FALSE(host.hasHttp());
  try {
    HttpRequest r;
    r.url = "https://x";
    (void)host.http(r);
    FAIL() << "expected sdk::Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), CRMSYNC_ERR_UNSUPPORTED);
    EXPECT_THAT(e.what(), HasSubstr("ABI 1.1"));
  }
  EXPECT_TRUE(Host(fake.api(), fake.ctx()).hasHttp());
}

}  // namespace
}  // namespace crmsync::sdk
