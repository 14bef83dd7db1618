#include "store/record_codec.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace crmsync::store {
namespace {

Record customer(std::vector<Field> fields) {
  Record r;
  r.entity = "customer";
  r.sourceKey = "1";
  r.fields = std::move(fields);
  return r;
}

TEST(StoreRecordCodec, HashIsSixteenHexDigits) {
  std::string h = recordHash(customer({{"name", "Ann"}}));
  ASSERT_EQ(h.size(), 16u);
  EXPECT_EQ(h.find_first_not_of("0123456789abcdef"), std::string::npos);
}

TEST(StoreRecordCodec, HashDistinguishesNullFromEmptyAndAbsent) {
  std::string null = recordHash(customer({{"title", std::nullopt}}));
  std::string empty = recordHash(customer({{"title", ""}}));
  std::string absent = recordHash(customer({}));
  EXPECT_NE(null, empty);
  EXPECT_NE(null, absent);
  EXPECT_NE(empty, absent);
}

TEST(StoreRecordCodec, HashCoversEntityNamesAndValuesButNotFieldOrder) {
  Record a = customer({{"name", "Ann"}, {"city", "Oslo"}});
  Record b = customer({{"city", "Oslo"}, {"name", "Ann"}});
  EXPECT_EQ(recordHash(a), recordHash(b));
  Record c = a;
  c.entity = "interaction";
  EXPECT_NE(recordHash(a), recordHash(c));
  // Moving text between name and value must not collide.
  EXPECT_NE(recordHash(customer({{"ab", "c"}})), recordHash(customer({{"a", "bc"}})));
  Record d = a;
  d.sourceKey = "other";
  d.origin = "x.csv:9";
  d.updatedAt = "2026-01-01";
  EXPECT_EQ(recordHash(a), recordHash(d));  // key, origin and timestamp are not content
}

TEST(StoreRecordCodec, PayloadIsAJsonObjectOfAllFields) {
  Record r = customer({{"name", "Zoë \"Z\" O'Brien"}, {"title", std::nullopt}, {"loyalty_tier", "gold"}});
  auto j = nlohmann::json::parse(payloadJson(r));
  EXPECT_EQ(j["name"], "Zoë \"Z\" O'Brien");
  EXPECT_TRUE(j["title"].is_null());
  EXPECT_EQ(j["loyalty_tier"], "gold");
}

TEST(StoreRecordCodec, PayloadReplacesInvalidUtf8InsteadOfFailing) {
  Record r = customer({{"name", std::string("bad \xff byte")}});
  auto j = nlohmann::json::parse(payloadJson(r));
  EXPECT_EQ(j["name"], "bad \xEF\xBF\xBD byte");
}

TEST(StoreRecordCodec, PayloadParsesToTheSameObjectNlohmannJsonBuilds) {
  const std::vector<std::optional<std::string>> values = {
      "plain", "", std::nullopt, "Zoë 東京都 🚀", "quote \" backslash \\ slash /", "tab\tnewline\ncr\r",
      std::string("nul\0byte", 8), "\x01\x1f\x7f", "bad \xff\xfe", "overlong \xc0\xaf", "surrogate \xed\xa0\x80",
      "truncated \xe6\x9d", "above max \xf4\x90\x80\x80", "max \xf4\x8f\xbf\xbf"};
  Record r = customer({});
  for (size_t i = 0; i < values.size(); ++i) r.fields.push_back({"f" + std::to_string(i), values[i]});
  r.fields.push_back({"dup", "first"});
  r.fields.push_back({"na\"me\u00e9", "key needing escapes"});
  r.fields.push_back({"dup", "second"});
  nlohmann::json expected = nlohmann::json::object();
  for (const auto& f : r.fields) {
    if (f.value) {
      expected[f.name] = *f.value;
    } else {
      expected[f.name] = nullptr;
    }
  }
  const std::string payload = payloadJson(r);
  // Compared after nlohmann's own repair of the invalid UTF-8 in the inputs.
  const auto repaired = nlohmann::json::parse(expected.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  EXPECT_TRUE(nlohmann::json::parse(payload) == repaired) << payload;
  // Strings that need no escaping are written as they are; the rest exactly as nlohmann::json escapes them.
  EXPECT_NE(payload.find("\"f3\":\"Zoë 東京都 🚀\""), std::string::npos);
  EXPECT_NE(payload.find("\"f4\":" + nlohmann::json(*values[4]).dump()), std::string::npos);
  EXPECT_EQ(payload.find("\"first\""), std::string::npos);  // the earlier of two "dup" fields is gone
  EXPECT_EQ(payloadJson(customer({})), "{}");
}

TEST(StoreRecordCodec, MapsCustomerColumnsByName) {
  EXPECT_EQ(customerColumnIndex("kind"), 0);
  EXPECT_EQ(customerColumnIndex("tags"), 17);
  EXPECT_EQ(customerColumnIndex("loyalty_tier"), -1);
  EXPECT_EQ(customerColumnIndex("id"), -1);  // not settable from a record
  EXPECT_EQ(customerColumnIndex("merged_into"), -1);
}

TEST(StoreRecordCodec, QualityFlagsAreAJsonArray) {
  Record r = customer({});
  EXPECT_EQ(qualityFlagsJson(r), "[]");
  r.qualityFlags = {"phone: not a valid number", "email: \"quoted\""};
  auto j = nlohmann::json::parse(qualityFlagsJson(r));
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[1], "email: \"quoted\"");
}

}  // namespace
}  // namespace crmsync::store
