#include "crmsync/plugin/host_context.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "crmsync/plugin/registry.hpp"
#include "unit/plugin/recording_context.hpp"

namespace crmsync::plugin {
namespace {

using ::testing::HasSubstr;
using testing::RecordingContext;

std::string fixture(const std::string& name) { return std::string(CRMSYNC_FIXTURE_PLUGIN_DIR) + "/" + name + ".so"; }

TEST(HostApi, DeclaresItsAbiVersionAndSize) {
  const crmsync_host_api* api = hostApi();
  ASSERT_NE(api, nullptr);
  EXPECT_EQ(api->struct_size, sizeof(crmsync_host_api));
  EXPECT_EQ(api->abi_major, CRMSYNC_ABI_MAJOR);
  EXPECT_EQ(api->abi_minor, CRMSYNC_ABI_MINOR);
  EXPECT_EQ(api, hostApi());  // static storage: one table for the process
}

TEST(HostApi, ForwardsEveryCallToTheContext) {
  const crmsync_host_api* api = hostApi();
  RecordingContext ctx;
  crmsync_host_ctx* h = ctx.handle();

  crmsync_field fields[] = {{"name", "Ada"}, {"phone", nullptr}};
  crmsync_record rec{sizeof(crmsync_record), "customer", "c1", "2024-05-01T00:00:00Z", "test:1", fields, 2};
  EXPECT_EQ(api->emit(h, &rec, 1), CRMSYNC_OK);
  ASSERT_EQ(ctx.records.size(), 1u);
  EXPECT_EQ(ctx.records[0].sourceKey, "c1");
  EXPECT_EQ(ctx.records[0].get("name"), "Ada");
  EXPECT_EQ(ctx.records[0].fields[1].second, std::nullopt);

  crmsync_rejected rej{sizeof(crmsync_rejected), "c2", "test:2", "no email", "raw"};
  EXPECT_EQ(api->reject(h, &rej), CRMSYNC_OK);
  ASSERT_EQ(ctx.rejected.size(), 1u);
  EXPECT_EQ(ctx.rejected[0].second, "no email");

  EXPECT_EQ(api->get_cursor(h), nullptr);
  ctx.committed = "41";
  EXPECT_STREQ(api->get_cursor(h), "41");
  EXPECT_EQ(api->set_cursor(h, "42"), CRMSYNC_OK);
  EXPECT_STREQ(api->get_cursor(h), "42");

  api->log(h, CRMSYNC_LOG_WARN, "careful");
  api->log(h, 99, "clamped");
  api->log(h, CRMSYNC_LOG_INFO, nullptr);
  ASSERT_EQ(ctx.logs.size(), 3u);
  EXPECT_EQ(ctx.logs[0], std::make_pair(CRMSYNC_LOG_WARN, std::string("careful")));
  EXPECT_EQ(ctx.logs[1].first, CRMSYNC_LOG_ERROR);
  EXPECT_EQ(ctx.logs[2].second, "");

  EXPECT_EQ(api->is_cancelled(h), 0);
  ctx.cancel = true;
  EXPECT_EQ(api->is_cancelled(h), 1);
  EXPECT_EQ(api->emit(h, &rec, 1), CRMSYNC_ERR_CANCELLED);
}

TEST(HostApi, GetSecretReportsNeededLengthAndCopiesOnlyWhenItFits) {
  const crmsync_host_api* api = hostApi();
  RecordingContext ctx;
  ctx.secrets["${env:TOKEN}"] = "s3cret";  // 6 bytes

  size_t needed = 0;
  EXPECT_EQ(api->get_secret(ctx.handle(), "${env:TOKEN}", nullptr, 0, &needed), CRMSYNC_OK);
  EXPECT_EQ(needed, 6u);

  // Exactly the length is one byte short of room for the NUL: nothing of the secret is written.
  char small[6 + 4];
  std::memset(small, 'x', sizeof(small));
  EXPECT_EQ(api->get_secret(ctx.handle(), "${env:TOKEN}", small, 6, &needed), CRMSYNC_OK);
  EXPECT_EQ(needed, 6u);
  EXPECT_EQ(small[0], '\0');
  EXPECT_EQ(std::string(small + 1, 9), std::string(9, 'x'));

  char fits[7 + 3];
  std::memset(fits, 'x', sizeof(fits));
  EXPECT_EQ(api->get_secret(ctx.handle(), "${env:TOKEN}", fits, 7, &needed), CRMSYNC_OK);
  EXPECT_EQ(needed, 6u);
  EXPECT_STREQ(fits, "s3cret");
  EXPECT_EQ(std::string(fits + 7, 3), "xxx");  // not a byte past capacity
}

TEST(HostApi, GetSecretOfUnknownReferenceIsConfigError) {
  RecordingContext ctx;
  char buf[16];
  size_t needed = 99;
  EXPECT_EQ(hostApi()->get_secret(ctx.handle(), "${env:NOPE}", buf, sizeof(buf), &needed), CRMSYNC_ERR_CONFIG);
  EXPECT_EQ(needed, 0u);
  EXPECT_EQ(hostApi()->get_secret(ctx.handle(), nullptr, buf, sizeof(buf), &needed), CRMSYNC_ERR_CONFIG);
}

TEST(HostApi, NullArgumentsAreErrorsNotCrashes) {
  const crmsync_host_api* api = hostApi();
  RecordingContext ctx;
  EXPECT_EQ(api->emit(nullptr, nullptr, 0), CRMSYNC_ERR_INTERNAL);
  EXPECT_EQ(api->emit(ctx.handle(), nullptr, 3), CRMSYNC_ERR_INTERNAL);
  EXPECT_EQ(api->emit(ctx.handle(), nullptr, 0), CRMSYNC_OK);
  EXPECT_EQ(api->reject(ctx.handle(), nullptr), CRMSYNC_ERR_INTERNAL);
  EXPECT_EQ(api->get_cursor(nullptr), nullptr);
  EXPECT_EQ(api->set_cursor(nullptr, "x"), CRMSYNC_ERR_INTERNAL);
  api->log(nullptr, CRMSYNC_LOG_INFO, "dropped");
  char buf[4];
  EXPECT_EQ(api->get_secret(ctx.handle(), "${env:X}", buf, sizeof(buf), nullptr), CRMSYNC_ERR_INTERNAL);
  EXPECT_EQ(api->is_cancelled(nullptr), 1);
}

TEST(HostApi, ContextExceptionsBecomeStatusesNotUnwinding) {
  const crmsync_host_api* api = hostApi();
  RecordingContext ctx;
  ctx.throwEverywhere = true;
  crmsync_host_ctx* h = ctx.handle();
  crmsync_record rec{sizeof(crmsync_record), "customer", "c1", nullptr, "o", nullptr, 0};
  crmsync_rejected rej{sizeof(crmsync_rejected), nullptr, "o", "r", nullptr};
  size_t needed = 0;
  char buf[8];
  EXPECT_EQ(api->emit(h, &rec, 1), CRMSYNC_ERR_INTERNAL);
  EXPECT_EQ(api->reject(h, &rej), CRMSYNC_ERR_INTERNAL);
  EXPECT_EQ(api->get_cursor(h), nullptr);
  EXPECT_EQ(api->set_cursor(h, "1"), CRMSYNC_ERR_INTERNAL);
  api->log(h, CRMSYNC_LOG_ERROR, "swallowed");
  EXPECT_EQ(api->get_secret(h, "${env:X}", buf, sizeof(buf), &needed), CRMSYNC_ERR_INTERNAL);
  EXPECT_EQ(api->is_cancelled(h), 1);
}

// Drives a loaded plugin the way the pipeline does: open with its config, then read, through hostApi().
class LoadedPluginRun : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(registry_.loadFile(fixture("good_source")).isOk());
    ASSERT_TRUE(registry_.loadFile(fixture("good_stage")).isOk());
  }
  const crmsync_plugin_descriptor& descriptor(const std::string& name) {
    return registry_.find(name)->descriptor();
  }
  void* open(const std::string& name, const std::map<std::string, std::string>& config) {
    entries_.clear();
    for (const auto& [k, v] : config) entries_.push_back({k.c_str(), v.c_str()});
    void* instance = nullptr;
    crmsync_status st = descriptor(name).open(hostApi(), ctx_.handle(), entries_.data(), entries_.size(), &instance);
    EXPECT_EQ(st, CRMSYNC_OK) << descriptor(name).last_error(nullptr);
    return instance;
  }

