#include "plugin/descriptor_check.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

namespace crmsync::plugin {
namespace {

using ::testing::HasSubstr;

crmsync_status openStub(const crmsync_host_api*, crmsync_host_ctx*, const crmsync_config_entry*, size_t, void**) {
  return CRMSYNC_OK;
}
crmsync_status readStub(void*) { return CRMSYNC_OK; }
crmsync_status processStub(void*, const crmsync_record*, size_t) { return CRMSYNC_OK; }
void closeStub(void*) {}
const char* lastErrorStub(void*) { return ""; }

crmsync_plugin_descriptor valid(int32_t kind = CRMSYNC_KIND_SOURCE) {
  crmsync_plugin_descriptor d{};
  d.struct_size = sizeof(d);
  d.abi_major = CRMSYNC_ABI_MAJOR;
  d.abi_minor = CRMSYNC_ABI_MINOR;
  d.name = "ok_plugin";
  d.version = "1";
  d.kind = kind;
  d.open = openStub;
  d.read = kind == CRMSYNC_KIND_SOURCE ? readStub : nullptr;
  d.process = kind == CRMSYNC_KIND_SOURCE ? nullptr : processStub;
  d.close = closeStub;
  d.last_error = lastErrorStub;
  return d;
}

std::string refusal(const crmsync_plugin_descriptor& d) {
  auto r = checkDescriptor(&d, CRMSYNC_ABI_MAJOR, CRMSYNC_ABI_MINOR);
  EXPECT_FALSE(r.isOk());
  if (r.isOk()) return "";
  EXPECT_EQ(r.status().code(), StatusCode::kPluginError);
  return r.status().message();
}

TEST(DescriptorCheck, TheAbi10SizeIsTheWholeCurrentStruct) {
  EXPECT_EQ(kDescriptorSizeV1_0, sizeof(crmsync_plugin_descriptor));
}

TEST(DescriptorCheck, AcceptsEveryKindWithItsCallbacks) {
  for (int32_t kind : {CRMSYNC_KIND_SOURCE, CRMSYNC_KIND_STAGE, CRMSYNC_KIND_SINK}) {
    auto d = valid(kind);
    auto r = checkDescriptor(&d, CRMSYNC_ABI_MAJOR, CRMSYNC_ABI_MINOR);
    ASSERT_TRUE(r.isOk()) << r.status().message();
    EXPECT_EQ(r->info.kind, kind);
    EXPECT_EQ(r->descriptor.open, &openStub);
  }
}

TEST(DescriptorCheck, AcceptsAPluginOfAnOlderMinor) {
  auto d = valid();
  d.abi_minor = 0;
  EXPECT_TRUE(checkDescriptor(&d, CRMSYNC_ABI_MAJOR, static_cast<uint16_t>(CRMSYNC_ABI_MINOR + 3)).isOk());
}

TEST(DescriptorCheck, CopiesNoMoreThanTheHostKnowsOfALargerStruct) {
  // A plugin struct with fields this host does not know yet: the extra bytes are left alone.
  std::vector<unsigned char> bigger(sizeof(crmsync_plugin_descriptor) + 64, 0xAB);
  auto d = valid();
  d.struct_size = static_cast<uint32_t>(bigger.size());
  std::memcpy(bigger.data(), &d, sizeof(d));
  auto r = checkDescriptor(reinterpret_cast<const crmsync_plugin_descriptor*>(bigger.data()), CRMSYNC_ABI_MAJOR,
                           CRMSYNC_ABI_MINOR);
  ASSERT_TRUE(r.isOk()) << r.status().message();
  EXPECT_EQ(r->descriptor.struct_size, bigger.size());
  EXPECT_STREQ(r->descriptor.name, "ok_plugin");
}

TEST(DescriptorCheck, RejectsStructSizeThatDoesNotCoverTheVersion) {
  // Only the first four bytes exist as far as the plugin is concerned.
  uint32_t size = 4;
  std::vector<unsigned char> tiny(sizeof(crmsync_plugin_descriptor), 0);
  std::memcpy(tiny.data(), &size, sizeof(size));
  auto r = checkDescriptor(reinterpret_cast<const crmsync_plugin_descriptor*>(tiny.data()), CRMSYNC_ABI_MAJOR,
                           CRMSYNC_ABI_MINOR);
  ASSERT_FALSE(r.isOk());
  EXPECT_THAT(r.status().message(), HasSubstr("struct_size 4 is implausible"));
}

TEST(DescriptorCheck, ChecksTheMajorBeforeTheSize) {
  auto d = valid();
  d.abi_major = CRMSYNC_ABI_MAJOR + 1;
  d.struct_size = 100;
  EXPECT_THAT(refusal(d), HasSubstr("a different major version is incompatible"));
}

TEST(DescriptorCheck, RejectsMissingName) {
  auto d = valid();
  d.name = nullptr;
  EXPECT_THAT(refusal(d), HasSubstr("the descriptor has no name"));
}

TEST(DescriptorCheck, ValidatesNames) {
  EXPECT_TRUE(isValidPluginName("csv_source"));
  EXPECT_TRUE(isValidPluginName("a1"));
  EXPECT_FALSE(isValidPluginName(""));
  EXPECT_FALSE(isValidPluginName(nullptr));
  EXPECT_FALSE(isValidPluginName("Csv"));
  EXPECT_FALSE(isValidPluginName("csv-source"));
  EXPECT_FALSE(isValidPluginName("csv source"));
  EXPECT_FALSE(isValidPluginName("caf\xc3\xa9"));
}

TEST(DescriptorCheck, SinkNeedsProcessButNotRead) {
  auto d = valid(CRMSYNC_KIND_SINK);
  d.process = nullptr;
  d.last_error = nullptr;
  std::string m = refusal(d);
  EXPECT_THAT(m, HasSubstr("sink 'ok_plugin': process, last_error"));
  EXPECT_THAT(m, HasSubstr("a stage or sink needs open, process, close and last_error"));
}

TEST(DescriptorCheck, RejectsMissingOpen) {
  auto d = valid();
  d.open = nullptr;
  EXPECT_THAT(refusal(d), HasSubstr(": open ("));
}

TEST(DescriptorCheck, RejectsConfigKeyTableThatIsNull) {
  auto d = valid();
  d.config_key_count = 2;
  EXPECT_THAT(refusal(d), HasSubstr("declares 2 config keys but config_keys is NULL"));
}

TEST(DescriptorCheck, RejectsConfigKeyWithoutName) {
  crmsync_config_key keys[] = {{"a", CRMSYNC_CONFIG_STRING, nullptr, 0, ""}, {nullptr, CRMSYNC_CONFIG_INT, nullptr, 0, ""}};
  auto d = valid();
  d.config_keys = keys;
  d.config_key_count = 2;
  EXPECT_THAT(refusal(d), HasSubstr("config key #1 has no name"));
}

TEST(DescriptorCheck, RejectsUnknownConfigType) {
  crmsync_config_key keys[] = {{"mode", 77, nullptr, 0, ""}};
  auto d = valid();
  d.config_keys = keys;
  d.config_key_count = 1;
  EXPECT_THAT(refusal(d), HasSubstr("config key 'mode' has unknown type 77"));
}

TEST(DescriptorCheck, RejectsConfigKeyDeclaredTwice) {
  crmsync_config_key keys[] = {{"path", CRMSYNC_CONFIG_STRING, nullptr, 1, ""},
                               {"path", CRMSYNC_CONFIG_STRING, nullptr, 0, ""}};
  auto d = valid();
  d.config_keys = keys;
  d.config_key_count = 2;
  EXPECT_THAT(refusal(d), HasSubstr("config key 'path' is declared twice"));
}

TEST(DescriptorCheck, RejectsAbsurdConfigKeyCount) {
  crmsync_config_key keys[] = {{"path", CRMSYNC_CONFIG_STRING, nullptr, 1, ""}};
  auto d = valid();
  d.config_keys = keys;
  d.config_key_count = 1u << 30;
  EXPECT_THAT(refusal(d), HasSubstr("probably corrupt"));
}

TEST(DescriptorCheck, OptionalTextMayBeNull) {
  crmsync_config_key keys[] = {{"path", CRMSYNC_CONFIG_STRING, nullptr, 1, nullptr}};
  auto d = valid();
  d.version = nullptr;
  d.description = nullptr;
  d.config_keys = keys;
  d.config_key_count = 1;
  auto r = checkDescriptor(&d, CRMSYNC_ABI_MAJOR, CRMSYNC_ABI_MINOR);
  ASSERT_TRUE(r.isOk()) << r.status().message();
  EXPECT_EQ(r->info.version, "");
  EXPECT_EQ(r->info.description, "");
  ASSERT_EQ(r->info.configKeys.size(), 1u);
  EXPECT_TRUE(r->info.configKeys[0].required);
  EXPECT_EQ(r->info.configKeys[0].description, "");
}

TEST(DescriptorCheck, NamesAbiStatuses) {
  EXPECT_STREQ(abiStatusName(CRMSYNC_ERR_AUTH), "CRMSYNC_ERR_AUTH");
  EXPECT_STREQ(abiStatusName(1234), "an unknown status");
}

}  // namespace
}  // namespace crmsync::plugin
