#include "pipeline/source_host.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>

namespace crmsync::pipeline {
namespace {

class SourceHostTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out_);
    previous_ = spdlog::default_logger();
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("capture", sink));
    spdlog::set_level(spdlog::level::debug);
  }
  void TearDown() override { spdlog::set_default_logger(previous_); }

  std::ostringstream out_;
  std::shared_ptr<spdlog::logger> previous_;
  config::PipelineSpec spec_;
  std::map<std::string, SourceStats> stats_;
  RunOptions options_;
};

TEST_F(SourceHostTest, MasksSecretValuesInPluginLogLines) {
  RunContext run{spec_, nullptr, stats_};
  SourceHost host("crm", "/tmp", std::nullopt, {}, nullptr, run, options_, {"tok-SECRET-123"});
  host.log(CRMSYNC_LOG_WARN, "GET https://api.example.com/?token=tok-SECRET-123 failed; token tok-SECRET-123");
  EXPECT_EQ(out_.str().find("tok-SECRET-123"), std::string::npos) << out_.str();
  EXPECT_NE(out_.str().find("[crm] GET https://api.example.com/?token=*** failed; token ***"), std::string::npos)
      << out_.str();
}

TEST_F(SourceHostTest, MasksSecretsThePluginLookedUp) {
  setenv("CRMSYNC_TEST_API_KEY", "key-abcdef-987", 1);
  RunContext run{spec_, nullptr, stats_};
  SourceHost host("crm", "/tmp", std::nullopt, {}, nullptr, run, options_, {});
  auto value = host.secret("${env:CRMSYNC_TEST_API_KEY}");
  ASSERT_TRUE(value.has_value());
  EXPECT_EQ(*value, "key-abcdef-987");
  host.log(CRMSYNC_LOG_INFO, "using key-abcdef-987");
  EXPECT_EQ(out_.str().find("key-abcdef-987"), std::string::npos) << out_.str();
  EXPECT_FALSE(host.secret("${env:CRMSYNC_TEST_NOT_SET_ANYWHERE}").has_value());
}

TEST_F(SourceHostTest, GivesThePluginsHttpClientTheSourcesSettings) {
  RunContext run{spec_, nullptr, stats_};
  SourceHost host("crm", "/tmp", std::nullopt, {}, nullptr, run, options_, {});
  const http::ClientOptions defaults;
  auto before = host.httpOptions();
  EXPECT_TRUE(before.caBundle.empty());
  EXPECT_FALSE(before.insecure);
  EXPECT_EQ(before.retry.maxAttempts, defaults.retry.maxAttempts);
  config::SourceHttpSpec http;
  http.caBundle = "/etc/crmsync/corp.pem";
  http.insecure = true;
  http.timeoutSeconds = 1.5;
  http.connectTimeoutSeconds = 2;
  http.maxAttempts = 7;
  host.setHttp(http);
  auto after = host.httpOptions();
  EXPECT_EQ(after.caBundle, "/etc/crmsync/corp.pem");
  EXPECT_TRUE(after.insecure);
  EXPECT_EQ(after.totalTimeout, std::chrono::milliseconds(1500));
  EXPECT_EQ(after.connectTimeout, std::chrono::milliseconds(2000));
  EXPECT_EQ(after.retry.maxAttempts, 7);
}

TEST_F(SourceHostTest, CursorIsStagedOverTheCommittedOne) {
  RunContext run{spec_, nullptr, stats_};
  SourceHost host("crm", "/tmp", std::string("old"), {}, nullptr, run, options_, {});
  EXPECT_STREQ(host.getCursor(), "old");
  EXPECT_EQ(host.setCursor("new"), CRMSYNC_OK);
  EXPECT_STREQ(host.getCursor(), "new");
  EXPECT_EQ(*host.stagedCursor(), "new");
}

TEST_F(SourceHostTest, CancelledRunRefusesEmits) {
  std::atomic<bool> cancel{true};
  options_.cancel = &cancel;
  RunContext run{spec_, nullptr, stats_};
  SourceHost host("crm", "/tmp", std::nullopt, {}, nullptr, run, options_, {});
  crmsync_record r{};
  EXPECT_EQ(host.emit(&r, 1), CRMSYNC_ERR_CANCELLED);
}

}  // namespace
}  // namespace crmsync::pipeline