  PluginRegistry registry_;
  RecordingContext ctx_;
  std::vector<crmsync_config_entry> entries_;
};

TEST_F(LoadedPluginRun, SourceEmitReachesTheContext) {
  ctx_.committed = "10";
  ctx_.secrets["${env:GOOD_KEY}"] = "k";
  const std::map<std::string, std::string> config{
      {"count", "3"}, {"api_key", "${env:GOOD_KEY}"}, {"tags", R"(["vip","eu"])"}, {"verbose", "true"}};
  void* instance = open("good_source", config);
  ASSERT_NE(instance, nullptr);
  const auto& d = descriptor("good_source");
  EXPECT_EQ(d.read(instance), CRMSYNC_OK) << d.last_error(instance);
  d.close(instance);

  ASSERT_EQ(ctx_.records.size(), 3u);
  EXPECT_EQ(ctx_.emitCalls, 3);
  EXPECT_EQ(ctx_.records[0].sourceKey, "gs-11");
  EXPECT_EQ(ctx_.records[2].sourceKey, "gs-13");
  EXPECT_EQ(ctx_.records[0].entity, "customer");
  EXPECT_EQ(ctx_.records[0].get("tags"), "vip,eu");
  EXPECT_EQ(ctx_.records[0].get("authenticated"), "yes");
  EXPECT_EQ(ctx_.records[0].get("email"), std::nullopt);
  EXPECT_EQ(ctx_.staged, "13");
  ASSERT_EQ(ctx_.logs.size(), 3u);
  EXPECT_EQ(ctx_.logs[0].second, "emitted gs-11");
}

