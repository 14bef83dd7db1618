#include "store/payload_reader.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace crmsync::store {
namespace {

const std::vector<std::string> kNames = {"name", "email", "city"};

// What parsing the payload into a nlohmann::json tree gives: the reader must agree on every payload.
std::vector<std::optional<std::string>> throughTree(const std::string& payload) {
  std::vector<std::optional<std::string>> out(kNames.size());
  auto j = nlohmann::json::parse(payload, nullptr, false);
  if (!j.is_object()) return out;
  for (size_t i = 0; i < kNames.size(); ++i) {
    auto it = j.find(kNames[i]);
    if (it != j.end() && it->is_string()) out[i] = it->get<std::string>();
  }
  return out;
}

std::vector<std::optional<std::string>> throughReader(PayloadReader& reader, const std::string& payload) {
  reader.read(payload);
  std::vector<std::optional<std::string>> out;
  for (size_t i = 0; i < reader.size(); ++i) {
    const auto& v = reader.value(i);
    out.push_back(v ? std::optional<std::string>(std::string(*v)) : std::nullopt);
  }
  return out;
}

TEST(StorePayloadReader, ReadsTheStringFieldsOfAPayload) {
  PayloadReader reader(kNames);
  reader.read(R"({"id":"C1","name":"Emily Brown","email":"","city":null,"name_key":"brown emily"})");
  ASSERT_TRUE(reader.value(0));
  EXPECT_EQ(*reader.value(0), "Emily Brown");
  ASSERT_TRUE(reader.value(1));
  EXPECT_EQ(*reader.value(1), "");  // empty is a value
  EXPECT_FALSE(reader.value(2));    // null is none
}

TEST(StorePayloadReader, AgreesWithAJsonTreeOnEveryKindOfPayload) {
  const std::vector<std::string> payloads = {
      R"({"name":"张伟","email":"zw@example.cn","city":"北京"})",
      R"(  { "name" : "Ann" , "city":"Oslo" }  )",
      "{\n\t\"name\":\"Ann\"\r\n}",
      R"({})",
      R"({"name":"A \"quoted\" name","email":"a\\b","city":"line\nbreak"})",
      R"({"name":"\u00e9t\u00e9 \ud83d\ude00"})",
      R"({"name":"first","name":"last"})",
      R"({"name":"first","name":null})",
      R"({"name":null,"name":"again"})",
      R"({"name":"x","name":{"nested":"y"}})",
      R"({"name":3,"email":true,"city":["Oslo"]})",
      R"({"tags":["name","x"],"inner":{"name":"no"},"email":"yes"})",
      R"({"name":"x",})",
      R"({"name":"x")",
      R"({"name":"x"} trailing)",
      R"({"name":nullx})",
      R"({"name" "x"})",
      R"(["name","x"])",
      R"("name")",
      "",
      "null",
      "\xEF\xBB\xBF{\"name\":\"bom\"}",
      "{\"name\":\"bad \xC3\x28 utf8\"}",
      "{\"name\":\"overlong \xC0\xAF\"}",
      "{\"name\":\"surrogate \xED\xA0\x80\"}",
      "{\"name\":\"tab\there\"}",
      std::string("{\"name\":\"nul\0byte\"}", 19),
      "{\"email\":\"short \xE4\xB8\"}",
  };
  PayloadReader reader(kNames);
  for (const auto& p : payloads) {
    EXPECT_EQ(throughReader(reader, p), throughTree(p)) << p;
  }
}

TEST(StorePayloadReader, ForgetsThePreviousPayload) {
  PayloadReader reader(kNames);
  reader.read(R"({"name":"Ann","email":"a@x"})");
  reader.read(R"({"city":"Oslo"})");
  EXPECT_FALSE(reader.value(0));
  EXPECT_FALSE(reader.value(1));
  ASSERT_TRUE(reader.value(2));
  EXPECT_EQ(*reader.value(2), "Oslo");
}

}  // namespace
}  // namespace crmsync::store
