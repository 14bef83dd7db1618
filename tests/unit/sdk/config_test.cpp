// sdk::Config, the typed view of the config entries the engine passes to open().
#include <crmsync/sdk/plugin.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace crmsync::sdk {
namespace {

using ::testing::HasSubstr;

// Runs fn, expects an sdk::Error with CRMSYNC_ERR_CONFIG, returns its message.
template <typename Fn>
std::string configError(Fn&& fn) {
  try {
    fn();
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), CRMSYNC_ERR_CONFIG);
    return e.what();
  }
  ADD_FAILURE() << "no sdk::Error thrown";
  return "";
}

Config sample() {
  return Config(std::map<std::string, std::string>{
      {"path", "contacts.csv"},
      {"limit", "250"},
      {"negative", "-3"},
      {"ratio", "0.75"},
      {"enabled", "true"},
      {"disabled", "no"},
      {"empty", ""},
      {"tags", R"([ "vip", "eu\"west", "caf\u00e9", "\ud83d\ude00" ])"},
      {"none", "[]"},
      {"headers", R"({"X-Org": "acme", "Accept" : "application/json"})"},
      {"bad_json", R"(["unterminated)"},
      {"not_a_list", R"({"a":"b"})"},
  });
}

TEST(SdkConfig, GetsTypedScalars) {
  Config c = sample();
  EXPECT_EQ(c.get<std::string>("path"), "contacts.csv");
  EXPECT_EQ(c.get<int>("limit"), 250);
  EXPECT_EQ(c.get<long long>("negative"), -3);
  EXPECT_DOUBLE_EQ(c.get<double>("ratio"), 0.75);
  EXPECT_TRUE(c.get<bool>("enabled"));
  EXPECT_FALSE(c.get<bool>("disabled"));
  EXPECT_TRUE(c.has("empty"));
  EXPECT_FALSE(c.has("missing"));
}

TEST(SdkConfig, FallsBackWhenUnsetOrEmpty) {
  Config c = sample();
  EXPECT_EQ(c.get<int>("missing", 7), 7);
  EXPECT_EQ(c.get<int>("empty", 7), 7);               // an empty scalar is "not given"
  EXPECT_EQ(c.get<std::string>("empty", "x"), "");   // but an empty string is a value
  EXPECT_EQ(c.get<int>("limit", 7), 250);
}

TEST(SdkConfig, MissingKeyErrorNamesTheKey) {
  Config c = sample();
  EXPECT_THAT(configError([&] { (void)c.get<std::string>("token"); }), HasSubstr("config key 'token' is not set"));
}

TEST(SdkConfig, ConversionErrorsNameTheKey) {
  Config c = sample();
  EXPECT_THAT(configError([&] { (void)c.get<int>("path"); }), HasSubstr("config key 'path'"));
  EXPECT_THAT(configError([&] { (void)c.get<int>("path"); }), HasSubstr("contacts.csv"));
  EXPECT_THAT(configError([&] { (void)c.get<int>("ratio"); }), HasSubstr("config key 'ratio': expected an integer"));
  EXPECT_THAT(configError([&] { (void)c.get<bool>("limit"); }), HasSubstr("config key 'limit': expected true or false"));
  EXPECT_THAT(configError([&] { (void)c.get<double>("path"); }), HasSubstr("config key 'path'"));
}

TEST(SdkConfig, ParsesStringListsFromJson) {
  Config c = sample();
  auto tags = c.get<std::vector<std::string>>("tags");
  ASSERT_EQ(tags.size(), 4u);
  EXPECT_EQ(tags[0], "vip");
  EXPECT_EQ(tags[1], "eu\"west");
  EXPECT_EQ(tags[2], "caf\xc3\xa9");
  EXPECT_EQ(tags[3], "\xf0\x9f\x98\x80");
  EXPECT_TRUE(c.get<std::vector<std::string>>("none").empty());
}

TEST(SdkConfig, ParsesMapsFromJson) {
  Config c = sample();
  auto headers = c.get<std::map<std::string, std::string>>("headers");
  EXPECT_EQ(headers.size(), 2u);
  EXPECT_EQ(headers["X-Org"], "acme");
  EXPECT_EQ(headers["Accept"], "application/json");
  auto ordered = c.get<std::vector<std::pair<std::string, std::string>>>("headers");
  ASSERT_EQ(ordered.size(), 2u);
  EXPECT_EQ(ordered[0].first, "X-Org");  // declaration order kept
}

TEST(SdkConfig, MalformedJsonErrorNamesTheKey) {
  Config c = sample();
  EXPECT_THAT(configError([&] { (void)c.get<std::vector<std::string>>("bad_json"); }),
              HasSubstr("config key 'bad_json': malformed JSON config value"));
  EXPECT_THAT(configError([&] { (void)c.get<std::vector<std::string>>("not_a_list"); }),
              HasSubstr("config key 'not_a_list': malformed JSON config value: expected '['"));
  EXPECT_THAT(configError([&] { (void)c.get<std::map<std::string, std::string>>("tags"); }),
              HasSubstr("config key 'tags'"));
}

TEST(SdkConfig, BindSetsMembersAndLeavesUnsetOnesAlone) {
  Config c = sample();
  std::string path = "default.csv";
  int limit = 10;
  int untouched = 99;
  std::vector<std::string> tags;
  std::map<std::string, std::string> headers;
  c.bind("path", path);
  c.bind("limit", limit);
  c.bind("missing", untouched);
  c.bind("tags", tags);
  c.bind("headers", headers);
  EXPECT_EQ(path, "contacts.csv");
  EXPECT_EQ(limit, 250);
  EXPECT_EQ(untouched, 99);
  EXPECT_EQ(tags.size(), 4u);
  EXPECT_EQ(headers.at("X-Org"), "acme");
  bool flag = false;
  EXPECT_THAT(configError([&] { c.bind("path", flag); }), HasSubstr("config key 'path'"));
}

TEST(SdkConfig, BuildsFromCEntriesSkippingNulls) {
  crmsync_config_entry entries[] = {{"a", "1"}, {nullptr, "x"}, {"b", nullptr}, {"c", "three"}};
  Config c(entries, 4);
  EXPECT_EQ(c.raw().size(), 2u);
  EXPECT_EQ(c.get<int>("a"), 1);
  EXPECT_FALSE(c.has("b"));
  EXPECT_EQ(c.get<std::string>("c"), "three");
}

}  // namespace
}  // namespace crmsync::sdk