TEST_F(LoadedPluginRun, SourceSeesCancellationAsAStatus) {
  ctx_.cancel = true;
  void* instance = open("good_source", {{"count", "5"}});
  ASSERT_NE(instance, nullptr);
  const auto& d = descriptor("good_source");
  EXPECT_EQ(d.read(instance), CRMSYNC_ERR_CANCELLED);
  EXPECT_THAT(d.last_error(instance), HasSubstr("cancelled"));
  d.close(instance);
  EXPECT_TRUE(ctx_.records.empty());
  EXPECT_EQ(ctx_.staged, std::nullopt);
}

TEST_F(LoadedPluginRun, OpenFailureIsReportedThroughLastError) {
  void* instance = reinterpret_cast<void*>(0x1);
  const auto& d = descriptor("good_source");
  crmsync_config_entry bad{"count", "many"};
  EXPECT_EQ(d.open(hostApi(), ctx_.handle(), &bad, 1, &instance), CRMSYNC_ERR_CONFIG);
  EXPECT_EQ(instance, nullptr);
  EXPECT_THAT(d.last_error(nullptr), HasSubstr("config key 'count'"));
}

TEST_F(LoadedPluginRun, StageEmitsItsOutputThroughTheContext) {
  void* instance = open("good_stage", {{"suffix", "?"}});
  ASSERT_NE(instance, nullptr);
  const auto& d = descriptor("good_stage");
  crmsync_field f1[] = {{"name", "Ada"}, {"email", nullptr}};
  crmsync_field f2[] = {{"name", "Grace"}};
  crmsync_record batch[] = {{sizeof(crmsync_record), "customer", "a", nullptr, "in:1", f1, 2},
                            {sizeof(crmsync_record), "customer", "g", "2024-01-01", "in:2", f2, 1}};
  EXPECT_EQ(d.process(instance, batch, 2), CRMSYNC_OK) << d.last_error(instance);
  d.close(instance);
  ASSERT_EQ(ctx_.records.size(), 2u);
  EXPECT_EQ(ctx_.emitCalls, 1);
  EXPECT_EQ(ctx_.records[0].get("name"), "Ada?");
  EXPECT_EQ(ctx_.records[1].get("name"), "Grace?");
  EXPECT_EQ(ctx_.records[1].updatedAt, "2024-01-01");
  EXPECT_EQ(ctx_.records[0].origin, "in:1");
}

}  // namespace
}  // namespace crmsync::plugin
