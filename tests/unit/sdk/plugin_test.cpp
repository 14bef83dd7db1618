// The CRMSYNC_PLUGIN macro and the sdk::Host wrapper, driven through the generated C entry point exactly as
// the engine drives a loaded plugin. This is the only file of the test binary that uses the macro: it defines
// the one crmsync_plugin_entry symbol.
#include <crmsync/sdk/fake_host.hpp>
#include <crmsync/sdk/plugin.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

namespace {

// Throws from open() or read() as its config asks: "sdk" (an sdk::Error with AUTH), "std" (a
// std::runtime_error) or "other" (an int).
class MacroProbe : public crmsync::sdk::Source {
 public:
  static constexpr const char* kName = "macro_probe";
  static constexpr const char* kVersion = "9.9.9";
  static constexpr const char* kDescription = "Throws on request";
  static constexpr crmsync_config_key kConfigKeys[] = {
      {"fail_open", CRMSYNC_CONFIG_STRING, "", 0, "How open() fails"},
      {"fail_read", CRMSYNC_CONFIG_STRING, "", 0, "How read() fails"},
      {"limit", CRMSYNC_CONFIG_INT, "1", 0, "A typed key, for conversion errors"},
  };

  void open(const crmsync::sdk::Config& config, crmsync::sdk::Host& host) override {
    (void)host;
    raise(config.get<std::string>("fail_open", ""), "open");
    failRead_ = config.get<std::string>("fail_read", "");
    config.bind("limit", limit_);
  }
  void read(crmsync::sdk::Host& host) override {
    crmsync::sdk::Record r;
    r.sourceKey = "k1";
    r.origin = "probe:1";
    r.set("name", "before the failure");
    host.emit({&r, 1});
    raise(failRead_, "read");
  }

 private:
  static void raise(const std::string& how, const std::string& where) {
    if (how == "sdk") throw crmsync::sdk::Error(CRMSYNC_ERR_AUTH, where + ": token expired; renew it");
    if (how == "std") throw std::runtime_error(where + " exploded");
    if (how == "other") throw 7;
  }
  std::string failRead_;
  int limit_ = 1;
};

}  // namespace

CRMSYNC_PLUGIN(MacroProbe)

