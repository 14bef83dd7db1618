#include "excel_number_format.hpp"

#include <gtest/gtest.h>

namespace crmsync::spreadsheet {
namespace {

TEST(ExcelNumberFormat, KnowsTheBuiltInDateFormats) {
  for (int id : {14, 15, 16, 17, 27, 28, 29, 30, 31, 36, 50, 51, 52, 53, 54, 57, 58}) {
    EXPECT_EQ(classifyBuiltinFormat(id), DateKind::Date) << id;
  }
  for (int id : {18, 19, 20, 21, 32, 33, 34, 35, 45, 46, 47, 55, 56}) {
    EXPECT_EQ(classifyBuiltinFormat(id), DateKind::Time) << id;
  }
  EXPECT_EQ(classifyBuiltinFormat(22), DateKind::DateTime);
  for (int id : {0, 1, 2, 9, 10, 11, 12, 13, 23, 26, 37, 44, 48, 49, 59, 164}) {
    EXPECT_EQ(classifyBuiltinFormat(id), DateKind::None) << id;
  }
}

TEST(ExcelNumberFormat, FindsDateTokensOnlyOutsideQuotesBracketsAndEscapes) {
  EXPECT_EQ(classifyFormatCode("yyyy-mm-dd"), DateKind::Date);
  EXPECT_EQ(classifyFormatCode("mmm-yy"), DateKind::Date);
  EXPECT_EQ(classifyFormatCode("yyyy\"年\"m\"月\"d\"日\""), DateKind::Date);
  EXPECT_EQ(classifyFormatCode("[$-409]m/d/yyyy h:mm AM/PM"), DateKind::DateTime);
  EXPECT_EQ(classifyFormatCode("h:mm AM/PM"), DateKind::Time);
  EXPECT_EQ(classifyFormatCode("[h]:mm:ss"), DateKind::Time);
  EXPECT_EQ(classifyFormatCode("YYYY/MM/DD"), DateKind::Date);
  EXPECT_EQ(classifyFormatCode("General"), DateKind::None);
  EXPECT_EQ(classifyFormatCode("0.00"), DateKind::None);
  EXPECT_EQ(classifyFormatCode("#,##0 \"days\""), DateKind::None);
  EXPECT_EQ(classifyFormatCode("[Red]0.00;[Blue]-0.00"), DateKind::None);
  EXPECT_EQ(classifyFormatCode("0.00E+00"), DateKind::None);
  EXPECT_EQ(classifyFormatCode("\\d0"), DateKind::None);
  EXPECT_EQ(classifyFormatCode("_-* #,##0_-;_-@_-"), DateKind::None);
  EXPECT_EQ(classifyFormatCode("@"), DateKind::None);
}

TEST(ExcelNumberFormat, ConvertsSerialsInThe1900SystemWithItsFictitiousLeapDay) {
  EXPECT_EQ(excelSerialToIso(1, DateKind::Date, false), "1900-01-01");
  EXPECT_EQ(excelSerialToIso(59, DateKind::Date, false), "1900-02-28");
  EXPECT_EQ(excelSerialToIso(60, DateKind::Date, false), "1900-02-29");
  EXPECT_EQ(excelSerialToIso(61, DateKind::Date, false), "1900-03-01");
  EXPECT_EQ(excelSerialToIso(45292, DateKind::Date, false), "2024-01-01");
  EXPECT_EQ(excelSerialToIso(45292.75, DateKind::DateTime, false), "2024-01-01T18:00:00");
  EXPECT_EQ(excelSerialToIso(60.5, DateKind::DateTime, false), "1900-02-29T12:00:00");
}

TEST(ExcelNumberFormat, ConvertsSerialsInThe1904System) {
  EXPECT_EQ(excelSerialToIso(0, DateKind::Date, true), "1904-01-01");
  EXPECT_EQ(excelSerialToIso(1, DateKind::Date, true), "1904-01-02");
  EXPECT_EQ(excelSerialToIso(45292 - 1462, DateKind::Date, true), "2024-01-01");
}

TEST(ExcelNumberFormat, RoundsToTheNearestSecondBeforeSplittingDayAndTime) {
  EXPECT_EQ(excelSerialToIso(45292.999999999, DateKind::DateTime, false), "2024-01-02T00:00:00");
  EXPECT_EQ(excelSerialToIso(45052.60416666666, DateKind::DateTime, false), "2023-05-06T14:30:00");
}

TEST(ExcelNumberFormat, PrintsTimeOnlyValuesAsClockTimes) {
  EXPECT_EQ(excelSerialToIso(0.0625, DateKind::Time, false), "01:30:00");
  EXPECT_EQ(excelSerialToIso(1.5, DateKind::Time, false), "1900-01-01T12:00:00");
}

TEST(ExcelNumberFormat, RefusesSerialsNoDateCanHave) {
  EXPECT_FALSE(excelSerialToIso(-1, DateKind::Date, false).has_value());
  EXPECT_FALSE(excelSerialToIso(3e6, DateKind::Date, false).has_value());
  EXPECT_FALSE(excelSerialToIso(100, DateKind::None, false).has_value());
}

TEST(ExcelNumberFormat, PrintsIntegersWithoutDecimalsOrExponent) {
  EXPECT_EQ(formatExcelNumber("13800138000"), "13800138000");
  EXPECT_EQ(formatExcelNumber("1.3800138E10"), "13800138000");
  EXPECT_EQ(formatExcelNumber("13800138000.0"), "13800138000");
  EXPECT_EQ(formatExcelNumber("8613900139000"), "8613900139000");
  EXPECT_EQ(formatExcelNumber("-42"), "-42");
  EXPECT_EQ(formatExcelNumber("1E3"), "1000");
  EXPECT_EQ(formatExcelNumber("-0.0"), "0");
}

TEST(ExcelNumberFormat, RoundsBinaryNoiseToFifteenSignificantDigits) {
  EXPECT_EQ(formatExcelNumber("0.30000000000000004"), "0.3");
  EXPECT_EQ(formatExcelNumber("1.5"), "1.5");
  EXPECT_EQ(formatExcelNumber("0.1"), "0.1");
  EXPECT_EQ(formatExcelNumber("45052.60416666666"), "45052.6041666667");
}

TEST(ExcelNumberFormat, LeavesTextThatIsNotANumberAlone) {
  EXPECT_EQ(formatExcelNumber("abc"), "abc");
  EXPECT_EQ(formatExcelNumber(""), "");
}

}  // namespace
}  // namespace crmsync::spreadsheet
