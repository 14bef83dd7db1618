#include "crmsync/normalize/date.hpp"

#include <gtest/gtest.h>

namespace crmsync::normalize {
namespace {

std::string iso(const DateNormalizer& d, std::string_view raw) {
  auto r = d.normalize(raw);
  EXPECT_TRUE(r.valid) << raw << ": " << r.reason;
  return r.value;
}

TEST(Date, ReadsCommonDateFormatsAsIsoDates) {
  DateNormalizer d;
  for (const char* raw : {"2024-03-05", "2024/3/5", "2024.03.05", "5.3.2024", "05.03.2024", "2024年3月5日",
                          "2024 年 3 月 5 日", "5 Mar 2024", "5 March 2024", "5-Mar-2024", "March 5, 2024",
                          "Mar 5 2024", "Tuesday, March 5th, 2024", "20240305", "03/05/2024", "２０２４－０３－０５",
                          "5. März 2024"}) {
    auto r = d.normalize(raw);
    EXPECT_TRUE(r.valid) << raw << ": " << r.reason;
    EXPECT_EQ(r.value, "2024-03-05") << raw;
    EXPECT_FALSE(r.hasTime) << raw;
  }
}

TEST(Date, ReadsSlashedDatesInTheConfiguredOrder) {
  DateNormalizer monthFirst;
  DateNormalizer dayFirst({.dayFirst = true});
  EXPECT_EQ(iso(monthFirst, "03/05/2024"), "2024-03-05");
  EXPECT_EQ(iso(dayFirst, "03/05/2024"), "2024-05-03");
  EXPECT_EQ(iso(dayFirst, "03-05-2024"), "2024-05-03");
  // Unambiguous either way: a number above 12 is the day.
  EXPECT_EQ(iso(monthFirst, "25/12/2024"), "2024-12-25");
  EXPECT_EQ(iso(dayFirst, "12/25/2024"), "2024-12-25");
  EXPECT_EQ(iso(dayFirst, "5.3.24"), "2024-03-05");
}

TEST(Date, ConvertsDateTimesWithAnOffsetToUtc) {
  DateNormalizer d;
  EXPECT_EQ(iso(d, "2024-03-05T10:00:00+08:00"), "2024-03-05T02:00:00Z");
  EXPECT_EQ(iso(d, "2024-03-05T10:00:00Z"), "2024-03-05T10:00:00Z");
  EXPECT_EQ(iso(d, "2024-03-05 01:30:00-0500"), "2024-03-05T06:30:00Z");
  EXPECT_EQ(iso(d, "Tue, 5 Mar 2024 10:00:00 +0800"), "2024-03-05T02:00:00Z");
  EXPECT_EQ(iso(d, "Tue, 5 Mar 2024 10:00:00 GMT"), "2024-03-05T10:00:00Z");
  EXPECT_EQ(iso(d, "Tue, 5 Mar 2024 01:00:00 +0800 (CST)"), "2024-03-04T17:00:00Z");
  EXPECT_EQ(iso(d, "2024-03-05T10:00:00.250+08:00"), "2024-03-05T02:00:00.250Z");
}

TEST(Date, ReadsLocalTimesInTheConfiguredZone) {
  DateNormalizer shanghai({.timeZone = "Asia/Shanghai"});
  EXPECT_EQ(iso(shanghai, "2024-03-05 10:00"), "2024-03-05T02:00:00Z");
  EXPECT_EQ(iso(shanghai, "2024年3月5日 10:00"), "2024-03-05T02:00:00Z");
  EXPECT_EQ(iso(shanghai, "March 5, 2024 3:30 pm"), "2024-03-05T07:30:00Z");
  DateNormalizer berlin({.timeZone = "Europe/Berlin"});
  EXPECT_EQ(iso(berlin, "05.01.2024 12:00"), "2024-01-05T11:00:00Z");  // winter time, UTC+1
  EXPECT_EQ(iso(berlin, "05.07.2024 12:00"), "2024-07-05T10:00:00Z");  // summer time, UTC+2
  DateNormalizer utc;
  EXPECT_EQ(iso(utc, "2024-03-05 10:00"), "2024-03-05T10:00:00Z");
}

TEST(Date, ReadsExcelSerialNumbersOnlyWhenAsked) {
  DateNormalizer plain;
  EXPECT_FALSE(plain.normalize("45356").valid);
  DateNormalizer excel({.excelSerial = true});
  EXPECT_EQ(iso(excel, "45356"), "2024-03-05");
  EXPECT_EQ(iso(excel, "1"), "1900-01-01");
  EXPECT_EQ(iso(excel, "61"), "1900-03-01");
  EXPECT_EQ(iso(excel, "45356.5"), "2024-03-05T12:00:00Z");
  EXPECT_FALSE(excel.normalize("60").valid);
}

TEST(Date, FlagsImpossibleDatesAndKeepsTheRawValue) {
  DateNormalizer d;
  for (const char* raw : {"2024-02-30", "2023-02-29", "31.04.2024", "2024-13-01", "2024-03-05 25:00", "tomorrow",
                          "5 Foo 2024", "2024-03-05T10:00:00+19:00", "13:00 pm"}) {
    auto r = d.normalize(raw);
    EXPECT_FALSE(r.valid) << raw;
    EXPECT_FALSE(r.reason.empty()) << raw;
    EXPECT_EQ(r.raw, raw);
  }
  EXPECT_TRUE(d.normalize("2024-02-29").valid);
  EXPECT_EQ(d.normalize("2024-02-30").reason, "no such date");
  EXPECT_EQ(d.normalize(" 2024-02-30 ").value, "2024-02-30");
}

TEST(Date, KnowsIanaTimeZones) {
  EXPECT_TRUE(DateNormalizer::isKnownTimeZone("Asia/Shanghai"));
  EXPECT_TRUE(DateNormalizer::isKnownTimeZone("UTC"));
  EXPECT_FALSE(DateNormalizer::isKnownTimeZone("Mars/Olympus"));
}

}  // namespace
}  // namespace crmsync::normalize
