// FakeHost, the in-memory engine vendors test their plugins against.
#include <crmsync/sdk/fake_host.hpp>
#include <crmsync/sdk/plugin.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

namespace crmsync::sdk {
namespace {

using ::testing::HasSubstr;

// Emits `count` numbered records after the cursor in batches of `batch`, checks cancellation between batches,
// stages the new cursor, and fails at the end when told to.
class Counter : public Source {
 public:
  static constexpr const char* kName = "counter";
  static constexpr const char* kVersion = "1.0.0";
  static constexpr const char* kDescription = "Counts";
  static constexpr crmsync_config_key kConfigKeys[] = {
      {"count", CRMSYNC_CONFIG_INT, "3", 0, "Records per run"},
      {"batch", CRMSYNC_CONFIG_INT, "1", 0, "Records per emit"},
      {"fail_at_end", CRMSYNC_CONFIG_BOOL, "false", 0, "Fail after staging the cursor"},
      {"token", CRMSYNC_CONFIG_SECRET, nullptr, 0, "Resolved into the token_length field"},
      {"reject_every", CRMSYNC_CONFIG_INT, "0", 0, "Reject every n-th record instead of emitting it"},
  };

  void open(const Config& config, Host& host) override {
    config.bind("count", count_);
    config.bind("batch", batch_);
    config.bind("fail_at_end", failAtEnd_);
    config.bind("reject_every", rejectEvery_);
    if (config.has("token")) tokenLength_ = static_cast<int>(host.secret(config.get<std::string>("token")).size());
    host.info("opened with count " + std::to_string(count_));
  }

  void read(Host& host) override {
    int start = 0;
    if (auto c = host.cursor()) start = std::stoi(*c);
    std::vector<Record> pending;
    for (int i = start + 1; i <= start + count_; ++i) {
      if (rejectEvery_ > 0 && i % rejectEvery_ == 0) {
        host.reject("n" + std::to_string(i), "counter:" + std::to_string(i), "divisible by " + std::to_string(rejectEvery_));
        continue;
      }
      Record r;
      r.sourceKey = "n" + std::to_string(i);
      r.origin = "counter:" + std::to_string(i);
      r.set("n", std::to_string(i));
      if (tokenLength_ >= 0) r.set("token_length", std::to_string(tokenLength_));
      pending.push_back(std::move(r));
      if (static_cast<int>(pending.size()) == batch_) {
        if (host.cancelled()) throw Error(CRMSYNC_ERR_CANCELLED, "cancelled between batches");
        host.emit(pending);
        pending.clear();
      }
    }
    if (!pending.empty()) host.emit(pending);
    host.setCursor(std::to_string(start + count_));
    if (failAtEnd_) throw Error(CRMSYNC_ERR_IO, "peer went away after the last batch");
  }

