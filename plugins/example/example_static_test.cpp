// example_static against the SDK's fake host: what every plugin's own tests look like.
#include <crmsync/sdk/fake_host.hpp>
#include <crmsync/plugin_abi.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

extern "C" const crmsync_plugin_descriptor* crmsync_plugin_entry(uint16_t, uint16_t);

namespace {

using ::testing::HasSubstr;

const char* kRows =
    R"(["id=c1;name=Ada Lovelace;email=ada@example.com;updated_at=2024-05-01T10:00:00Z",)"
    R"( "id=c2;name=Grace Hopper;phone",)"
    R"( "name=No Key",)"
    R"( "id=c3;name=Katherine Johnson"])";

TEST(ExampleStatic, EmitsConfiguredRowsAndRejectsRowsWithoutKey) {
  crmsync::sdk::FakeHost host;
  auto result = host.runSource(crmsync_plugin_entry, {{"rows", kRows}});
  ASSERT_EQ(result.status, CRMSYNC_OK) << result.error;

  ASSERT_EQ(host.records().size(), 3u);
  const auto& ada = host.records()[0];
  EXPECT_EQ(ada.entity, "customer");
  EXPECT_EQ(ada.sourceKey, "c1");
  EXPECT_EQ(ada.updatedAt, "2024-05-01T10:00:00Z");
  EXPECT_EQ(ada.origin, "example_static:rows[0]");
  EXPECT_EQ(ada.get("email"), "ada@example.com");
  EXPECT_TRUE(host.records()[1].has("phone"));
  EXPECT_EQ(host.records()[1].get("phone"), std::nullopt);
  EXPECT_EQ(host.records()[1].updatedAt, std::nullopt);

  ASSERT_EQ(host.rejected().size(), 1u);
  EXPECT_EQ(host.rejected()[0].origin, "example_static:rows[2]");
  EXPECT_THAT(host.rejected()[0].reason, HasSubstr("no 'id' field"));
  EXPECT_EQ(host.rejected()[0].raw, "name=No Key");
  EXPECT_EQ(host.cursor(), "4");
}

TEST(ExampleStatic, SecondRunEmitsOnlyAppendedRows) {
  crmsync::sdk::FakeHost host;
  ASSERT_EQ(host.runSource(crmsync_plugin_entry, {{"rows", R"(["id=a", "id=b"])"}}).status, CRMSYNC_OK);
  host.clear();
  ASSERT_EQ(host.runSource(crmsync_plugin_entry, {{"rows", R"(["id=a", "id=b", "id=c"])"}}).status, CRMSYNC_OK);
  ASSERT_EQ(host.records().size(), 1u);
  EXPECT_EQ(host.records()[0].sourceKey, "c");
  EXPECT_EQ(host.cursor(), "3");
}

TEST(ExampleStatic, BatchesAndHonoursEntityAndKeyField) {
  crmsync::sdk::FakeHost host;
  auto result = host.runSource(crmsync_plugin_entry, {{"rows", R"(["no=1", "no=2", "no=3"])"},
                                                      {"entity", "order"},
                                                      {"key_field", "no"},
                                                      {"batch_size", "2"}});
  ASSERT_EQ(result.status, CRMSYNC_OK) << result.error;
  EXPECT_EQ(host.emitCalls(), 2u);
  ASSERT_EQ(host.records().size(), 3u);
  EXPECT_EQ(host.records()[2].entity, "order");
  EXPECT_EQ(host.records()[2].sourceKey, "3");
}

TEST(ExampleStatic, CancellationStopsBeforeCommitting) {
  crmsync::sdk::FakeHost host;
  host.cancelAfterEmits(1);
  auto result = host.runSource(crmsync_plugin_entry, {{"rows", R"(["id=1", "id=2", "id=3"])"}, {"batch_size", "1"}});
  EXPECT_EQ(result.status, CRMSYNC_ERR_CANCELLED);
  EXPECT_EQ(host.records().size(), 1u);
  EXPECT_EQ(host.cursor(), std::nullopt);
}

TEST(ExampleStatic, ConfigErrorsNameTheKey) {
  crmsync::sdk::FakeHost host;
  auto missing = host.runSource(crmsync_plugin_entry, {});
  EXPECT_EQ(missing.status, CRMSYNC_ERR_CONFIG);
  EXPECT_THAT(missing.error, HasSubstr("config key 'rows'"));
  auto badBatch = host.runSource(crmsync_plugin_entry, {{"rows", "[]"}, {"batch_size", "0"}});
  EXPECT_EQ(badBatch.status, CRMSYNC_ERR_CONFIG);
  EXPECT_THAT(badBatch.error, HasSubstr("config key 'batch_size' must be at least 1"));
}

TEST(ExampleStatic, BadCursorIsADataError) {
  crmsync::sdk::FakeHost host;
  host.setCursor("yesterday");
  auto result = host.runSource(crmsync_plugin_entry, {{"rows", R"(["id=1"])"}});
  EXPECT_EQ(result.status, CRMSYNC_ERR_DATA);
  EXPECT_THAT(result.error, HasSubstr("stored cursor 'yesterday'"));
}

}  // namespace
