#include "timestamps.hpp"

#include <gtest/gtest.h>

namespace crmsync::phone {
namespace {

std::string utc(LocalTimeZone& zone, std::string_view local) {
  auto t = zone.toEpoch(local);
  return t ? formatIsoUtc(*t) : "(none)";
}

TEST(Timestamps, FormatsAndParsesIsoUtc) {
  EXPECT_EQ(formatIsoUtc(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(formatIsoUtc(1714551164), "2024-05-01T08:12:44Z");
  EXPECT_EQ(formatIsoUtc(-1), "1969-12-31T23:59:59Z");
  EXPECT_EQ(parseIsoUtc("2024-05-01T08:12:44Z"), 1714551164);
  EXPECT_FALSE(parseIsoUtc("2024-05-01 08:12:44"));
  EXPECT_EQ(formatUtcDate(1714551164), "2024-05-01");
}

TEST(Timestamps, ParsesTwilioRfc2822Dates) {
  EXPECT_EQ(parseRfc2822("Tue, 31 Aug 2010 20:36:29 +0000"), parseIsoUtc("2010-08-31T20:36:29Z"));
  EXPECT_EQ(parseRfc2822("31 Aug 2010 22:36:29 +0200"), parseIsoUtc("2010-08-31T20:36:29Z"));
  EXPECT_EQ(parseRfc2822("Wed, 1 Sep 2010 01:06:29 GMT"), parseIsoUtc("2010-09-01T01:06:29Z"));
  EXPECT_FALSE(parseRfc2822("2010-08-31T20:36:29Z"));
  EXPECT_FALSE(parseRfc2822("Tue, 31 Foo 2010 20:36:29 +0000"));
  EXPECT_FALSE(parseRfc2822("Tue, 31 Feb 2010 20:36:29 +0000"));
}

TEST(LocalTimeZone, ConvertsShanghaiLocalTimeToUtc) {
  auto zone = LocalTimeZone::create("Asia/Shanghai", nullptr);
  ASSERT_TRUE(zone);
  EXPECT_EQ(utc(*zone, "2018-09-07 11:05:01"), "2018-09-07T03:05:01Z");
  EXPECT_EQ(utc(*zone, "2024-01-01 02:00:00"), "2023-12-31T18:00:00Z");
}

TEST(LocalTimeZone, FollowsNewYorkDaylightSavingTime) {
  auto zone = LocalTimeZone::create("America/New_York", nullptr);
  ASSERT_TRUE(zone);
  EXPECT_EQ(utc(*zone, "2024-01-15 09:00:00"), "2024-01-15T14:00:00Z");  // EST, UTC-5
  EXPECT_EQ(utc(*zone, "2024-07-15 09:00:00"), "2024-07-15T13:00:00Z");  // EDT, UTC-4
  // 2024-03-10: 01:59:59 EST is followed by 03:00:00 EDT.
  EXPECT_EQ(utc(*zone, "2024-03-10 01:59:59"), "2024-03-10T06:59:59Z");
  EXPECT_EQ(utc(*zone, "2024-03-10 03:00:00"), "2024-03-10T07:00:00Z");
  // 2024-11-03: 01:00-01:59 happens twice; the first (EDT) reading is taken.
  EXPECT_EQ(utc(*zone, "2024-11-03 01:30:00"), "2024-11-03T05:30:00Z");
  EXPECT_EQ(utc(*zone, "2024-11-03 02:30:00"), "2024-11-03T07:30:00Z");
}

TEST(LocalTimeZone, AcceptsFractionalSecondsAndRejectsJunk) {
  auto zone = LocalTimeZone::create("UTC", nullptr);
  ASSERT_TRUE(zone);
  EXPECT_EQ(utc(*zone, "2024-05-01 08:12:44.123456"), "2024-05-01T08:12:44Z");
  EXPECT_EQ(utc(*zone, "2024-05-01T08:12:44"), "2024-05-01T08:12:44Z");
  EXPECT_FALSE(zone->toEpoch("2024-13-01 08:12:44"));
  EXPECT_FALSE(zone->toEpoch("2024-02-30 08:12:44"));
  EXPECT_FALSE(zone->toEpoch("yesterday"));
  EXPECT_FALSE(zone->toEpoch("2024-05-01 08:12"));
  EXPECT_FALSE(zone->toEpoch("2024-05-01 08:12:44 +0800"));
}

TEST(LocalTimeZone, RefusesUnknownZonesWithAHint) {
  std::string problem;
  EXPECT_FALSE(LocalTimeZone::create("Mars/Olympus_Mons", &problem));
  EXPECT_NE(problem.find("unknown time zone 'Mars/Olympus_Mons'"), std::string::npos) << problem;
}

}  // namespace
}  // namespace crmsync::phone