namespace crmsync::sdk {
namespace {

using ::testing::HasSubstr;

const crmsync_plugin_descriptor& probe() { return *crmsync_plugin_entry(CRMSYNC_ABI_MAJOR, CRMSYNC_ABI_MINOR); }

// Opens the probe through its C callbacks; returns the status and leaves the instance in *instance.
crmsync_status openProbe(FakeHost& host, const std::string& failOpen, const std::string& failRead,
                         void** instance) {
  crmsync_config_entry entries[] = {{"fail_open", failOpen.c_str()}, {"fail_read", failRead.c_str()}};
  return probe().open(host.api(), host.ctx(), entries, 2, instance);
}

TEST(PluginMacro, GeneratesADescriptorFromTheClass) {
  const crmsync_plugin_descriptor& d = probe();
  EXPECT_EQ(d.struct_size, sizeof(crmsync_plugin_descriptor));
  EXPECT_EQ(d.abi_major, CRMSYNC_ABI_MAJOR);
  EXPECT_EQ(d.abi_minor, CRMSYNC_ABI_MINOR);
  EXPECT_STREQ(d.name, "macro_probe");
  EXPECT_STREQ(d.version, "9.9.9");
  EXPECT_STREQ(d.description, "Throws on request");
  EXPECT_EQ(d.kind, CRMSYNC_KIND_SOURCE);
  EXPECT_EQ(d.config_key_count, 3u);
  EXPECT_STREQ(d.config_keys[1].name, "fail_read");
  EXPECT_EQ(d.init, nullptr);
  EXPECT_EQ(d.shutdown, nullptr);
  EXPECT_NE(d.open, nullptr);
  EXPECT_NE(d.read, nullptr);
  EXPECT_NE(d.process, nullptr);
  EXPECT_NE(d.close, nullptr);
  EXPECT_NE(d.last_error, nullptr);
  EXPECT_EQ(&d, crmsync_plugin_entry(CRMSYNC_ABI_MAJOR, CRMSYNC_ABI_MINOR));  // static storage
}

TEST(PluginMacro, ThrowingOpenBecomesItsStatusAndLastError) {
  FakeHost host;
  void* instance = reinterpret_cast<void*>(0x1);
  EXPECT_EQ(openProbe(host, "sdk", "", &instance), CRMSYNC_ERR_AUTH);
  EXPECT_EQ(instance, nullptr);
  EXPECT_STREQ(probe().last_error(nullptr), "open: token expired; renew it");
}

TEST(PluginMacro, StdExceptionFromOpenBecomesInternalError) {
  FakeHost host;
  void* instance = nullptr;
  EXPECT_EQ(openProbe(host, "std", "", &instance), CRMSYNC_ERR_INTERNAL);
  EXPECT_EQ(instance, nullptr);
  EXPECT_STREQ(probe().last_error(nullptr), "unexpected error: open exploded");
}

TEST(PluginMacro, NonStandardExceptionFromOpenIsCaughtToo) {
  FakeHost host;
  void* instance = nullptr;
  EXPECT_EQ(openProbe(host, "other", "", &instance), CRMSYNC_ERR_INTERNAL);
  EXPECT_THAT(probe().last_error(nullptr), HasSubstr("non-standard exception"));
}

TEST(PluginMacro, ConfigErrorInOpenNamesTheKey) {
  FakeHost host;
  void* instance = nullptr;
  crmsync_config_entry bad[] = {{"limit", "lots"}};
  EXPECT_EQ(probe().open(host.api(), host.ctx(), bad, 1, &instance), CRMSYNC_ERR_CONFIG);
  EXPECT_EQ(instance, nullptr);
  EXPECT_THAT(probe().last_error(nullptr), HasSubstr("config key 'limit'"));
}

TEST(PluginMacro, OpenSkipsNullValuesAndRefusesANullOutPointer) {
  FakeHost host;
  void* instance = nullptr;
  crmsync_config_entry entries[] = {{"fail_open", nullptr}};
  // A NULL value is skipped, so the probe sees no fail_open and opens fine...
  ASSERT_EQ(probe().open(host.api(), host.ctx(), entries, 1, &instance), CRMSYNC_OK);
  probe().close(instance);
  // ...and a NULL out-pointer is refused without touching anything.
  EXPECT_EQ(probe().open(host.api(), host.ctx(), entries, 1, nullptr), CRMSYNC_ERR_INTERNAL);
}

TEST(PluginMacro, ThrowingReadBecomesStatusAndInstanceLastError) {
  for (const auto& [how, status, text] :
       std::vector<std::tuple<std::string, crmsync_status, std::string>>{
           {"sdk", CRMSYNC_ERR_AUTH, "read: token expired; renew it"},
           {"std", CRMSYNC_ERR_INTERNAL, "unexpected error: read exploded"},
           {"other", CRMSYNC_ERR_INTERNAL, "unexpected non-standard exception"}}) {
    FakeHost host;
    void* instance = nullptr;
    ASSERT_EQ(openProbe(host, "", how, &instance), CRMSYNC_OK);
    ASSERT_NE(instance, nullptr);
    EXPECT_EQ(probe().read(instance), status) << how;
    EXPECT_EQ(std::string(probe().last_error(instance)), text);
    EXPECT_EQ(host.records().size(), 1u);  // what was emitted before the failure did reach the host
    probe().close(instance);
  }
}

TEST(PluginMacro, SourceRefusesToProcess) {
  FakeHost host;
  void* instance = nullptr;
  ASSERT_EQ(openProbe(host, "", "", &instance), CRMSYNC_OK);
  EXPECT_EQ(probe().process(instance, nullptr, 0), CRMSYNC_ERR_UNSUPPORTED);
  EXPECT_THAT(probe().last_error(instance), HasSubstr("does not process"));
  probe().close(instance);
}

TEST(PluginMacro, CloseAcceptsNull) { probe().close(nullptr); }

TEST(SdkHost, EmitTranslatesRecordsToTheCAbi) {
  FakeHost fake;
  Host host(fake.api(), fake.ctx());
  Record a;
  a.entity = "order";
  a.sourceKey = "o-1";
  a.updatedAt = "2024-03-01T10:00:00Z";
  a.origin = "orders.csv:2";
  a.set("total", "12.50").set("note", std::nullopt).set("total", "13.00");
  Record b;
  b.sourceKey = "c-9";
  std::vector<Record> batch{a, b};
  host.emit(batch);
  ASSERT_EQ(fake.records().size(), 2u);
  const EmittedRecord& r = fake.records()[0];
  EXPECT_EQ(r.entity, "order");
  EXPECT_EQ(r.updatedAt, "2024-03-01T10:00:00Z");
  EXPECT_EQ(r.origin, "orders.csv:2");
  ASSERT_EQ(r.fields.size(), 2u);  // set() twice keeps one field, last value
  EXPECT_EQ(r.get("total"), "13.00");
  EXPECT_TRUE(r.has("note"));
  EXPECT_EQ(r.get("note"), std::nullopt);
  EXPECT_EQ(fake.records()[1].entity, "customer");
  EXPECT_EQ(fake.records()[1].updatedAt, std::nullopt);
  EXPECT_EQ(fake.emitCalls(), 1u);
}

TEST(SdkHost, RejectWithoutKeyPassesNull) {
  FakeHost fake;
  Host host(fake.api(), fake.ctx());
  host.reject("", "input.csv:7", "no id column");
  host.reject("k2", "input.csv:8", "bad date", std::string("2024-13-45"));
  ASSERT_EQ(fake.rejected().size(), 2u);
  EXPECT_EQ(fake.rejected()[0].sourceKey, std::nullopt);
  EXPECT_EQ(fake.rejected()[0].reason, "no id column");
  EXPECT_EQ(fake.rejected()[1].raw, "2024-13-45");
}

TEST(SdkHost, EmitAfterCancelThrowsCancelled) {
  FakeHost fake;
  fake.cancelAfterEmits(0);
  Host host(fake.api(), fake.ctx());
  Record r;
  EXPECT_TRUE(host.cancelled());
  try {
    host.emit({&r, 1});
    FAIL() << "emit did not throw";
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), CRMSYNC_ERR_CANCELLED);
  }
}