 private:
  int count_ = 3;
  int batch_ = 1;
  bool failAtEnd_ = false;
  int rejectEvery_ = 0;
  int tokenLength_ = -1;
};

// open() always fails.
class Broken : public Source {
 public:
  static constexpr const char* kName = "broken";
  static constexpr const char* kVersion = "0";
  static constexpr const char* kDescription = "";
  static constexpr crmsync_config_key kConfigKeys[] = {{"path", CRMSYNC_CONFIG_STRING, nullptr, 1, ""}};
  void open(const Config& config, Host& host) override {
    (void)host;
    (void)config.get<std::string>("path");
  }
  void read(Host& host) override { (void)host; }
};

// Stand-ins for the entry point CRMSYNC_PLUGIN would generate; one binary can only export one.
const crmsync_plugin_descriptor* counterEntry(uint16_t, uint16_t) { return detail::Adapter<Counter>::descriptor(); }
const crmsync_plugin_descriptor* brokenEntry(uint16_t, uint16_t) { return detail::Adapter<Broken>::descriptor(); }
const crmsync_plugin_descriptor* nullEntry(uint16_t, uint16_t) { return nullptr; }

TEST(FakeHost, DrivesASourceAndKeepsWhatItEmitted) {
  FakeHost host;
  auto result = host.runSource(counterEntry, {{"count", "5"}, {"batch", "2"}});
  EXPECT_EQ(result.status, CRMSYNC_OK) << result.error;
  ASSERT_EQ(host.records().size(), 5u);
  EXPECT_EQ(host.emitCalls(), 3u);
  EXPECT_EQ(host.records()[0].sourceKey, "n1");
  EXPECT_EQ(host.records()[4].get("n"), "5");
  EXPECT_EQ(host.records()[4].origin, "counter:5");
  ASSERT_EQ(host.logs().size(), 1u);
  EXPECT_EQ(host.logs()[0].message, "opened with count 5");
}

TEST(FakeHost, AppliesDeclaredDefaults) {
  FakeHost host;
  auto result = host.runSource(counterEntry, {});
  EXPECT_EQ(result.status, CRMSYNC_OK) << result.error;
  EXPECT_EQ(host.records().size(), 3u);  // count defaults to "3"
}

TEST(FakeHost, CommitsTheCursorOnlyWhenTheRunSucceeds) {
  FakeHost host;
  ASSERT_EQ(host.runSource(counterEntry, {{"count", "2"}}).status, CRMSYNC_OK);
  EXPECT_EQ(host.cursor(), "2");

  host.clear();
  auto failed = host.runSource(counterEntry, {{"count", "2"}, {"fail_at_end", "true"}});
  EXPECT_EQ(failed.status, CRMSYNC_ERR_IO);
  EXPECT_EQ(failed.error, "peer went away after the last batch");
  EXPECT_EQ(host.records().size(), 2u);  // emitted, but...
  EXPECT_EQ(host.cursor(), "2");         // ...the staged "4" was not committed

  host.clear();
  ASSERT_EQ(host.runSource(counterEntry, {{"count", "2"}}).status, CRMSYNC_OK);
  EXPECT_EQ(host.records()[0].sourceKey, "n3");  // the failed run is read again
  EXPECT_EQ(host.cursor(), "4");
}

TEST(FakeHost, StartsFromAPresetCursor) {
  FakeHost host;
  host.setCursor("40");
  ASSERT_EQ(host.runSource(counterEntry, {{"count", "1"}}).status, CRMSYNC_OK);
  EXPECT_EQ(host.records()[0].sourceKey, "n41");
}

TEST(FakeHost, ResolvesSecretsFromItsTable) {
  FakeHost host;
  host.setSecret("${vault:token}", "abcdef");
  auto result = host.runSource(counterEntry, {{"count", "1"}, {"token", "${vault:token}"}});
  EXPECT_EQ(result.status, CRMSYNC_OK) << result.error;
  EXPECT_EQ(host.records()[0].get("token_length"), "6");
}

TEST(FakeHost, ResolvesEnvAndFileSecrets) {
  setenv("CRMSYNC_FAKE_HOST_TEST_TOKEN", "1234567", 1);
  char path[] = "/tmp/crmsync_fake_host_secretXXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  {
    std::ofstream out(path);
    out << "filesecret\n";  // the trailing newline is not part of the secret
  }
  FakeHost host;
  ASSERT_EQ(host.runSource(counterEntry, {{"count", "1"}, {"token", "${env:CRMSYNC_FAKE_HOST_TEST_TOKEN}"}}).status,
            CRMSYNC_OK);
  EXPECT_EQ(host.records().back().get("token_length"), "7");
  ASSERT_EQ(host.runSource(counterEntry, {{"count", "1"}, {"token", std::string("${file:") + path + "}"}}).status,
            CRMSYNC_OK);
  EXPECT_EQ(host.records().back().get("token_length"), "10");
  std::remove(path);
  unsetenv("CRMSYNC_FAKE_HOST_TEST_TOKEN");
}

TEST(FakeHost, UnresolvableSecretFailsOpen) {
  FakeHost host;
  auto result = host.runSource(counterEntry, {{"token", "${env:CRMSYNC_SURELY_UNSET_VARIABLE}"}});
  EXPECT_EQ(result.status, CRMSYNC_ERR_CONFIG);
  EXPECT_THAT(result.error, HasSubstr("secret reference could not be resolved"));
  EXPECT_TRUE(host.records().empty());
}

TEST(FakeHost, CancellationStopsTheSourceWithoutCommitting) {
  FakeHost host;
  host.cancelAfterEmits(2);
  auto result = host.runSource(counterEntry, {{"count", "10"}});
  EXPECT_EQ(result.status, CRMSYNC_ERR_CANCELLED);
  EXPECT_THAT(result.error, HasSubstr("cancelled"));
  EXPECT_EQ(host.records().size(), 2u);
  EXPECT_EQ(host.cursor(), std::nullopt);
}

TEST(FakeHost, CancellingAtOnceEmitsNothing) {
  FakeHost host;
  host.cancelAfterEmits(0);
  auto result = host.runSource(counterEntry, {{"count", "3"}});
  EXPECT_EQ(result.status, CRMSYNC_ERR_CANCELLED);
  EXPECT_TRUE(host.records().empty());
}

TEST(FakeHost, KeepsRejectedItems) {
  FakeHost host;
  ASSERT_EQ(host.runSource(counterEntry, {{"count", "6"}, {"reject_every", "3"}}).status, CRMSYNC_OK);
  EXPECT_EQ(host.records().size(), 4u);
  ASSERT_EQ(host.rejected().size(), 2u);
  EXPECT_EQ(host.rejected()[0].sourceKey, "n3");
  EXPECT_EQ(host.rejected()[1].origin, "counter:6");
  EXPECT_EQ(host.rejected()[1].reason, "divisible by 3");
}

TEST(FakeHost, ReportsOpenFailureWithItsText) {
  FakeHost host;
  auto result = host.runSource(brokenEntry, {});
  EXPECT_EQ(result.status, CRMSYNC_ERR_CONFIG);
  EXPECT_EQ(result.error, "config key 'path' is not set");
}

TEST(FakeHost, ReportsAMissingDescriptor) {
  FakeHost host;
  auto result = host.runSource(nullEntry, {});
  EXPECT_EQ(result.status, CRMSYNC_ERR_INTERNAL);
  EXPECT_THAT(result.error, HasSubstr("no descriptor"));
}

TEST(FakeHost, ClearForgetsOutputButNotTheCursor) {
  FakeHost host;
  ASSERT_EQ(host.runSource(counterEntry, {{"count", "1"}}).status, CRMSYNC_OK);
  host.clear();
  EXPECT_TRUE(host.records().empty());
  EXPECT_TRUE(host.logs().empty());
  EXPECT_EQ(host.emitCalls(), 0u);
  EXPECT_EQ(host.cursor(), "1");
}

}  // namespace
}  // namespace crmsync::sdk
