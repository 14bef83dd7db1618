// The http_request slot of the engine's host table, against a loopback server.
#include "crmsync/plugin/host_context.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "unit/http/loopback_server.hpp"
#include "unit/plugin/recording_context.hpp"

namespace crmsync::plugin {
namespace {

using ::testing::HasSubstr;
using testing::RecordingContext;

crmsync_http_response emptyResponse() {
  crmsync_http_response r{};
  r.struct_size = sizeof(r);
  return r;
}

TEST(HostHttp, SendsTheRequestAndHandsBackAHostOwnedResponse) {
  http::testing::LoopbackServer s;
  s.server.Post("/notes", [](const httplib::Request& req, httplib::Response& res) {
    res.status = 201;
    res.set_header("X-Seen-Auth", req.get_header_value("Authorization") == "Bearer t" ? "yes" : "no");
    res.set_content("created:" + req.body, "text/plain");
  });
  s.start();
  RecordingContext ctx;
  std::string url = s.url("/notes");
  crmsync_http_header headers[] = {{"Authorization", "Bearer t"}, {"Content-Type", "text/plain"}};
  crmsync_http_request req{};
  req.struct_size = sizeof(req);
  req.method = "POST";
  req.url = url.c_str();
  req.headers = headers;
  req.header_count = 2;
  req.body = "hello";
  req.body_size = 5;
  crmsync_http_response res = emptyResponse();
  ASSERT_EQ(hostApi()->http_request(ctx.handle(), &req, &res), CRMSYNC_OK) << (res.error ? res.error : "");
  EXPECT_EQ(res.status, 201);
  ASSERT_NE(res.body, nullptr);
  EXPECT_EQ(std::string(res.body, res.body_size), "created:hello");
  bool sawHeader = false;
  for (size_t i = 0; i < res.header_count; ++i) {
    if (std::string(res.headers[i].name) == "X-Seen-Auth") sawHeader = std::string(res.headers[i].value) == "yes";
  }
  EXPECT_TRUE(sawHeader);
  ASSERT_NE(res.release, nullptr);
  res.release(&res);
  EXPECT_EQ(res.body, nullptr);
  EXPECT_EQ(res.release, nullptr);
}

int32_t countBytes(void* user, const char*, size_t size) {
  *static_cast<size_t*>(user) += size;
  return 0;
}

TEST(HostHttp, StreamsTheBodyThroughOnBody) {
  http::testing::LoopbackServer s;
  s.server.Get("/big", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(std::string(3 * 1024 * 1024, 'z'), "application/octet-stream");
  });
  s.start();
  RecordingContext ctx;
  std::string url = s.url("/big");
  size_t received = 0;
  crmsync_http_request req{};
  req.struct_size = sizeof(req);
  req.url = url.c_str();
  req.on_body = &countBytes;
  req.user = &received;
  crmsync_http_response res = emptyResponse();
  ASSERT_EQ(hostApi()->http_request(ctx.handle(), &req, &res), CRMSYNC_OK);
  EXPECT_EQ(received, 3u * 1024 * 1024);
  EXPECT_EQ(res.body_size, 0u);
  res.release(&res);
}

TEST(HostHttp, ReportsFailuresWithARedactedErrorTheCallerReleases) {
  int port = 0;
  {
    http::testing::LoopbackServer closed;
    closed.start();
    port = closed.port();
  }
  RecordingContext ctx;
  std::string url = "http://u:secretpw@127.0.0.1:" + std::to_string(port) + "/x?token=abc";
  crmsync_http_request req{};
  req.struct_size = sizeof(req);
  req.url = url.c_str();
  req.timeout_ms = 500;
  crmsync_http_response res = emptyResponse();
  crmsync_status st = hostApi()->http_request(ctx.handle(), &req, &res);
  EXPECT_EQ(st, CRMSYNC_ERR_IO);
  ASSERT_NE(res.error, nullptr);
  std::string error = res.error;
  EXPECT_THAT(error, HasSubstr("token=REDACTED"));
  EXPECT_EQ(error.find("secretpw"), std::string::npos) << error;
  EXPECT_EQ(error.find("abc"), std::string::npos) << error;
  ASSERT_NE(res.release, nullptr);
  res.release(&res);
}

TEST(HostHttp, RefusesMalformedRequests) {
  RecordingContext ctx;
  crmsync_http_request req{};
  req.struct_size = sizeof(req);
  crmsync_http_response res = emptyResponse();
  EXPECT_EQ(hostApi()->http_request(ctx.handle(), &req, &res), CRMSYNC_ERR_CONFIG);
  EXPECT_THAT(res.error, HasSubstr("no URL"));
  res.release(&res);
  EXPECT_EQ(hostApi()->http_request(nullptr, &req, &res), CRMSYNC_ERR_INTERNAL);
  EXPECT_EQ(hostApi()->http_request(ctx.handle(), &req, nullptr), CRMSYNC_ERR_INTERNAL);
}

TEST(HostHttp, StopsWhenTheRunIsCancelled) {
  http::testing::LoopbackServer s;
  s.server.Get("/x", [](const httplib::Request&, httplib::Response& res) { res.set_content("ok", "text/plain"); });
  s.start();
  RecordingContext ctx;
  ctx.cancel = true;
  std::string url = s.url("/x");
  crmsync_http_request req{};
  req.struct_size = sizeof(req);
  req.url = url.c_str();
  crmsync_http_response res = emptyResponse();
  EXPECT_EQ(hostApi()->http_request(ctx.handle(), &req, &res), CRMSYNC_ERR_CANCELLED);
  if (res.release) res.release(&res);
}

}  // namespace
}  // namespace crmsync::plugin