TEST(SdkHost, SecretGrowsItsBufferForLongValues) {
  FakeHost fake;
  const std::string longValue(1000, 'z');
  fake.setSecret("${env:LONG}", longValue);
  fake.setSecret("${env:EXACT}", std::string(256, 'e'));  // needs exactly one byte more than the first buffer
  Host host(fake.api(), fake.ctx());
  EXPECT_EQ(host.secret("${env:LONG}"), longValue);
  EXPECT_EQ(host.secret("${env:EXACT}"), std::string(256, 'e'));
  try {
    (void)host.secret("${env:CRMSYNC_SURELY_UNSET_VARIABLE}");
    FAIL() << "secret() did not throw";
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), CRMSYNC_ERR_CONFIG);
  }
}

TEST(SdkHost, LogAndCursorGoThroughTheTable) {
  FakeHost fake;
  fake.setCursor("c-1");
  Host host(fake.api(), fake.ctx());
  EXPECT_EQ(host.cursor(), "c-1");
  host.setCursor("c-2");
  EXPECT_EQ(host.cursor(), "c-2");  // the staged cursor is visible to the same run
  host.info("hello");
  host.warn("careful");
  ASSERT_EQ(fake.logs().size(), 2u);
  EXPECT_EQ(fake.logs()[1].level, CRMSYNC_LOG_WARN);
  EXPECT_EQ(fake.logs()[1].message, "careful");
}

}  // namespace
}  // namespace crmsync::sdk
